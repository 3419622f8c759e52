/**
 * Geometry for the report's inline SVG charts. The SVG markup itself lives in the templates
 * (partials/chart-donut.hbs, partials/chart-bars.hbs) so that every value reaching the page goes
 * through Handlebars' escaping; this module only computes numbers and labels.
 */

export interface ChartDatum {
  readonly label: string;
  readonly count: number;
  /** CSS class that colours the segment or bar (status-pass, severity-high...). */
  readonly className: string;
}

export interface DonutSegment extends ChartDatum {
  /** stroke-dasharray "length gap" on a circle whose circumference is 100. */
  readonly dashArray: string;
  /** stroke-dashoffset placing the segment after the previous ones (starting at 12 o'clock). */
  readonly dashOffset: string;
  readonly percent: string;
}

export interface DonutChart {
  readonly segments: readonly DonutSegment[];
  readonly total: number;
  /** The figure printed in the hole. */
  readonly centreLabel: string;
  readonly centreCaption: string;
  readonly description: string;
}

/** Radius giving a circumference of exactly 100, so dash lengths are percentages. */
export const DONUT_RADIUS = 15.915494309189533;

const round = (value: number): string => (Math.round(value * 1000) / 1000).toString();

export function donutChart(data: readonly ChartDatum[], centreLabel: string, centreCaption: string): DonutChart {
  const total = data.reduce((sum, datum) => sum + datum.count, 0);
  let consumed = 0;
  const segments: DonutSegment[] = [];
  for (const datum of data) {
    if (datum.count === 0) continue;
    const share = (datum.count / total) * 100;
    // Starting at 25 puts the first segment at 12 o'clock; each next one follows clockwise.
    segments.push({ ...datum, dashArray: `${round(share)} ${round(100 - share)}`, dashOffset: round(25 - consumed), percent: `${share.toFixed(1)}%` });
    consumed += share;
  }
  const description = data.map((datum) => `${datum.label}: ${datum.count}`).join(', ');
  return { segments, total, centreLabel, centreCaption, description };
}

export interface Bar extends ChartDatum {
  readonly y: number;
  readonly width: number;
  readonly labelY: number;
  readonly valueX: number;
}

export interface BarChart {
  readonly bars: readonly Bar[];
  readonly height: number;
  readonly width: number;
  readonly labelWidth: number;
  readonly barHeight: number;
  readonly description: string;
}

const BAR_HEIGHT = 18;
const BAR_GAP = 8;
const LABEL_WIDTH = 90;
const PLOT_WIDTH = 260;

/** Horizontal bars, one per datum, scaled to the largest count (zero counts keep their row). */
export function barChart(data: readonly ChartDatum[]): BarChart {
  const largest = Math.max(1, ...data.map((datum) => datum.count));
  const bars = data.map((datum, index) => {
    const y = index * (BAR_HEIGHT + BAR_GAP);
    const width = Math.round((datum.count / largest) * PLOT_WIDTH * 10) / 10;
    return { ...datum, y, width, labelY: y + BAR_HEIGHT * 0.7, valueX: LABEL_WIDTH + width + 6 };
  });
  return {
    bars,
    height: data.length * (BAR_HEIGHT + BAR_GAP),
    width: LABEL_WIDTH + PLOT_WIDTH + 60,
    labelWidth: LABEL_WIDTH,
    barHeight: BAR_HEIGHT,
    description: data.map((datum) => `${datum.label}: ${datum.count}`).join(', '),
  };
}
