/**
 * Exit codes, as knip does: 0 clean, 1 findings at or above the threshold, 2 usage or input
 * error (the tool could not do its job, nothing written), 3 partial data (issue #5), 4 an output
 * could not be produced (no browser for the PDF; the other files were written). When several
 * apply, app/shared/exit-status.ts picks one by EXIT_PRECEDENCE.
 */
export const ExitCode = {
  ok: 0,
  findings: 1,
  inputError: 2,
  partial: 3,
  outputMissing: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A known, user-facing failure: bad input, a missing file, a wrong flag. The CLI prints its
 * message as one line and exits with its code; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.inputError) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** An error in one input file; the message names the file and where in it. */
export class InputError extends UserError {
  constructor(
    readonly file: string,
    readonly where: string | null,
    readonly problem: string,
  ) {
    super(where === null ? `${file}: ${problem}` : `${file}: ${where}: ${problem}`);
    this.name = 'InputError';
  }
}

/** What the operating system's error codes mean to a user, in words (no errno names, no stack). */
const FILE_SYSTEM_CAUSES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (the file or folder is protected, e.g. immutable)',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ENAMETOOLONG: 'the name is too long for the file system',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links in the path',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error on the disk',
  EBUSY: 'the file or folder is busy',
  ETXTBSY: 'the file is busy',
  EXDEV: 'cannot rename across file systems',
};

/** The error code of a Node.js system error (`ENOENT`...), or null for any other value. */
export function systemErrorCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

/**
 * The cause of a failed file operation in words, or null when `error` is not a file system error
 * we know (then it is a bug and keeps its stack).
 */
export function fileSystemCause(error: unknown): string | null {
  const code = systemErrorCode(error);
  return code === null ? null : (FILE_SYSTEM_CAUSES[code] ?? null);
}

/**
 * A file or folder that could not be read or written: one line naming the path (the one the user
 * asked for, never a temporary name) and the cause; exit 2.
 */
export class FileSystemError extends UserError {
  constructor(
    readonly path: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(`cannot ${action} ${path}: ${reason}`);
    this.name = 'FileSystemError';
  }
}

/**
 * The tool contradicted itself: a bug, not bad input (e.g. two results with one finding id). Not a
 * UserError on purpose: the CLI reports it as an internal error with its stack, exit 2, and writes
 * nothing.
 */
export class InternalConsistencyError extends Error {
  constructor(message: string) {
    super(`internal consistency: ${message}`);
    this.name = 'InternalConsistencyError';
  }
}
