/**
 * The whole chain as an auditor receives it: a real `report` run (Chromium PDF) with a
 * configuration, exceptions and a certificate; then pdfsig, pdfdetach and `verify --reproduce`.
 * The run has a signing password and AWS secrets in its environment, and the environments of its
 * real Chromium processes are read while it prints: none of them may reach the browser.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from '../src/util/files.js';
import { runCliWatchingChromium, type WatchedRun } from './support/chromium-environment.js';
import { FIXTURES, runCli, temporaryFolder } from './support/cli.js';
import { makeTestPki, nssTrusting, pdfsig, PKI_PASSWORD, runTool, type TestPki } from './support/evidence-pki.js';
import { withFlatResults } from './support/report-json.js';

const SNAPSHOT = join(FIXTURES, 'demo', 'snapshot.json');
const CONFIG = 'rules:\n  access-key-rotation:\n    maxAgeDays: 120\nremediation:\n  dueDays: { high: 14 }\n';
const OWNERS = 'owners:\n  "*": security@example.com\n';
const RESPONSES = 'responses:\n  - { rule: console-users-mfa, resource: dave.dev, response: "MFA enrolment booked", owner: IT, targetDate: 2026-11-20 }\n';
/** In the run's environment; the first is the one --sign-pass-env names. */
const SECRETS: Readonly<Record<string, string>> = {
  IAM_AUDIT_TEST_SIGNING_PASSWORD: PKI_PASSWORD,
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
  AWS_PROFILE: 'audit-profile-example',
};
const EXCEPTIONS = 'exceptions:\n  - { rule: console-users-mfa, resource: bob.admin, justification: "Break-glass admin, hardware token on order", approvedBy: ciso@example.com, expires: 2027-06-30 }\n';

describe('a signed report run, verified end to end', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let pki: TestPki;
  let out: string;
  let pdfPath: string;
  let run: WatchedRun;

  before(async () => {
    folder = await temporaryFolder('iam-audit-evidence-run-');
    pki = await makeTestPki(folder.path);
    await writeFile(join(folder.path, 'iam-audit.yaml'), CONFIG);
    await writeFile(join(folder.path, 'exceptions.yaml'), EXCEPTIONS);
    await writeFile(join(folder.path, 'owners.yaml'), OWNERS);
    await writeFile(join(folder.path, 'responses.yaml'), RESPONSES);
    out = join(folder.path, 'out');
    run = await runCliWatchingChromium(
      ['report', SNAPSHOT, '-d', out, '--format', 'json,pdf', '--quiet', '--config', join(folder.path, 'iam-audit.yaml'), '--exceptions', join(folder.path, 'exceptions.yaml'),
        '--owners', join(folder.path, 'owners.yaml'), '--responses', join(folder.path, 'responses.yaml'),
        '--sign-p12', pki.signerP12, '--sign-pass-env', 'IAM_AUDIT_TEST_SIGNING_PASSWORD', '--sign-reason', 'Q4 IAM audit', '--sign-location', 'Berlin'],
      SECRETS,
    );
    assert.equal(run.code, 0, run.stderr);
    pdfPath = join(out, (await readdir(out)).find((name) => name.endsWith('.pdf')) ?? 'missing.pdf');
  });
  after(() => folder.cleanup());

  it('the signature widget sits over the printed "Digitally signed" box on the cover, with its own appearance (issue 25 §2)', async () => {
    const { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, decodePDFRawStream } = await import('pdf-lib');
    const document = await PDFDocument.load(await readFile(pdfPath));
    const found = document.getPages().flatMap((page, index) => {
      const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
      return (annots?.asArray() ?? []).map((ref) => ({ index, annotation: document.context.lookup(ref, PDFDict) }));
    });
    const widgets = found.filter(({ annotation }) => annotation.get(PDFName.of('FT'))?.toString() === '/Sig');
    assert.equal(widgets.length, 1);
    const [widget] = widgets;
    const rect = widget?.annotation.lookup(PDFName.of('Rect'), PDFArray).asArray().map((item) => (item instanceof PDFNumber ? item.asNumber() : Number.NaN)) ?? [];
    assert.ok((rect[2] ?? 0) - (rect[0] ?? 0) > 100 && (rect[3] ?? 0) - (rect[1] ?? 0) > 40, `a box-sized widget, not ${JSON.stringify(rect)}`);
    assert.ok(widget !== undefined && widget.index <= 1, 'on the cover');
    const appearance = widget?.annotation.lookup(PDFName.of('AP'), PDFDict).lookup(PDFName.of('N'));
    assert.ok(appearance instanceof PDFRawStream);
    const text = Buffer.from(decodePDFRawStream(appearance).decode()).toString('latin1');
    assert.match(text, /Tj/, 'the appearance shows text');
    assert.ok(!found.some(({ annotation }) => /signature-field/.test(annotation.lookupMaybe(PDFName.of('A'), PDFDict)?.toString() ?? '')), 'the marker link is gone');
    // Tagged: the widget belongs to a Form element of the structure tree (PDF/UA), read after the cover's content.
    const structParent = widget?.annotation.lookup(PDFName.of('StructParent'), PDFNumber).asNumber();
    const structRoot = document.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    const nums = structRoot.lookup(PDFName.of('ParentTree'), PDFDict).lookup(PDFName.of('Nums'), PDFArray).asArray();
    const position = nums.findIndex((item, index) => index % 2 === 0 && item instanceof PDFNumber && item.asNumber() === structParent);
    assert.ok(position >= 0, `StructParent ${String(structParent)} is in the parent tree`);
    const formRef = nums[position + 1];
    assert.ok(formRef !== undefined);
    const form = document.context.lookup(formRef, PDFDict);
    assert.equal(form.get(PDFName.of('S'))?.toString(), '/Form');
    assert.match(form.get(PDFName.of('Alt'))?.toString() ?? '', /Digital signature of this report/);
    const objectReference = form.lookup(PDFName.of('K'), PDFDict);
    assert.equal(objectReference.get(PDFName.of('Type'))?.toString(), '/OBJR');
    const widgetRef = document.getPages()[widget?.index ?? 0]?.node.lookup(PDFName.of('Annots'), PDFArray).asArray().find((ref) => document.context.lookup(ref) === widget?.annotation);
    assert.equal(objectReference.get(PDFName.of('Obj')), widgetRef);
    const documentKids = document.context.lookup(structRoot.get(PDFName.of('K')), PDFDict).lookup(PDFName.of('K'), PDFArray).asArray();
    const formAt = documentKids.indexOf(formRef);
    assert.ok(formAt > 0 && formAt < documentKids.length - 1, `the Form element after the cover's content, before the rest: at ${formAt} of ${documentKids.length}`);
    assert.ok((structRoot.lookup(PDFName.of('ParentTreeNextKey'), PDFNumber).asNumber()) > (structParent ?? Number.POSITIVE_INFINITY));
  });

  it('pdfsig calls the signature valid, covering the whole document, trusted once the CA is', async () => {
    const text = await pdfsig(pdfPath, await nssTrusting(pki.caPem, folder.path));
    assert.match(text, /Signature is Valid/);
    assert.match(text, /Total document signed/);
    assert.match(text, /Certificate is Trusted/);
  });

  it('carries the snapshot, configuration and exceptions byte for byte', async () => {
    const detached = join(folder.path, 'detached');
    await mkdir(detached);
    const run = await runTool('pdfdetach', ['-saveall', '-o', detached, pdfPath], folder.path);
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await readFile(join(detached, 'snapshot.json'))).equals(await readFile(SNAPSHOT)));
    assert.equal(await readFile(join(detached, 'iam-audit.yaml'), 'utf8'), CONFIG);
    assert.equal(await readFile(join(detached, 'exceptions.yaml'), 'utf8'), EXCEPTIONS);
    assert.equal(await readFile(join(detached, 'owners.yaml'), 'utf8'), OWNERS);
    assert.equal(await readFile(join(detached, 'responses.yaml'), 'utf8'), RESPONSES);
  });

  it('prints the signature on the cover: signer, signing time, issuer, snapshot SHA-256', async () => {
    const cover = await runTool('pdftotext', ['-f', '1', '-l', '1', '-raw', pdfPath, '-'], folder.path);
    assert.equal(cover.code, 0, cover.stderr);
    const text = cover.stdout.replace(/\s+/g, ' ');
    assert.match(text, /Digitally signed/);
    assert.match(text, /Signer Example Org Audit Signer/);
    assert.match(text, /Certificate issuer CN=Throwaway Evidence CA, O=iam-audit tests/);
    assert.match(text, /Reason Q4 IAM audit/);
    // Printed as eight fixed groups of eight characters (issue 25: a hash never breaks).
    assert.match(text, new RegExp(`Snapshot SHA-256 ${(sha256Hex(await readFile(SNAPSHOT)).match(/.{8}/g) ?? []).join(' ')}`));
    // The very time the signature carries (/M), to the second.
    const signature = await pdfsig(pdfPath);
    const signed = /Signing Time: (.+)/.exec(signature)?.[1] ?? '';
    const printed = /Signing time (\S+Z)/.exec(text)?.[1] ?? '';
    assert.ok(printed !== '', text);
    assert.equal(new Date(printed).getTime(), new Date(signed.replace(/^(\w+) (\d+) (\d+) (\S+)$/, '$1 $2 $3 $4 UTC')).getTime(), `${printed} vs ${signed}`);
  });

  it('the PDF shows the remediation plan and the exceptions register', async () => {
    const all = await runTool('pdftotext', ['-raw', pdfPath, '-'], folder.path);
    const text = all.stdout.replace(/\s+/g, ' ');
    assert.match(text, /Remediation plan/);
    assert.match(text, /console-users-mfa HIGH dave\.dev security@example\.com owners file \(\*\) 2026-11-16 past due at report date MFA enrolment booked Owner: IT Target: 2026-11-20/);
    assert.match(text, /Exceptions register/);
    assert.match(text, /1 console-users- ?mfa bob\.admin Break-glass admin, hardware token on order ciso@example\. ?com 2027-06-30 1: bob\.admin/);
  });

  it('carries owners, due dates and responses into the JSON, and they reproduce', async () => {
    const json = withFlatResults(JSON.parse(await readFile(join(out, (await readdir(out)).find((name) => /^iam_audit_[\dT-]+\.json$/.test(name)) ?? ''), 'utf8'))) as {
      results: { rule_id: string; resource_name: string; status: string; tracking?: { owner: string | null; due_date: string | null; response: { response: string } | null } }[];
    };
    const dave = json.results.find((item) => item.rule_id === 'console-users-mfa' && item.resource_name === 'dave.dev');
    assert.equal(dave?.tracking?.owner, 'security@example.com');
    assert.equal(dave?.tracking?.due_date, '2026-11-16');
    assert.equal(dave?.tracking?.response?.response, 'MFA enrolment booked');
  });

  it('verify --reproduce re-runs the analysis with the embedded configuration and exceptions', async () => {
    const run = await runCli(['verify', pdfPath, '--trust', pki.caPem, '--snapshot', SNAPSHOT, '--reproduce']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS {2}reproduce: re-running the analysis on the embedded snapshot\.json gives the report's 26 findings/m);
    // The exception really shaped the report: bob.admin's MFA failure is excepted in the JSON.
    const json = await readFile(join(out, (await readdir(out)).find((name) => /^iam_audit_[\dT-]+\.json$/.test(name)) ?? ''), 'utf8');
    assert.match(json, /"status":"excepted"/);
    assert.match(json, /Break-glass admin, hardware token on order/);
  });

  it('no signing password and no AWS secret reaches the Chromium processes of the signed PDF render', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    const seen = run.chromium;
    // One process on Linux since issue 26 (--single-process); the browser and its helpers elsewhere.
    assert.ok(seen.size >= 1, `the browser was seen (${seen.size})`);
    for (const [pid, environment] of seen) {
      for (const [name, value] of Object.entries(SECRETS)) {
        assert.ok(!environment.some((line) => line.startsWith(`${name}=`)), `process ${pid} has ${name}`);
        assert.ok(!environment.some((line) => line.includes(value)), `process ${pid} holds the value of ${name}`);
      }
    }
    // Chromium rewrites some helpers' process titles over their environment's memory; the others
    // show the environment it was given, which proves these reads saw real environments.
    const withProfileTmp = [...seen.values()].filter((environment) => environment.some((line) => line.startsWith('TMPDIR=') && line.includes('iam-audit-chromium-')));
    assert.ok(withProfileTmp.length >= 1, 'at least one process shows the environment the browser was given');
    for (const environment of withProfileTmp) assert.ok(environment.every((line) => /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|FONTCONFIG_\w+|XDG_\w+|TMPDIR|CHROME_[A-Z_]+|GOOGLE_[A-Z_]+)=/.test(line)), environment.join('\n'));
  });
});
