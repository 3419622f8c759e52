/**
 * The quiet-days state: which finding was mailed to which owner, and when. JSON:
 * { "version": 1, "sent": { "<finding id>": { "<address>": "<ISO time>" } } }.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { describeFsError } from '../../snapshot/io.js';
import { InputError, UserError } from '../../util/errors.js';
import { writeOutputs } from '../../util/files.js';
import type { FailedResult } from './notify-input.js';
import { stableFindingId } from '../../analyze/finding-id.js';

const STATE_VERSION = 1;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The one place notify names a finding: the stable finding id (src/analyze/finding-id.ts), the
 * same as the reports' `finding_id`. Computed from rule id and resource ARN, so a report JSON
 * written before finding ids existed gives the same ids.
 */
export function findingId(finding: Pick<FailedResult, 'ruleId' | 'resourceArn'>): string {
  return stableFindingId(finding.ruleId, finding.resourceArn);
}

/**
 * State files written before stable finding ids keyed findings as `<rule id>|<resource ARN>`;
 * they are read as the same findings (rule ids never contain `|`), and saved in the new form.
 */
function currentId(id: string): string {
  const bar = id.indexOf('|');
  return bar < 0 ? id : stableFindingId(id.slice(0, bar), id.slice(bar + 1));
}

export class NotifyState {
  private constructor(private readonly sent: Map<string, Map<string, string>>) {}

  static empty(): NotifyState {
    return new NotifyState(new Map());
  }

  /** Reads the state file; a missing file is an empty state (the first run). */
  static async load(path: string): Promise<NotifyState> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NotifyState.empty();
      throw new UserError(`cannot read state file ${path}: ${describeFsError(error)}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new InputError(path, null, `not valid JSON (${(error as Error).message})`);
    }
    const root = data as { version?: unknown; sent?: unknown } | null;
    if (typeof root !== 'object' || root === null || root.version !== STATE_VERSION || typeof root.sent !== 'object' || root.sent === null) {
      throw new InputError(path, null, `not a notify state file (expected {"version": ${STATE_VERSION}, "sent": {...}})`);
    }
    const sent = new Map<string, Map<string, string>>();
    for (const [id, owners] of Object.entries(root.sent as Record<string, unknown>)) {
      if (typeof owners !== 'object' || owners === null) throw new InputError(path, `sent.${id}`, 'expected address -> time');
      const byOwner = new Map<string, string>();
      for (const [address, time] of Object.entries(owners as Record<string, unknown>)) {
        if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) throw new InputError(path, `sent.${id}.${address}`, `${JSON.stringify(time)} is not a time`);
        byOwner.set(address, time);
      }
      const key = currentId(id);
      const earlier = sent.get(key);
      // An old and a new key for the same finding: the latest time per address wins.
      if (earlier !== undefined) for (const [address, time] of earlier) if (!byOwner.has(address) || Date.parse(byOwner.get(address) ?? '') < Date.parse(time)) byOwner.set(address, time);
      sent.set(key, byOwner);
    }
    return new NotifyState(sent);
  }

  /** True when `address` was told about `id` less than `quietDays` before `now`. */
  isQuiet(id: string, address: string, now: Date, quietDays: number): boolean {
    const last = this.sent.get(id)?.get(address.toLowerCase());
    return last !== undefined && now.getTime() - Date.parse(last) < quietDays * DAY_MS;
  }

  record(id: string, address: string, at: Date): void {
    let byOwner = this.sent.get(id);
    if (byOwner === undefined) this.sent.set(id, (byOwner = new Map()));
    byOwner.set(address.toLowerCase(), at.toISOString());
  }

  toJson(): string {
    const sent: Record<string, Record<string, string>> = {};
    for (const id of [...this.sent.keys()].sort()) sent[id] = Object.fromEntries([...(this.sent.get(id) ?? new Map<string, string>()).entries()].sort());
    return `${JSON.stringify({ version: STATE_VERSION, sent }, null, 2)}\n`;
  }

  /** Replaces the state file atomically: the state is the tool's own file, meant to be rewritten. */
  async save(path: string): Promise<void> {
    await writeOutputs(dirname(path), [{ fileName: basename(path), content: this.toJson() }], true);
  }
}
