/**
 * The organisation's accounts from AWS Organizations: DescribeOrganization, then ListAccounts
 * (paged), or for --ou the OU's accounts and those of every OU below it (ListAccountsForParent,
 * ListChildren, paged). Only active accounts are collected; the others are listed as skipped.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { UserError } from '../../util/errors.js';
import type { ApiCaller } from '../caller.js';
import { CallFailure } from '../errors.js';
import { MarkerHistory } from '../paging.js';
import type { Checked, CollectedApi } from '../required-members.js';

export interface OrgAccountEntry {
  readonly id: string;
  readonly name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED (Organizations' State; the retired Status as a fallback). */
  readonly state: string;
}

export interface OrgListing {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly partition: string;
  /** Active accounts of the selection, in account-id order. */
  readonly accounts: readonly OrgAccountEntry[];
  /** Accounts of the selection that are not active, in account-id order. */
  readonly skipped: readonly OrgAccountEntry[];
}

export interface OrgSelection {
  readonly ou: string | null;
  readonly accounts: readonly string[] | null;
}

const NO_ACCESS = new Set(['AccessDeniedException', 'AccessDenied', 'AWSOrganizationsNotInUseException', 'UnrecognizedClientException', 'InvalidClientTokenId']);

function noOrganizationsAccess(failure: CallFailure): UserError {
  const why = failure.code === 'AWSOrganizationsNotInUseException' ? 'the account is not in an organisation' : 'no access to AWS Organizations';
  return new UserError(
    `collect --org: ${why} (${failure.api}: ${failure.code}: ${failure.message}); run it with credentials of the management account or a delegated administrator (organizations:DescribeOrganization, ListAccounts, ListChildren, ListAccountsForParent)`,
  );
}

function entryOf(account: Account): OrgAccountEntry | null {
  if (account.Id === undefined) return null;
  return { id: account.Id, name: account.Name ?? '', state: account.State ?? account.Status ?? 'ACTIVE' };
}

async function pages<Api extends CollectedApi, T extends { NextToken?: string | undefined; $metadata: { attempts?: number } }>(
  caller: ApiCaller,
  api: Api,
  resource: string | null,
  send: (token: string | undefined, signal: AbortSignal) => Promise<T>,
): Promise<Checked<Api, T>[]> {
  const all: Checked<Api, T>[] = [];
  const tokens = new MarkerHistory(api, resource, 'NextToken');
  let token: string | undefined;
  do {
    const page = await caller.call(api, resource, (signal) => send(token, signal));
    all.push(page);
    token = page.NextToken === undefined || page.NextToken === '' ? undefined : tokens.next(page.NextToken);
  } while (token !== undefined);
  return all;
}

async function accountsUnder(client: OrganizationsClient, caller: ApiCaller, ou: string): Promise<OrgAccountEntry[]> {
  const direct = await pages(caller, 'organizations:ListAccountsForParent', ou, (token, abortSignal) =>
    client.send(new ListAccountsForParentCommand({ ParentId: ou, ...(token === undefined ? {} : { NextToken: token }) }), { abortSignal }),
  );
  const children = await pages(caller, 'organizations:ListChildren', ou, (token, abortSignal) =>
    client.send(new ListChildrenCommand({ ParentId: ou, ChildType: 'ORGANIZATIONAL_UNIT', ...(token === undefined ? {} : { NextToken: token }) }), { abortSignal }),
  );
  const entries = direct.flatMap((page) => page.Accounts.map(entryOf)).filter((entry): entry is OrgAccountEntry => entry !== null);
  for (const child of children.flatMap((page) => page.Children)) {
    if (child.Id !== undefined) entries.push(...(await accountsUnder(client, caller, child.Id)));
  }
  return entries;
}

/** Throws UserError (exit 2) for no Organizations access, an unknown OU, or --accounts outside the organisation. */
export async function listOrganization(client: OrganizationsClient, caller: ApiCaller, selection: OrgSelection): Promise<OrgListing> {
  let organizationId: string;
  let managementAccountId: string;
  let partition: string;
  let found: OrgAccountEntry[];
  try {
    const described = await caller.call('organizations:DescribeOrganization', null, (abortSignal) => client.send(new DescribeOrganizationCommand({}), { abortSignal }));
    const organization = described.Organization;
    if (organization?.Id === undefined) throw new UserError('collect --org: organizations:DescribeOrganization returned no organisation');
    organizationId = organization.Id;
    managementAccountId = organization.MasterAccountId ?? '';
    partition = /^arn:([^:]+):/.exec(organization.Arn ?? '')?.[1] ?? 'aws';
    if (selection.ou !== null) {
      const ou = selection.ou;
      try {
        found = await accountsUnder(client, caller, ou);
      } catch (error) {
        if (error instanceof CallFailure && /ParentNotFound|InvalidInput|ChildNotFound/.test(error.code)) {
          throw new UserError(`--ou ${ou}: no such root or organisational unit in organisation ${organizationId} (${error.code})`);
        }
        throw error;
      }
    } else {
      const listed = await pages(caller, 'organizations:ListAccounts', null, (token, abortSignal) =>
        client.send(new ListAccountsCommand(token === undefined ? {} : { NextToken: token }), { abortSignal }),
      );
      found = listed.flatMap((page) => page.Accounts.map(entryOf)).filter((entry): entry is OrgAccountEntry => entry !== null);
    }
  } catch (error) {
    if (error instanceof CallFailure && NO_ACCESS.has(error.code)) throw noOrganizationsAccess(error);
    if (error instanceof CallFailure) throw new UserError(`collect --org: could not list the organisation (${error.api}: ${error.code}: ${error.message})`);
    throw error;
  }
  if (selection.accounts !== null) {
    const byId = new Map(found.map((entry) => [entry.id, entry]));
    const outside = selection.accounts.filter((id) => !byId.has(id));
    if (outside.length > 0) {
      throw new UserError(`--accounts: ${outside.join(', ')} ${outside.length === 1 ? 'is not an account' : 'are not accounts'} of organisation ${organizationId}${selection.ou === null ? '' : ` under ${selection.ou}`}`);
    }
    found = selection.accounts.map((id) => byId.get(id) as OrgAccountEntry);
  }
  const unique = [...new Map(found.map((entry) => [entry.id, entry])).values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    organizationId,
    managementAccountId,
    partition,
    accounts: unique.filter((entry) => entry.state === 'ACTIVE'),
    skipped: unique.filter((entry) => entry.state !== 'ACTIVE'),
  };
}
