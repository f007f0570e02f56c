/**
 * Filters (MODELS.md §9): a filter is read as "the file had held only these rows", then every model runs as usual.
 * The one shared definition: `openFiltered` makes a database of their own (attached in memory) whose canonical tables
 * are views of the kept rows, and the orders → purchases of those rows there; the models then run unchanged on a
 * connection whose default database is that one, so every model reads filtered purchases the same way, in the page
 * and headless. Headless, the purchases are rebuilt from the kept lines with the ingest's own `buildPurchases`; the
 * engine (which keeps derived tables per data version) cuts them out of per-order tables made once instead, and
 * for a filter on customers only cuts the customer days as well (see `openFiltered`).
 */
import { ident, lit, one, rows, type Db } from '../db/db.ts';
import { buildPurchases } from '../ingest/clean.ts';
import { PACKED } from '../ingest/store.ts';
import { buildCustomerDaysByFid, cutCustomerDays, cutFrom, ensureCustomerDays } from './customer-days.ts';
import { ensureBuilt, type Prepared } from './prepared.ts';

/** What a filter may name (the notebook file's `filter`, the page's filter bar). Lists keep any of their values. */
export interface Filter {
  /** First day kept, YYYY-MM-DD (included). */
  from?: string;
  /** Last day kept, YYYY-MM-DD (included); the as-of date then defaults to the day after it. */
  to?: string;
  /** Customers of these regions (customers file). */
  region?: string[];
  /** Customers acquired through these channels (the customers file's channel). */
  acquisition_channel?: string[];
  /** Order lines sold through these channels (the orders' own channel column). */
  order_channel?: string[];
  /** Order lines of these categories. */
  category?: string[];
  /** Customers of a model's segment, as computed on the unfiltered data at the current settings. */
  segment?: SegmentFilter;
}

export interface SegmentFilter {
  model: string;
  values: (string | number)[];
}

/** Where a model's segments are: its table and the columns a segment value may match (registry `segments`). */
export interface SegmentSource {
  table: string;
  columns: readonly string[];
}

const LISTS = ['region', 'acquisition_channel', 'order_channel', 'category'] as const;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A filter that does not keep every row (an empty one is no filter). */
export function isActive(filter: Filter | null | undefined): filter is Filter {
  if (!filter) return false;
  return Boolean(filter.from || filter.to || LISTS.some((k) => filter[k]?.length) || filter.segment?.values.length);
}

export class FilterError extends Error {
  override name = 'FilterError';
}

/**
 * Check a filter as written in a notebook file or sent by the page; `where` names it in the message ("the notebook's
 * filter", "cell 3's filter").
 */
export function parseFilter(value: unknown, where: string): Filter {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new FilterError(`${where} must be an object`);
  const v = value as Record<string, unknown>;
  const known = new Set<string>(['from', 'to', 'segment', ...LISTS]);
  for (const k of Object.keys(v)) if (!known.has(k)) throw new FilterError(`${where}: unknown field "${k}" (fields: ${[...known].join(', ')})`);
  const out: Filter = {};
  for (const k of ['from', 'to'] as const) {
    if (v[k] === undefined) continue;
    const day = v[k];
    // A calendar day that exists (2024-02-30 does not).
    const parsed = typeof day === 'string' && ISO_DAY.test(day) ? new Date(`${day}T00:00:00Z`) : null;
    if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) {
      throw new FilterError(`${where}: "${k}" must be a date YYYY-MM-DD, got ${JSON.stringify(v[k])}`);
    }
    out[k] = v[k] as string;
  }
  if (out.from && out.to && out.from > out.to) throw new FilterError(`${where}: "from" ${out.from} is after "to" ${out.to}`);
  for (const k of LISTS) {
    if (v[k] === undefined) continue;
    const list = v[k];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new FilterError(`${where}: "${k}" must be a list of texts`);
    out[k] = [...new Set(list as string[])];
  }
  if (v.segment !== undefined) {
    const s = v.segment as Record<string, unknown>;
    if (!s || typeof s !== 'object' || typeof s.model !== 'string' || !Array.isArray(s.values) || !s.values.every((x) => typeof x === 'string' || typeof x === 'number')) {
      throw new FilterError(`${where}: "segment" must be {"model": "rfm", "values": [...]}`);
    }
    out.segment = { model: s.model, values: s.values as (string | number)[] };
  }
  return out;
}

/**
 * Two filters at once (a cell's own over the notebook's): dates intersect, lists keep the values in both, one
 * segment each — segments of two different models cannot both be set yet, and say so.
 */
export function combineFilters(outer: Filter | null | undefined, inner: Filter | null | undefined): Filter {
  const a = outer ?? {};
  const b = inner ?? {};
  const out: Filter = {};
  const from = [a.from, b.from].filter(Boolean).sort().at(-1);
  const to = [a.to, b.to].filter(Boolean).sort()[0];
  if (from) out.from = from;
  if (to) out.to = to;
  for (const k of LISTS) {
    const x = a[k]?.length ? a[k] : undefined;
    const y = b[k]?.length ? b[k] : undefined;
    if (x && y) out[k] = x.filter((v) => y.includes(v));
    else if (x || y) out[k] = [...(x ?? y)!];
  }
  if (a.segment?.values.length && b.segment?.values.length) {
    if (a.segment.model !== b.segment.model) throw new FilterError(`two segment filters of different models (${a.segment.model}, ${b.segment.model}) cannot be combined`);
    out.segment = { model: a.segment.model, values: a.segment.values.filter((v) => b.segment!.values.includes(v)) };
  } else if (a.segment?.values.length || b.segment?.values.length) out.segment = a.segment?.values.length ? a.segment : b.segment;
  return out;
}

/** The same filter written the same way (key of a filtered database). */
export function filterKey(filter: Filter): string {
  const sorted = (l?: (string | number)[]) => (l ? [...l].map(String).sort() : undefined);
  return JSON.stringify([filter.from ?? null, filter.to ?? null, ...LISTS.map((k) => sorted(filter[k]) ?? null), filter.segment ? [filter.segment.model, sorted(filter.segment.values)] : null]);
}

/** The as-of date under a filter: the user's, else the day after the filter's last day, else the data's default. */
export function filteredAsOf(asOf: string | null | undefined, filter: Filter): string | null {
  if (asOf) return asOf;
  if (!filter.to) return null;
  const d = new Date(`${filter.to}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const inList = (values: readonly (string | number)[]) => values.map((v) => (typeof v === 'number' ? String(v) : lit(v))).join(', ');

/** Where a canonical table lives for the connection `db` (its own database, or the compressed one), or null. */
async function locate(db: Db, name: string): Promise<string | null> {
  return (await locateAll(db, [name]))[name];
}

/** `locate` for several tables at once (one look at the catalog). */
async function locateAll<N extends string>(db: Db, names: readonly N[]): Promise<Record<N, string | null>> {
  const found = await rows<{ db: string; name: string }>(
    db,
    `SELECT db, name FROM (
       SELECT database_name AS db, table_name AS name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN (${inList(names)})
         AND (database_name = current_database() OR database_name = ${lit(PACKED)})
       UNION ALL SELECT database_name, view_name FROM duckdb_views() WHERE schema_name = 'main' AND view_name IN (${inList(names)}) AND NOT internal
         AND database_name = current_database())
     ORDER BY db = current_database() DESC`,
  );
  const out = {} as Record<N, string | null>;
  for (const n of names) {
    const hit = found.find((f) => f.name === n);
    out[n] = hit ? `${ident(hit.db)}.main.${ident(n)}` : null;
  }
  return out;
}

let serial = 0;

/** A filtered database: a connection whose plain table names read the kept rows, and how to let it go. */
export interface Filtered {
  db: Db;
  /** Whether the filtered data have a customers / events table. */
  customers: boolean;
  events: boolean;
  /** Order lines kept. */
  lines: number;
  /**
   * The derived tables already made in the filtered database, for the `prepared` its models start with (customer days
   * cut out of the unfiltered ones, for a filter on customers only).
   */
  prepared: Prepared;
  close(): Promise<void>;
}

/** A filter's conditions on order lines, over the columns holding a line's first and last day (both `order_ts` for a line), channel and category. */
function lineConditions(filter: Filter, c: { first: string; last: string; channel: string; category: string }): string[] {
  const out: string[] = [];
  if (filter.from) out.push(`${c.first} >= DATE ${lit(filter.from)}`);
  if (filter.to) out.push(`${c.last} < DATE ${lit(filter.to)} + INTERVAL 1 DAY`);
  if (filter.order_channel?.length) out.push(`${c.channel} IN (${inList(filter.order_channel)})`);
  if (filter.category?.length) out.push(`${c.category} IN (${inList(filter.category)})`);
  return out;
}

/** `order_totals` as the ingest builds it (src/ingest/clean.ts `buildPurchases`): the per-order tables below rebuild exactly these columns. */
const ORDER_TOTALS = ['order_key', 'customer_id', 'order_ts', 'order_day', 'net', 'has_refund', 'lines'];

/**
 * Build (unless current for the data, as `prepared` records) the per-order tables a filter cuts instead of reading
 * the order lines again, beside the canonical ones (in the compressed store when the orders are there):
 * - `filter_customers` (fid, customer_id): every customer with an order, fid numbering them in customer_id order;
 * - `filter_orders`: each row of `order_totals` with oid (a number for the order), fid (its customer's; NULL for a
 *   guest order) and what all its lines share: line_first / line_last (the days of its first and last line),
 *   line_channel / line_category (the channel / category every one of its lines has, else NULL), split (its lines
 *   differ in day, channel or category);
 * - `filter_parts`: the lines of the split orders summed by (order, channel, category, day) the way `buildPurchases`
 *   sums an order's lines: ts (first timestamp), amount, kept_amount (lines without a refund status), is_refund (a
 *   line is a refund), has_refund (a line is a refund or has a refund status), lines; with the order's fid and line_*.
 * An order whose lines a filter keeps all is its `order_totals` row; an order it keeps some lines of is the sum of the
 * parts kept, which is the sum of those lines because money is summed exactly (DECIMAL). Returns where the tables
 * are, or null when they cannot stand for the lines (amounts not DECIMAL, or `order_totals` with other columns than
 * these): the filter then rebuilds the purchases from the kept lines.
 */
async function ensureFilterBase(db: Db, orders: string, prepared: Prepared): Promise<string | null> {
  const home = orders.startsWith(ident(PACKED)) ? ident(PACKED) : ident((await one<{ d: string }>(db, 'SELECT current_database() AS d')).d);
  const base = `${home}.main`;
  await ensureBuilt(prepared, 'filter_base', 'data', async () => {
    prepared.delete('filter_base_at');
    const cols = await rows<{ t: string; name: string; type: string }>(
      db,
      `SELECT table_name AS t, column_name AS name, data_type AS type FROM duckdb_columns()
       WHERE schema_name = 'main' AND ((table_name = 'order_totals' AND database_name = current_database()) OR (table_name = 'orders' AND database_name = ${lit(orders.split('.')[0].replaceAll('"', ''))}))
       ORDER BY table_name, column_index`,
    );
    const totals = cols.filter((c) => c.t === 'order_totals').map((c) => c.name);
    const type = (name: string) => cols.find((c) => c.t === 'orders' && c.name === name)?.type;
    const usable =
      totals.join() === ORDER_TOTALS.join() &&
      type('amount')?.startsWith('DECIMAL') &&
      ['order_key', 'order_ts', 'channel', 'category', 'is_refund', 'refund_status'].every((c) => type(c) !== undefined);
    if (!usable) return;
    const packed = home === ident(PACKED);
    const checkpoint = packed ? `; CHECKPOINT ${PACKED}` : '';
    await db.query(`CREATE OR REPLACE TABLE ${base}.filter_customers AS
        SELECT (row_number() OVER (ORDER BY customer_id))::INTEGER AS fid, customer_id
        FROM (SELECT DISTINCT customer_id FROM order_totals WHERE customer_id IS NOT NULL)${checkpoint}`);
    await db.query(`CREATE OR REPLACE TEMP TABLE filter_parts_all AS
        SELECT order_key, channel, category, order_ts::DATE AS day, min(order_ts) AS ts, sum(amount) AS amount,
          coalesce(sum(amount) FILTER (WHERE NOT refund_status), 0) AS kept_amount, bool_or(is_refund) AS is_refund,
          bool_or(is_refund OR refund_status) AS has_refund, count(*)::INTEGER AS lines
        FROM ${orders} GROUP BY order_key, channel, category, day`);
    // One statement a call: made ahead while the user may ask for something, another request waits for one at most.
    await db.query(`CREATE OR REPLACE TEMP TABLE filter_order_lines AS
        SELECT order_key, min(day) AS line_first, max(day) AS line_last,
          CASE WHEN count(channel) = count(*) AND min(channel) = max(channel) THEN min(channel) END AS line_channel,
          CASE WHEN count(category) = count(*) AND min(category) = max(category) THEN min(category) END AS line_category,
          count(*) > 1 AS split
        FROM filter_parts_all GROUP BY order_key`);
    await db.query(`CREATE OR REPLACE TABLE ${base}.filter_orders AS
        SELECT (row_number() OVER ())::INTEGER AS oid, c.fid, l.line_first, l.line_last, l.line_channel, l.line_category, l.split, t.*
        FROM order_totals t JOIN filter_order_lines l USING (order_key) LEFT JOIN ${base}.filter_customers c USING (customer_id)${checkpoint}`);
    await db.query(`CREATE OR REPLACE TABLE ${base}.filter_parts AS
        SELECT o.oid, o.fid, o.line_first, o.line_last, o.line_channel, o.line_category,
          p.channel, p.category, p.day, p.ts, p.amount, p.kept_amount, p.is_refund, p.has_refund, p.lines
        FROM filter_parts_all p JOIN ${base}.filter_orders o USING (order_key) WHERE o.split${checkpoint}`);
    await db.query(`DROP TABLE filter_parts_all; DROP TABLE filter_order_lines`);
    prepared.set('filter_base_at', base);
  });
  return prepared.get('filter_base_at') === base ? base : null;
}

/**
 * Make the per-order tables filters cut (`ensureFilterBase`) ahead of the first filter, e.g. while the user is choosing
 * one: they are made once per data. Returns whether they can be used (otherwise filters rebuild from the kept lines).
 * `ahead`: asked before any filter (the page's engine, idle after a load): not made when the orders are in the
 * compressed store, where memory is short (the first filter makes them then).
 */
export async function prepareFilters(db: Db, prepared: Prepared, opts: { ahead?: boolean } = {}): Promise<boolean> {
  const orders = await locate(db, 'orders');
  if (opts.ahead && orders?.startsWith(ident(PACKED))) return false;
  const base = orders && (await ensureFilterBase(db, orders, prepared));
  if (!base) return false;
  await ensureCustomerFids(db, `${ident((await one<{ d: string }>(db, 'SELECT current_database() AS d')).d)}.main`, base, prepared);
  return true;
}

/**
 * Build (unless current) `customer_fids` (cid, fid) in schema `home`, beside the customer days of all the data: each
 * customer's number in `customer_keys` and in the filter tables' `filter_customers` (in `base`), so that the kept
 * customers of a filter on customers are found by integer. Builds the customer days first if they are not current.
 */
async function ensureCustomerFids(db: Db, home: string, base: string, prepared: Prepared): Promise<void> {
  const days = await ensureCustomerDays(db, prepared);
  await ensureBuilt(prepared, 'customer_fids', `${days}|${prepared.get('filter_base')}`, () =>
    db.query(`CREATE OR REPLACE TABLE ${home}.customer_fids AS
      SELECT k.cid, c.fid FROM ${home}.customer_keys k JOIN ${base}.filter_customers c USING (customer_id) ORDER BY k.cid`),
  );
}

/**
 * Views of the rows `filter` keeps in a database of their own, and the purchases of those rows there (no copy of the
 * lines: the views read the session's tables, which stay as they are until the data change and the filtered database
 * goes). `segments` says where a segment filter's model keeps its segments (that model must have run on `db` at the
 * current settings).
 *
 * With `prepared` (the engine's derived tables for the current data), `order_totals` is cut out of per-order tables
 * made once per data (`ensureFilterBase`): an order all of whose lines are kept is taken whole, the others summed from
 * their kept parts. A filter on customers only (region, acquisition channel, segment) keeps whole customers, so their
 * customer days are cut out of the unfiltered ones as well (the kept customers found by integer through
 * `customer_fids`), renumbered as a build from the kept purchases numbers them (`cutCustomerDays`); the returned
 * `prepared` records them for the filtered models, and lets them cut their per-customer tables out of the unfiltered
 * ones built for the same as-of date (`ensureCutTable`). A filter that changes orders keeps them with their customer's
 * fid (`kept_totals`, `order_totals` being its view without fid) and groups the customer days by that integer
 * (`buildCustomerDaysByFid`); the returned `prepared` records those. Without `prepared`, the
 * purchases are rebuilt from the kept lines with the ingest's `buildPurchases`. Both give the tables a file of only
 * the kept rows gives (tests/unit/filter.test.ts).
 */
export async function openFiltered(
  db: Db,
  filter: Filter,
  segments: (model: string) => SegmentSource | undefined,
  opts: { prepared?: Prepared } = {},
): Promise<Filtered> {
  const { orders, customers, events } = await locateAll(db, ['orders', 'customers', 'events'] as const);
  if (!orders) throw new FilterError('there are no orders to filter');
  const packed = orders.startsWith(ident(PACKED));
  const name = `crm_filter_${++serial}`;
  await db.query(`ATTACH ':memory:' AS ${ident(name)}${packed ? ' (COMPRESS)' : ''}`);
  const conn = await db.connect();
  const close = async () => {
    await db.query(`DETACH DATABASE IF EXISTS ${ident(name)}`);
  };
  try {
    await conn.query(`USE ${ident(name)}`);
    const customerConds: string[] = [];
    // Each condition on customers is `customer_id IN (…)`: the lines, the customers and the events keep the same ones.
    for (const [key, column] of [['region', 'region'], ['acquisition_channel', 'channel']] as const) {
      const values = filter[key];
      if (!values?.length) continue;
      if (!customers) throw new FilterError(`the ${key.replace('_', ' ')} filter needs a customers file`);
      customerConds.push(`customer_id IN (SELECT customer_id FROM ${customers} WHERE ${column} IN (${inList(values)}))`);
    }
    if (filter.segment?.values.length) {
      const source = segments(filter.segment.model);
      if (!source) throw new FilterError(`the ${filter.segment.model} model has no segments to filter by`);
      const table = await locate(db, source.table);
      if (!table) throw new FilterError(`the ${filter.segment.model} model has not run yet`);
      const values = filter.segment.values.map((v) => lit(String(v))).join(', ');
      const match = source.columns.map((c) => `CAST(${ident(c)} AS VARCHAR) IN (${values})`).join(' OR ');
      // Kept as they are now: the model's table is rewritten when it runs again with other settings.
      await conn.query(`CREATE TABLE segment_customers AS SELECT customer_id FROM ${table} WHERE ${match}`);
      customerConds.push(`customer_id IN (SELECT customer_id FROM segment_customers)`);
    }
    const lineConds = [...lineConditions(filter, { first: 'order_ts', last: 'order_ts', channel: 'channel', category: 'category' }), ...customerConds];
    const where = (conds: (string | null)[]) => (conds.some(Boolean) ? ` WHERE ${conds.filter(Boolean).join(' AND ')}` : '');
    await conn.query(`CREATE VIEW orders AS SELECT * FROM ${orders}${where(lineConds)}`);
    if (customers) await conn.query(`CREATE VIEW customers AS SELECT * FROM ${customers}${where(customerConds)}`);
    if (events) {
      const eventConds = [...customerConds, filter.from ? `event_ts >= DATE ${lit(filter.from)}` : null, filter.to ? `event_ts < DATE ${lit(filter.to)} + INTERVAL 1 DAY` : null].filter(Boolean);
      await conn.query(`CREATE VIEW events AS SELECT * FROM ${events}${where(eventConds)}`);
    }
    const base = opts.prepared ? await ensureFilterBase(db, orders, opts.prepared) : null;
    const prepared: Prepared = new Map();
    if (base) {
      const onLines = lineConditions(filter, { first: 'line_first', last: 'line_last', channel: 'line_channel', category: 'line_category' });
      if (customerConds.length) await conn.query(`CREATE TABLE kept_customers AS SELECT fid, customer_id FROM ${base}.filter_customers${where(customerConds)}`);
      const byCustomer = customerConds.length ? ['fid IN (SELECT fid FROM kept_customers)'] : [];
      const columns = ORDER_TOTALS.join(', ');
      if (!onLines.length) {
        // Whole orders of whole customers. A copy costs in proportion to the orders kept, a view of the per-order
        // table in proportion to all orders at each of its (about four) reads: copied when few customers are kept
        // (under 30 %, about where the two cost the same at 1M lines), else read through the view. The same rows
        // in the same order either way.
        const { share } = await one<{ share: number }>(
          conn,
          `SELECT (SELECT count(*) FROM kept_customers)::DOUBLE / greatest((SELECT count(*) FROM ${base}.filter_customers), 1) AS share`,
        );
        await conn.query(`CREATE ${share < 0.3 ? 'TABLE' : 'VIEW'} order_totals AS SELECT ${columns} FROM ${base}.filter_orders${where(byCustomer)}`);
      } else {
        // Orders whose every line is kept, whole; the lines kept of the other (split) orders, summed as buildPurchases
        // sums them. Kept with each order's fid, so that the customer days are grouped by it; `order_totals` is the
        // view of these without it.
        const someLines = `SELECT o.fid, o.order_key, o.customer_id, p.order_ts, p.order_day, p.net, p.has_refund, p.lines
           FROM (SELECT oid, min(ts) AS order_ts, min(ts)::DATE AS order_day,
                   CASE WHEN bool_or(is_refund) THEN sum(amount) ELSE sum(kept_amount) END AS net,
                   bool_or(has_refund) AS has_refund, sum(lines)::INTEGER AS lines
                 FROM ${base}.filter_parts${where([
                   ...byCustomer,
                   ...lineConditions(filter, { first: 'day', last: 'day', channel: 'channel', category: 'category' }),
                   `NOT coalesce(${onLines.join(' AND ')}, false)`,
                 ])}
                 GROUP BY oid) p
           JOIN ${base}.filter_orders o USING (oid)`;
        await conn.query(`CREATE TABLE kept_totals AS SELECT fid, ${columns} FROM ${base}.filter_orders${where([...byCustomer, ...onLines])} UNION ALL ${someLines};
          CREATE VIEW order_totals AS SELECT ${columns} FROM kept_totals`);
      }
      // The purchases as the ingest defines them, over these order totals.
      const views = await rows<{ sql: string }>(
        db,
        `SELECT sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name IN ('purchases', 'customer_purchases')
         ORDER BY view_name = 'customer_purchases'`,
      );
      if (views.length !== 2) throw new Error('the purchases views were not found');
      for (const v of views) await conn.query(v.sql);
      if (onLines.length) {
        // Their customer days, grouped by the integer fid the kept orders carry.
        prepared.set('customer_days', await buildCustomerDaysByFid(conn, 'kept_totals', `${base}.filter_customers`));
      } else if (customerConds.length) {
        // Whole customers: their days as the unfiltered data have them.
        const parent = opts.prepared!;
        const home = `${ident((await one<{ d: string }>(db, 'SELECT current_database() AS d')).d)}.main`;
        await ensureCustomerFids(db, home, base, parent);
        prepared.set('customer_days', await cutCustomerDays(conn, home, `SELECT cid FROM ${home}.customer_fids WHERE fid IN (SELECT fid FROM kept_customers)`));
        // And the per-customer tables the models build from them, where the unfiltered ones are built for the same D.
        cutFrom(prepared, { prepared: parent, schema: home });
      }
    } else {
      await buildPurchases(conn);
    }
    const [{ n }] = await rows<{ n: number }>(conn, 'SELECT coalesce(sum(lines), 0)::DOUBLE AS n FROM order_totals');
    return { db: conn, customers: Boolean(customers), events: Boolean(events), lines: n, prepared, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A value a filter may keep, with how many order lines (or customers) carry it. */
export interface Choice {
  value: string;
  n: number;
}

/** What the filter bar offers: the days with orders and the values of each list field (most common first). */
export interface FilterChoices {
  first: string | null;
  last: string | null;
  region: Choice[];
  acquisition_channel: Choice[];
  order_channel: Choice[];
  category: Choice[];
}

const CHOICES_MAX = 200;

export async function filterChoices(db: Db): Promise<FilterChoices> {
  const orders = await locate(db, 'orders');
  const customers = await locate(db, 'customers');
  const none: FilterChoices = { first: null, last: null, region: [], acquisition_channel: [], order_channel: [], category: [] };
  if (!orders) return none;
  const values = (table: string, column: string) =>
    rows<Choice>(db, `SELECT ${ident(column)} AS value, count(*)::DOUBLE AS n FROM ${table} WHERE ${ident(column)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT ${CHOICES_MAX}`);
  const [{ first, last }] = await rows<{ first: string | null; last: string | null }>(
    db,
    `SELECT strftime(min(order_ts), '%Y-%m-%d') AS first, strftime(max(order_ts), '%Y-%m-%d') AS last FROM ${orders}`,
  );
  return {
    first,
    last,
    order_channel: await values(orders, 'channel'),
    category: await values(orders, 'category'),
    region: customers ? await values(customers, 'region') : [],
    acquisition_channel: customers ? await values(customers, 'channel') : [],
  };
}
