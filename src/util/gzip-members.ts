import { gzipSync } from 'node:zlib';

/**
 * --gzip: text compressed as it is written, without holding it. Node's zlib compresses
 * synchronously only whole buffers, and the engine's pass (which feeds the streamed files) is
 * synchronous, so the text is cut into pieces of exactly GZIP_MEMBER_BYTES (the last shorter) and
 * each piece becomes one gzip member: RFC 1952 §2.2 makes a gzip file a series of members, and
 * gunzip, zcat, zlib, Python's gzip and Node read them as one stream. Cut by byte count, never by
 * how the text arrived, the file's bytes depend only on its text: a streamed and a rendered run
 * write the same .gz. A member costs 18 bytes of header and trailer: nothing at 4 MiB.
 */
export class GzipMembers {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  /** Takes text bytes; returns the members completed by them (empty while a piece fills). */
  push(bytes: Uint8Array): Buffer {
    const members: Buffer[] = [];
    let rest = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (this.pendingLength + rest.length >= GZIP_MEMBER_BYTES) {
      const take = GZIP_MEMBER_BYTES - this.pendingLength;
      this.pending.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      members.push(gzipSync(Buffer.concat(this.pending)));
      this.pending = [];
      this.pendingLength = 0;
    }
    // Copied: the caller may reuse its buffer.
    if (rest.length > 0) {
      this.pending.push(Buffer.from(rest));
      this.pendingLength += rest.length;
    }
    return members.length === 1 ? (members[0] as Buffer) : Buffer.concat(members);
  }

  /** The last member (an empty text still gives one member: a valid, empty .gz). */
  end(): Buffer {
    const member = gzipSync(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingLength = 0;
    return member;
  }

  /** The members of a text given in pieces. */
  *compress(text: Iterable<Uint8Array>): Generator<Buffer> {
    for (const bytes of text) {
      const members = this.push(bytes);
      if (members.length > 0) yield members;
    }
    yield this.end();
  }
}
/** How much text one gzip member holds. */
export const GZIP_MEMBER_BYTES = 4 << 20;
