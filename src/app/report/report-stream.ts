/**
 * A report whose machine outputs are written while the engine judges (issue 26): the findings CSV
 * and the JSON report are opened before the analysis, each identity's results are tracked
 * (owner, due date, response), narrowed to an explicit --framework and written as soon as they
 * are judged, and nothing holds every result. What the run needs of the results afterwards is
 * kept small: the errors (console warnings) and the failures at or above --fail-on (the gate).
 *
 * Used by `report` and `audit` when every asked-for format can be streamed (csv, json, ocsf,
 * ocsf-jsonl, junit: stream-choice.ts) and no --previous comparison needs the results; anything
 * else runs as before, on the collected result. OCSF events are written as judged (each serialised
 * once for both layouts); JUnit's cases are spooled per rule and the file assembled by `finish`
 * (junit-spool.ts). With --gzip every file is written compressed (util/gzip-members.ts).
 */
import { DEFAULT_CONFIGURATION, ruleSettings, type CatalogueConfiguration, type CatalogueFramework } from '../../analyze/engine.js';
import { effectiveTitle } from '../../analyze/parameters.js';
import type { AnalysisResult, RuleResult, RuleResultStatus } from '../../analyze/result.js';
import { SEVERITIES, type Rule, type Severity } from '../../rules/rule.js';
import type { LoadedSnapshot } from '../../snapshot/io.js';
import { refuseExistingOutput, StagedOutput, type StagedStream, type WrittenFile } from '../../util/files.js';
import { analyseLoaded } from '../shared/analyse.js';
import { remediationTracker, type RemediationInputs, type RemediationTracker } from '../shared/remediation.js';
import type { AnalysisInput } from '../../analyze/analyze.js';
import type { findingsCsvStream as FindingsCsvStream } from '../../render/findings-csv.js';
import type { jsonReportStream as JsonReportStream, ResourceLines } from '../../render/json.js';
import type { OcsfCatalogue, OcsfEvents, ocsfStream as OcsfStream } from '../../render/ocsf.js';
import type { junitStream as JunitStream } from '../../render/junit.js';
import type { JunitSpool } from './junit-spool.js';

export interface ReportStreamFiles {
  /** The findings CSV's name (with csv), else null. */
  readonly findingsCsv: string | null;
  /** The JSON report's name (with json), else null. */
  readonly json: string | null;
  /** The OCSF file's name (with ocsf), else null. */
  readonly ocsf: string | null;
  /** The OCSF JSON Lines file's name (with ocsf-jsonl), else null. */
  readonly ocsfJsonl: string | null;
  /** The JUnit file's name (with junit), else null: spooled per rule, written by `finish` (junit-spool.ts). */
  readonly junit: string | null;
}

interface OpenFile {
  readonly fileName: string;
  readonly stream: StagedStream;
}

/** The streamed files of one run, and what the run keeps of the results. */
export class ReportStream {
  /** Results with status error: the console warns about each. */
  readonly errors: RuleResult[] = [];
  /** Failed results at or above --fail-on (when given): the gate's findings. */
  readonly gateFailures: RuleResult[] = [];
  private readonly staged = new StagedOutput();
  private findingsCsv: OpenFile | null = null;
  private json: OpenFile | null = null;
  private jsonLines: ResourceLines | null = null;
  private ocsf: OpenFile | null = null;
  private ocsfJsonl: OpenFile | null = null;
  private ocsfEvents: OcsfEvents | null = null;
  private ocsfAny = false;
  private junit: JunitSpool | null = null;

  private constructor(
    private readonly outDir: string,
    private readonly files: ReportStreamFiles,
    private readonly failOn: Severity | undefined,
    /** --status: the results the findings CSV and OCSF carry (the JSON report has all); null for all. */
    private readonly statuses: ReadonlySet<string> | null,
    /** The writers, each loaded only when its format is asked for. */
    private readonly writers: {
      readonly csv: typeof FindingsCsvStream | null;
      readonly json: typeof JsonReportStream | null;
      readonly ocsf: { readonly stream: typeof OcsfStream; readonly events: typeof OcsfEvents } | null;
      readonly junit: { readonly stream: typeof JunitStream; readonly spool: typeof JunitSpool } | null;
    },
    /** --gzip: the files are written compressed (their names end in .gz). */
    private readonly gzip: boolean,
  ) {}

  /** Refuses existing files (unless --overwrite) before anything is written; they are opened when the analysis starts. */
  static async open(
    options: { readonly outDir: string; readonly overwrite: boolean; readonly failOn?: Severity; readonly statuses: readonly RuleResultStatus[] | null; readonly gzip: boolean },
    files: ReportStreamFiles,
  ): Promise<ReportStream> {
    const names = [files.findingsCsv, files.json, files.ocsf, files.ocsfJsonl, files.junit].filter((name): name is string => name !== null);
    for (const name of names) await refuseExistingOutput(options.outDir, name, options.overwrite);
    const writers = {
      csv: files.findingsCsv === null ? null : (await import('../../render/findings-csv.js')).findingsCsvStream,
      json: files.json === null ? null : (await import('../../render/json.js')).jsonReportStream,
      ocsf: files.ocsf === null && files.ocsfJsonl === null ? null : await import('../../render/ocsf.js').then((module) => ({ stream: module.ocsfStream, events: module.OcsfEvents })),
      junit: files.junit === null ? null : { stream: (await import('../../render/junit.js')).junitStream, spool: (await import('./junit-spool.js')).JunitSpool },
    };
    return new ReportStream(options.outDir, files, options.failOn, options.statuses === null ? null : new Set(options.statuses), writers, options.gzip);
  }

  /**
   * Analyses the snapshot with its results streamed into the files: the files' heads are written
   * once the analysis knows its run and snapshot facts, the rows as each identity is judged, the
   * tails (rule counts, control status, exceptions) by `finish`.
   */
  async analyse(
    loaded: LoadedSnapshot,
    run: { startedAt: Date; endedAt: Date; asOf?: Date },
    catalogue: NonNullable<AnalysisInput['catalogue']> & { readonly rules: readonly Rule[]; readonly frameworks: readonly CatalogueFramework[] },
    remediation: RemediationInputs,
    machineFrameworks: readonly string[] | null,
  ): Promise<AnalysisResult> {
    try {
      return this.analyseInto(loaded, run, catalogue, remediation, machineFrameworks);
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  private analyseInto(
    loaded: LoadedSnapshot,
    run: { startedAt: Date; endedAt: Date; asOf?: Date },
    catalogue: NonNullable<AnalysisInput['catalogue']> & { readonly rules: readonly Rule[]; readonly frameworks: readonly CatalogueFramework[] },
    remediation: RemediationInputs,
    machineFrameworks: readonly string[] | null,
  ): AnalysisResult {
    const files = this.files;
    const selected = catalogue.configuration?.frameworks ?? null;
    const frameworks = selected === null ? catalogue.frameworks : catalogue.frameworks.filter((framework) => selected.includes(framework.id));
    const kept = machineRuleIds(machineFrameworks, frameworks);
    const limit = this.failOn === undefined ? -1 : SEVERITIES.indexOf(this.failOn);
    let tracker: RemediationTracker | null = null;
    const analysed = analyseLoaded(loaded, run.startedAt, run.endedAt, run.asOf, catalogue, {
      start: (head) => {
        tracker = remediationTracker(head, remediation);
        if (files.findingsCsv !== null && this.writers.csv !== null) this.findingsCsv = this.openFile(files.findingsCsv, this.writers.csv.header());
        if (files.json !== null && this.writers.json !== null) {
          this.json = this.openFile(files.json, this.writers.json.head(head));
          const settings = tracker.report();
          this.jsonLines = this.writers.json.lines({ dueFrom: settings.dueFrom, dueDays: settings.dueDays, asOf: head.run.asOf, reportTime: head.run.startedAt });
        }
        const ocsf = this.writers.ocsf;
        if (ocsf !== null) {
          this.ocsfEvents = new ocsf.events(head, machineOcsfCatalogue(catalogue.rules, frameworks, machineFrameworks, catalogue.configuration ?? DEFAULT_CONFIGURATION));
          if (files.ocsf !== null) this.ocsf = this.openFile(files.ocsf, ocsf.stream.arrayHead());
          if (files.ocsfJsonl !== null) this.ocsfJsonl = this.openFile(files.ocsfJsonl, '');
        }
        const junit = this.writers.junit;
        if (junit !== null) this.junit = new junit.spool(junit.stream, new Map(catalogue.rules.map((rule) => [rule.id, junit.stream.remediationOf(rule)])));
      },
      sink: (batch) => this.write(tracker === null ? batch : batch.map((item) => (tracker as RemediationTracker).track(item)), kept, limit),
    });
    const report = (tracker as RemediationTracker | null)?.report();
    return report === undefined ? analysed : { ...analysed, remediation: report };
  }

  private write(batch: readonly RuleResult[], kept: ReadonlySet<string> | null, limit: number): void {
    for (const item of batch) {
      if (item.status === 'error') this.errors.push(item);
      else if (item.status === 'fail' && SEVERITIES.indexOf(item.severity) <= limit) this.gateFailures.push(item);
    }
    const shown = kept === null ? batch : batch.filter((item) => kept.has(item.ruleId));
    if (shown.length === 0) return;
    const statuses = this.statuses;
    const csv = this.writers.csv;
    const findingsCsv = this.findingsCsv;
    // One text for the identity's lines: one write (and one UTF-8 encoding) instead of one a line.
    if (findingsCsv !== null && csv !== null) findingsCsv.stream.write(csv.lines(shown, statuses));
    if (this.json !== null && this.jsonLines !== null) this.json.stream.write(this.jsonLines.add(shown));
    const selected = statuses === null ? shown : shown.filter((item) => statuses.has(item.status));
    this.writeOcsf(selected);
    this.junit?.add(selected);
  }

  /** The batch's OCSF events, each serialised once for the array and the JSON Lines. */
  private writeOcsf(items: readonly RuleResult[]): void {
    const events = this.ocsfEvents;
    const stream = this.writers.ocsf?.stream;
    if (events === null || stream === undefined || items.length === 0) return;
    const rows = stream.rows(
      items.flatMap((item) => [...events.of(item)]),
      !this.ocsfAny,
      { array: this.ocsf !== null, lines: this.ocsfJsonl !== null },
    );
    this.ocsf?.stream.write(rows.array);
    this.ocsfJsonl?.stream.write(rows.lines);
    if (rows.count > 0) this.ocsfAny = true;
  }

  /** Writes the tails (with the machine outputs' view of the result) and closes the files: what writeOutputs commits with the rest. */
  finish(machineResult: AnalysisResult): { staged: StagedOutput; written: WrittenFile[] } {
    const written: WrittenFile[] = [];
    if (this.findingsCsv !== null) written.push({ fileName: this.findingsCsv.fileName, ...this.findingsCsv.stream.finish() });
    if (this.json !== null && this.jsonLines !== null) {
      this.json.stream.write(this.writers.json?.tail(machineResult, this.jsonLines) ?? '');
      written.push({ fileName: this.json.fileName, ...this.json.stream.finish() });
    }
    if (this.ocsf !== null) {
      this.ocsf.stream.write(this.writers.ocsf?.stream.arrayTail(this.ocsfAny) ?? '');
      written.push({ fileName: this.ocsf.fileName, ...this.ocsf.stream.finish() });
    }
    if (this.ocsfJsonl !== null) written.push({ fileName: this.ocsfJsonl.fileName, ...this.ocsfJsonl.stream.finish() });
    if (this.junit !== null && this.files.junit !== null) {
      const junit = this.openFile(this.files.junit, '');
      this.junit.writeTo(junit.stream, machineResult);
      written.push({ fileName: junit.fileName, ...junit.stream.finish() });
    }
    return { staged: this.staged, written };
  }

  /** Closes and removes whatever was staged: the run failed before writeOutputs took the files. */
  async discard(): Promise<void> {
    this.findingsCsv?.stream.close();
    this.json?.stream.close();
    this.ocsf?.stream.close();
    this.ocsfJsonl?.stream.close();
    this.junit?.remove();
    await this.staged.discard();
  }

  private openFile(fileName: string, head: string | Iterable<string>): OpenFile {
    const stream = this.staged.openStream(`${this.outDir}/${fileName}`, this.gzip);
    for (const piece of typeof head === 'string' ? [head] : head) stream.write(piece);
    return { fileName, stream };
  }
}

/** The rules an explicit --framework keeps in the machine outputs (as framework-filter.ts), or null for all. */
function machineRuleIds(frameworkIds: readonly string[] | null, frameworks: readonly CatalogueFramework[]): ReadonlySet<string> | null {
  if (frameworkIds === null) return null;
  const chosen = new Set(frameworkIds);
  return new Set(frameworks.filter((framework) => chosen.has(framework.id)).flatMap((framework) => framework.controls.flatMap((control) => control.rules)));
}


/**
 * What the OCSF events need of the catalogue, before the pass: each rule's title (for the options
 * in effect) and the controls
 * of the frameworks the run judges (narrowed to an explicit --framework), as the collected
 * result's rule summaries give them (engine.ts ruleSummary, framework-filter.ts).
 */
function machineOcsfCatalogue(rules: readonly Rule[], judged: readonly CatalogueFramework[], machineFrameworks: readonly string[] | null, configuration: CatalogueConfiguration): OcsfCatalogue {
  const shown = machineFrameworks === null ? judged : judged.filter((framework) => machineFrameworks.includes(framework.id));
  const entries = rules.map((rule) => {
    const controls = shown.flatMap((framework) => framework.controls.filter((control) => control.rules.includes(rule.id)).map((control) => ({ framework: framework.id, controlId: control.id })));
    // The title the options in effect give ("rotated within 60 days"), as the collected result's rules carry it (parameters.ts).
    const title = effectiveTitle(rule.title, ruleSettings(rule, configuration).options, rule.defaultOptions);
    return [rule.id, { title, controls }] as const;
  });
  return { rules: new Map(entries), frameworks: shown };
}
