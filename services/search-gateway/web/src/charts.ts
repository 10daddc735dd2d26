/** Activity charts on uPlot (small, canvas-based), loaded with the Health page only. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ActivityPoint } from './api.js';

export interface ChartSpec {
  title: string;
  unit: string;
  series: Array<{ label: string; value: (point: ActivityPoint) => number | null; color: string }>;
}

/** Draws `spec` into `target` (replacing what was there); returns a function that removes it. */
export function drawChart(target: HTMLElement, spec: ChartSpec, points: readonly ActivityPoint[]): () => void {
  const styles = getComputedStyle(document.documentElement);
  const text = styles.getPropertyValue('--text-muted').trim() || '#666';
  const grid = styles.getPropertyValue('--border').trim() || '#ddd';
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const data: uPlot.AlignedData = [
    points.map((point) => new Date(point.at).getTime() / 1000),
    ...spec.series.map((series) => points.map((point) => series.value(point))),
  ];
  target.replaceChildren();
  const plot = new uPlot(
    {
      title: spec.title,
      width: Math.max(280, target.clientWidth),
      height: 180,
      series: [
        {},
        ...spec.series.map((series) => ({
          label: series.label,
          stroke: series.color,
          width: 2,
          // Small dots too: a minute with searches between quiet ones has no line to draw (latency is null there).
          points: { show: true, size: 4, fill: series.color },
          value: (_plot: uPlot, value: number | null) => (value === null ? '—' : `${value} ${spec.unit}`),
        })),
      ],
      axes: [axis, { ...axis, size: 56 }],
      scales: { y: { range: (_plot, _min, max) => [0, Math.max(1, max)] } },
    },
    data,
    target,
  );
  return () => plot.destroy();
}
