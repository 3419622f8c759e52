/**
 * The "Account-level facts" appendix's types (issue 25 §3), apart from account-facts.ts so that the
 * analysis result (result.ts) can name them without importing the module that builds them.
 */

/** One rule's verdict over the facts of a section, with the framework controls it decides. */
export interface AccountFactVerdict {
  readonly ruleId: string;
  readonly title: string;
  /** The rule's overall status: fail, error, not_evaluated, excepted, pass or not_applicable (worst first). */
  readonly status: string;
  /** "2 pass, 1 fail": the rule's results by status. */
  readonly counts: string;
  /** "cis-5.0 1.16, fsbp IAM.18, ...". */
  readonly controls: string;
  /** The rule's own evidence for an account-wide result (one line), when it has one. */
  readonly evidence: string | null;
}

/** A list the section prints as a table (certificates, policies and where attached...). */
export interface AccountFactTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Said when the list is empty: "No role has AWSSupportAccess attached." */
  readonly empty: string;
}

export interface AccountFactSection {
  readonly id: string;
  readonly title: string;
  /** Why the facts are missing (not collected, failed); null when the snapshot has them. */
  readonly notCollected: string | null;
  /** Single facts, as label and value ("Minimum length": "14"). */
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly table: AccountFactTable | null;
  readonly verdicts: readonly AccountFactVerdict[];
}

export interface AccountFactsReport {
  readonly sections: readonly AccountFactSection[];
}
