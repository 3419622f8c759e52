/**
 * Geometry for the trend page's inline SVG line charts (no JavaScript): numbers and labels only;
 * the markup is templates/partials/chart-lines.hbs, so every value goes through Handlebars' escaping.
 */

export interface LineSeries {
  readonly label: string;
  /** One value per point in time; null where it is not known (a gap in the line). */
  readonly values: readonly (number | null)[];
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

/** Colours from the report's palette, in series order. */
const PALETTE = ['#1565c0', '#c62828', '#8d6e00', '#2e7d32', '#6a4c93', '#00838f', '#ad1457', '#5d4037', '#455a64'];
const WIDTH = 680;
const HEIGHT = 220;
const PLOT = { left: 46, top: 10, right: WIDTH - 150, bottom: HEIGHT - 40 };

const round = (value: number): number => Math.round(value * 10) / 10;

/** Lines over the points in time; `percent` scales 0..1 values to 0-100 %. */
export function lineChart(series: readonly LineSeries[], xLabels: readonly string[], options: { readonly percent?: boolean } = {}): LineChart {
  const values = series.flatMap((line) => line.values.filter((value): value is number => value !== null));
  const top = options.percent === true ? 1 : niceCeiling(Math.max(1, ...values));
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
    return { label: line.label, colour: PALETTE[index % PALETTE.length] ?? '#000', path: path.trim(), points, legend };
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((share) => ({ y: yOf(top * share), label: format(top * share) }));
  // At most about eight date labels; the first and last always.
  const step = Math.max(1, Math.ceil(xLabels.length / 8));
  const xTicks = xLabels.flatMap((label, index) => (index % step === 0 || index === xLabels.length - 1 ? [{ x: xOf(index), label: label.slice(0, 10) }] : []));
  const description = series.map((line) => `${line.label}: ${line.values.map((value) => (value === null ? 'n/a' : format(value))).join(', ')}`).join('; ');
  return { width: WIDTH, height: HEIGHT, plot: PLOT, lines, yTicks, xTicks, description };
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * magnitude >= value) return factor * magnitude;
  return 10 * magnitude;
}
