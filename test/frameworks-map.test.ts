/**
 * The framework maps: CIS numbering per version (from the benchmark texts, see
 * the CIS benchmark texts), ids in each framework's own format, no id twice, every rule
 * mapped somewhere and every mapped rule existing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allFrameworks } from '../src/frameworks/index.js';
import type { Framework } from '../src/frameworks/framework.js';
import { allRules } from '../src/rules/index.js';

function framework(id: string): Framework {
  const found = (allFrameworks as readonly Framework[]).find((entry) => entry.id === id);
  assert.ok(found, `framework ${id} is registered`);
  return found;
}

/** control id -> rules, for one framework */
function mapOf(id: string): Record<string, readonly string[]> {
  return Object.fromEntries(framework(id).controls.map((control) => [control.id, control.rules]));
}

describe('framework registry', () => {
  it('has the nine frameworks under their CLI ids', () => {
    assert.deepEqual(
      allFrameworks.map((entry) => entry.id),
      ['cis-3.0', 'cis-4.0', 'cis-5.0', 'cis-6.0', 'fsbp', 'nist-800-53-r5', 'soc2', 'iso27001-2022', 'pci-dss-4.0'],
    );
  });

  it('no control id appears twice within a framework', () => {
    for (const entry of allFrameworks as readonly Framework[]) {
      const ids = entry.controls.map((control) => control.id);
      assert.deepEqual(ids.filter((id, index) => ids.indexOf(id) !== index), [], entry.id);
    }
  });

  it('every mapped rule exists and every rule is mapped to at least one control', () => {
    const ruleIds = new Set<string>(allRules.map((rule) => rule.id));
    const mapped = new Set<string>();
    for (const entry of allFrameworks as readonly Framework[]) {
      for (const control of entry.controls) {
        for (const ruleId of control.rules) {
          assert.ok(ruleIds.has(ruleId), `${entry.id} ${control.id} names unknown rule ${ruleId}`);
          mapped.add(ruleId);
        }
      }
    }
    assert.deepEqual([...ruleIds].filter((id) => !mapped.has(id)), []);
  });

  it('ids follow each framework\'s own format', () => {
    const formats: Record<string, RegExp> = {
      'cis-3.0': /^1\.\d{1,2}$/,
      'cis-4.0': /^1\.\d{1,2}$/,
      'cis-5.0': /^1\.\d{1,2}$/,
      'cis-6.0': /^2\.\d{1,2}$/,
      fsbp: /^IAM\.\d+$/,
      'nist-800-53-r5': /^[A-Z]{2}-\d+(\(\d+\))?$/,
      soc2: /^CC\d\.\d$/,
      'iso27001-2022': /^A\.[5-8]\.\d{1,2}$/,
      'pci-dss-4.0': /^\d{1,2}(\.\d+){2,3}$/,
    };
    for (const entry of allFrameworks as readonly Framework[]) {
      const format = formats[entry.id];
      assert.ok(format, entry.id);
      for (const control of entry.controls) assert.match(control.id, format, `${entry.id} ${control.id}`);
    }
  });
});

describe('CIS AWS Foundations IAM numbering per version', () => {
  // topic -> [v3.0.0, v4.0.1, v5.0.0, v6.0.0], from the benchmark texts.
  const expected: Record<string, readonly (string | null)[]> = {
    contact: ['1.1', '1.1', '1.1', '2.1'],
    securityContact: ['1.2', '1.2', '1.2', '2.2'],
    securityQuestions: ['1.3', '1.3', null, null],
    'root-access-keys': ['1.4', '1.4', '1.3', '2.3'],
    'root-mfa': ['1.5', '1.5', '1.4', '2.4'],
    'root-hardware-mfa': ['1.6', '1.6', '1.5', '2.5'],
    'root-recent-use': ['1.7', '1.7', '1.6', '2.6'],
    'password-policy-min-length': ['1.8', '1.8', '1.7', '2.7'],
    'password-policy-reuse-prevention': ['1.9', '1.9', '1.8', '2.8'],
    'console-users-mfa': ['1.10', '1.10', '1.9', '2.9'],
    'access-keys-at-initial-setup': ['1.11', '1.11', '1.10', '2.10'],
    'unused-credentials': ['1.12', '1.12', '1.11', '2.11'],
    'multiple-active-access-keys': ['1.13', '1.13', '1.12', '2.12'],
    'access-key-rotation': ['1.14', '1.14', '1.13', '2.13'],
    'user-direct-policies': ['1.15', '1.15', '1.14', '2.14'],
    'full-admin-policies': ['1.16', '1.16', '1.15', '2.15'],
    'support-role-exists': ['1.17', '1.17', '1.16', '2.16'],
    instanceRoles: ['1.18', '1.18', '1.17', '2.17'],
    'expired-server-certificates': ['1.19', '1.19', '1.18', '2.18'],
    accessAnalyzer: ['1.20', '1.20', '1.19', '2.19'],
    centralised: ['1.21', '1.21', '1.20', '2.20'],
    'cloudshell-full-access': ['1.22', '1.22', '1.21', '2.21'],
  };
  const versions = ['cis-3.0', 'cis-4.0', 'cis-5.0', 'cis-6.0'] as const;

  versions.forEach((version, column) => {
    it(`${version}: each rule sits at its number`, () => {
      const map = mapOf(version);
      for (const [topic, ids] of Object.entries(expected)) {
        const id = ids[column];
        if (topic.includes('-') && id !== null && id !== undefined) assert.deepEqual(map[id], [topic], `${version} ${id} should be ${topic}`);
      }
    });
    it(`${version}: the controls that need data outside IAM are manual (no rules)`, () => {
      const map = mapOf(version);
      for (const topic of ['contact', 'securityContact', 'securityQuestions', 'instanceRoles', 'accessAnalyzer', 'centralised']) {
        const id = expected[topic]?.[column];
        if (id === null || id === undefined) continue;
        assert.deepEqual(map[id], [], `${version} ${id} (${topic}) is manual`);
      }
    });
    it(`${version}: the IAM section has ${column < 2 ? 22 : 21} recommendations, numbered without gaps`, () => {
      const ids = framework(version).controls.map((control) => control.id);
      const section = version === 'cis-6.0' ? '2' : '1';
      const count = column < 2 ? 22 : 21;
      assert.deepEqual(ids, Array.from({ length: count }, (_, index) => `${section}.${index + 1}`));
    });
  });

  it('v5 dropped security questions and v6 kept v5\'s titles in section 2', () => {
    const titles = (id: string): string[] => framework(id).controls.map((control) => control.title);
    assert.ok(titles('cis-4.0').some((title) => /security questions/i.test(title)));
    assert.ok(!titles('cis-5.0').some((title) => /security questions/i.test(title)));
    assert.equal(framework('cis-6.0').controls.find((control) => control.id === '2.11')?.title, 'Ensure credentials unused for 45 days or more are disabled');
    assert.equal(framework('cis-3.0').controls.find((control) => control.id === '1.6')?.level, 'Level 2');
  });
});

describe('other frameworks', () => {
  it('FSBP maps the IAM.n controls to the matching rules', () => {
    const map = mapOf('fsbp');
    assert.deepEqual(map['IAM.4'], ['root-access-keys']);
    assert.deepEqual(map['IAM.6'], ['root-hardware-mfa']);
    assert.deepEqual(map['IAM.9'], ['root-mfa']);
    assert.deepEqual(map['IAM.22'], ['unused-credentials']);
    assert.deepEqual(map['IAM.15'], ['password-policy-min-length']);
    assert.deepEqual(map['IAM.16'], ['password-policy-reuse-prevention']);
  });
  it('NIST, SOC 2, ISO 27001 and PCI DSS carry their MFA controls', () => {
    assert.deepEqual(mapOf('nist-800-53-r5')['IA-2(2)'], ['console-users-mfa']);
    assert.ok(mapOf('soc2')['CC6.1']?.includes('console-users-mfa'));
    assert.ok(mapOf('iso27001-2022')['A.8.5']?.includes('console-users-mfa'));
    assert.deepEqual(mapOf('pci-dss-4.0')['8.4.2'], ['console-users-mfa', 'root-mfa', 'root-hardware-mfa']);
  });
});
