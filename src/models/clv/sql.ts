// Customer summaries for the CLV models, built in SQL from the customers' purchase days (MODELS.md §6).

import { makeVector, Table, tableToIPC } from 'apache-arrow';
import { ident, lit, rows, textValues, type Db } from '../../db/db.ts';
import { PACKED } from '../../ingest/store.ts';
import { dateLit } from '../asof.ts';
import { ensureCustomerDays } from '../customer-days.ts';
import type { Prepared } from '../prepared.ts';
import type { TimeUnit } from './clv.ts';
import type { ClvInput } from './pipeline.ts';

/** Days per model time unit. */
export function daysPerUnit(unit: TimeUnit): number {
  return unit === 'week' ? 7 : 1;
}

/**
 * SQL for one row per customer whose first purchase day is on or before the calibration end E (the last
 * day included), counting distinct purchase days before the as-of date D:
 * x = calibration purchase days − 1; t_x = last − first calibration purchase day; T = E − first purchase
 * day (both in days ÷ 7 for weeks, as real numbers); monetary = mean value of the calibration repeat
 * purchase days (first day excluded; 0 when x = 0); day_value = mean value of all calibration purchase
 * days; holdout_x = purchase days after E and before D. A day's value is the net of its purchases.
 * `idx` numbers the customers 0, 1, … in customer_id order; `cid` is their key in `customer_days`, which
 * this reads (build it with `ensureCustomerDays`).
 */
export function clvSummarySql(asOf: string, calibrationEnd: string, unit: TimeUnit): string {
  const D = dateLit(asOf);
  const E = dateLit(calibrationEnd);
  const per = `${daysPerUnit(unit)}.0`;
  return `WITH per AS (
      SELECT cid, any_value(first_day) AS first_day,
        max(order_day) FILTER (WHERE order_day <= ${E}) AS last_day,
        count(*) FILTER (WHERE order_day <= ${E}) - 1 AS x,
        avg(revenue) FILTER (WHERE order_day <= ${E} AND order_day > first_day) AS monetary,
        avg(revenue) FILTER (WHERE order_day <= ${E}) AS day_value,
        count(*) FILTER (WHERE order_day > ${E}) AS holdout_x
      FROM customer_days WHERE order_day < ${D} AND first_day <= ${E} GROUP BY cid)
    SELECT (row_number() OVER (ORDER BY cid) - 1)::INTEGER AS idx, k.customer_id, cid, per.first_day, last_day,
      x::DOUBLE AS x, (last_day - per.first_day) / ${per} AS t_x, (${E} - per.first_day) / ${per} AS "T",
      coalesce(monetary, 0)::DOUBLE AS monetary, day_value::DOUBLE AS day_value, holdout_x::DOUBLE AS holdout_x
    FROM per JOIN customer_keys k USING (cid) ORDER BY idx`;
}

/**
 * Builds the summary table and reads its columns as Float64Arrays in `idx` order; with `withIds`, also the customer ids
 * in the same order (read in the same pass, for the headless command's list of every customer).
 */
export async function loadClvInput(
  db: Db,
  table: string,
  asOf: string,
  calibrationEnd: string,
  unit: TimeUnit,
  prepared?: Prepared,
  withIds = false,
): Promise<ClvInput & { ids: string[] | null }> {
  await ensureCustomerDays(db, prepared);
  await db.query(`CREATE OR REPLACE TABLE ${ident(table)} AS ${clvSummarySql(asOf, calibrationEnd, unit)}`);
  const t = await db.query(`SELECT x, t_x, "T", monetary, day_value, holdout_x${withIds ? ', customer_id' : ''} FROM ${ident(table)} ORDER BY idx`);
  const column = (name: string) => Float64Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);
  return {
    x: column('x'),
    tx: column('t_x'),
    T: column('T'),
    monetary: column('monetary'),
    dayValue: column('day_value'),
    holdoutX: column('holdout_x'),
    // customer_keys has no null customer_id.
    ids: withIds ? (textValues(t.getChild('customer_id')!) as string[]) : null,
  };
}


export { textValues };

/** Per-customer results, in `idx` order. */
export interface ClvScoreColumns {
  p_alive: Float64Array;
  expected_purchases: Float64Array;
  expected_spend: Float64Array;
  clv: Float64Array;
}

/**
 * Writes `target` (customer_id, x, t_x, T, p_alive, expected_purchases, expected_spend, clv) from the summary
 * table and the scores; values that are not finite become NULL. Ordered by customer_id (as idx is). `meanwhile`
 * runs in this thread once the statement that builds the table is sent (native DuckDB builds it in a thread of
 * its own), before it is awaited.
 */
export async function writeClvCustomers(db: Db, summary: string, target: string, scores: ClvScoreColumns, meanwhile?: () => void): Promise<void> {
  const scratch = `${target}__scores`;
  const n = scores.clv.length;
  const table = new Table({
    idx: makeVector(Int32Array.from({ length: n }, (_, i) => i)),
    p_alive: makeVector(scores.p_alive),
    expected_purchases: makeVector(scores.expected_purchases),
    expected_spend: makeVector(scores.expected_spend),
    clv: makeVector(scores.clv),
  });
  await db.query(`DROP TABLE IF EXISTS ${ident(scratch)}`);
  await db.insertArrow(scratch, tableToIPC(table, 'stream'), true);
  const finite = (c: string) => `CASE WHEN isfinite(s.${c}) THEN s.${c} END AS ${c}`;
  const written = db.query(`CREATE OR REPLACE TABLE ${ident(target)} AS
    SELECT i.customer_id, i.x::INTEGER AS x, i.t_x, i."T", ${['p_alive', 'expected_purchases', 'expected_spend', 'clv'].map(finite).join(', ')}
    FROM ${ident(summary)} i JOIN ${ident(scratch)} s USING (idx) ORDER BY i.idx;
    DROP TABLE ${ident(scratch)}`);
  if (meanwhile) {
    written.catch(() => undefined);
    await sent(written);
    meanwhile();
  }
  await written;
}

/**
 * Resolves once the database work begun by `work` has been sent to the engine (after this turn of the event loop), or
 * when it is over, whichever comes first: work in this thread started then runs beside it on native DuckDB.
 */
export function sent(work: Promise<unknown>): Promise<void> {
  return Promise.race([work.then(() => undefined, () => undefined), new Promise<void>((resolve) => setTimeout(resolve, 0))]);
}

/** Names of the tables in the database (to use optional ones such as `customers` only when loaded). */
export async function tableNames(db: Db): Promise<Set<string>> {
  // Views too: under a filter the canonical tables are views of the kept rows (src/models/filter.ts).
  const r = await rows<{ name: string }>(
    db,
    `SELECT table_name AS name FROM duckdb_tables() WHERE (database_name = current_database() OR database_name = ${lit(PACKED)}) AND schema_name = 'main'
     UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`,
  );
  return new Set(r.map((t) => t.name));
}
