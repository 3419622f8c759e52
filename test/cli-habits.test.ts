/** Issue 27 §4: the CLI habits users expect (did you mean, exit codes in --help, --output-name, rules width). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestName, editDistance, suggestionFor } from '../src/cli/did-you-mean.js';
import { runCli } from './support/cli.js';

describe('did you mean', () => {
  it('measures edits, a transposition counting as one', () => {
    assert.equal(editDistance('output', 'output'), 0);
    assert.equal(editDistance('outptu', 'output'), 1);
    assert.equal(editDistance('colect', 'collect'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests only names close enough to be a typo', () => {
    assert.equal(closestName('framwork', ['format', 'framework']), 'framework');
    assert.equal(closestName('x', ['d', 'q']), null);
    assert.equal(closestName('bogus', ['format', 'quiet']), null);
    assert.equal(suggestionFor('Unknown argument: frobnicate', ['frobnicate'], [], ['collect', 'report']), null);
    assert.equal(suggestionFor('Unknown arguments: reprot, x', ['reprot', 'x'], ['help'], ['collect', 'report']), 'Did you mean report?');
    // A word written as a flag is never matched against the commands.
    assert.equal(suggestionFor('Unknown argument: report', ['--report'], ['help'], ['report']), null);
  });

  it('names the command for a mistyped command, exit 2', async () => {
    const run = await runCli(['reprot', 'snapshot.json']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'iam-audit: Unknown arguments: reprot, snapshot.json\nDid you mean report?\nRun "iam-audit --help" for usage.\n');
  });

  it("names the command's own flag for a mistyped flag, exit 2", async () => {
    const rules = await runCli(['rules', '--framwork', 'cis-5.0']);
    assert.equal(rules.code, 2);
    assert.equal(rules.stderr, 'iam-audit: Unknown argument: framwork\nDid you mean --framework?\nRun "iam-audit --help" for usage.\n');
    const report = await runCli(['report', 'snapshot.json', '--fail-on-finding']);
    assert.equal(report.code, 2);
    assert.match(report.stderr, /^iam-audit: Unknown argument: fail-on-finding\nDid you mean --fail-on-findings\?\n/);
    const far = await runCli(['report', 'snapshot.json', '--bogus']);
    assert.equal(far.stderr, 'iam-audit: Unknown argument: bogus\nRun "iam-audit --help" for usage.\n');
  });
});
