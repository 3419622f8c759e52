/**
 * Issue #4 target: every rule on 100,000 users in under 1 s. In-process: the generated credential
 * report is imported (not timed), then the engine runs all registered rules and frameworks (timed,
 * median of three runs, wall and CPU time). A second row runs the example rules of the tests with 100 exceptions,
 * to show the engine's own cost (requirements, exceptions, roll-up) while the catalogue is small.
 */
import { performance } from 'node:perf_hooks';
import { runCatalogue, type ExceptionList } from '../src/analyze/engine.js';
import { allFrameworks } from '../src/frameworks/index.js';
import { importCredentialReport } from '../src/import/credential-report.js';
import { allRules } from '../src/rules/index.js';
import type { Rule } from '../src/rules/rule.js';
import type { Snapshot } from '../src/snapshot/types.js';
import { exampleFrameworks, exampleRules } from '../test/support/example-rule.js';
import { BENCH_ACCOUNT, BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { formatMegabytes, formatSeconds, type BenchRow } from './table.js';

function measure(label: string, snapshot: Snapshot, rules: readonly Rule[], frameworks: typeof exampleFrameworks, exceptions?: ExceptionList): BenchRow {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let results = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  let heapAfter = heapBefore;
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const catalogue = runCatalogue({ snapshot, now: Date.parse(snapshot.capturedAt), rules, frameworks, ...(exceptions === undefined ? {} : { exceptions }) });
    times.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    results = catalogue.results.length;
    heapAfter = Math.max(heapAfter, process.memoryUsage().heapUsed);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return {
    benchmark: label,
    size: `${snapshot.users.length.toLocaleString('en')} users`,
    'wall time': formatSeconds(times[1] ?? 0),
    // CPU time includes the garbage collector's threads; on a busy machine it is the steadier figure.
    'cpu time': formatSeconds(cpuTimes[1] ?? 0),
    results: results.toLocaleString('en'),
    'heap growth': formatMegabytes(heapAfter - heapBefore),
    'peak memory': formatMegabytes(process.resourceUsage().maxRSS * 1024),
    target: '< 1 s',
  };
}

export async function run(): Promise<BenchRow[]> {
  const users = 100_000;
  const { snapshot } = importCredentialReport(Buffer.from(generateCredentialReport(users)), {
    generatedAt: new Date(BENCH_GENERATED_AT),
    fileName: 'bench.csv',
    displayPath: 'bench.csv',
  });
  const exceptions: ExceptionList = {
    file: { name: 'bench-exceptions.yaml', sha256: '' },
    entries: Array.from({ length: 100 }, (_, index) => ({
      index,
      ruleId: 'example-key-age',
      resource: index % 2 === 0 ? `user-${String(index * 7).padStart(6, '0')}` : `arn:aws:iam::${BENCH_ACCOUNT}:user/team-${index % 50}/user-0${index}*`,
      justification: 'bench',
      approvedBy: 'bench',
      expires: '2030-01-01',
      expiresAtMs: Date.parse('2030-01-02T00:00:00Z'),
    })),
  };
  return [
    measure(`all rules (${allRules.length}) and frameworks (${allFrameworks.length})`, snapshot, allRules, allFrameworks),
    measure('engine: 4 example rules, 100 exceptions', snapshot, exampleRules, exampleFrameworks, exceptions),
  ];
}
