/** How the PDF renderer cuts a report into Chromium prints (src/render/pdf.ts planPrintJobs): no browser needed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverPrintJob, planPrintJobs } from '../src/render/pdf.js';
import type { ReportPart } from '../src/render/report-model.js';

function part(anchor: string, rows: number | null, landscape = false): ReportPart {
  return {
    partial: 'summary',
    anchor,
    title: anchor,
    level: 1,
    context: {},
    rows: rows === null ? null : Array.from({ length: rows }, (_, index) => index),
    ...(landscape ? { landscape } : {}),
  };
}

/** Each print as "anchor[rows]" per part, "+" between packed parts, "L:" for landscape prints. */
function describePlan(parts: readonly ReportPart[], rowsPerChunk: number): string[] {
  return planPrintJobs(parts, rowsPerChunk).map(
    (job) =>
      (job.landscape ? 'L:' : '') +
      job.parts.map(({ part: printed, partIndex }) => `${printed.anchor}#${partIndex}${printed.rows === null ? '' : `[${printed.rows.length}${printed.continued ? ' cont' : ''}]`}`).join('+'),
  );
}

test('short parts of the same orientation share one print; a landscape part starts a print of its own; the cover is printed alone', () => {
  assert.deepEqual(describePlan([part('cover', null), part('summary', null), part('mfa', 26), part('matrix', 27, true), part('sign-off', null)], 1000), [
    'cover#0',
    'summary#1+mfa#2[26]',
    'L:matrix#3[27]',
    'sign-off#4',
  ]);
});

test('a print holds about rowsPerChunk rows: a part that would overflow it starts the next print', () => {
  // Text parts count as 40 rows: 40 + 40 + 900 = 980 fits in 1,000; another 40 does not.
  assert.deepEqual(describePlan([part('cover', null), part('a', null), part('b', null), part('c', 900), part('d', null), part('e', 30)], 1000), ['cover#0', 'a#1+b#2+c#3[900]', 'd#4+e#5[30]']);
});

test('a table longer than rowsPerChunk is printed in chunks, alone, the later ones marked continued', () => {
  assert.deepEqual(describePlan([part('a', null), part('long', 12), part('b', 2)], 5), ['a#0', 'long#1[5]', 'long#1[5 cont]', 'long#1[2 cont]', 'b#2[2]']);
});

test('with small chunks, short parts are still packed up to 1,000 rows a print', () => {
  assert.deepEqual(describePlan([part('cover', null), part('a', null), part('b', 3), part('c', null), part('long', 7), part('d', null)], 5), ['cover#0', 'a#1+b#2[3]+c#3', 'long#4[5]', 'long#4[2 cont]', 'd#5']);
});

test('every part is printed exactly once, in order', () => {
  const parts = Array.from({ length: 60 }, (_, index) => part(`p${index}`, index % 7 === 0 ? null : index * 9, index % 11 === 0));
  const printed = planPrintJobs(parts, 120).flatMap((job) => job.parts.filter(({ part: printedPart }) => !printedPart.continued).map(({ partIndex }) => partIndex));
  assert.deepEqual(printed, parts.map((_, index) => index));
});

test('the cover print started before the plan is the plan\'s first print (issue 26): the cover alone, or nothing started for a first part with rows', () => {
  const layouts = [
    [part('cover', null), part('summary', null), part('mfa', 26), part('matrix', 27, true)],
    [part('cover', null, true), part('a', null, true), part('b', 3)],
    [part('cover', null)],
  ];
  for (const parts of layouts) {
    for (const alone of [new Set<number>(), new Set([1])]) {
      const started = coverPrintJob(parts);
      assert.notEqual(started, null);
      assert.deepEqual(started, planPrintJobs(parts, 5, alone)[0]);
    }
  }
  assert.equal(coverPrintJob([part('long', 12), part('b', 2)]), null);
  assert.equal(coverPrintJob([]), null);
});
