/**
 * The organisation report as PDF: its HTML (render/org-report.ts) printed by the same browser
 * the account report uses (render/browser.ts), scripts and network off. Loaded only for pdf.
 */
import { findBrowser, withBrowser } from './browser.js';
import type { PaperSize } from './pdf.js';

/** What the print needs of the report's presentation options (app/report's PresentationOptions has both). */
export interface OrgPrintSettings {
  readonly browserPath: string | null;
  readonly pageSize: PaperSize;
}

export async function printHtmlToPdf(html: string, presentation: OrgPrintSettings, environment: NodeJS.ProcessEnv): Promise<Uint8Array> {
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
