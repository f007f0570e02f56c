/** Turn a mapped raw orders table into the canonical `orders` table, counting every rule in a cleaning report. */
import { ident, lit, one, rows, type Db } from '../db/db.ts';
import { InputError } from './errors.ts';
import type { Mapping } from './mapping.ts';
import type { RawSource } from './read.ts';
import { dateFormats, dateOrderEvidenceSql, formatHitsSql, idSql, labelSql, MONEY, moneySql, moneyStyleSql, numberSql, timestampSql, type DateOrder, type MoneyStyle } from './values.ts';

export interface CleaningSettings {
  /** Month/day order of `a/b/yyyy` dates; `auto` decides from the data. */
  dateOrder?: 'auto' | DateOrder;
  /** Remove exact duplicate rows: `auto` only when the data has an order id. */
  dedupe?: 'auto' | 'always' | 'never';
  /**
   * Status values that mark a refunded line; default: values naming a full refund (已退款, 退货, refunded, …).
   * In an order that has explicit negative lines, those lines already carry the refund and the status is
   * informational; in an order without them, a line with such a status nets to zero.
   */
  refundStatuses?: string[];
}

export interface FaultExample {
  line: number;
  column?: string;
  value?: string | null;
}

export interface CleaningReport {
  file: string;
  rows_read: number;
  rows_loaded: number;
  duplicates_removed: number;
  blank_customer: number;
  bad_date: number;
  bad_amount: number;
  refund_lines: number;
  orders: number;
  purchases: number;
  customers: number;
  /** Orders without a customer: kept in totals, left out of customer models. */
  guest_orders: number;
  /** Orders whose net amount is negative (credit notes), reported beside revenue. */
  refund_orders: number;
  dedupe: boolean;
  date_order: DateOrder;
  date_order_evidence: 'data' | 'default' | 'setting' | 'none';
  refund_statuses: string[];
  examples: Partial<Record<'duplicate' | 'bad_date' | 'bad_amount' | 'blank_customer' | 'refund', FaultExample[]>>;
}

const CANONICAL_LABELS = ['product', 'category', 'channel', 'status'] as const;

/** Build `staged` (every source row with its fault), `orders`, `order_totals` and the `purchases` view. */
export async function cleanOrders(db: Db, raw: RawSource, mapping: Mapping, settings: CleaningSettings = {}): Promise<CleaningReport> {
  const col = (c: string | undefined) => (c ? ident(c) : 'NULL');
  const t = ident(raw.table);
  const dateCol = mapping.order_ts!;
  const { order: dateOrder, evidence } = await decideDateOrder(db, raw.table, dateCol, settings.dateOrder ?? 'auto');
  const dedupe = settings.dedupe === 'always' || (settings.dedupe !== 'never' && Boolean(mapping.order_id));
  const refundStatuses = settings.refundStatuses ?? (mapping.status ? await defaultRefundStatuses(db, raw.table, mapping.status) : []);

  const data = raw.columns.filter((c) => !(c === raw.columns[0] && isIndexColumn(c)));
  const mapped = new Set(Object.values(mapping));
  const extras = data.filter((c) => !mapped.has(c) && !/^__/.test(c));
  const dates = await usualDateFormats(db, t, col(dateCol), dateOrder);
  const style = async (c: string) => (await one<{ style: MoneyStyle }>(db, moneyStyleSql(col(c), t))).style;
  const price = mapping.unit_price ? moneySql(col(mapping.unit_price), await style(mapping.unit_price)) : `NULL::${MONEY}`;
  const amount = mapping.amount
    ? moneySql(col(mapping.amount), await style(mapping.amount))
    : `(${numberSql(col(mapping.quantity))} * ${price})::${MONEY}`;
  const status = mapping.status ? `trim(${col(mapping.status)})` : 'NULL';
  const refundByStatus = refundStatuses.length ? `coalesce(${status} IN (${refundStatuses.map(lit).join(', ')}), false)` : 'false';
  const dup = dedupe ? `row_number() OVER (PARTITION BY ${data.map(ident).join(', ')} ORDER BY __line) > 1` : 'false';

  await db.query(`CREATE OR REPLACE TABLE staged AS
    SELECT *, CASE WHEN __dup THEN 'duplicate' WHEN order_ts IS NULL THEN 'bad_date' WHEN amount IS NULL THEN 'bad_amount' END AS __fault
    FROM (
      SELECT __line,
        ${idSql(col(mapping.customer_id))} AS customer_id,
        ${timestampSql(col(dateCol), dateOrder, dates.formats, dates.serials)} AS order_ts,
        ${amount} AS amount,
        ${mapping.order_id ? idSql(col(mapping.order_id)) : 'NULL::VARCHAR'} AS order_id,
        ${CANONICAL_LABELS.map((f) => `${mapping[f] ? labelSql(col(mapping[f])) : 'NULL::VARCHAR'} AS ${f}`).join(', ')},
        ${mapping.quantity ? numberSql(col(mapping.quantity)) : 'NULL::DOUBLE'} AS quantity,
        ${price} AS unit_price,
        ${refundByStatus} AS __refund_status,
        ${col(dateCol)} AS __raw_ts,
        ${mapping.amount ? col(mapping.amount) : `concat_ws(' × ', ${col(mapping.quantity)}, ${col(mapping.unit_price)})`} AS __raw_amount,
        ${dup} AS __dup
        ${extras.length ? ', ' + extras.map((c) => `${ident(c)} AS ${ident('x_' + c)}`).join(', ') : ''}
      FROM ${t})
    ORDER BY __line`);
  const loaded = await one<{ n: number }>(db, `SELECT count(*) FILTER (WHERE __fault IS NULL)::DOUBLE AS n FROM staged`);
  if (loaded.n === 0) {
    // Nothing usable: say where, and leave the orders loaded from an earlier file as they are.
    const ex = await rows<{ line: number; fault: string; ts: string | null; amount: string | null }>(
      db,
      `SELECT __line::DOUBLE AS line, __fault AS fault, __raw_ts AS ts, __raw_amount AS amount FROM staged WHERE __fault IN ('bad_date', 'bad_amount') ORDER BY __line LIMIT 1`,
    );
    const e = ex[0];
    throw new InputError(raw.file, 'no_readable_rows', {
      sheet: raw.sheet,
      line: e?.line,
      column: e ? (e.fault === 'bad_date' ? dateCol : (mapping.amount ?? mapping.unit_price)) : undefined,
      value: e ? (e.fault === 'bad_date' ? e.ts : e.amount) : undefined,
    });
  }

  await db.query(`CREATE OR REPLACE TABLE orders AS
    SELECT customer_id, order_ts, CASE WHEN __refund THEN -abs(amount) ELSE amount END AS amount,
      order_id, product, category, quantity, unit_price, channel, status, __refund AS is_refund,
      __refund_status AS refund_status, __line,
      coalesce(order_id, coalesce(customer_id, '') || chr(31) || strftime(order_ts, '%Y-%m-%d %H:%M:%S.%f')) AS order_key
      ${extras.length ? ', ' + extras.map((c) => `${ident('x_' + c)} AS ${ident(c)}`).join(', ') : ''}
    FROM (SELECT *, amount < 0 OR coalesce(quantity < 0, false) AS __refund FROM staged WHERE __fault IS NULL)
    ORDER BY __line`);
  await buildPurchases(db);
  return report(db, raw.file, { dedupe, dateOrder, evidence, refundStatuses, mapping });
}

/** One shared definition of orders and purchases (MODELS.md §1), used by every model. */
export async function buildPurchases(db: Db): Promise<void> {
  // A status-refunded line reduces its order only where the order has no explicit negative line.
  await db.query(`CREATE OR REPLACE TABLE order_totals AS
      SELECT order_key, min(customer_id) AS customer_id, min(order_ts) AS order_ts, min(order_ts)::DATE AS order_day,
        CASE WHEN bool_or(is_refund) THEN sum(amount) ELSE coalesce(sum(amount) FILTER (WHERE NOT refund_status), 0) END AS net,
        bool_or(is_refund OR refund_status) AS has_refund, count(*)::INTEGER AS lines
      FROM orders GROUP BY order_key;
    CREATE OR REPLACE VIEW purchases AS
      SELECT * FROM order_totals WHERE net > 0 OR (net = 0 AND NOT has_refund);
    CREATE OR REPLACE VIEW customer_purchases AS
      SELECT * FROM purchases WHERE customer_id IS NOT NULL`);
}

function isIndexColumn(name: string): boolean {
  return name === '' || name === 'column0' || name === 'column00' || /^unnamed:?\s*0$/i.test(name) || name === 'index';
}

/** Month/day order for `a/b/yyyy` dates in `column`: a setting, else evidence in the data (a part > 12), else month first. */
export async function decideDateOrder(db: Db, table: string, column: string, setting: 'auto' | DateOrder) {
  if (setting !== 'auto') return { order: setting, evidence: 'setting' as const };
  const e = await one<{ day_first: number; month_first: number; slashed: number }>(db, dateOrderEvidenceSql(ident(column), ident(table)));
  if (e.slashed === 0) return { order: 'mdy' as DateOrder, evidence: 'none' as const };
  if (e.day_first > e.month_first) return { order: 'dmy' as DateOrder, evidence: 'data' as const };
  if (e.month_first > 0) return { order: 'mdy' as DateOrder, evidence: 'data' as const };
  return { order: 'mdy' as DateOrder, evidence: 'default' as const };
}

/** The formats that parse most of a sample of the column's values (the three most common), and whether Excel serials occur. */
export async function usualDateFormats(db: Db, table: string, column: string, order: DateOrder) {
  const hits = await one<Record<string, number>>(db, formatHitsSql(column, table, order));
  const formats = dateFormats(order)
    .map((f, i) => ({ f, n: hits[`h${i}`] }))
    .filter((h) => h.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((h) => h.f);
  return { formats: formats.slice(0, 3), serials: hits.serials > 0 };
}

async function defaultRefundStatuses(db: Db, table: string, column: string): Promise<string[]> {
  const r = await rows<{ s: string }>(
    db,
    `SELECT DISTINCT trim(${ident(column)}) AS s FROM ${ident(table)}
     WHERE regexp_matches(lower(${ident(column)}), '退|refund|return|reversal')
       AND NOT regexp_matches(lower(${ident(column)}), '部分|partial|申请|拒绝|取消退|rejected|requested') ORDER BY s LIMIT 50`,
  );
  return r.map((x) => x.s);
}

async function report(
  db: Db,
  file: string,
  ctx: { dedupe: boolean; dateOrder: DateOrder; evidence: CleaningReport['date_order_evidence']; refundStatuses: string[]; mapping: Mapping },
): Promise<CleaningReport> {
  const c = await one<Record<string, number>>(
    db,
    `SELECT count(*)::DOUBLE AS rows_read,
       count(*) FILTER (WHERE __fault IS NULL)::DOUBLE AS rows_loaded,
       count(*) FILTER (WHERE __fault = 'duplicate')::DOUBLE AS duplicates_removed,
       count(*) FILTER (WHERE __fault = 'bad_date')::DOUBLE AS bad_date,
       count(*) FILTER (WHERE __fault = 'bad_amount')::DOUBLE AS bad_amount
     FROM staged`,
  );
  const o = await one<Record<string, number>>(
    db,
    `SELECT (SELECT count(*) FILTER (WHERE customer_id IS NULL) FROM orders)::DOUBLE AS blank_customer,
       (SELECT count(*) FILTER (WHERE is_refund OR (refund_status AND NOT explicit))
          FROM (SELECT *, bool_or(is_refund) OVER (PARTITION BY order_key) AS explicit FROM orders))::DOUBLE AS refund_lines,
       (SELECT count(*) FROM order_totals)::DOUBLE AS orders,
       (SELECT count(*) FROM purchases)::DOUBLE AS purchases,
       (SELECT count(DISTINCT customer_id) FROM orders)::DOUBLE AS customers,
       (SELECT count(*) FILTER (WHERE customer_id IS NULL) FROM order_totals)::DOUBLE AS guest_orders,
       (SELECT count(*) FILTER (WHERE net < 0) FROM order_totals)::DOUBLE AS refund_orders`,
  );
  const ex = await rows<{ kind: string; line: number; value: string | null }>(
    db,
    `SELECT kind, line, value FROM (
       SELECT __fault AS kind, __line AS line,
         CASE __fault WHEN 'bad_date' THEN __raw_ts WHEN 'bad_amount' THEN __raw_amount END AS value,
         row_number() OVER (PARTITION BY __fault ORDER BY __line) AS k
       FROM staged WHERE __fault IS NOT NULL
       UNION ALL
       SELECT 'blank_customer', __line, NULL, row_number() OVER (ORDER BY __line) FROM orders WHERE customer_id IS NULL
       UNION ALL
       SELECT 'refund', __line, amount::VARCHAR, row_number() OVER (ORDER BY __line)
       FROM (SELECT *, bool_or(is_refund) OVER (PARTITION BY order_key) AS explicit FROM orders)
       WHERE is_refund OR (refund_status AND NOT explicit))
     WHERE k <= 5 ORDER BY kind, line`,
  );
  const columnOf: Record<string, string | undefined> = {
    bad_date: ctx.mapping.order_ts,
    bad_amount: ctx.mapping.amount ?? ctx.mapping.unit_price,
    blank_customer: ctx.mapping.customer_id,
    refund: ctx.mapping.amount ?? ctx.mapping.quantity,
  };
  const examples: CleaningReport['examples'] = {};
  for (const e of ex) {
    const k = e.kind as keyof CleaningReport['examples'];
    (examples[k] ??= []).push({ line: e.line, column: columnOf[k], value: e.value });
  }
  return {
    file,
    rows_read: c.rows_read,
    rows_loaded: c.rows_loaded,
    duplicates_removed: c.duplicates_removed,
    blank_customer: o.blank_customer,
    bad_date: c.bad_date,
    bad_amount: c.bad_amount,
    refund_lines: o.refund_lines,
    orders: o.orders,
    purchases: o.purchases,
    customers: o.customers,
    guest_orders: o.guest_orders,
    refund_orders: o.refund_orders,
    dedupe: ctx.dedupe,
    date_order: ctx.dateOrder,
    date_order_evidence: ctx.evidence,
    refund_statuses: ctx.refundStatuses,
    examples,
  };
}
