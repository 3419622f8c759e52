/** The tabs the PDF's prints use (src/render/pdf.ts PrintTabs): reused from print to print, closed after a long table. No browser needed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { planPrintJobs, PrintTabs, tabReusableAfter } from '../src/render/pdf.js';
import type { ReportPart } from '../src/render/report-model.js';

/** A tab as PrintTabs and preparePage use it: its settings and whether it was closed. */
class FakeTab {
  closed = 0;
  javaScript: boolean | null = null;
  offline: boolean | null = null;
  constructor(readonly number: number) {}
  setDefaultTimeout(): void {}
  setDefaultNavigationTimeout(): void {}
  async setJavaScriptEnabled(enabled: boolean): Promise<void> {
    this.javaScript = enabled;
  }
  async setOfflineMode(offline: boolean): Promise<void> {
    this.offline = offline;
  }
  async close(): Promise<void> {
    this.closed += 1;
  }
}

function fakeBrowser(): { readonly browser: Browser; readonly opened: FakeTab[] } {
  const opened: FakeTab[] = [];
  const browser = {
    async newPage(): Promise<FakeTab> {
      const tab = new FakeTab(opened.length + 1);
      opened.push(tab);
      return tab;
    },
  };
  return { browser: browser as unknown as Browser, opened };
}

function part(anchor: string, rows: number | null): ReportPart {
  return { partial: 'summary', anchor, title: anchor, level: 1, context: {}, rows: rows === null ? null : Array.from({ length: rows }, (_, index) => index) };
}

test('a tab given back as reusable prints the next job; a new one is opened only when none is idle', async () => {
  const { browser, opened } = fakeBrowser();
  const tabs = new PrintTabs(browser, 5_000);
  const first = (await tabs.take()) as unknown as FakeTab;
  assert.equal(first.javaScript, false, 'a print tab runs no script');
  assert.equal(first.offline, true, 'a print tab fetches nothing');
  const second = (await tabs.take()) as unknown as FakeTab;
  assert.deepEqual([first.number, second.number], [1, 2], 'two prints at once: two tabs');
  await tabs.give(first as never, true);
  assert.equal(((await tabs.take()) as unknown as FakeTab).number, 1, 'the idle tab is reused');
  assert.equal(opened.length, 2);
  assert.equal(first.closed, 0);
});

test('a tab after a long table, or after the prints are over, is closed; close() closes the idle ones', async () => {
  const { browser, opened } = fakeBrowser();
  const tabs = new PrintTabs(browser, 5_000);
  const [a, b, c] = [await tabs.take(), await tabs.take(), await tabs.take()];
  await tabs.give(a, false);
  await tabs.give(b, true);
  assert.deepEqual(
    opened.map((tab) => tab.closed),
    [1, 0, 0],
  );
  await tabs.close();
  assert.deepEqual(
    opened.map((tab) => tab.closed),
    [1, 1, 0],
    'the idle tab is closed with the pool',
  );
  await tabs.give(c, true);
  assert.deepEqual(
    opened.map((tab) => tab.closed),
    [1, 1, 1],
    'a tab given back once the pool is closed is closed at once',
  );
});

test('a print of fewer than 500 table rows leaves its tab reusable; 500 or more (a chunk of a long table) does not', () => {
  const jobs = planPrintJobs([part('cover', null), part('summary', 200), part('controls', 299), part('mfa', 2_500)], 1_000);
  const described = jobs.map((job) => `${job.parts.map(({ part: printed }) => `${printed.anchor}[${printed.rows?.length ?? '-'}]`).join('+')}: ${tabReusableAfter(job) ? 'reuse' : 'close'}`);
  assert.deepEqual(described, ['cover[-]: reuse', 'summary[200]+controls[299]: reuse', 'mfa[1000]: close', 'mfa[1000]: close', 'mfa[500]: close']);
});
