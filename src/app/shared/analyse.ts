/** One loaded snapshot analysed with this tool's name and version and the run's times: report, archive, notify and verify all start here. */
import { basename } from 'node:path';
import { analyze, analyzeStreamed, type AnalysisInput, type ResultStream } from '../../analyze/analyze.js';
import type { AnalysisResult } from '../../analyze/result.js';
import type { LoadedSnapshot } from '../../snapshot/io.js';
import { packageInfo } from '../../util/paths.js';
import { toIsoUtc } from '../../util/time.js';

/** With `stream`, the results are streamed to its sink and not held in the result (analyzeStreamed). */
export function analyseLoaded(loaded: LoadedSnapshot, startedAt: Date, endedAt: Date, asOf?: Date, catalogue?: AnalysisInput['catalogue'], stream?: ResultStream): AnalysisResult {
  const tool = packageInfo();
  const input: AnalysisInput = {
    snapshot: loaded.snapshot,
    snapshotFile: { fileName: basename(loaded.path), sha256: loaded.sha256, migratedFrom: loaded.migratedFrom },
    tool: { name: tool.name, version: tool.version },
    run: {
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      elapsedSeconds: (endedAt.getTime() - startedAt.getTime()) / 1000,
    },
    ...(asOf === undefined ? {} : { asOf: toIsoUtc(asOf) }),
    ...(catalogue === undefined ? {} : { catalogue }),
  };
  return stream === undefined ? analyze(input) : analyzeStreamed(input, stream);
}
