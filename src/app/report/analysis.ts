/**
 * The report's analysis: streamed straight into the CSV/JSON writers when the run allows it
 * (stream-choice.ts), otherwise whole, with --previous read before the remediation tracking so a
 * finding failing in the earlier archive is due from its first detection.
 */
import type { CatalogueConfiguration, CatalogueFramework, ExceptionList } from '../../analyze/engine.js';
import type { AnalysisResult } from '../../analyze/result.js';
import type { Rule } from '../../rules/rule.js';
import type { LoadedSnapshot } from '../../snapshot/io.js';
import { analyseLoaded } from '../shared/analyse.js';
import { withRemediation, type RemediationInputs } from '../shared/remediation.js';
import type { openReportStream } from './stream-choice.js';

export interface ReportAnalysisInput {
  readonly loaded: LoadedSnapshot;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly asOf?: Date;
  readonly catalogue: { rules: readonly Rule[]; frameworks: readonly CatalogueFramework[]; configuration: CatalogueConfiguration; exceptions: ExceptionList };
  readonly remediation: RemediationInputs;
  /** --previous and the current snapshot's path (named in refusals), or undefined. */
  readonly previous?: { readonly path: string; readonly currentPath: string; readonly clock: () => Date };
  readonly stream: Awaited<ReturnType<typeof openReportStream>>;
  readonly machineFrameworks: readonly string[] | null;
}

export async function analyseForReport(input: ReportAnalysisInput): Promise<AnalysisResult> {
  const { loaded, startedAt, endedAt, asOf, catalogue, remediation, previous, stream } = input;
  if (stream !== null) {
    return stream.analyse(loaded, { startedAt, endedAt, ...(asOf === undefined ? {} : { asOf }) }, catalogue, remediation, input.machineFrameworks);
  }
  const plain = analyseLoaded(loaded, startedAt, endedAt, asOf, catalogue);
  // --previous: loaded only when given (it reads and analyses a second archive).
  const changes =
    previous === undefined
      ? undefined
      : await (await import('../archive/previous.js')).changesSincePreviousReport(previous.path, previous.currentPath, plain, loaded.snapshot, catalogue, previous.clock);
  const analysed = withRemediation(plain, { ...remediation, firstDetected: new Map((changes?.firstDetected ?? []).map((entry) => [entry.findingId, entry.since])) });
  return changes === undefined ? analysed : { ...analysed, changesSincePrevious: changes };
}
