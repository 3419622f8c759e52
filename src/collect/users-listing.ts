import { ListUsersCommand, type IAMClient, type User } from '@aws-sdk/client-iam';
import type { CollectionError } from '../snapshot/types.js';
import type { ApiCaller } from './caller.js';
import { CallFailure } from './errors.js';
import { StageFailures } from './failures.js';
import { forEachPage } from './paging.js';

export const REPEATED_USER_CODE = 'RepeatedUser';

/** Stage 2: ListUsers, page by page. */
export interface UserListing {
  /** The users of every page that was read, in IAM's order, each ARN once. */
  readonly users: readonly User[];
  /** True only when the last page said IsTruncated=false; false after a failed page. */
  readonly pagedToEnd: boolean;
  /** The page that failed, when one did. */
  readonly failure: CallFailure | null;
  /** The ARNs ListUsers gave more than once (each kept once): its paging cannot be trusted to be whole. */
  readonly repeated: readonly string[];
  readonly errors: readonly CollectionError[];
  readonly warnings: readonly string[];
}

export async function listUsers(iam: IAMClient, caller: ApiCaller, onProgress?: (count: number, complete: boolean) => void): Promise<UserListing> {
  const users: User[] = [];
  const failures = new StageFailures();
  // Users by ARN with the page that first gave them: overlapping pages must not make one user two.
  const firstPage = new Map<string, number>();
  const repeated: string[] = [];
  try {
    await forEachPage(
      caller,
      'iam:ListUsers',
      null,
      (Marker, abortSignal) => iam.send(new ListUsersCommand({ Marker, MaxItems: 1000 }), { abortSignal }),
      (page, pageNumber) => {
        for (const user of page.Users) {
          const arn = user.Arn ?? '';
          const first = firstPage.get(arn);
          if (first !== undefined) {
            repeated.push(arn);
            failures.record({
              api: 'iam:ListUsers',
              resource: arn,
              code: REPEATED_USER_CODE,
              message: `ListUsers gave ${arn} again on page ${pageNumber} (first on page ${first}); the repeat is ignored and the user list is not trusted to be complete`,
              affects: ['users'],
            });
            continue;
          }
          firstPage.set(arn, pageNumber);
          users.push(user);
        }
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
      repeated,
      errors: failures.errors,
      warnings: [`the user list is incomplete (${error.api}: ${error.code}); ${users.length} users were listed before it failed`],
    };
  }
  const warnings = repeated.length === 0 ? [] : [`ListUsers gave ${repeated.length} user(s) more than once (overlapping pages); the user list is incomplete`];
  return { users, pagedToEnd: true, failure: null, repeated, errors: failures.errors, warnings };
}
