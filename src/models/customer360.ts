/**
 * Customer 360: everything the notebook knows about one customer, read from the canonical tables and
 * from whatever model tables exist (each model's section is declared in the registry): a model whose
 * table is not there yet is left out, not shown as empty.
 */
import { ident, lit, rows, type Db } from '../db/db.ts';
import { PACKED } from '../ingest/store.ts';
import { resolveAsOf } from './asof.ts';

export interface CustomerProfile {
  name: string | null;
  phone: string | null;
  email: string | null;
  region: string | null;
  channel: string | null;
  first_seen: string | null;
}

/** One order of the customer: a purchase, a fully refunded order, or a refund standing as its own order. */
export interface CustomerOrder {
  order_id: string | null;
  ts: string;
  day: string;
  amount: number;
  lines: number;
  items: string | null;
  kind: 'purchase' | 'refunded' | 'refund';
  /** A purchase that carries a partial refund. */
  partly_refunded: boolean;
}

export interface CustomerEvent {
  ts: string;
  event: string;
}

export interface Customer360 {
  customer_id: string;
  /** The id is in the orders or in the customers file. */
  found: boolean;
  summary: { purchases: number; revenue: number; first_day: string | null; last_day: string | null; refunds: number; refund_amount: number; orders: number };
  /** Most recent first, at most ORDER_LIMIT. */
  orders: CustomerOrder[];
  /** Present when a customers file is loaded; null when the customer is not in it. */
  profile?: CustomerProfile | null;
  /** Present when an events file is loaded; most recent first, at most EVENT_LIMIT. */
  events?: CustomerEvent[];
  events_total?: number;
  rfm?: { recency_days: number; frequency: number; monetary: number; r: number; f: number; m: number; segment_cn: string; segment_en: string } | null;
  lifecycle?: { stage: string; slipping: boolean | null } | null;
  abc?: { class: string; rank: number; cum_share: number; monetary: number } | null;
  cluster?: { cluster: number; name_zh: string | null; name_en: string | null } | null;
  clv?: { p_alive: number | null; expected_purchases: number | null; expected_spend: number | null; clv: number | null } | null;
}

export interface CustomerMatch {
  customer_id: string;
  name: string | null;
  purchases: number;
  revenue: number;
}

export const ORDER_LIMIT = 1000;
export const EVENT_LIMIT = 500;

/** A model's section: the customer's row of `table` under `key` (columns the table lacks read as NULL). */
export interface CustomerSection {
  key: string;
  table: string;
  columns: readonly string[];
  /** Columns looked up in another table by a shared column (NULL while that table does not exist). */
  names?: { table: string; using: string; columns: readonly string[] };
}

const PROFILE = ['name', 'phone', 'email', 'region', 'channel', 'first_seen'] as const;

/** Columns (name → type) of the tables or views that exist, by table, from information_schema. */
async function columnsOf(db: Db, tables: string[]): Promise<Map<string, Map<string, string>>> {
  const found = await rows<{ table_name: string; column_name: string; data_type: string }>(
    db,
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE (table_catalog = current_database() OR table_catalog = ${lit(PACKED)}) AND table_schema = 'main' AND table_name IN (${tables.map(lit).join(', ')})`,
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of found) {
    if (!out.has(r.table_name)) out.set(r.table_name, new Map());
    out.get(r.table_name)!.set(r.column_name, r.data_type);
  }
  return out;
}

/** One row of `table` for the customer, with the wanted columns (NULL where the table lacks one; dates as text). */
async function rowOf<T>(db: Db, table: string, columns: readonly string[], have: Map<string, string>, id: string): Promise<T | null> {
  const select = columns.map((c) => `${valueOf(c, have)} AS ${ident(c)}`).join(', ');
  const [row] = await rows<T>(db, `SELECT ${select} FROM ${ident(table)} WHERE customer_id = ${lit(id)} LIMIT 1`);
  return row ?? null;
}

function valueOf(column: string, have: Map<string, string> | undefined, alias = ''): string {
  const type = have?.get(column);
  const c = alias + ident(column);
  if (!type) return 'NULL';
  if (type.startsWith('TIMESTAMP')) return `strftime(${c}, '%Y-%m-%d %H:%M')`;
  if (type === 'DATE') return `strftime(${c}, '%Y-%m-%d')`;
  return c;
}

/** A model's section for the customer, with the names looked up when their table exists. */
async function sectionOf(db: Db, s: CustomerSection, have: Map<string, Map<string, string>>, id: string): Promise<unknown> {
  if (!s.names) return rowOf(db, s.table, s.columns, have.get(s.table)!, id);
  const names = have.get(s.names.table);
  const select = [
    ...s.columns.map((c) => `${valueOf(c, have.get(s.table), 't.')} AS ${ident(c)}`),
    ...s.names.columns.map((c) => `${valueOf(c, names, 'n.')} AS ${ident(c)}`),
  ].join(', ');
  const join = names ? `LEFT JOIN ${ident(s.names.table)} n USING (${ident(s.names.using)})` : '';
  const [row] = await rows(db, `SELECT ${select} FROM ${ident(s.table)} t ${join} WHERE t.customer_id = ${lit(id)} LIMIT 1`);
  return row ?? null;
}

/**
 * Everything known about customer `id`, with the sections of the models whose tables exist. `asOf`: the notebook's
 * as-of date, at which the model verdicts are.
 */
export async function customer360(db: Db, id: string, sections: readonly CustomerSection[] = [], opts: { asOf?: string | null } = {}): Promise<Customer360> {
  // One before the first purchase has no verdicts, said as the cells say it.
  if (opts.asOf) await resolveAsOf(db, opts.asOf);
  const tables = sections.flatMap((s) => [s.table, ...(s.names ? [s.names.table] : [])]);
  const have = await columnsOf(db, ['customers', 'events', 'order_totals', ...tables]);
  const key = lit(id);
  const hasOrders = have.has('order_totals');
  const orders = hasOrders
    ? await rows<CustomerOrder>(
        db,
        `WITH t AS (SELECT * FROM order_totals WHERE customer_id = ${key}),
        p AS (SELECT order_key FROM customer_purchases WHERE customer_id = ${key}),
        o AS (SELECT order_key, min(order_id) AS order_id, string_agg(DISTINCT product, '、' ORDER BY product) AS items
          FROM orders WHERE customer_id = ${key} GROUP BY order_key)
        SELECT o.order_id, strftime(t.order_ts, '%Y-%m-%d %H:%M') AS ts, strftime(t.order_day, '%Y-%m-%d') AS day,
          t.net::DOUBLE AS amount, t.lines, o.items,
          CASE WHEN p.order_key IS NOT NULL THEN 'purchase' WHEN t.net < 0 THEN 'refund' ELSE 'refunded' END AS kind,
          p.order_key IS NOT NULL AND t.has_refund AS partly_refunded
        FROM t JOIN o USING (order_key) LEFT JOIN p USING (order_key)
        ORDER BY t.order_ts DESC, o.order_id DESC LIMIT ${ORDER_LIMIT}`,
      )
    : [];
  const [summary] = hasOrders
    ? await rows<Customer360['summary']>(
        db,
        `SELECT p.purchases, p.revenue, p.first_day, p.last_day, t.refunds, t.refund_amount, t.orders
        FROM (SELECT count(*)::DOUBLE AS purchases, coalesce(sum(net), 0)::DOUBLE AS revenue,
            strftime(min(order_day), '%Y-%m-%d') AS first_day, strftime(max(order_day), '%Y-%m-%d') AS last_day
          FROM customer_purchases WHERE customer_id = ${key}) p,
        (SELECT count(*) FILTER (WHERE net < 0)::DOUBLE AS refunds, coalesce(sum(net) FILTER (WHERE net < 0), 0)::DOUBLE AS refund_amount,
            count(*)::DOUBLE AS orders
          FROM order_totals WHERE customer_id = ${key}) t`,
      )
    : [{ purchases: 0, revenue: 0, first_day: null, last_day: null, refunds: 0, refund_amount: 0, orders: 0 }];
  const out: Customer360 = { customer_id: id, found: summary.orders > 0, summary, orders };

  const customers = have.get('customers');
  if (customers) {
    out.profile = await rowOf<CustomerProfile>(db, 'customers', PROFILE, customers, id);
    out.found ||= out.profile !== null;
  }
  const events = have.get('events');
  if (events) {
    out.events = await rows<CustomerEvent>(
      db,
      `SELECT strftime(event_ts, '%Y-%m-%d %H:%M') AS ts, event FROM events WHERE customer_id = ${key} AND event_ts IS NOT NULL
       ORDER BY event_ts DESC, __line DESC LIMIT ${EVENT_LIMIT}`,
    );
    const [n] = await rows<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM events WHERE customer_id = ${key} AND event_ts IS NOT NULL`);
    out.events_total = n.n;
  }
  for (const s of sections) {
    if (have.has(s.table)) (out as unknown as Record<string, unknown>)[s.key] = await sectionOf(db, s, have, id);
  }
  return out;
}

/**
 * The headline of the customer 360 view: one verdict on the customer, never two labels that contradict each other
 * (src/models/README.md, "Customer 360"). At risk when the churn warning's rule (MODELS.md §6) holds for the values
 * the view shows: P(alive) below the churn threshold, or slipping (when the churn warning counts slipping). Otherwise
 * the customer's RFM segment. Group labels (a cluster's name) are never the headline.
 */
export type CustomerHeadline =
  | {
      kind: 'at_risk';
      /** Why: P(alive) below the threshold, slipping, or both, in that order. */
      reasons: ('low_p_alive' | 'slipping')[];
      p_alive: number | null;
      threshold: number;
      recency_days: number | null;
      /** The RFM segment, shown second ("RFM segment: …"); null when not scored. */
      segment: { cn: string; en: string } | null;
    }
  | { kind: 'segment'; segment: { cn: string; en: string } };

/** The headline of `c` (null when no model has scored the customer); `churn`: the notebook's churn settings. */
export function customerHeadline(c: Customer360, churn: { pAliveBelow?: number; slipping?: boolean } = {}): CustomerHeadline | null {
  const threshold = churn.pAliveBelow ?? 0.5;
  const p = c.clv?.p_alive ?? null;
  const reasons: ('low_p_alive' | 'slipping')[] = [];
  if (p !== null && p < threshold) reasons.push('low_p_alive');
  if (churn.slipping !== false && c.lifecycle?.slipping) reasons.push('slipping');
  const segment = c.rfm ? { cn: c.rfm.segment_cn, en: c.rfm.segment_en } : null;
  if (reasons.length) return { kind: 'at_risk', reasons, p_alive: p, threshold, recency_days: c.rfm?.recency_days ?? null, segment };
  return segment ? { kind: 'segment', segment } : null;
}

/** Customers whose id or name contains `query` (case-insensitive): exact id first, then by revenue. */
export async function searchCustomers(db: Db, query: string, limit = 12): Promise<CustomerMatch[]> {
  const q = query.trim();
  if (!q) return [];
  const have = await columnsOf(db, ['customers', 'order_totals']);
  if (!have.has('order_totals')) return [];
  const needle = lit(q.toLowerCase());
  const names = have.get('customers')?.has('name');
  const buyers = `SELECT customer_id, count(*)::DOUBLE AS purchases, sum(net)::DOUBLE AS revenue FROM customer_purchases GROUP BY customer_id`;
  const from = names
    ? `(${buyers}) b FULL JOIN (SELECT customer_id, min(name) AS name FROM customers GROUP BY customer_id) c USING (customer_id)`
    : `(${buyers}) b`;
  return rows<CustomerMatch>(
    db,
    `SELECT customer_id, ${names ? 'name' : 'NULL::VARCHAR AS name'}, coalesce(purchases, 0) AS purchases, coalesce(revenue, 0) AS revenue
    FROM ${from}
    WHERE contains(lower(customer_id), ${needle}) ${names ? `OR contains(lower(coalesce(name, '')), ${needle})` : ''}
    ORDER BY lower(customer_id) = ${needle} DESC, starts_with(lower(customer_id), ${needle}) DESC, revenue DESC, customer_id
    LIMIT ${Math.floor(limit)}`,
  );
}
