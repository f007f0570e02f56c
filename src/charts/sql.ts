/** A SQL cell's chart: bars, a line or dots of one result column (x) against a numeric one (y). */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { SqlChart, SqlColumn, SqlResult } from '../notebook/sql-cell.ts';

/** How a column of a DuckDB type is drawn: a number, a day, a time or a label. */
export type ColumnRole = 'number' | 'date' | 'time' | 'text';

export function columnRole(type: string): ColumnRole {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(type)) return 'number';
  if (type === 'DATE') return 'date';
  if (/^TIMESTAMP/.test(type)) return 'time';
  return 'text';
}

/** The chart a result gets before the user picks one: the first label or date column against the first numeric one. */
export function defaultChart(columns: SqlColumn[]): SqlChart | null {
  const roles = columns.map((c) => columnRole(c.type));
  const y = roles.findIndex((r) => r === 'number');
  if (y < 0) return null;
  let x = roles.findIndex((r, i) => i !== y && r !== 'number');
  if (x < 0) x = roles.findIndex((_, i) => i !== y);
  if (x < 0) return null;
  const mark = roles[x] === 'text' ? 'bar' : roles[x] === 'number' ? 'dot' : 'line';
  return { mark, x: columns[x].name, y: columns[y].name };
}

/** Whether `chart` can be drawn from `columns`: both columns there, y numeric. */
export function chartFits(columns: SqlColumn[], chart: SqlChart | null | undefined): chart is SqlChart {
  if (!chart) return false;
  const y = columns.find((c) => c.name === chart.y);
  return Boolean(y && columnRole(y.type) === 'number' && columns.some((c) => c.name === chart.x));
}

/** A number as a SQL cell shows it: whole numbers grouped, others with up to two decimals. */
export function numberText(lang: Lang, v: number): string {
  return Number.isInteger(v) ? lang.int(v) : lang.num(v, Math.abs(v) < 1 ? 4 : 2);
}

const asDate = (v: string, role: ColumnRole) => new Date(role === 'date' ? `${v}T00:00:00Z` : `${v.replace(' ', 'T')}Z`);

/** The Plot options of `chart` over the result's rows (rows without a y value are left out). */
export function sqlChart(result: Pick<SqlResult, 'columns' | 'rows'>, chart: SqlChart, width: number, lang: Lang): Plot.PlotOptions {
  const xi = result.columns.findIndex((c) => c.name === chart.x);
  const yi = result.columns.findIndex((c) => c.name === chart.y);
  const role = columnRole(result.columns[xi].type);
  const timeAxis = (role === 'date' || role === 'time') && chart.mark !== 'bar';
  const points = result.rows
    .filter((r) => typeof r[yi] === 'number' && r[xi] !== null)
    .map((r) => ({ x: timeAxis ? asDate(String(r[xi]), role) : role === 'number' ? (r[xi] as number) : String(r[xi]), y: r[yi] as number }));
  const label = (v: unknown) => (role === 'date' && typeof v === 'string' ? lang.day(v) : role === 'number' && typeof v === 'number' ? numberText(lang, v) : String(v));
  const y = { grid: true, label: chart.y, tickFormat: (d: number) => lang.compact(d) };
  const tipFormat = { x: timeAxis ? (d: Date) => (role === 'date' ? lang.day(d.toISOString().slice(0, 10)) : d.toISOString().slice(0, 19).replace('T', ' ')) : label, y: (v: number) => numberText(lang, v) };
  if (chart.mark === 'bar') {
    // Bars keep the result's order (the query's ORDER BY); many labels are turned to fit.
    const domain = [...new Set(points.map((p) => p.x as string | number))];
    const turn = domain.length > 12;
    return {
      width,
      height: 260,
      marginLeft: 64,
      marginBottom: turn ? 70 : 36,
      x: { type: 'band', domain, label: chart.x, tickFormat: label, tickRotate: turn ? -40 : 0 },
      y,
      marks: [Plot.barY(points, { x: 'x', y: 'y', fill: 'var(--accent)', tip: { format: tipFormat } }), Plot.ruleY([0])],
    };
  }
  const sorted = role === 'text' ? points : [...points].sort((a, b) => +a.x - +b.x);
  const x = timeAxis
    ? { type: 'utc' as const, label: chart.x }
    : role === 'text'
      ? { type: 'point' as const, label: chart.x, domain: [...new Set(sorted.map((p) => p.x as string))] }
      : { label: chart.x, tickFormat: (d: number) => lang.compact(d) };
  const dots = Plot.dot(sorted, { x: 'x', y: 'y', fill: 'var(--accent)', r: chart.mark === 'dot' ? 3.5 : 2.5, tip: { format: tipFormat } });
  return {
    width,
    height: 260,
    marginLeft: 64,
    x,
    y,
    marks: chart.mark === 'line' ? [Plot.lineY(sorted, { x: 'x', y: 'y', stroke: 'var(--accent)', strokeWidth: 2 }), dots] : [dots],
  };
}
