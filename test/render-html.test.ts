import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLogo, renderDefaultHtml, renderHtml, ReportTemplates, DEFAULT_TEMPLATE_DIR } from '../src/render/html.js';
import { NO_BRANDING } from '../src/render/report-model.js';
import { UserError } from '../src/util/errors.js';
import { runCli, temporaryFolder } from './support/cli.js';
import { demoResult, DEMO_SNAPSHOT, HOSTILE_NAME, SMALL_CATALOGUE, withHostileUser } from './render-support.js';

/** The text of one <section id="..."> of the report. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section class="part`, html.indexOf(`id="${id}"`) - 200);
  const open = html.indexOf(`id="${id}"`);
  assert.ok(open >= 0, `section ${id} is missing`);
  const end = html.indexOf('</section>', open);
  return html.slice(Math.max(start, 0), end);
}

describe('HTML report', () => {
  it('shows the demo account, its figures and every user, FAIL first, fetching nothing', async () => {
    const result = await demoResult();
    // <wbr> marks where an identifier may wrap; the assertions read the text without it.
    const html = (await renderDefaultHtml(result)).replaceAll('<wbr>', '');
    assert.match(html, /Account 111122223333/);
    assert.match(html, /<span class="value">42\.3%<\/span>/);
    assert.match(html, /<span class="value">57\.9%<\/span>/);
    assert.match(html, /of the 19 users with a console password have MFA \(11 of 19\)/);
    // One denominator per figure: the donut has the headline's (console users), and says so.
    assert.match(html, /PASS: console user with MFA: 11 \(57\.9%\)/);
    assert.match(html, /of 19 console users/);
    assert.match(html, /42\.3%<\/span><span class="label">of all 26 users have MFA/);
    assert.ok(html.includes(result.snapshot.sha256), 'the snapshot SHA-256 is on the cover');
    assert.match(html, /Age of the data<\/dt><dd>3 days 1 hour at report time/);

    const mfa = section(html, 'mfa');
    const statuses = [...mfa.matchAll(/<td class="status status-[a-z-]+">([A-Z ]+)<\/td>/g)].map((match) => match[1]);
    assert.equal(statuses.length, result.mfa.findings.length);
    const failCount = result.mfa.findings.filter((finding) => finding.status === 'FAIL').length;
    assert.equal(failCount, 8);
    assert.deepEqual(statuses.slice(0, failCount), Array(failCount).fill('FAIL'));
    assert.ok(!statuses.slice(failCount).includes('FAIL'));
    for (const finding of result.mfa.findings) assert.ok(mfa.includes(`<td class="arn">${finding.arn.replace(/=/g, '&#x3D;')}</td>`), finding.arn);

    // The appendix: root's row in its own table, then one row per user (every identity tested).
    const identities = section(html, 'identities');
    assert.equal((identities.match(/<tr class="root"><td class="wrap identity">/g) ?? []).length, 1);
    assert.equal((identities.match(/<tr><td class="wrap identity">/g) ?? []).length, result.inventory.length);
    assert.equal(result.identities.length, result.inventory.length + 1);

    // Nothing to fetch: no scheme-qualified URL anywhere, no script, links only to anchors.
    assert.doesNotMatch(html, /https?:\/\//i);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\b(src|href)="(?!#|data:)/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    // The rule catalogue's sections: every framework (no --framework selection here) and the failed rules.
    assert.match(html, /Framework controls/);
    assert.match(html, /CIS Amazon Web Services Foundations Benchmark 5\.0\.0/);
    assert.match(html, /NIST SP 800-53/);
    assert.match(html, /console-users-mfa/);
  });

  it('escapes hostile names and branding as text', async () => {
    const result = withHostileUser(await demoResult());
    const html = await renderDefaultHtml(result, { ...NO_BRANDING, orgName: 'Acme <b>"&', preparedBy: "O'Brien <audit>" });
    assert.ok(!html.includes(HOSTILE_NAME));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&amp;&quot;quoted&quot;'));
    assert.ok(html.includes('Acme &lt;b&gt;&quot;&amp;'));
    assert.ok(html.includes('O&#x27;Brien &lt;audit&gt;'));
  });

  it('never uses the triple-stash (unescaped output) in the bundled templates', async () => {
    const files = [join(DEFAULT_TEMPLATE_DIR, 'layout.hbs'), ...(await readdir(join(DEFAULT_TEMPLATE_DIR, 'partials'))).map((name) => join(DEFAULT_TEMPLATE_DIR, 'partials', name))];
    assert.ok(files.length > 10);
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      assert.doesNotMatch(source, /\{\{\{|\{\{&/, file);
    }
  });

  it('renders the framework control table and the failed-rule sections from a catalogue', async () => {
    const result = { ...withHostileUser(await demoResult()), catalogue: SMALL_CATALOGUE };
    const html = (await renderDefaultHtml(result)).replaceAll('<wbr>', '');
    const summary = section(html, 'summary');
    assert.match(summary, /Failed checks by severity/);
    assert.match(summary, /aria-label="critical: 0, high: 2, medium: 0, low: 0, info: 0"/);
    assert.match(summary, /<span class="value">2<\/span><span class="label">checks failed, of 5 checks judged/);
    assert.match(summary, /<span class="value">1<\/span><span class="label">of the 3 rules run have at least one failure/);
    // "Not evaluated" explains itself: the reason and the rule.
    assert.match(summary, /Why 1 checks were not evaluated/);
    assert.match(summary, /1: the account password policy was not collected \(needs live collection\)/);

    const framework = section(html, 'framework-1');
    assert.match(framework, /<h2>CIS AWS Foundations Benchmark 5\.0\.0<\/h2>/);
    // Per control: title, the criterion of each rule with a link to its section, status, and the
    // resources tested / failing / excepted / not evaluated (resources once per control).
    assert.match(
      framework,
      /<td>1\.10<\/td><td><strong>Ensure MFA is enabled for all IAM users that have a console password<\/strong><br><span class="criterion"><a href="#rule-1">iam-user-console-mfa<\/a>: Console users have MFA<\/span><\/td><td>Level 1<br><span class="assessment">Automated<\/span><\/td><td class="status status-fail">FAIL<\/td><td class="num">4<\/td><td class="num">2<\/td><td class="num">1<\/td><td class="num">0<\/td>/,
    );
    assert.match(framework, /<td>1\.1<\/td><td><strong>Maintain current contact details<\/strong><br><span class="criterion">Manual: judged outside this tool\.<\/span><\/td><td>Level 1<br><span class="assessment">Manual<\/span><\/td><td class="status status-manual">MANUAL<\/td><td class="num">-<\/td>/);

    const overview = section(html, 'failed-rules');
    assert.match(overview, /iam-user-console-mfa/);
    assert.doesNotMatch(overview, /root-no-access-keys/, 'a rule without failures has no section');

    const rule = section(html, 'rule-1');
    assert.match(rule, /<h2>iam-user-console-mfa: Console users have MFA<\/h2>/);
    assert.match(rule, /A password alone is phished &amp; reused\./);
    assert.match(rule, /<li>Assign an MFA device<\/li>/);
    assert.match(rule, /<pre>aws iam enable-mfa-device --user-name &lt;user&gt;<\/pre>/);
    assert.match(rule, /<td class="wrap">bob\.admin<\/td><td>user<\/td><td class="arn">arn:aws:iam::111122223333:user\/bob\.admin<\/td><td>console password, no MFA device<\/td>/);
    assert.match(rule, /evidence &lt;script&gt;/);
    assert.match(rule, /<td>break\.glass<\/td>.*<td>Emergency access kept in the safe<\/td><td>ciso@example\.com<\/td><td>2027-01-01<\/td>/s);
    assert.doesNotMatch(rule, /alice\.admin/, 'passing resources are not listed as affected');

    const methodology = section(html, 'methodology');
    assert.match(methodology, /<td>password-policy-length<\/td><td>NOT EVALUATED<\/td><td>the account password policy was not collected \(needs live collection\)<\/td><td class="num">1<\/td>/);
    assert.match(methodology, /exceptions\.yaml/);
    assert.match(methodology, /old migration/);
    assert.match(methodology, /never matched/);
    assert.ok(!html.includes('<script>'));
  });

  it('takes partials from --template-dir and keeps the bundled ones for the rest', async () => {
    const folder = await temporaryFolder();
    try {
      await mkdir(join(folder.path, 'partials'));
      await writeFile(join(folder.path, 'partials', 'cover.hbs'), '<section class="part" id="{{anchor}}"><h1>Custom cover for {{snapshot.account.id}}</h1></section>');
      const templates = await ReportTemplates.load(folder.path);
      const html = renderHtml(await demoResult(), { templates, branding: NO_BRANDING });
      assert.match(html, /<h1>Custom cover for 111122223333<\/h1>/);
      assert.match(html, /<h2>MFA compliance<\/h2>/);

      await writeFile(join(folder.path, 'partials', 'cover.hbs'), '{{#if x}}unclosed');
      await assert.rejects(ReportTemplates.load(folder.path), (error: unknown) => error instanceof UserError && error.message.includes('cover.hbs: template error'));
      await assert.rejects(ReportTemplates.load(join(folder.path, 'missing')), /--template-dir .*missing: no such folder/);
    } finally {
      await folder.cleanup();
    }
  });

  it('embeds the logo as a data: URI and refuses a file that is not an image', async () => {
    const folder = await temporaryFolder();
    try {
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1f0d1c60000000049454e44ae426082', 'hex');
      await writeFile(join(folder.path, 'logo.png'), png);
      const dataUri = await loadLogo(join(folder.path, 'logo.png'));
      assert.equal(dataUri, `data:image/png;base64,${png.toString('base64')}`);
      const html = await renderDefaultHtml(await demoResult(), { ...NO_BRANDING, logoDataUri: dataUri, orgName: 'Acme' });
      assert.ok(html.includes(`<img class="logo" src="${dataUri.replace(/=/g, '&#x3D;')}" alt="Acme logo">`));
      await writeFile(join(folder.path, 'logo.txt'), 'not an image');
      await assert.rejects(loadLogo(join(folder.path, 'logo.txt')), /logo\.txt: not a PNG, JPEG, GIF, WebP or SVG image/);
    } finally {
      await folder.cleanup();
    }
  });

  it('refuses an unknown paper size or a bad logo before writing anything', async () => {
    const folder = await temporaryFolder();
    try {
      const paper = await runCli(['report', DEMO_SNAPSHOT, '-d', join(folder.path, 'paper'), '--page-size', 'a5', '--quiet']);
      assert.equal(paper.code, 2);
      assert.match(paper.stderr, /Invalid values:\s+Argument: page-size, Given: "a5", Choices: "a4", "letter"/);
      const framework = await runCli(['report', DEMO_SNAPSHOT, '-d', join(folder.path, 'framework'), '--framework', 'cis-9.9', '--quiet']);
      assert.equal(framework.code, 2);
      assert.match(framework.stderr, /^iam-audit: --framework "cis-9\.9" is not a framework; choose from cis-3\.0, .* or all\n$/);
      const logo = await runCli(['report', DEMO_SNAPSHOT, '-d', join(folder.path, 'logo'), '--format', 'csv,html', '--logo', join(folder.path, 'missing.png'), '--quiet']);
      assert.equal(logo.code, 2);
      assert.match(logo.stderr, /^iam-audit: --logo .*missing\.png: no such file\n$/);
      assert.deepEqual((await readdir(folder.path)).sort(), []);
    } finally {
      await folder.cleanup();
    }
  });

  it('lists what could not be evaluated and the collection errors in the methodology', async () => {
    const demo = await demoResult();
    const missing = { username: 'no.data', arn: 'arn:aws:iam::111122223333:user/no.data', hasConsoleAccess: null, mfaEnabled: null, status: 'NOT_EVALUATED' as const, message: 'Not evaluated: MFA status failed to collect (AccessDenied).' };
    const result = {
      ...demo,
      mfa: { ...demo.mfa, findings: [...demo.mfa.findings, missing] },
      snapshot: {
        ...demo.snapshot,
        collectionErrors: [{ api: 'iam:ListMFADevices', resource: missing.arn, code: 'AccessDenied', message: 'not authorised <here>', affects: ['users[no.data].mfa'] }],
      },
    };
    const html = (await renderDefaultHtml(result)).replaceAll('<wbr>', '');
    const methodology = section(html, 'methodology');
    assert.match(methodology, /<td>Not evaluated: MFA status failed to collect \(AccessDenied\)\.<\/td><td class="num">1<\/td><td class="wrap">no\.data<\/td>/);
    assert.match(methodology, /1 collection error\(s\) are listed in the next section/);
    const errors = section(html, 'collection-errors');
    assert.match(errors, /<td>iam:ListMFADevices<\/td><td class="arn">arn:aws:iam::111122223333:user\/no\.data<\/td><td>AccessDenied<\/td><td>not authorised &lt;here&gt;<\/td><td class="wrap">users\[no\.data\]\.mfa<\/td>/);
    const statuses = [...section(html, 'mfa').matchAll(/<td class="status status-[a-z-]+">([A-Z ]+)<\/td>/g)].map((match) => match[1]);
    assert.equal(statuses[8], 'NOT EVALUATED', 'NOT EVALUATED right after the FAILs');
  });
  it('prints a sign-off block: names and roles from the options, blank lines to sign otherwise', async () => {
    const html = await renderDefaultHtml(await demoResult(), {
      ...NO_BRANDING,
      signOff: {
        preparedBy: { name: 'Dana Lee', role: 'IT auditor', date: '2026-11-06' },
        reviewedBy: { name: 'Sam Roe', role: null, date: null },
        approvedBy: { name: null, role: null, date: null },
      },
    });
    const signOff = section(html, 'sign-off');
    assert.match(signOff, /<th scope="row">Prepared by<\/th><td>Dana Lee<\/td><td>IT auditor<\/td><td>2026-11-06<\/td><td><span class="blank signature"><\/span><\/td>/);
    assert.match(signOff, /<th scope="row">Reviewed by<\/th><td>Sam Roe<\/td><td><span class="blank"><\/span><\/td>/);
    assert.match(signOff, /<th scope="row">Approved by<\/th><td><span class="blank"><\/span><\/td><td><span class="blank"><\/span><\/td><td><span class="blank"><\/span><\/td>/);
  });
});
