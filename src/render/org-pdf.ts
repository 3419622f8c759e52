/**
 * The organisation report as PDF: its HTML (render/org-report.ts) printed by the same browser
 * the account report uses (render/browser.ts), scripts and network off. Loaded only for pdf.
 */
import type { PresentationOptions } from '../app/report/report.js';
import { findBrowser, withBrowser } from './browser.js';

export async function printHtmlToPdf(html: string, presentation: Pick<PresentationOptions, 'browserPath' | 'pageSize'>, environment: NodeJS.ProcessEnv): Promise<Uint8Array> {
  const found = await findBrowser(presentation.browserPath, environment);
  return withBrowser(found, async (browser) => {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setOfflineMode(true);
    await page.setContent(html, { waitUntil: 'load', timeout: 120_000 });
    return page.pdf({
      format: presentation.pageSize === 'a4' ? 'A4' : 'Letter',
      landscape: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
      printBackground: true,
      tagged: false,
      outline: false,
      timeout: 300_000,
    });
  });
}
