/**
 * Each model's customer list as a file (src/models/list-export.ts): which columns, under which shared header, with
 * which codes written as words. The queries are the models' own (the lists the cells page through).
 */
import { lit, rows, type Db } from '../db/db.ts';
import { Format, type Locale } from '../i18n/format.ts';
import { SEGMENT_TEXT, segmentName } from '../i18n/segments.ts';
import { abcExportSql, type AbcClass } from './abc.ts';
import { CHURN_EXPORT_COLUMNS, churnExportSql } from './churn.ts';
import { clusterListSql } from './clusters.ts';
import { lifecycleListSql, type Stage } from './lifecycle.ts';
import { listExport, workbook, type ExportAs, type ExportColumn } from './list-export.ts';
import { SEGMENTS_A, SEGMENTS_B } from './segments.ts';

const SEGMENT_NAMES: Record<string, Record<Locale, string>> = Object.fromEntries(Object.entries(SEGMENT_TEXT).map(([code, { zh, en }]) => [code, { zh, en }]));

const CUSTOMER: ExportColumn = { field: 'customer_id', header: 'export.col.customer_id' };

/** The RFM list: both segment schemes of MODELS.md §2, each under its own name (they are two schemes, not translations). */
export function rfmExportColumns(monetary: 'sum' | 'mean' = 'sum'): ExportColumn[] {
  return [
    CUSTOMER,
    { field: 'recency_days', header: 'export.col.recency_days' },
    { field: 'frequency', header: 'export.col.purchases' },
    { field: 'monetary', header: monetary === 'mean' ? 'export.col.monetary_mean' : 'export.col.monetary', money: true },
    { field: 'r', header: 'export.col.r' },
    { field: 'f', header: 'export.col.f' },
    { field: 'm', header: 'export.col.m' },
    { field: 'segment_cn', header: 'export.col.segment_cn', names: SEGMENT_NAMES },
    { field: 'segment_en', header: 'export.col.segment_en', names: SEGMENT_NAMES },
  ];
}

/** What the RFM export is asked: a segment of a scheme (null: every customer), or every segment of it, a sheet each. */
export interface RfmExport extends ExportAs {
  scheme: 'cn' | 'en';
  segment: string | null;
  /** The monetary value the run used (sum or mean per purchase): names its column. */
  monetary?: 'sum' | 'mean';
  /** One workbook with a sheet per segment of `scheme` (in the scheme's order), named by the segment. */
  bySegment?: boolean;
}

function rfmListSql(where: string): string {
  return `SELECT customer_id, recency_days, frequency, round(monetary, 2) AS monetary, r, f, m, segment_cn, segment_en
    FROM rfm ${where} ORDER BY monetary DESC, customer_id`;
}

/** One RFM segment (or every customer) by monetary, or the workbook of every segment. */
export async function exportRfm(db: Db, o: RfmExport): Promise<Uint8Array> {
  const column = `segment_${o.scheme === 'cn' ? 'cn' : 'en'}`;
  const columns = rfmExportColumns(o.monetary);
  if (!o.bySegment) return listExport(db, rfmListSql(o.segment === null ? '' : `WHERE ${column} = ${lit(o.segment)}`), columns, o, 'export.sheet.rfm');
  const present = new Set((await rows<{ s: string }>(db, `SELECT DISTINCT ${column} AS s FROM rfm`)).map((r) => r.s));
  const order = o.scheme === 'cn' ? SEGMENTS_A : SEGMENTS_B;
  const segments = [...order.filter((s) => present.has(s)), ...[...present].filter((s) => !order.includes(s)).sort()];
  const sheets = segments.map((s) => ({ name: segmentName(s, o.lang ?? 'zh'), sql: rfmListSql(`WHERE ${column} = ${lit(s)}`) }));
  return workbook(db, sheets, columns, { ...o, format: 'xlsx' });
}

const ABC_COLUMNS: ExportColumn[] = [
  CUSTOMER,
  { field: 'class', header: 'export.col.abc_class', words: { A: 'abc.class.A', B: 'abc.class.B', C: 'abc.class.C' } },
  { field: 'rank', header: 'export.col.rank' },
  { field: 'monetary', header: 'export.col.monetary', money: true },
  { field: 'cum_share', header: 'export.col.cum_share' },
];

/** One ABC class's customers (or all of them), by rank. */
export function exportAbc(db: Db, o: ExportAs & { cls: AbcClass | null }): Promise<Uint8Array> {
  return listExport(db, abcExportSql(o.cls ?? undefined), ABC_COLUMNS, o, 'export.sheet.abc');
}

const LIFECYCLE_COLUMNS: ExportColumn[] = [
  CUSTOMER,
  {
    field: 'stage',
    header: 'export.col.stage',
    words: { new: 'lifecycle.stage.new', active: 'lifecycle.stage.active', at_risk: 'lifecycle.stage.at_risk', dormant: 'lifecycle.stage.dormant', churned: 'lifecycle.stage.churned' },
  },
  { field: 'slipping', header: 'export.col.slipping', yesNo: true },
  { field: 'recency_days', header: 'export.col.recency_days' },
  { field: 'first_day', header: 'export.col.first_day' },
  { field: 'last_day', header: 'export.col.last_day' },
  { field: 'purchases', header: 'export.col.purchases' },
  { field: 'revenue', header: 'export.col.monetary', money: true },
];

/** One lifecycle stage's customers, the slipping ones, or all, by value. */
export function exportLifecycle(db: Db, o: ExportAs & { stage?: Stage; slipping?: boolean }): Promise<Uint8Array> {
  return listExport(db, lifecycleListSql({ stage: o.stage, slipping: o.slipping }), LIFECYCLE_COLUMNS, o, 'export.sheet.lifecycle');
}

/** One cluster's members (or every customer with their cluster), its name in the user's language. */
export function exportClusters(db: Db, o: ExportAs & { cluster: number | null }): Promise<Uint8Array> {
  const columns: ExportColumn[] = [
    CUSTOMER,
    { field: 'cluster', header: 'export.col.cluster' },
    { field: (o.lang ?? 'zh') === 'zh' ? 'name_zh' : 'name_en', header: 'export.col.cluster_name' },
    { field: 'recency_days', header: 'export.col.recency_days' },
    { field: 'frequency', header: 'export.col.purchases' },
    { field: 'monetary', header: 'export.col.monetary', money: true },
  ];
  return listExport(db, clusterListSql(o.cluster ?? undefined), columns, o, 'export.sheet.clusters');
}

/**
 * Every scored customer of the CLV cell's fit, highest CLV first: repeat purchases, P(alive), expected purchases over
 * the horizon (`horizonMonths`, named in the header), expected spend per purchase and CLV.
 */
export function exportClv(db: Db, o: ExportAs & { horizonMonths?: number }): Promise<Uint8Array> {
  const columns: ExportColumn[] = [
    CUSTOMER,
    { field: 'x', header: 'export.col.repeat_purchases' },
    { field: 'p_alive', header: 'export.col.p_alive' },
    { field: 'expected_purchases', header: 'export.col.expected_purchases', params: { n: o.horizonMonths ?? 12 } },
    { field: 'expected_spend', header: 'export.col.expected_spend', money: true },
    { field: 'clv', header: 'export.col.clv', money: true },
  ];
  const sql = `SELECT customer_id, x, round(p_alive, 4) AS p_alive, round(expected_purchases, 4) AS expected_purchases,
      round(expected_spend, 2) AS expected_spend, round(clv, 2) AS clv
    FROM clv_customers ORDER BY clv DESC NULLS LAST, customer_id`;
  return listExport(db, sql, columns, o, 'export.sheet.clv');
}

/** The reasons of the churn list (`low_p_alive`, `slipping` or both joined by `+`) in both languages. */
function churnReasons(): Record<string, Record<Locale, string>> {
  const word = (l: Locale, code: string) => new Format(l).t(code === 'slipping' ? 'churn.reason.slipping_short' : 'churn.reason.low_short');
  const both = (l: Locale) => ['low_p_alive', 'slipping'].map((c) => word(l, c)).join(l === 'zh' ? '；' : '; ');
  return {
    low_p_alive: { zh: word('zh', 'low_p_alive'), en: word('en', 'low_p_alive') },
    slipping: { zh: word('zh', 'slipping'), en: word('en', 'slipping') },
    'low_p_alive+slipping': { zh: both('zh'), en: both('en') },
  };
}

const CHURN_HEADERS: Record<(typeof CHURN_EXPORT_COLUMNS)[number], Omit<ExportColumn, 'field'>> = {
  rank: { header: 'export.col.rank' },
  customer_id: { header: 'export.col.customer_id' },
  name: { header: 'export.col.name' },
  phone: { header: 'export.col.phone' },
  reason: { header: 'export.col.reason', names: churnReasons() },
  p_alive: { header: 'export.col.p_alive' },
  last_day: { header: 'export.col.last_day' },
  recency_days: { header: 'export.col.recency_days' },
  median_gap_days: { header: 'export.col.median_gap_days' },
  monetary: { header: 'export.col.monetary', money: true },
  clv: { header: 'export.col.clv', money: true },
  value_at_risk: { header: 'export.col.value_at_risk', money: true },
  value_basis: { header: 'export.col.value_basis', words: { predicted: 'churn.basis.predicted', historical: 'churn.basis.historical' } },
};

/** The whole churn warning list, ranked by value at risk, with the reason and the basis in words. */
export function exportChurnList(db: Db, o: ExportAs): Promise<Uint8Array> {
  const columns = CHURN_EXPORT_COLUMNS.map((field) => ({ field, ...CHURN_HEADERS[field] }));
  return listExport(db, churnExportSql(), columns, o, 'churn.sheet');
}
