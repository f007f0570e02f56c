/**
 * Filters (MODELS.md §9): a filter is read as "the file had held only these rows", then every model runs as usual.
 * The one shared definition: `openFiltered` makes a database of their own (attached in memory) whose canonical tables
 * are views of the kept rows, and rebuilds orders → purchases there with the ingest's own `buildPurchases`; the models then
 * run unchanged on a connection whose default database is that one, so every model reads filtered purchases the same
 * way, in the page and headless.
 */
import { ident, lit, rows, type Db } from '../db/db.ts';
import { buildPurchases } from '../ingest/clean.ts';
import { PACKED } from '../ingest/store.ts';

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
  const found = await rows<{ db: string }>(
    db,
    `SELECT db FROM (
       SELECT database_name AS db FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ${lit(name)}
         AND (database_name = current_database() OR database_name = ${lit(PACKED)})
       UNION ALL SELECT database_name FROM duckdb_views() WHERE schema_name = 'main' AND view_name = ${lit(name)} AND NOT internal
         AND database_name = current_database())
     ORDER BY db = current_database() DESC`,
  );
  return found.length ? `${ident(found[0].db)}.main.${ident(name)}` : null;
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
  close(): Promise<void>;
}

/**
 * Views of the rows `filter` keeps in a database of their own, and the purchases rebuilt there (no copy of the lines:
 * the views read the session's tables, which stay as they are until the data change and the filtered database goes). `segments` says where a
 * segment filter's model keeps its segments (that model must have run on `db` at the current settings).
 */
export async function openFiltered(db: Db, filter: Filter, segments: (model: string) => SegmentSource | undefined): Promise<Filtered> {
  const orders = await locate(db, 'orders');
  if (!orders) throw new FilterError('there are no orders to filter');
  const customers = await locate(db, 'customers');
  const events = await locate(db, 'events');
  const packed = orders.startsWith(ident(PACKED));
  const name = `crm_filter_${++serial}`;
  await db.query(`ATTACH ':memory:' AS ${ident(name)}${packed ? ' (COMPRESS)' : ''}`);
  const conn = await db.connect();
  const close = async () => {
    await db.query(`DETACH DATABASE IF EXISTS ${ident(name)}`);
  };
  try {
    await conn.query(`USE ${ident(name)}`);
    const lineConds: string[] = [];
    const customerConds: string[] = [];
    if (filter.from) lineConds.push(`order_ts >= DATE ${lit(filter.from)}`);
    if (filter.to) lineConds.push(`order_ts < DATE ${lit(filter.to)} + INTERVAL 1 DAY`);
    if (filter.order_channel?.length) lineConds.push(`channel IN (${inList(filter.order_channel)})`);
    if (filter.category?.length) lineConds.push(`category IN (${inList(filter.category)})`);
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
    lineConds.push(...customerConds);
    const where = (conds: (string | null)[]) => (conds.some(Boolean) ? ` WHERE ${conds.filter(Boolean).join(' AND ')}` : '');
    await conn.query(`CREATE VIEW orders AS SELECT * FROM ${orders}${where(lineConds)}`);
    if (customers) await conn.query(`CREATE VIEW customers AS SELECT * FROM ${customers}${where(customerConds)}`);
    if (events) {
      const eventConds = [...customerConds, filter.from ? `event_ts >= DATE ${lit(filter.from)}` : null, filter.to ? `event_ts < DATE ${lit(filter.to)} + INTERVAL 1 DAY` : null].filter(Boolean);
      await conn.query(`CREATE VIEW events AS SELECT * FROM ${events}${where(eventConds)}`);
    }
    await buildPurchases(conn);
    const [{ n }] = await rows<{ n: number }>(conn, 'SELECT count(*)::DOUBLE AS n FROM orders');
    return { db: conn, customers: Boolean(customers), events: Boolean(events), lines: n, close };
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
