/** One loaded snapshot analysed with this tool's name and version and the run's times: report, archive, notify and verify all start here. */
import { basename } from 'node:path';
import { analyze, type AnalysisInput } from '../../analyze/analyze.js';
import type { AnalysisResult } from '../../analyze/result.js';
import type { LoadedSnapshot } from '../../snapshot/io.js';
import { packageInfo } from '../../util/paths.js';
import { toIsoUtc } from '../../util/time.js';

export function analyseLoaded(loaded: LoadedSnapshot, startedAt: Date, endedAt: Date, asOf?: Date, catalogue?: AnalysisInput['catalogue']): AnalysisResult {
  const tool = packageInfo();
  return analyze({
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
  });
}
