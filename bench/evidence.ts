import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { finalisePdfEvidence } from '../src/evidence/pdf-evidence.js';
import { signPdf } from '../src/evidence/pdf-sign.js';
import { loadP12Signer } from '../src/evidence/signer.js';
import { sha256Hex } from '../src/util/files.js';
import { makeTestPki, PKI_PASSWORD } from '../test/support/evidence-pki.js';
import { BENCH_GENERATED_AT, generateCredentialReport } from './generate.js';
import { measureCli } from './measure.js';
import { formatMegabytes, formatSeconds, type BenchRow } from './table.js';

/**
 * Issue #6: the cost of evidence. Embedding the snapshot and signing a one-page PDF (in-process:
 * the renderer's own time is its benchmark's), then `verify --reproduce` on the result as a user runs it.
 */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const folder = await mkdtemp(join(tmpdir(), 'iam-audit-bench-evidence-'));
  try {
    const pki = await makeTestPki(folder);
    const now = new Date();
    const signer = await loadP12Signer(pki.signerP12, PKI_PASSWORD, now);
    for (const users of [1_000, 100_000]) {
      const report = join(folder, `report-${users}.csv`);
      const snapshotPath = join(folder, `snapshot-${users}.json`);
      await writeFile(report, generateCredentialReport(users));
      const imported = await measureCli(['import', report, '-o', snapshotPath, '--generated-at', BENCH_GENERATED_AT]);
      if (imported.code !== 0) throw new Error(`bench failed: ${imported.stderr}`);
      const snapshot = await readFile(snapshotPath);
      const document = await PDFDocument.create();
      document.addPage().drawText('bench', { x: 50, y: 700, font: await document.embedFont(StandardFonts.Helvetica) });
      const started = performance.now();
      const memoryBefore = process.memoryUsage().rss;
      const withEvidence = await finalisePdfEvidence(await document.save(), {
        snapshotBytes: snapshot,
        snapshotFileName: 'snapshot.json',
        snapshotSha256: sha256Hex(snapshot),
        metadata: { createdAt: now, toolName: 'iam-audit', toolVersion: 'bench' },
      });
      const signed = await signPdf(withEvidence, signer, { signingTime: now, reason: 'bench', location: 'bench' });
      const signMs = performance.now() - started;
      const rssGrowth = process.memoryUsage().rss - memoryBefore;
      const pdfPath = join(folder, `signed-${users}.pdf`);
      await writeFile(pdfPath, signed);
      const verified = await measureCli(['verify', pdfPath, '--trust', pki.caPem]);
      if (verified.code !== 0) throw new Error(`bench verify failed: ${verified.stdout}${verified.stderr}`);
      rows.push({
        benchmark: 'embed snapshot + sign PDF, then verify',
        size: `${users.toLocaleString('en')} users (${formatMegabytes(snapshot.length)} snapshot)`,
        'wall time': formatSeconds(signMs + verified.wallMs),
        'embed+sign time': formatSeconds(signMs),
        'verify time': formatSeconds(verified.wallMs),
        'PDF size': formatMegabytes(signed.length),
        'peak memory': `${formatMegabytes(verified.peakRssBytes)} verify, +${formatMegabytes(Math.max(0, rssGrowth))} sign`,
        target: '',
      });
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return rows;
}
