/** `report --previous OLD`: compares the report's own analysis with an earlier archive (lazy-loaded by app/report/report.ts). */
import { stateFromAnalysis } from '../../analyze/archive-state.js';
import { compareStates } from '../../analyze/compare.js';
import type { CatalogueConfiguration, CatalogueFramework, ExceptionList } from '../../analyze/engine.js';
import { changesSincePrevious, type ChangesSincePrevious } from '../../analyze/previous.js';
import type { AnalysisResult } from '../../analyze/result.js';
import type { Rule } from '../../rules/rule.js';
import type { Snapshot } from '../../snapshot/types.js';
import { loadArchive } from './archive-input.js';
import { checkPair } from './diff.js';

export async function changesSincePreviousReport(
  previousPath: string,
  currentPath: string,
  result: AnalysisResult,
  snapshot: Snapshot,
  catalogue: { rules: readonly Rule[]; frameworks: readonly CatalogueFramework[]; configuration: CatalogueConfiguration; exceptions: ExceptionList },
  clock: () => Date,
): Promise<ChangesSincePrevious> {
  const previous = await loadArchive(previousPath, { ...catalogue, clock });
  const current = stateFromAnalysis(result, snapshot);
  checkPair(previous, current, previousPath, currentPath, { allowDifferentAccounts: false, reverse: false, command: 'report' });
  return changesSincePrevious(compareStates(previous, current));
}
