/**
 * The per-customer tables that most models read instead of the purchases: built once per data version (and,
 * for the summary, per as-of date), with integer customer keys. Grouping small integers is several times
 * faster in DuckDB-WASM than grouping the text ids of `customer_purchases`, and a model that reads 130k
 * customer rows instead of aggregating 670k purchases answers a setting change at once.
 */
import { one, type Db } from '../db/db.ts';
import { PURCHASE_WHERE } from '../ingest/clean.ts';
import { dateLit } from './asof.ts';
import { ensureBuilt, type Prepared } from './prepared.ts';

/** The name `prepared` records for the customer days of the current data. */
const DAYS = 'days';

/**
 * Build (unless current) `customer_keys` (cid, customer_id, first_day: the day of the first purchase ever;
 * cid numbers the customers in customer_id order) and `customer_days` (cid, first_day, order_day, net: the
 * exact sum of the day's purchases, revenue: the same as DOUBLE, purchases, prev_day: the customer's
 * previous purchase day, next_day: the next one). Days are calendar days of purchases (MODELS.md §1).
 * Returns the name that tables derived from them put in their keys (the engine clears `prepared`, and the
 * request manager what it keeps, whenever the orders change, so one name is enough).
 */
export async function ensureCustomerDays(db: Db, prepared?: Prepared): Promise<string> {
  const version = DAYS;
  if (prepared?.get('customer_days') === version) return version;
  // The text ids are grouped once, by (customer, day); keys and days come from that smaller table. The
  // neighbours are read along one sort by (cid, day) with a check that they belong to the same customer,
  // which is cheaper than partitioning the window by customer.
  await ensureBuilt(prepared, 'customer_days', version, () =>
    db.query(`CREATE OR REPLACE TEMP TABLE customer_days_raw AS
        SELECT customer_id, order_day, sum(net) AS net, count(*)::INTEGER AS purchases
        FROM customer_purchases GROUP BY customer_id, order_day;
      CREATE OR REPLACE TABLE customer_keys AS
        SELECT (row_number() OVER (ORDER BY customer_id))::INTEGER AS cid, customer_id, first_day
        FROM (SELECT customer_id, min(order_day) AS first_day FROM customer_days_raw GROUP BY customer_id);
      ${daysFrom('customer_keys', 'customer_id')};
      DROP TABLE customer_days_raw`),
  );
  return version;
}

/** `customer_days` from the temporary `customer_days_raw` (one row per customer and day) and `keys` (cid, first_day), joined on `on`. */
function daysFrom(keys: string, on: string): string {
  return `CREATE OR REPLACE TABLE customer_days AS
    SELECT cid, first_day, order_day, net, net::DOUBLE AS revenue, purchases,
      CASE WHEN lag(cid) OVER w = cid THEN lag(order_day) OVER w END AS prev_day,
      CASE WHEN lead(cid) OVER w = cid THEN lead(order_day) OVER w END AS next_day
    FROM (SELECT k.cid, k.first_day, d.order_day, d.net, d.purchases FROM customer_days_raw d JOIN ${keys} k USING (${on}))
    WINDOW w AS (ORDER BY cid, order_day)`;
}

/**
 * Build `customer_keys` and `customer_days` on `db` from `totals`, order totals with the columns of `order_totals` and
 * fid (the customer's number in `customers` (fid, customer_id), given in customer_id order; NULL for a guest order):
 * what `ensureCustomerDays` builds from the purchases of those order totals, grouped by the integer fid instead of the
 * text id (several times cheaper in DuckDB-WASM). Numbering the customers with purchases in fid order numbers them in
 * customer_id order, as `ensureCustomerDays` does. Returns the name to record in the `prepared` of `db`'s models.
 */
export async function buildCustomerDaysByFid(db: Db, totals: string, customers: string): Promise<string> {
  await db.query(`CREATE OR REPLACE TEMP TABLE customer_days_raw AS
      SELECT fid, order_day, sum(net) AS net, count(*)::INTEGER AS purchases
      FROM ${totals} WHERE fid IS NOT NULL AND (${PURCHASE_WHERE}) GROUP BY fid, order_day;
    CREATE OR REPLACE TEMP TABLE customer_fids AS
      SELECT (row_number() OVER (ORDER BY fid))::INTEGER AS cid, fid, first_day
      FROM (SELECT fid, min(order_day) AS first_day FROM customer_days_raw GROUP BY fid);
    CREATE OR REPLACE TABLE customer_keys AS
      SELECT k.cid, c.customer_id, k.first_day FROM customer_fids k JOIN ${customers} c USING (fid) ORDER BY k.cid;
    ${daysFrom('customer_fids', 'fid')};
    DROP TABLE customer_days_raw; DROP TABLE customer_fids`);
  return DAYS;
}

/**
 * Make `customer_keys` and `customer_days` on `db` those of the customers `kept` lists (a query of their cid in `from`), cut
 * out of the ones in schema `from` (built by `ensureCustomerDays` on all the data): what `ensureCustomerDays` builds
 * from the purchases of those customers alone, since a customer's days are their own purchases' (a filter keeping
 * whole customers, MODELS.md §9). The customers are numbered again 1, 2, … in customer_id order and the rows stay in
 * the order a build writes them (by cid, then day), so every model reads the same tables. Returns the name to record
 * in the `prepared` of `db`'s models.
 */
export async function cutCustomerDays(db: Db, from: string, kept: string): Promise<string> {
  await db.query(`CREATE OR REPLACE TABLE customer_cut AS
      SELECT (row_number() OVER (ORDER BY cid))::INTEGER AS cid, cid AS was FROM ${from}.customer_keys WHERE cid IN (${kept});
    CREATE OR REPLACE TABLE customer_keys AS
      SELECT k.* REPLACE (n.cid AS cid) FROM ${from}.customer_keys k JOIN customer_cut n ON k.cid = n.was ORDER BY n.cid;
    CREATE OR REPLACE TABLE customer_days AS
      SELECT d.* REPLACE (n.cid AS cid) FROM ${from}.customer_days d JOIN customer_cut n ON d.cid = n.was ORDER BY n.cid, d.order_day`);
  return DAYS;
}

/**
 * Where the per-customer tables of a filter keeping whole customers can be cut from: the unfiltered data's tables (in
 * schema `schema`, recorded in `prepared` as built for which inputs), with `customer_cut` (cid: the kept customer's
 * number here, was: theirs there) on the filtered connection, as `cutCustomerDays` leaves it.
 */
export interface CutSource {
  prepared: Prepared;
  schema: string;
}

const cutSources = new WeakMap<Prepared, CutSource>();

/** Record that the tables of `prepared` (a filtered database's, after `cutCustomerDays`) may be cut out of `source`'s. */
export function cutFrom(prepared: Prepared, source: CutSource): void {
  cutSources.set(prepared, source);
}

/**
 * Build `table` for `key` on `db` (as `ensureTable` does): cut out of the unfiltered data's table when `prepared` has a
 * cut source whose same table is built for the same key (a customer's rows there are theirs here, under their new
 * number: `cut` is the SELECT over the unfiltered table `t` joined to `customer_cut` n, ON t.cid = n.was), else `select`.
 * The unfiltered table is looked at and read with no wait in between, so that a rebuild of it cannot come between.
 */
export function ensureCutTable(
  db: Db,
  prepared: Prepared | undefined,
  table: string,
  key: string,
  select: () => string | Promise<string>,
  cut: (t: string) => string,
): Promise<boolean> {
  return ensureBuilt(prepared, table, key, async () => {
    const source = prepared && cutSources.get(prepared);
    if (source?.prepared.get(table) === key) return db.query(`CREATE OR REPLACE TABLE ${table} AS ${cut(`${source.schema}.${table}`)}`);
    return db.query(`CREATE OR REPLACE TABLE ${table} AS ${await select()}`);
  });
}

/**
 * Build (unless current for this data version and D) `customer_summary`: one row per customer with a
 * purchase before D, by cid (which follows customer_id: a sum over the rows in stored order, as lifecycle's revenue
 * per stage, is then the same for a filter keeping whole customers, whose summary is cut out of this one), with what RFM, ABC, the clusters,
 * the lifecycle, the churn warning and the overview share:
 * cid, customer_id, first_day, last_day (of purchases before D), recency_days (D − last_day), purchases
 * (frequency), purchase_days (distinct days), net (exact sum of the purchases), revenue (net as DOUBLE),
 * mean (net per purchase, rounded once from the exact sum, as DuckDB's avg of decimals is), median_gap_days
 * (median of the gaps between consecutive purchase days; DuckDB's median, the mean of the middle two for
 * an even count; NULL with a single day). Returns the key it was built for.
 */
export async function ensureCustomerSummary(db: Db, asOf: string, prepared?: Prepared): Promise<string> {
  const days = await ensureCustomerDays(db, prepared);
  const key = `${days}|${asOf}`;
  const D = dateLit(asOf);
  await ensureCutTable(
    db,
    prepared,
    'customer_summary',
    key,
    async () => `SELECT s.cid, k.customer_id, s.first_day, s.last_day, (${D} - s.last_day)::INTEGER AS recency_days, s.purchases, s.purchase_days,
       s.net, s.net::DOUBLE AS revenue, ${await meanSql(db, 'net', 'purchases')} AS mean, s.median_gap_days
     FROM (SELECT cid, any_value(first_day) AS first_day, max(order_day) AS last_day, sum(purchases)::INTEGER AS purchases,
             count(*)::INTEGER AS purchase_days, sum(net) AS net,
             median((order_day - prev_day)::DOUBLE) FILTER (WHERE prev_day IS NOT NULL) AS median_gap_days
           FROM customer_days WHERE order_day < ${D} GROUP BY cid) s
     JOIN customer_keys k USING (cid)
     ORDER BY s.cid`,
    // A customer's row is their own days' (and D's): the same under a filter keeping them whole.
    (t) => `SELECT s.* REPLACE (n.cid AS cid) FROM ${t} s JOIN customer_cut n ON s.cid = n.was ORDER BY n.cid`,
  );
  return key;
}

/**
 * SQL for `sum / count` rounded as DuckDB's avg rounds a DECIMAL column: one division of the exact scaled
 * integer, so that customers whose means are equal get equal values (and share an RFM score). For a
 * DOUBLE column it is the plain quotient.
 */
async function meanSql(db: Db, sum: string, count: string): Promise<string> {
  const { t } = await one<{ t: string }>(
    db,
    `SELECT coalesce(any_value(data_type), '') AS t FROM duckdb_columns() WHERE table_name = 'customer_days' AND column_name = 'net'`,
  );
  const scale = /^DECIMAL\(\d+,(\d+)\)$/.exec(t);
  if (!scale) return `(${sum}::DOUBLE / ${count})`;
  const unit = 10 ** Number(scale[1]);
  return `((${sum} * ${unit})::HUGEINT::DOUBLE / (${count} * ${unit}.0))`;
}
