/** Whether `report` was given an organisation input (light: file system only, loaded on every report). */
import { open, stat } from 'node:fs/promises';
import { looksLikeOrgIndex } from '../../snapshot/org-index.js';

/** True when `path` is a folder or an organisation index (read only its first bytes). */
export async function isOrgInput(path: string): Promise<boolean> {
  try {
    if ((await stat(path)).isDirectory()) return true;
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
      return looksLikeOrgIndex(buffer.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    // Unreadable: the snapshot report says why.
    return false;
  }
}

