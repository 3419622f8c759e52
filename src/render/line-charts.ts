/**
 * Geometry for the trend page's inline SVG line charts (no JavaScript): numbers and labels only;
 * the markup is templates/partials/chart-lines.hbs, so every value goes through Handlebars' escaping.
 */

export interface LineSeries {
  readonly label: string;
  /** One value per point in time; null where it is not known (a gap in the line). */
  readonly values: readonly (number | null)[];
  /** The series' own colour (a severity's, as in the account report); else the palette's next. */
  readonly colour?: string;
}

export interface LineChart {
  readonly width: number;
  readonly height: number;
  readonly plot: { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number };
  readonly lines: readonly { readonly label: string; readonly colour: string; readonly path: string; readonly points: readonly { readonly x: number; readonly y: number; readonly value: string }[]; readonly legend: { readonly x: number; readonly y: number; readonly textX: number; readonly textY: number } }[];
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
  readonly description: string;
}

/**
 * The severities' colours, as the account report's stylesheet has them (templates/partials/styles.hbs,
 * --critical ... --severity-info), so that "high" is the same red in every report.
 */
export const SEVERITY_COLOURS: Readonly<Record<string, string>> = { critical: '#7b1010', high: '#c62828', medium: '#ef6c00', low: '#f9a825', info: '#607d8b' };

/** Colours from the report's palette, in series order. */
const PALETTE = ['#1565c0', '#c62828', '#8d6e00', '#2e7d32', '#6a4c93', '#00838f', '#ad1457', '#5d4037', '#455a64'];
const WIDTH = 680;
const HEIGHT = 220;
const PLOT = { left: 46, top: 10, right: WIDTH - 150, bottom: HEIGHT - 40 };

const round = (value: number): number => Math.round(value * 10) / 10;

/**
 * Lines over the points in time; `percent` scales 0..1 values to 0-100 %. Other values are counts:
 * the axis has whole-number ticks only (no "2.5 users").
 */
export function lineChart(series: readonly LineSeries[], xLabels: readonly string[], options: { readonly percent?: boolean } = {}): LineChart {
  const values = series.flatMap((line) => line.values.filter((value): value is number => value !== null));
  const axis = options.percent === true ? { top: 1, step: 0.25 } : countAxis(Math.max(0, ...values));
  const top = axis.top;
  const count = Math.max(1, xLabels.length - 1);
  const xOf = (index: number): number => round(PLOT.left + ((PLOT.right - PLOT.left) * (xLabels.length === 1 ? 0.5 : index / count)));
  const yOf = (value: number): number => round(PLOT.bottom - ((PLOT.bottom - PLOT.top) * value) / top);
  const format = (value: number): string => (options.percent === true ? `${(value * 100).toFixed(1)}%` : String(Math.round(value * 10) / 10));
  const lines = series.map((line, index) => {
    const points = line.values.flatMap((value, position) => (value === null ? [] : [{ x: xOf(position), y: yOf(value), value: format(value) }]));
    let path = '';
    let pen = 'M';
    line.values.forEach((value, position) => {
      if (value === null) {
        pen = 'M';
        return;
      }
      path += `${pen}${xOf(position)} ${yOf(value)} `;
      pen = 'L';
    });
    const legend = { x: PLOT.right + 12, y: PLOT.top + index * 16, textX: PLOT.right + 26, textY: PLOT.top + index * 16 + 9 };
    return { label: line.label, colour: line.colour ?? PALETTE[index % PALETTE.length] ?? '#000', path: path.trim(), points, legend };
  });
  const yTicks = Array.from({ length: Math.round(top / axis.step) + 1 }, (_, index) => index * axis.step).map((value) => ({ y: yOf(value), label: format(value) }));
  // At most about eight date labels; the first and last always.
  const step = Math.max(1, Math.ceil(xLabels.length / 8));
  const xTicks = xLabels.flatMap((label, index) => (index % step === 0 || index === xLabels.length - 1 ? [{ x: xOf(index), label: label.slice(0, 10) }] : []));
  const description = series.map((line) => `${line.label}: ${line.values.map((value) => (value === null ? 'n/a' : format(value))).join(', ')}`).join('; ');
  return { width: WIDTH, height: HEIGHT, plot: PLOT, lines, yTicks, xTicks, description };
}

/** A count axis: a whole-number step of 1, 2 or 5 times a power of ten, at most about five ticks above zero. */
export function countAxis(largest: number): { top: number; step: number } {
  const wanted = Math.max(1, largest) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(wanted));
  const step = Math.max(1, ([1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= wanted) ?? 10 * magnitude));
  return { top: Math.max(step, Math.ceil(largest / step) * step), step };
}
