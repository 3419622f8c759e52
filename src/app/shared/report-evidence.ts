/**
 * The evidence sentences of a report JSON of format 3 or 4, rebuilt from the facts its results
 * carry with the rule's `describe` (app/shared/report-results.ts reads the rest).
 */
import { packageInfo } from '../../util/paths.js';
import { describeFacts, type Rule, type RuleContext, type RuleFacts, type RuleOptions } from '../../rules/rule.js';
import type { Json, ReportReader } from './report-reader.js';

/**
 * What a sentence made from facts that do not fit the rule shows: a key it read and did not find
 * ("undefined"), or an object in words. Counted against the facts' own text, which may hold either
 * (a policy named "undefined-access" is a valid IAM name).
 */
const UNREADABLE_WORDS: readonly string[] = ['undefined', '[object '];

function occurrences(text: string, word: string): number {
  let count = 0;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) count += 1;
  return count;
}

/** True when the sentence holds "undefined" or "[object " more often than the facts' own text does. */
function unreadable(sentence: string, facts: Json): boolean {
  for (const word of UNREADABLE_WORDS) {
    const inSentence = occurrences(sentence, word);
    if (inSentence === 0) continue;
    let inFacts = 0;
    for (const key of Object.keys(facts)) {
      const fact = facts[key];
      if (typeof fact === 'string') inFacts += occurrences(fact, word);
      else if (Array.isArray(fact)) for (const part of fact) if (typeof part === 'string') inFacts += occurrences(part, word);
    }
    if (inSentence > inFacts) return true;
  }
  return false;
}

/**
 * Rebuilds format 3's evidence sentences: the rule of this version named by the result, its
 * options in effect from the report's `rules` and the report's evaluation instant, the context the
 * engine gave `describe` (analyze/identity-walk.ts RuleRun). A rule this version does not know,
 * facts that are not flat JSON values, or facts the rule's `describe` cannot read are refused with
 * the field named, never read as an empty sentence.
 */
export class EvidenceFromFacts {
  private readonly rules: ReadonlyMap<string, Rule>;
  private readonly contexts = new Map<string, RuleContext<RuleOptions>>();
  private now: number | null = null;
  private optionsAt: Map<string, { readonly value: unknown; readonly where: string }> | null = null;

  constructor(
    private readonly data: Json,
    private readonly read: ReportReader,
    rules: readonly Rule[],
  ) {
    this.rules = new Map(rules.map((rule): [string, Rule] => [rule.id, rule]));
  }

  /** The facts as a flat record of JSON values (text, numbers, booleans, null, lists of text). */
  facts(value: unknown, where: string): Json {
    const facts = this.read.object(value, where);
    for (const key of Object.keys(facts)) {
      const fact = facts[key];
      const flat = fact === null || typeof fact === 'string' || typeof fact === 'boolean' || (typeof fact === 'number' && Number.isFinite(fact)) || (Array.isArray(fact) && fact.every((part) => typeof part === 'string'));
      if (!flat) this.read.fail(`${where}.${key}`, 'expected text, a number, true/false, null or a list of text (a rule\'s facts are flat)');
    }
    return facts;
  }

  evidence(ruleId: string, facts: Json, where: string): string {
    const rule = this.rules.get(ruleId);
    if (rule === undefined) return this.read.fail(where, `the rule ${JSON.stringify(ruleId)} is not one this iam-audit ${packageInfo().version} knows, so its facts cannot be read as evidence; read the report with the version that wrote it`);
    const context = this.context(rule);
    let sentence: unknown;
    try {
      sentence = describeFacts(rule, facts as RuleFacts, context);
    } catch (error) {
      return this.read.fail(where, `the rule ${ruleId} cannot read these facts as evidence (${error instanceof Error ? error.message : String(error)}); is the report written by another iam-audit version?`);
    }
    if (typeof sentence !== 'string' || unreadable(sentence, facts)) {
      return this.read.fail(where, `the rule ${ruleId} cannot read these facts as evidence (it gave ${JSON.stringify(sentence ?? null)}); is the report written by another iam-audit version?`);
    }
    return sentence;
  }

  private context(rule: Rule): RuleContext<RuleOptions> {
    let context = this.contexts.get(rule.id);
    if (context === undefined) {
      context = { now: this.evaluationInstant(), options: this.options(rule.id) };
      this.contexts.set(rule.id, context);
    }
    return context;
  }

  /** The instant the run measured against: the capture time or --as-of. */
  private evaluationInstant(): number {
    if (this.now === null) {
      const metadata = this.read.object(this.data['metadata'], 'metadata');
      this.now = Date.parse(this.read.time(metadata['evaluated_as_of'], 'metadata.evaluated_as_of'));
    }
    return this.now;
  }

  /** The rule's options in effect, as the report's `rules` section lists them. */
  private options(ruleId: string): RuleOptions {
    if (this.optionsAt === null) {
      this.optionsAt = new Map();
      for (const [index, value] of this.read.array(this.data['rules'], 'rules').entries()) {
        const entry = this.read.object(value, `rules[${index}]`);
        this.optionsAt.set(this.read.text(entry['id'], `rules[${index}].id`), { value: entry['options'], where: `rules[${index}].options` });
      }
    }
    const found = this.optionsAt.get(ruleId);
    if (found === undefined) return this.read.fail('rules', `no entry for the rule ${JSON.stringify(ruleId)}, whose options its results' facts are read with`);
    const options = this.read.object(found.value, found.where);
    for (const key of Object.keys(options)) {
      const option = options[key];
      if (typeof option !== 'string' && typeof option !== 'boolean' && !(typeof option === 'number' && Number.isFinite(option))) this.read.fail(`${found.where}.${key}`, 'expected text, a number or true/false');
    }
    return options as RuleOptions;
  }
}
