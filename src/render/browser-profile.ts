/**
 * Where the browser that prints the PDF keeps its profile (src/render/browser.ts makes it there and
 * removes it). Its own file: browser.ts holds the launch and clean-up as one piece.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const PROFILE_PREFIX = 'iam-audit-chromium-';

/**
 * The longest temporary folder the browser's profile can go under. Chromium keeps its singleton
 * socket under TMPDIR, which browserEnvironment sets to the profile:
 * `<folder>/iam-audit-chromium-XXXXXX/.org.chromium.Chromium.XXXXXX/SingletonSocket`, and a Unix
 * socket's path fills at most the 108 bytes of `sun_path`; 72 go to what follows the folder (on
 * this Linux a 36-character folder printed, a 37-character one did not).
 */
export const MAX_PROFILE_PARENT_LENGTH = 108 - (1 + PROFILE_PREFIX.length + 6) - '/.org.chromium.Chromium.XXXXXX/SingletonSocket'.length;

/**
 * Where the browser's profile is made: the temporary folder, or /tmp when that folder's path is
 * too long for Chromium's socket (macOS's /var/folders/…/T/ is about 49 characters, a CI runner's
 * can be longer): there Chromium would exit while starting ("Target closed") and no PDF could be
 * written. Windows has no such socket.
 */
export function profileParent(temporary: string = tmpdir(), platform: NodeJS.Platform = process.platform, hasTmp: () => boolean = () => existsSync('/tmp')): string {
  if (platform === 'win32' || Buffer.byteLength(temporary) <= MAX_PROFILE_PARENT_LENGTH || !hasTmp()) return temporary;
  return '/tmp';
}
