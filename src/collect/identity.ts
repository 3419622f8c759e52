import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../util/errors.js';
import type { ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';

/** Stage 1: who is calling, in which account and partition. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly partition: string;
  readonly callerArn: string;
}

const ARN_PARTITION = /^arn:([^:]+):/;

/** Throws UserError: without the account, nothing else can be collected or named. */
export async function identifyCaller(sts: STSClient, caller: ApiCaller): Promise<CallerIdentity> {
  let identity;
  try {
    identity = await caller.call('sts:GetCallerIdentity', null, (abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
  } catch (error) {
    if (error instanceof CallFailure) throw new UserError(`could not identify the caller (sts:GetCallerIdentity): ${error.code}: ${error.message}`);
    throw error;
  }
  const callerArn = identity.Arn;
  const accountId = identity.Account;
  const partition = ARN_PARTITION.exec(callerArn ?? '')?.[1];
  if (accountId === undefined || partition === undefined || callerArn === undefined) throw new UserError('sts:GetCallerIdentity returned no account or ARN');
  return { accountId, partition, callerArn };
}
