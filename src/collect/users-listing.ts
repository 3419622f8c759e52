import { ListUsersCommand, type IAMClient, type User } from '@aws-sdk/client-iam';
import type { CollectionError } from '../snapshot/types.js';
import type { ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';
import { StageFailures } from './failures.js';
import { forEachPage } from './paging.js';

/** Stage 2: ListUsers, page by page. */
export interface UserListing {
  /** The users of every page that was read, in IAM's order. */
  readonly users: readonly User[];
  /** True only when the last page said IsTruncated=false; false after a failed page. */
  readonly pagedToEnd: boolean;
  /** The page that failed, when one did. */
  readonly failure: CallFailure | null;
  readonly errors: readonly CollectionError[];
  readonly warnings: readonly string[];
}

export async function listUsers(iam: IAMClient, caller: ApiCaller, onProgress?: (count: number, complete: boolean) => void): Promise<UserListing> {
  const users: User[] = [];
  const failures = new StageFailures();
  try {
    await forEachPage(
      caller,
      'iam:ListUsers',
      null,
      (Marker, abortSignal) => iam.send(new ListUsersCommand({ Marker, MaxItems: 1000 }), { abortSignal }),
      (page) => {
        users.push(...(page.Users ?? []));
        onProgress?.(users.length, page.IsTruncated !== true);
      },
    );
  } catch (error) {
    if (!(error instanceof CallFailure)) throw error;
    failures.failed(error, ['users']);
    onProgress?.(users.length, true);
    return {
      users,
      pagedToEnd: false,
      failure: error,
      errors: failures.errors,
      warnings: [`the user list is incomplete (${error.api}: ${error.code}); ${users.length} users were listed before it failed`],
    };
  }
  return { users, pagedToEnd: true, failure: null, errors: [], warnings: [] };
}
