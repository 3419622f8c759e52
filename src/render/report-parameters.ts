/**
 * The "Parameters" part of the printable report (issue 25 §4): every rule option in effect, the
 * rule's default, and each framework's own value, with each deviation marked ("judged at 60 days;
 * CIS v5.0.0 1.13: 90 days, stricter") and each threshold a framework leaves open labelled as the
 * tool's own. Built from the analysis result only (analyze/parameters.ts made the rows).
 */
import type { AnalysisResult } from '../analyze/result.js';
import type { ReportPart } from './report-part.js';

type Value = number | boolean | string;

function withUnit(value: Value | null, unit: string | null): string {
  if (value === null) return 'none';
  return unit === null ? String(value) : `${String(value)} ${unit}`;
}

export function parametersPart(result: AnalysisResult): ReportPart[] {
  const rows = result.catalogue?.parameters;
  if (rows === undefined || rows.length === 0) return [];
  const configuration = result.catalogue?.configuration.file ?? null;
  return [
    {
      partial: 'parameters',
      anchor: 'parameters',
      title: 'Parameters',
      level: 1,
      context: {
        configuration,
        deviations: rows.reduce((sum, row) => sum + row.frameworkValues.filter((entry) => entry.comparison !== 'same').length, 0),
        configured: rows.filter((row) => row.configured).length,
      },
      rows: rows.map((row) => ({
        ruleId: row.ruleId,
        option: row.option,
        value: withUnit(row.value, row.unit),
        defaultValue: withUnit(row.defaultValue, row.unit),
        configured: row.configured,
        frameworks: row.frameworkValues.map((entry) => ({
          text: `${entry.control}: ${withUnit(entry.value, row.unit)}`,
          deviation: entry.comparison === 'same' ? null : `judged at ${withUnit(row.value, row.unit)}, ${entry.comparison} than the framework`,
        })),
        ownThreshold:
          row.unit === null
            ? null
            : row.frameworkValues.length === 0
              ? 'the tool\'s own threshold: no framework in this report sets one'
              : row.frameworksWithoutValue.length > 0
                ? `the tool's own threshold for ${row.frameworksWithoutValue.join(', ')} (they set none)`
                : null,
      })),
    },
  ];
}
