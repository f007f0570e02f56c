/**
 * How each cell kind is drawn in a report: one function per kind, `(data, ctx) → nodes`, from the data its model's
 * `share` wrote (src/models/registry.ts). The same functions draw the share link's view, the report file and the
 * headless command's report.
 */
import type { RenderContext } from '../dom.ts';
import { abcReport } from './abc.ts';
import { cohortsReport } from './cohorts.ts';
import { lifecycleReport } from './lifecycle.ts';
import { basketReport } from './basket.ts';
import { churnReport } from './churn.ts';
import { clvReport } from './clv.ts';
import { clustersReport } from './clusters.ts';
import { overviewReport } from './overview.ts';
import { rfmReport } from './rfm.ts';
import { sqlReport } from './sql.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ReportView = (data: any, r: RenderContext) => Node[];

export const REPORT_VIEWS: Record<string, ReportView> = {
  overview: overviewReport,
  rfm: rfmReport,
  abc: abcReport,
  cohorts: cohortsReport,
  lifecycle: lifecycleReport,
  clv: clvReport,
  churn: churnReport,
  basket: basketReport,
  clusters: clustersReport,
  sql: sqlReport,
};
