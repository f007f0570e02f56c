/**
 * How each cell kind is drawn in a report: one function per kind, `(data, ctx) → nodes`, from the data its model's
 * `share` wrote (src/models/registry.ts). The same functions draw the share link's view, the report file and the
 * headless command's report.
 */
import type { RenderContext } from '../dom.ts';
import { overviewReport } from './overview.ts';
import { sqlReport } from './sql.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReportView = (data: any, r: RenderContext) => Node[];

export const REPORT_VIEWS: Record<string, ReportView> = {
  overview: overviewReport,
  sql: sqlReport,
};
