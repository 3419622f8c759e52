/** The chunked renderers write exactly what the whole-string renderers would. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../src/analyze/analyze.js';
import type { AnalysisResult } from '../src/analyze/result.js';
import { toCsv, toCsvChunks } from '../src/render/csv-safety.js';
import { findingsCsvChunks, renderFindingsCsv } from '../src/render/findings-csv.js';
import { buildJsonReport, renderJsonChunks } from '../src/render/json.js';
import { buildOcsfFindings, renderOcsfChunks } from '../src/render/ocsf.js';
import { parseSnapshot } from '../src/snapshot/io.js';
import { FIXTURES } from './support/cli.js';
import { exampleFrameworks, exampleRules, exampleSnapshot } from './support/example-rule.js';

const run = { startedAt: '2027-01-15T08:00:00.000Z', endedAt: '2027-01-15T08:00:01.250Z', elapsedSeconds: 1.25 };
const tool = { name: 'iam-audit', version: '0.1.0' };

async function demoResult(): Promise<AnalysisResult> {
  const path = join(FIXTURES, 'demo', 'snapshot.json');
  const { snapshot } = parseSnapshot(await readFile(path), path);
  return analyze({ snapshot, snapshotFile: { fileName: 'snapshot.json', sha256: 'x', migratedFrom: null }, tool, run, catalogue: { rules: exampleRules, frameworks: exampleFrameworks } });
}

function exampleResult(users: number): AnalysisResult {
  const snapshot = exampleSnapshot(Array.from({ length: users }, (_, index) => ({ name: `user-${index}`, keyAgeDays: index % 200 })));
  return analyze({ snapshot, snapshotFile: { fileName: 's.json', sha256: 'x', migratedFrom: null }, tool, run, catalogue: { rules: exampleRules, frameworks: exampleFrameworks } });
}

describe('chunked renderers', () => {
  it('JSON: the whole report, indented as json.dump(indent=4) but one line per rule result, in several chunks', async () => {
    for (const result of [await demoResult(), exampleResult(0), exampleResult(2500)]) {
      const text = [...renderJsonChunks(result, 100)].join('');
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(buildJsonReport(result))));
      // Format 3: one line per resource, carrying its results (format 4: keyed by rule id).
      const resourceLines = text.split('\n').filter((line) => line.startsWith('        {"arn":'));
      const resultsInLines = resourceLines.reduce((sum, line) => sum + Object.keys((JSON.parse(line.replace(/,$/, '')) as { results: Record<string, unknown> }).results).length, 0);
      assert.equal(resultsInLines, result.catalogue?.results.length ?? 0);
      const expected = JSON.stringify(buildJsonReport(result), null, 4).split('\n');
      assert.deepEqual(text.split('\n').slice(0, 20), expected.slice(0, 20), 'metadata and findings as the original wrote them');
    }
    assert.ok([...renderJsonChunks(exampleResult(2500), 100)].length > 25);
  });

  it('findings CSV: chunks join to the same text as toCsv', () => {
    const rows = Array.from({ length: 4500 }, (_, index) => [`=${index}`, 'a,b', 'say "hi"']);
    assert.equal([...toCsvChunks(['x', 'y', 'z'], rows, 1000)].join(''), toCsv(['x', 'y', 'z'], rows));
    assert.equal([...toCsvChunks(['x'], [])].join(''), toCsv(['x'], []));
    const result = exampleResult(2500);
    assert.equal([...findingsCsvChunks(result)].join(''), renderFindingsCsv(result));
    assert.equal(renderFindingsCsv(result).split('\r\n').length, 1 + 2500 + 3 + 1);
  });

  it('OCSF: a JSON array of one compact finding per line', () => {
    for (const users of [0, 1, 2500]) {
      const result = exampleResult(users);
      const text = [...renderOcsfChunks(result, 100)].join('');
      const events = buildOcsfFindings(result);
      assert.deepEqual(JSON.parse(text), events);
      assert.ok(events.length >= (result.catalogue?.results.length ?? 0), 'at least one event per result (one per control)');
      const lines = text.split('\n');
      assert.equal(lines.length, events.length === 0 ? 2 : events.length + 3);
    }
  });
});
