/**
 * The mails' content: one mail per owner with only that owner's findings, and the summary. Text
 * and HTML bodies come from Handlebars templates (templates/mail/*.hbs), each overridable by a
 * file of the same name in --template-dir. The HTML templates rely on Handlebars' escaping (no
 * triple-stash); the text templates are compiled without HTML escaping.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { UserError } from '../../util/errors.js';
import { packageRoot } from '../../util/paths.js';
import type { FailedResult, NotifyReport } from './notify-input.js';
import { owningUserName, type ResolvedOwner } from '../shared/owners.js';
import { commandsFor, consoleLink, isKeyFinding, keyInstructions } from './notify-actions.js';

export const DEFAULT_MAIL_TEMPLATE_DIR = join(packageRoot, 'templates', 'mail');
export const MAIL_TEMPLATE_NAMES = ['owner.text.hbs', 'owner.html.hbs', 'summary.text.hbs', 'summary.html.hbs'] as const;
type TemplateName = (typeof MAIL_TEMPLATE_NAMES)[number];

/** How many findings the summary lists as the worst. */
const WORST_FINDINGS = 10;

export class MailTemplates {
  private constructor(private readonly templates: ReadonlyMap<TemplateName, HandlebarsTemplateDelegate>) {}

  static async load(templateDir: string | null): Promise<MailTemplates> {
    if (templateDir !== null) {
      const folder = await stat(templateDir).catch(() => null);
      if (folder === null || !folder.isDirectory()) throw new UserError(`--template-dir ${templateDir}: no such folder`);
    }
    const environment = Handlebars.create();
    environment.registerHelper('eq', (left: unknown, right: unknown) => left === right);
    environment.registerHelper('inc', (value: unknown) => (typeof value === 'number' ? value + 1 : value));
    const templates = new Map<TemplateName, HandlebarsTemplateDelegate>();
    for (const name of MAIL_TEMPLATE_NAMES) {
      const override = templateDir === null ? null : join(templateDir, name);
      const path = override !== null && (await stat(override).catch(() => null))?.isFile() === true ? override : join(DEFAULT_MAIL_TEMPLATE_DIR, name);
      const source = await readFile(path, 'utf8');
      try {
        environment.parse(source);
      } catch (error) {
        throw new UserError(`${path}: template error: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`);
      }
      templates.set(name, environment.compile(source, { noEscape: name.endsWith('.text.hbs'), preventIndent: true }));
    }
    return new MailTemplates(templates);
  }

  render(name: TemplateName, model: object): string {
    const template = this.templates.get(name);
    if (template === undefined) throw new Error(`mail template ${name} not loaded`);
    try {
      return template(model, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    } catch (error) {
      throw new UserError(`mail template ${name}: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`);
    }
  }
}

export interface OwnedFinding extends FailedResult {
  readonly id: string;
  readonly owner: ResolvedOwner | null;
}

export interface ComposedMail {
  readonly kind: 'owner' | 'summary';
  /** The bare address (the state file and the console name it so). */
  readonly to: string;
  /** The display name to put beside it in the To header, if any. */
  readonly toName?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The finding ids this mail tells its recipient about (owner mails); recorded once sent. */
  readonly findingIds: readonly string[];
  /** One line for the console: "3 findings: console-users-mfa bob.admin, ...". */
  readonly description: string;
  readonly attachments: readonly { readonly filename: string; readonly content: Buffer; readonly contentType: string }[];
}

function accountLabel(report: NotifyReport): string {
  return report.accountAlias === null ? report.accountId : `${report.accountId} (${report.accountAlias})`;
}

/** "1 finding", "3 findings"; `many` for irregular plurals. */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

function dueWords(dueDate: string | null, overdue: boolean): string | null {
  if (dueDate === null) return null;
  return overdue ? `${dueDate}, OVERDUE` : dueDate;
}

function ruleSection(report: NotifyReport, ruleId: string, items: readonly OwnedFinding[]): object {
  const rule = report.rules.get(ruleId);
  const keyRule = items.every((item) => isKeyFinding(item));
  const commands = keyRule ? [] : [...new Set(items.flatMap((item) => commandsFor(rule?.remediation.cli ?? '', item, owningUserName(item.resourceType, item.resourceName))))];
  return {
    id: ruleId,
    title: rule?.title ?? ruleId,
    severity: items[0]?.severity ?? rule?.severity ?? '',
    criteria: rule?.criteria.join(', ') ?? '',
    keyRule,
    consoleSteps: rule?.remediation.console ?? [],
    cli: rule?.remediation.cli ?? '',
    commands,
    findings: items.map((item) => ({
      resource: item.resourceName,
      resourceType: item.resourceType,
      arn: item.resourceArn,
      evidence: item.evidence,
      due: dueWords(item.dueDate, item.overdue),
      overdue: item.overdue,
      link: consoleLink(item.resourceType, item.resourceArn, owningUserName(item.resourceType, item.resourceName)),
    })),
  };
}

/** One owner's mail: their findings grouped by rule, then one instruction per access key. */
export function composeOwnerMail(report: NotifyReport, owner: ResolvedOwner, findings: readonly OwnedFinding[], templates: MailTemplates): Omit<ComposedMail, 'attachments'> {
  const byRule = new Map<string, OwnedFinding[]>();
  for (const finding of findings) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
  const rules = [...byRule.entries()].map(([ruleId, items]) => ruleSection(report, ruleId, items));
  const keys = keyInstructions(findings).map((key) => ({ ...key, due: dueWords(key.dueDate, key.overdue) }));
  const overdue = findings.filter((finding) => finding.overdue).length;
  const firstDue = findings.map((finding) => finding.dueDate).filter((date): date is string => date !== null).sort()[0] ?? null;
  const model = {
    owner: owner.address,
    ownerName: owner.name ?? null,
    account: accountLabel(report),
    capturedAt: report.capturedAt,
    evaluatedAsOf: report.evaluatedAsOf,
    toolVersion: report.toolVersion,
    findingCount: findings.length,
    findingsLabel: plural(findings.length, 'finding'),
    dueLine: firstDue === null ? null : overdue > 0 ? `${plural(overdue, 'finding is', 'findings are')} overdue (the earliest was due ${firstDue}).` : `the first is due ${firstDue}.`,
    rules,
    keys,
    keysLabel: plural(keys.length, 'access key'),
  };
  return {
    kind: 'owner',
    to: owner.address,
    ...(owner.name === undefined ? {} : { toName: owner.name }),
    subject: `[iam-audit] ${plural(findings.length, 'finding')} to fix in AWS account ${accountLabel(report)}${overdue > 0 ? ` (${overdue} overdue)` : ''}`,
    text: templates.render('owner.text.hbs', model),
    html: templates.render('owner.html.hbs', model),
    findingIds: findings.map((finding) => finding.id),
    description: `${plural(findings.length, 'finding')}: ${findings.map((finding) => `${finding.ruleId} ${finding.resourceName}`).join(', ')}`,
  };
}

/** What happened to an owner's mail, for the summary and the console. */
export type OwnerMailStatus = 'sent' | 'refused' | 'deferred' | 'failed' | 'not-attempted' | 'written' | 'quiet' | 'bad-address';

export interface OwnerTally {
  readonly address: string;
  readonly findings: number;
  /** Left out of this run's mail: told within --quiet-days. */
  readonly quiet: number;
  readonly status: OwnerMailStatus;
  /** The server's reply, the number of tries or the address problem; '' when nothing to add. */
  readonly detail: string;
}

/** The status in words: "sent", "refused by the server: 550 ...", "deferred after 3 tries: 451 ...". */
export function describeTally(tally: OwnerTally): string {
  const detail = tally.detail === '' ? '' : `: ${tally.detail}`;
  switch (tally.status) {
    case 'sent':
      return `sent${detail}`;
    case 'written':
      return 'written (--dry-run, not sent)';
    case 'quiet':
      return 'nothing new to send (skipped by the quiet days)';
    case 'refused':
      return `NOT SENT, refused by the server${detail}`;
    case 'deferred':
      return `NOT SENT, deferred by the server${detail}`;
    case 'bad-address':
      return `NOT SENT, not an email address${detail}`;
    default:
      return `NOT SENT${detail}`;
  }
}

/** The summary: counts, failing rules and controls, worst findings, what happened to each owner's mail, and what has no owner. */
export function composeSummaryMail(
  report: NotifyReport,
  address: string,
  findings: readonly OwnedFinding[],
  owners: readonly OwnerTally[],
  templates: MailTemplates,
  attachment: ComposedMail['attachments'][number] | null,
): ComposedMail {
  const describe = (finding: OwnedFinding): object => ({
    rule: report.rules.get(finding.ruleId)?.title ?? finding.ruleId,
    ruleId: finding.ruleId,
    severity: finding.severity,
    resource: finding.resourceName,
    evidence: finding.evidence,
    due: dueWords(finding.dueDate, finding.overdue),
    owner: finding.owner?.address ?? 'no owner',
  });
  const noOwner = findings.filter((finding) => finding.owner === null);
  const failingRules = new Set(report.failures.map((failure) => failure.ruleId)).size;
  const notDelivered = owners.filter((owner) => !['sent', 'written', 'quiet'].includes(owner.status));
  const model = {
    account: accountLabel(report),
    capturedAt: report.capturedAt,
    evaluatedAsOf: report.evaluatedAsOf,
    toolVersion: report.toolVersion,
    counts: report.counts,
    mfa: report.mfa,
    failingRulesLabel: plural(failingRules, 'rule'),
    failedChecksLabel: plural(report.counts.fail, 'failed check'),
    failingControls: report.failingControls,
    failingControlCount: report.failingControls.length,
    worst: findings.slice(0, WORST_FINDINGS).map(describe),
    owners: owners.map((owner) => ({ ...owner, findingsLabel: plural(owner.findings, 'finding'), outcome: describeTally(owner) })),
    notDeliveredCount: notDelivered.length,
    noOwner: noOwner.map(describe),
    noOwnerCount: noOwner.length,
    attachment: attachment?.filename ?? null,
  };
  return {
    kind: 'summary',
    to: address,
    subject: `[iam-audit] Summary for AWS account ${accountLabel(report)}: ${plural(report.counts.fail, 'failed check')} of ${plural(failingRules, 'rule')}${notDelivered.length > 0 ? `, ${plural(notDelivered.length, 'owner mail')} NOT delivered` : ''}`,
    text: templates.render('summary.text.hbs', model),
    html: templates.render('summary.html.hbs', model),
    findingIds: [],
    description: `summary: ${plural(report.counts.fail, 'failed check')}, ${plural(owners.length, 'owner')}, ${noOwner.length} with no owner${attachment === null ? '' : `, attached ${attachment.filename}`}`,
    attachments: attachment === null ? [] : [attachment],
  };
}
