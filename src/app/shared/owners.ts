/**
 * Who owns a finding: the address to tell about it. Shared by `notify` and (later) the printable
 * report, so it depends only on names, tags and files, never on mail or rendering.
 *
 * Order: the user's tags (the configured keys, in order), then the owners mapping file (exact
 * names before globs, globs in file order), then the default owner. No match: no owner.
 */
import { readFile } from 'node:fs/promises';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { parseStructuredSource } from '../../config/structured-file.js';
import { InputError, UserError } from '../../util/errors.js';
import { describeFsError, type LoadedSnapshot } from '../../snapshot/io.js';
import { picomatch } from '../../util/globs.js';

/** The tag keys read when --owner-tag is not given. */
export const DEFAULT_OWNER_TAG_KEYS: readonly string[] = ['email', 'owner'];

/** Where an owner came from, said in the summary so a wrong address can be traced and fixed. */
export type OwnerSource =
  | { readonly kind: 'tag'; readonly key: string }
  | { readonly kind: 'mapping'; readonly pattern: string }
  | { readonly kind: 'default' }
  /** Recorded in a report JSON's tracking (notify without the snapshot); `how` is its owner_source. */
  | { readonly kind: 'report'; readonly how: string };

export interface ResolvedOwner {
  /** The bare address (bob@example.com); for an invalid tag value, the value as it is. */
  readonly address: string;
  readonly source: OwnerSource;
  /** The display name given with it ("Bob Admin" of `Bob Admin <bob@example.com>`), if any. */
  readonly name?: string;
  /** Set when the tag's value is not an address: that owner cannot be mailed (one line saying why). */
  readonly problem?: string;
}

/**
 * A deliberately plain address check (local@domain.tld, no display name, no spaces): enough to
 * refuse typos and tag values such as "team platform" before anything is sent.
 */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isValidAddress(text: string): boolean {
  return text.length <= 254 && ADDRESS.test(text);
}

export interface Mailbox {
  readonly address: string;
  /** The display name, '' when none. */
  readonly name: string;
}

/**
 * One RFC 5322 mailbox: `bob@example.com` or `Bob Admin <bob@example.com>` (nodemailer's address
 * parser), whose address passes isValidAddress. Null for anything else: no address, a group, a
 * list of several, or a line break (a header injection).
 */
export function parseMailbox(text: string): Mailbox | null {
  const trimmed = text.trim();
  if (trimmed === '' || /[\r\n]/.test(trimmed)) return null;
  if (isValidAddress(trimmed)) return { address: trimmed, name: '' };
  const parsed = addressparser(trimmed, { flatten: true });
  const [only, ...more] = parsed;
  if (only === undefined || more.length > 0 || !trimmed.includes('<') || !isValidAddress(only.address)) return null;
  return { address: only.address, name: only.name };
}

/** Refuses an invalid address given on the command line (--default-owner, --summary-to, --from). */
export function checkAddressFlag(flag: string, value: string): string {
  const address = value.trim();
  // `Name <name@example.com>` is accepted as well (kept as given: nodemailer reads it).
  if (parseMailbox(address) === null) throw new UserError(`--${flag} "${value}" is not an email address (name@example.com)`);
  return address;
}

/**
 * The IAM user a resource belongs to: the user itself, or the user whose access key it is
 * ("bob#access_key_1"). Root and account-wide resources belong to no user: null.
 */
export function owningUserName(resourceType: string, resourceName: string): string | null {
  if (resourceType === 'user') return resourceName;
  if (resourceType === 'access-key' || resourceType === 'signing-certificate') {
    const hash = resourceName.lastIndexOf('#');
    return hash > 0 ? resourceName.slice(0, hash) : null;
  }
  return null;
}

interface MappingEntry {
  readonly pattern: string;
  readonly address: string;
  readonly name: string;
  readonly matches: (name: string) => boolean;
}

/** An owners mapping file: user name or glob (picomatch) -> address. */
export class OwnersMapping {
  private constructor(private readonly entries: readonly MappingEntry[]) {}

  static readonly empty = new OwnersMapping([]);

  /**
   * Reads a YAML or JSON mapping: either the mapping itself or under an `owners:` key.
   * `alice.admin: alice@example.com` and `"svc-*": platform@example.com`.
   */
  static async load(path: string): Promise<OwnersMapping> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UserError(`cannot read owners file ${path}: ${describeFsError(error)}`);
    }
    return OwnersMapping.parse(text, path);
  }

  static parse(text: string, path: string): OwnersMapping {
    const source = parseStructuredSource(text, path);
    const root = source.data;
    const underOwners = isPlainObject(root) && Object.keys(root).length === 1 && isPlainObject(root['owners']);
    const table = underOwners ? (root as Record<string, unknown>)['owners'] : root;
    const prefix: string[] = underOwners ? ['owners'] : [];
    if (!isPlainObject(table)) throw new InputError(path, null, 'an owners file maps user names or globs to addresses ("alice.admin: alice@example.com")');
    const exact: MappingEntry[] = [];
    const globs: MappingEntry[] = [];
    for (const [pattern, value] of Object.entries(table)) {
      const where = source.position([...prefix, pattern]) ?? pattern;
      const mailbox = typeof value === 'string' ? parseMailbox(value) : null;
      if (mailbox === null) {
        throw new InputError(path, where, `"${pattern}": ${JSON.stringify(value)} is not an email address (name@example.com)`);
      }
      const isGlob = picomatch().scan(pattern).isGlob;
      const entry: MappingEntry = {
        pattern,
        address: mailbox.address,
        name: mailbox.name,
        matches: isGlob ? picomatch()(pattern, { dot: true }) : (name) => name === pattern,
      };
      (isGlob ? globs : exact).push(entry);
    }
    return new OwnersMapping([...exact, ...globs]);
  }

  lookup(name: string): MappingEntry | null {
    return this.entries.find((entry) => entry.matches(name)) ?? null;
  }

  get size(): number {
    return this.entries.length;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface OwnerSettings {
  /** Tag keys, in order of preference; matched without regard to case (IAM tag keys are case-sensitive, people are not). */
  readonly tagKeys: readonly string[];
  readonly mapping: OwnersMapping;
  readonly defaultOwner: string | null;
}

/** The user's tags, or null when they were not collected (a credential report carries none). */
export type TagsByUser = ReadonlyMap<string, Readonly<Record<string, string>>> | null;

export class OwnerResolver {
  constructor(
    private readonly settings: OwnerSettings,
    private readonly tagsByUser: TagsByUser,
  ) {}

  /**
   * Refuses an invalid address in any owner tag before anything is sent: one wrong tag must not
   * leave half the owners told and the rest not.
   */
  checkTags(): void {
    if (this.tagsByUser === null) return;
    for (const [user, tags] of this.tagsByUser) {
      const found = this.tagValue(tags);
      if (found !== null && parseMailbox(found.value) === null) {
        throw new UserError(`user ${user}: tag ${found.key}=${JSON.stringify(found.value)} is not an email address (name@example.com)`);
      }
    }
  }

  private tagValue(tags: Readonly<Record<string, string>>): { key: string; value: string } | null {
    for (const wanted of this.settings.tagKeys) {
      const key = Object.keys(tags).find((candidate) => candidate.toLowerCase() === wanted.toLowerCase());
      if (key !== undefined && (tags[key] ?? '').trim() !== '') return { key, value: tags[key] ?? '' };
    }
    return null;
  }

  /** The owner of a resource, or null when nothing names one. */
  resolve(resourceType: string, resourceName: string): ResolvedOwner | null {
    const user = owningUserName(resourceType, resourceName);
    if (user !== null && this.tagsByUser !== null) {
      const tags = this.tagsByUser.get(user);
      const found = tags === undefined ? null : this.tagValue(tags);
      if (found !== null) {
        const mailbox = parseMailbox(found.value);
        const source: OwnerSource = { kind: 'tag', key: found.key };
        if (mailbox === null) return { address: found.value.trim(), source, problem: `user ${user}: tag ${found.key}=${JSON.stringify(found.value)} is not an email address (name@example.com)` };
        return { address: mailbox.address, source, ...(mailbox.name === '' ? {} : { name: mailbox.name }) };
      }
    }
    const entry = this.settings.mapping.lookup(user ?? resourceName);
    if (entry !== null) return { address: entry.address, source: { kind: 'mapping', pattern: entry.pattern }, ...(entry.name === '' ? {} : { name: entry.name }) };
    if (this.settings.defaultOwner !== null) {
      const mailbox = parseMailbox(this.settings.defaultOwner);
      return { address: mailbox?.address ?? this.settings.defaultOwner, source: { kind: 'default' }, ...(mailbox === null || mailbox.name === '' ? {} : { name: mailbox.name }) };
    }
    return null;
  }
}

/** Parses --owner-tag "email,owner". */
export function parseOwnerTagKeys(values: readonly string[] | undefined): readonly string[] {
  if (values === undefined || values.length === 0) return DEFAULT_OWNER_TAG_KEYS;
  return values.flatMap((value) => value.split(',')).map((key) => key.trim()).filter((key) => key !== '');
}

/** The users' tags from a snapshot, or null when the snapshot did not collect them. */
export function tagsFromSnapshot(loaded: LoadedSnapshot): TagsByUser {
  const tags = new Map<string, Readonly<Record<string, string>>>();
  let anyKnown = false;
  for (const user of loaded.snapshot.users) {
    if (!user.tags.known) continue;
    anyKnown = true;
    tags.set(user.name, user.tags.value);
  }
  return anyKnown ? tags : null;
}
