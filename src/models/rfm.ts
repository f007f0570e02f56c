/** RFM: recency, frequency and monetary per customer, 1–5 scores with shared ties, and both segment schemes. */
import { rows, type Db } from '../db/db.ts';
import { dateLit, resolveAsOf } from './asof.ts';
import { schemeASql, schemeBSql } from './segments.ts';

export interface RfmSettings {
  asOf?: string | null;
  /** Monetary as the sum of purchases (default) or their average. */
  monetary?: 'sum' | 'mean';
  /** Quintile scores (default) or the user's own cut points. */
  scoring?: 'quintile' | 'fixed';
  /** Fixed cut points, four ascending values each: a value above the k-th cut scores k+2 (recency: below). */
  thresholds?: { recency: number[]; frequency: number[]; monetary: number[] };
  /** Scheme A: a dimension is high when its score ≥ the mean score (default) or its raw value beats the mean. */
  highRule?: 'score' | 'value';
}

export interface RfmCustomer {
  customer_id: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment_cn: string;
  segment_en: string;
}

export interface SegmentRow {
  segment: string;
  customers: number;
  share: number;
  revenue: number;
  revenue_share: number;
  recency_days: number;
  frequency: number;
  monetary: number;
}

export interface RfmSummary {
  as_of: string;
  customers: number;
  means: { r: number; f: number; m: number; recency_days: number; frequency: number; monetary: number };
  segments_cn: SegmentRow[];
  segments_en: SegmentRow[];
  /** Customers per R score × F score cell, with their mean monetary. */
  grid: { r: number; f: number; customers: number; monetary: number }[];
}

const SCORE = (order: string) => `(1 + floor(5 * (rank() OVER (ORDER BY ${order}) - 1) / count(*) OVER ()))::INTEGER`;

function fixedScore(col: string, cuts: number[], smallerIsBetter: boolean): string {
  if (cuts.length !== 4 || cuts.some((c, i) => i > 0 && c < cuts[i - 1])) throw new Error('fixed RFM thresholds need four ascending values per dimension');
  const passed = cuts.map((c) => `(CASE WHEN ${col} > ${Number(c)} THEN 1 ELSE 0 END)`).join(' + ');
  return smallerIsBetter ? `(5 - (${passed}))::INTEGER` : `(1 + ${passed})::INTEGER`;
}

/** Score every customer into table `rfm` and return the summary the notebook shows. */
export async function rfm(db: Db, settings: RfmSettings = {}): Promise<RfmSummary> {
  const asOf = await resolveAsOf(db, settings.asOf);
  const D = dateLit(asOf);
  const monetary = settings.monetary === 'mean' ? 'avg(net)' : 'sum(net)';
  const t = settings.thresholds;
  const fixed = settings.scoring === 'fixed';
  if (fixed && !t) throw new Error('fixed RFM scoring needs thresholds');
  const r = fixed ? fixedScore('recency_days', t!.recency, true) : SCORE('recency_days DESC');
  const f = fixed ? fixedScore('frequency', t!.frequency, false) : SCORE('frequency');
  const m = fixed ? fixedScore('monetary', t!.monetary, false) : SCORE('monetary');
  const high =
    settings.highRule === 'value'
      ? ['recency_days <= avg(recency_days) OVER ()', 'frequency >= avg(frequency) OVER ()', 'monetary >= avg(monetary) OVER ()']
      : ['r >= avg(r) OVER ()', 'f >= avg(f) OVER ()', 'm >= avg(m) OVER ()'];
  await db.query(`CREATE OR REPLACE TABLE rfm AS
    WITH base AS (
      SELECT customer_id, (${D} - max(order_day))::INTEGER AS recency_days, count(*)::INTEGER AS frequency,
        ${monetary}::DOUBLE AS monetary, sum(net)::DOUBLE AS revenue
      FROM customer_purchases WHERE order_day < ${D} GROUP BY customer_id),
    scored AS (SELECT *, ${r} AS r, ${f} AS f, ${m} AS m FROM base),
    flagged AS (SELECT *, ${high[0]} AS r_high, ${high[1]} AS f_high, ${high[2]} AS m_high FROM scored)
    SELECT customer_id, recency_days, frequency, monetary, revenue, r, f, m,
      ${schemeASql('r_high', 'f_high', 'm_high')} AS segment_cn, ${schemeBSql('r', 'f')} AS segment_en
    FROM flagged ORDER BY customer_id`);
  const [means] = await rows<RfmSummary['means'] & { customers: number }>(
    db,
    `SELECT count(*)::DOUBLE AS customers, avg(r) AS r, avg(f) AS f, avg(m) AS m, avg(recency_days) AS recency_days,
      avg(frequency) AS frequency, avg(monetary) AS monetary FROM rfm`,
  );
  const segmentsOf = (col: string) =>
    rows<SegmentRow>(
      db,
      `SELECT ${col} AS segment, count(*)::DOUBLE AS customers, count(*) / sum(count(*)) OVER () AS share,
        sum(revenue) AS revenue, sum(revenue) / nullif(sum(sum(revenue)) OVER (), 0) AS revenue_share,
        avg(recency_days) AS recency_days, avg(frequency) AS frequency, avg(monetary) AS monetary
      FROM rfm GROUP BY ${col} ORDER BY revenue DESC`,
    );
  const grid = await rows<RfmSummary['grid'][number]>(
    db,
    `SELECT r, f, count(*)::DOUBLE AS customers, avg(monetary) AS monetary FROM rfm GROUP BY r, f ORDER BY r, f`,
  );
  const { customers, ...meanValues } = means;
  return { as_of: asOf, customers, means: meanValues, segments_cn: await segmentsOf('segment_cn'), segments_en: await segmentsOf('segment_en'), grid };
}

/** The scored customers (all, or one segment of a scheme), best first. */
export async function rfmCustomers(
  db: Db,
  opts: { scheme?: 'cn' | 'en'; segment?: string; limit?: number; offset?: number; order?: 'id' | 'value' } = {},
): Promise<RfmCustomer[]> {
  const where = opts.segment ? `WHERE segment_${opts.scheme ?? 'cn'} = '${opts.segment.replaceAll("'", "''")}'` : '';
  const page = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  return rows<RfmCustomer>(
    db,
    `SELECT customer_id, recency_days, frequency, monetary, r, f, m, segment_cn, segment_en FROM rfm ${where}
     ORDER BY ${opts.order === 'id' ? 'customer_id' : 'monetary DESC, customer_id'} ${page}`,
  );
}
