/**
 * The JUnit file of a streamed run (report-stream.ts). JUnit groups its cases by framework, control
 * and rule and opens with the totals, the opposite of the engine's order (identity by identity):
 * so each result's case is written, as it is judged, to its rule's spool file in a private
 * temporary folder (with a placeholder for the classname), its outcome counted per rule, and the
 * file is assembled once the pass is over: each suite's opening with its counts, then for each
 * control the spools of its rules, read back a megabyte at a time with the control's classname put
 * in. Nothing holds the cases; the spools are removed at the end, and on failure.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { AnalysisResult, RuleResult } from '../../analyze/result.js';
import type { junitStream as JunitStream, JunitCounts } from '../../render/junit.js';
import type { TextSink } from '../../util/files.js';

interface RuleSpool {
  readonly path: string;
  pending: string;
  counts: { tests: number; failure: number; error: number; skipped: number };
}

/** Spooled text is written to its file in pieces of about this many characters. */
const SPOOL_PIECE = 256 * 1024;
const READ_PIECE = 1 << 20;

export class JunitSpool {
  private readonly folder = mkdtempSync(join(tmpdir(), 'iam-audit-junit-'));
  private readonly spools = new Map<string, RuleSpool>();
  /** An interrupted run (util/files.ts exits on SIGINT/SIGTERM/SIGHUP) leaves no spool behind. */
  private readonly removeOnExit = (): void => this.remove();

  constructor(
    private readonly writer: typeof JunitStream,
    /** Each rule's remediation text, as a failed case carries it. */
    private readonly remediation: ReadonlyMap<string, string>,
  ) {
    process.on('exit', this.removeOnExit);
  }

  /** The cases of a batch of results (already narrowed to --framework and --status). */
  add(items: readonly RuleResult[]): void {
    for (const item of items) {
      const spool = this.spoolOf(item.ruleId);
      const { text, outcome } = this.writer.caseOf(item, this.remediation.get(item.ruleId) ?? '');
      spool.pending += text;
      spool.counts.tests += 1;
      if (outcome !== 'pass') spool.counts[outcome] += 1;
      if (spool.pending.length >= SPOOL_PIECE) this.flush(spool);
    }
  }

  /** Writes the whole JUnit file to `out`, as renderJunitChunks would for `result` (the machine outputs' view), and removes the spools. */
  writeTo(out: TextSink, result: AnalysisResult): void {
    try {
      for (const spool of this.spools.values()) this.flush(spool);
      const frameworks = result.catalogue?.frameworks ?? [];
      const none: JunitCounts = { tests: 0, failure: 0, error: 0, skipped: 0 };
      const suiteCounts = frameworks.map((framework) =>
        framework.controls.reduce((sum, control) => {
          if (control.ruleIds.length === 0) return add(sum, { tests: 1, failure: 0, error: 0, skipped: 1 });
          return control.ruleIds.reduce((inner, ruleId) => add(inner, this.spools.get(ruleId)?.counts ?? none), sum);
        }, none),
      );
      out.write(this.writer.head(result, suiteCounts.reduce(add, none)));
      for (const [index, framework] of frameworks.entries()) {
        out.write(this.writer.suiteHead(result, `${framework.name} ${framework.version}`, suiteCounts[index] ?? none));
        for (const control of framework.controls) {
          if (control.ruleIds.length === 0) {
            out.write(this.writer.manualCase(`${framework.id} ${control.controlId}`, control));
            continue;
          }
          const classname = this.writer.escapedClassname(framework.id, control.controlId);
          for (const ruleId of control.ruleIds) this.copy(ruleId, classname, out);
        }
        out.write(this.writer.suiteTail);
      }
      out.write(this.writer.tail);
    } finally {
      this.remove();
    }
  }

  /** Removes the spools (the run failed, or the file is written). */
  remove(): void {
    process.removeListener('exit', this.removeOnExit);
    rmSync(this.folder, { recursive: true, force: true });
  }

  private spoolOf(ruleId: string): RuleSpool {
    let spool = this.spools.get(ruleId);
    if (spool === undefined) {
      spool = { path: join(this.folder, `${this.spools.size}.xml`), pending: '', counts: { tests: 0, failure: 0, error: 0, skipped: 0 } };
      this.spools.set(ruleId, spool);
    }
    return spool;
  }

  private flush(spool: RuleSpool): void {
    if (spool.pending === '') return;
    const fd = openSync(spool.path, 'a');
    try {
      const bytes = Buffer.from(spool.pending, 'utf8');
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    } finally {
      closeSync(fd);
    }
    spool.pending = '';
  }

  /** One rule's spooled cases, with the control's classname in place of the placeholder. */
  private copy(ruleId: string, classname: string, out: TextSink): void {
    const spool = this.spools.get(ruleId);
    if (spool === undefined || spool.counts.tests === 0) return;
    const fd = openSync(spool.path, 'r');
    try {
      const decoder = new StringDecoder('utf8');
      const buffer = Buffer.alloc(READ_PIECE);
      for (let read = readSync(fd, buffer, 0, READ_PIECE, null); read > 0; read = readSync(fd, buffer, 0, READ_PIECE, null)) {
        out.write(decoder.write(buffer.subarray(0, read)).replaceAll(this.writer.CLASSNAME, classname));
      }
      out.write(decoder.end().replaceAll(this.writer.CLASSNAME, classname));
    } finally {
      closeSync(fd);
    }
  }
}

function add(sum: JunitCounts, counts: JunitCounts): JunitCounts {
  return { tests: sum.tests + counts.tests, failure: sum.failure + counts.failure, error: sum.error + counts.error, skipped: sum.skipped + counts.skipped };
}
