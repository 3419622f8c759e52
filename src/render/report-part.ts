/**
 * What a part builder (report-controls, report-identities, report-methodology, report-remediation,
 * report-scope) makes and shares: the part, the medium, the scope and time statements. Apart from
 * report-model.ts, which assembles the parts, so that the builders do not import their assembler.
 */
export type ReportMedium = 'html' | 'pdf';

/** One section of the report; `rows` marks a long table the PDF renderer may print in chunks. */
export interface ReportPart {
  /** Partial that renders it (templates/partials/<partial>.hbs). */
  readonly partial: string;
  /** HTML id of the section. */
  readonly anchor: string;
  /** Title in the table of contents and the PDF outline. */
  readonly title: string;
  /** 1 for sections, 2 for subsections (a framework, a failed rule). */
  readonly level: 1 | 2;
  readonly context: Readonly<Record<string, unknown>>;
  readonly rows: readonly unknown[] | null;
  /** Printed on landscape pages in the PDF (wide tables such as the identity matrix). */
  readonly landscape?: boolean;
}

export interface ScopeStatement {
  readonly account: string;
  readonly identities: string;
  readonly frameworks: readonly { readonly name: string; readonly sections: string }[];
  readonly outOfScope: string;
  /** One line for the footer. */
  readonly short: string;
}

export interface TimeStatement {
  readonly capturedAt: string;
  /** How the capture time was established, in words. */
  readonly captureMethod: string;
  /** Short form of the method for the footer. */
  readonly captureMethodShort: string;
  readonly evaluatedAt: string;
  /** "the capture time" or "projected to --as-of". */
  readonly evaluationMethod: string;
  readonly projected: boolean;
  readonly reportTime: string;
}

/** "3 days 4 hours", "5 hours 12 minutes", "40 minutes"; negative ages (report before capture) say so. */
export function describeDuration(milliseconds: number): string {
  const negative = milliseconds < 0;
  const minutes = Math.floor(Math.abs(milliseconds) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const plural = (count: number, unit: string): string => `${count} ${unit}${count === 1 ? '' : 's'}`;
  const text = days > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : hours > 0 ? `${plural(hours, 'hour')} ${plural(rest, 'minute')}` : plural(rest, 'minute');
  return negative ? `${text} before the capture (the report time precedes the data)` : text;
}
