/**
 * Draw a few small charts off-page while the page waits for a file: the first drawing of each kind of mark runs
 * Plot's code (scales, axes, legends, formats) cold, and would otherwise land in the task that shows the first result.
 */
import * as Plot from '@observablehq/plot';
import { runWhenIdle } from '../idle.ts';

export function warmUpCharts(): void {
  const months = Array.from({ length: 24 }, (_, i) => ({ x: new Date(Date.UTC(2024, i, 1)), y: (i * 37) % 11, k: `s${i % 3}` }));
  // One mark per chart, each in an idle moment of its own: the first chart pays for Plot's shared code (scales, axes).
  const plot = (marks: Plot.Markish[], options: Plot.PlotOptions = {}) => () => Plot.plot({ width: 480, height: 200, ...options, marks });
  runWhenIdle([
    plot([Plot.ruleY([0])]),
    plot([Plot.rectY(months, { x: 'x', y: 'y', interval: 'month' })]),
    plot([Plot.lineY(months, { x: 'x', y: 'y', stroke: 'k' })], { color: { legend: true } }),
    plot([Plot.dot(months, { x: 'x', y: 'y', fill: 'k' }), Plot.tip(months, Plot.pointerX({ x: 'x', y: 'y' }))]),
    plot([Plot.cell(months, { x: 'k', y: 'y', fill: 'y' })], { color: { type: 'linear', legend: true } }),
    plot([Plot.text(months, { x: 'k', y: 'y', text: 'k' })]),
    plot([Plot.barX(months, Plot.stackX({ x: 'y', fill: 'k' }))]),
    plot([Plot.barY(months, { x: 'k', y: 'y' })]),
  ]);
}
