/**
 * Exit codes, as knip does: 0 clean, 1 findings at or above the threshold, 2 usage or input
 * error (the tool could not do its job), 3 partial collection (issue #5).
 */
export const ExitCode = {
  ok: 0,
  findings: 1,
  inputError: 2,
  partial: 3,
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
