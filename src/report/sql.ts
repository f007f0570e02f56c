/**
 * A SQL cell's part of a report: its statement, its columns, the first rows of its result and its chart choice (the
 * chart is drawn from those rows alone). Only cells the consultant ticked in get here (build.ts).
 */
import type { Db } from '../db/db.ts';
import { chartFits, defaultChart } from '../charts/sql.ts';
import type { Registry } from '../models/registry.ts';
import { runSql, type SqlChart, type SqlResult } from '../notebook/sql-cell.ts';
import type { ReportRequest } from './format.ts';

/** Rows of a SQL cell a report holds. */
export const REPORT_SQL_ROWS = 20;

export interface SqlShare {
  sql: string;
  /** [name, DuckDB type] per column. */
  columns: [string, string][];
  rows: SqlResult['rows'];
  /** Rows the cell showed (at most its limit), and whether the result had more. */
  shown: number;
  truncated: boolean;
  chart: SqlChart | null;
}

export async function shareSql(db: Db, models: Registry, cell: ReportRequest['cells'][number]): Promise<SqlShare> {
  const sql = cell.sql ?? '';
  const result = await runSql(db, sql, models);
  return {
    sql,
    columns: result.columns.map((c) => [c.name, c.type]),
    rows: result.rows.slice(0, REPORT_SQL_ROWS),
    shown: result.rows.length,
    truncated: result.truncated,
    chart: chartFits(result.columns, cell.chart) ? cell.chart : defaultChart(result.columns),
  };
}
