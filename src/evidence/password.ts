import { UserError } from '../util/errors.js';

/**
 * The P12 password: from the environment variable named by --sign-pass-env, else typed at a
 * terminal (not echoed). Never a command-line argument, where ps and shell history would show it.
 */
export async function readSigningPassword(variable: string | undefined, environment: NodeJS.ProcessEnv, p12Path: string): Promise<string> {
  if (variable !== undefined) {
    const value = environment[variable];
    if (value === undefined) throw new UserError(`--sign-pass-env ${variable}: that environment variable is not set`);
    return value;
  }
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
    throw new UserError(`${p12Path}: no terminal to ask for its password; name an environment variable holding it with --sign-pass-env VAR`);
  }
  return promptHidden(`Password for ${p12Path}: `);
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    let typed = '';
    // Echo off before the prompt shows, so nothing typed in reply to it can be echoed.
    input.setRawMode(true);
    process.stderr.write(question);
    input.resume();
    input.setEncoding('utf8');
    const finish = (error: Error | null): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error === null) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n' || character === '\u0004') return finish(null);
        if (character === '\u0003') return finish(new UserError('password prompt interrupted'));
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else typed += character;
      }
    };
    input.on('data', onData);
  });
}
