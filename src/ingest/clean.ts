/** Turn a mapped raw orders table into the canonical `orders` table, counting every rule in a cleaning report. */
import { ident, lit, one, rows, type Db } from '../db/db.ts';
import { InputError } from './errors.ts';
import { createTable, dropCanonical, storeFor } from './store.ts';
import type { Mapping } from './mapping.ts';
import type { RawSource } from './read.ts';
import { dateRange, outOfRangeSql, type DateRange } from './date-range.ts';
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
  /**
   * The earliest plausible date (YYYY-MM-DD, default 1970-01-01): an order dated before it, or after the day the
   * analysis runs, is left out as `out_of_range_date` (one such date must not move the as-of date).
   */
  dateFloor?: string;
}

export interface FaultExample {
  line: number;
  column?: string;
  value?: string | null;
  /** Order ids shared by several customers: the customers using it, in order of first line (null: no customer). */
  customers?: (string | null)[];
}

export interface CleaningReport {
  file: string;
  rows_read: number;
  rows_loaded: number;
  duplicates_removed: number;
  blank_customer: number;
  bad_date: number;
  bad_amount: number;
  /** Rows dated before the floor or after the day of the analysis (`date_range`): left out. */
  out_of_range_date: number;
  /** Rows the file's dialect could not read (a stray quote, extra values): not loaded; examples give their text. */
  unreadable_row: number;
  refund_lines: number;
  orders: number;
  purchases: number;
  customers: number;
  /** Orders without a customer: kept in totals, left out of customer models. */
  guest_orders: number;
  /** Orders whose net amount is negative (credit notes), reported beside revenue. */
  refund_orders: number;
  /**
   * Order ids that loaded lines of more than one customer carry (a blank customer counts as one): each customer's
   * lines stay an order of their own. Reported beside the counts, nothing is removed.
   */
  shared_order_ids: number;
  dedupe: boolean;
  date_order: DateOrder;
  date_order_evidence: 'data' | 'default' | 'setting' | 'none';
  refund_statuses: string[];
  /** The plausible dates used: from the floor setting to the day the analysis ran. */
  date_range: DateRange;
  examples: Partial<
    Record<'unreadable_row' | 'duplicate' | 'bad_date' | 'bad_amount' | 'out_of_range_date' | 'blank_customer' | 'refund' | 'shared_order_id', FaultExample[]>
  >;
}

const CANONICAL_LABELS = ['product', 'category', 'channel', 'status'] as const;

export interface CleanOptions {
  /**
   * Drop the raw table as soon as the orders are typed, before the report and `order_totals` are built: the raw
   * table is the largest one, and the caller can read the file again to apply another mapping.
   */
  release?: boolean;
  /** Source rows above which `orders` is stored compressed (default `PACK_ROWS`, see store.ts). */
  packAbove?: number;
  /** The day the analysis runs (YYYY-MM-DD): later dates are out of range. Default: the machine's date. */
  today?: string;
  /** A row index left by another tool (see `ColumnProfile.rowIndex`): not data, so not compared for duplicates nor kept. */
  index?: string;
}

/**
 * Build `orders`, `order_totals` and the `purchases` view from a mapped raw table, with the cleaning report.
 *
 * One pass over the raw table types every row and marks its fault (an unreadable date or amount) in a new table,
 * keeping a faulty row's source text for the report's examples. Duplicates (rows repeating every data column; the
 * first line is kept) are then marked from a hash of each row: only rows whose hash repeats are compared column by
 * column, instead of partitioning every row by every column. The report is counted on that table; then the faulty
 * rows and the working columns go, and the table becomes `orders`. An error leaves the orders of an earlier file.
 */
export async function cleanOrders(db: Db, raw: RawSource, mapping: Mapping, settings: CleaningSettings = {}, opts: CleanOptions = {}): Promise<CleaningReport> {
  const col = (c: string | undefined) => (c ? ident(c) : 'NULL');
  const t = ident(raw.table);
  const dateCol = mapping.order_ts!;
  const { order: dateOrder, evidence } = await decideDateOrder(db, raw.table, dateCol, settings.dateOrder ?? 'auto');
  const dedupe = settings.dedupe === 'always' || (settings.dedupe !== 'never' && Boolean(mapping.order_id));
  const refundStatuses = settings.refundStatuses ?? (mapping.status ? await defaultRefundStatuses(db, raw.table, mapping.status) : []);
  const range = dateRange(settings, opts.today);

  const data = raw.columns.filter((c) => c !== opts.index);
  const mapped = new Set(Object.values(mapping));
  const extras = data.filter((c) => !mapped.has(c) && !/^__/.test(c));
  const dates = await usualDateFormats(db, t, col(dateCol), dateOrder, raw.rows);
  const style = async (c: string) => (await one<{ style: MoneyStyle }>(db, moneyStyleSql(col(c), t))).style;
  const price = mapping.unit_price ? moneySql(col(mapping.unit_price), await style(mapping.unit_price)) : `NULL::${MONEY}`;
  const amount = mapping.amount
    ? moneySql(col(mapping.amount), await style(mapping.amount))
    : `(${numberSql(col(mapping.quantity))} * ${price})::${MONEY}`;
  const status = mapping.status ? `trim(${col(mapping.status)})` : 'NULL';
  // A value can trim to a refund status only if it contains it: the cheap test spares trimming every value.
  const refundByStatus = refundStatuses.length
    ? `coalesce((${refundStatuses.map((s) => `contains(${col(mapping.status)}, ${lit(s)})`).join(' OR ')}) AND ${status} IN (${refundStatuses.map(lit).join(', ')}), false)`
    : 'false';
  const rowData = data.map(ident).join(', ');

  const store = await storeFor(db, raw.rows, opts.packAbove);
  const next = `${store}.${ident('orders__next')}`;
  await db.query(`DROP TABLE IF EXISTS ${next}`);
  const { first, last } = await one<{ first: number; last: number }>(db, `SELECT min(__line)::DOUBLE AS first, max(__line)::DOUBLE AS last FROM ${t}`);
  const typed = (where: string) => `
    SELECT customer_id, order_ts, CASE WHEN __refund THEN -abs(amount) ELSE amount END AS amount,
      order_id, product, category, quantity, unit_price, channel, status, __refund AS is_refund,
      __refund_status AS refund_status, __line,
      coalesce(order_id, coalesce(customer_id, '') || chr(31) || strftime(order_ts, '%Y-%m-%d %H:%M:%S.%f')) AS order_key
      ${extras.length ? ', ' + extras.map((c) => `${ident('x_' + c)} AS ${ident(c)}`).join(', ') : ''},
      __fault, CASE __fault WHEN 'bad_date' THEN __raw_ts WHEN 'out_of_range_date' THEN __raw_ts WHEN 'bad_amount' THEN __raw_amount END AS __raw
      ${dedupe ? ', __hash' : ''}
    FROM (
      SELECT *, CASE WHEN order_ts IS NULL THEN 'bad_date' WHEN ${outOfRangeSql('order_ts', range)} THEN 'out_of_range_date'
          WHEN amount IS NULL THEN 'bad_amount' END AS __fault,
        amount < 0 OR coalesce(quantity < 0, false) AS __refund
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
          ${mapping.amount ? col(mapping.amount) : `concat_ws(' × ', ${col(mapping.quantity)}, ${col(mapping.unit_price)})`} AS __raw_amount
          ${dedupe ? `, hash(${rowData}) AS __hash` : ''}
          ${extras.length ? ', ' + extras.map((c) => `${ident(c)} AS ${ident('x_' + c)}`).join(', ') : ''}
        FROM ${t} WHERE ${where}))`;
  try {
    await createTable(db, store, next, typed, first, last);
    if (dedupe)
      await db.query(`UPDATE ${next} SET __fault = 'duplicate' WHERE __line IN (
        SELECT __line FROM (
          SELECT __line, row_number() OVER (PARTITION BY ${rowData} ORDER BY __line) AS k FROM ${t}
          WHERE __line IN (SELECT __line FROM ${next} WHERE __hash IN (SELECT __hash FROM ${next} GROUP BY __hash HAVING count(*) > 1)))
        WHERE k > 1)`);
    if (opts.release) await db.query(`DROP TABLE IF EXISTS ${t}`);
    const counts = await one<Record<string, number>>(
      db,
      `SELECT count(*)::DOUBLE AS rows_read,
         count(*) FILTER (WHERE __fault IS NULL)::DOUBLE AS rows_loaded,
         count(*) FILTER (WHERE __fault = 'duplicate')::DOUBLE AS duplicates_removed,
         count(*) FILTER (WHERE __fault = 'bad_date')::DOUBLE AS bad_date,
         count(*) FILTER (WHERE __fault = 'bad_amount')::DOUBLE AS bad_amount,
         count(*) FILTER (WHERE __fault = 'out_of_range_date')::DOUBLE AS out_of_range_date,
         count(*) FILTER (WHERE __fault IS NULL AND customer_id IS NULL)::DOUBLE AS blank_customer,
         count(DISTINCT customer_id) FILTER (WHERE __fault IS NULL)::DOUBLE AS customers
       FROM ${next}`,
    );
    const faults = await rows<{ kind: string; line: number; value: string | null }>(
      db,
      `SELECT __fault AS kind, __line::DOUBLE AS line, CASE WHEN __fault <> 'duplicate' THEN __raw END AS value FROM ${next} WHERE __fault IS NOT NULL
       QUALIFY row_number() OVER (PARTITION BY __fault ORDER BY __line) <= 5 ORDER BY __fault, __line`,
    );
    if (counts.rows_loaded === 0) {
      // Nothing usable: say where, and leave the orders loaded from an earlier file as they are. When most rows are
      // readable but out of range, say that (and the range), naming the first such row.
      const outOfRange = counts.out_of_range_date > counts.bad_date + counts.bad_amount;
      const e = faults.filter((f) => (outOfRange ? f.kind === 'out_of_range_date' : f.kind !== 'duplicate')).sort((a, b) => a.line - b.line)[0];
      throw new InputError(raw.file, outOfRange ? 'no_rows_in_range' : 'no_readable_rows', {
        sheet: raw.sheet,
        line: e?.line,
        column: e ? (e.kind === 'bad_amount' ? (mapping.amount ?? mapping.unit_price) : dateCol) : undefined,
        value: e?.value,
        ...(outOfRange ? { from: range.floor, to: range.today } : {}),
      });
    }
    if (counts.rows_loaded < counts.rows_read) await db.query(`DELETE FROM ${next} WHERE __fault IS NOT NULL`);
    if (mapping.order_id) await separateSharedOrderIds(db, next);
    for (const c of ['__fault', '__raw', ...(dedupe ? ['__hash'] : [])]) await db.query(`ALTER TABLE ${next} DROP COLUMN ${c}`);
    await dropCanonical(db, 'orders');
    await db.query(`ALTER TABLE ${next} RENAME TO orders`);
    await buildPurchases(db);
    return await report(db, raw, counts, faults, { dedupe, dateOrder, evidence, refundStatuses, mapping, range });
  } catch (e) {
    await db.query(`DROP TABLE IF EXISTS ${next}`);
    throw e;
  }
}

/**
 * An order is identified by its order id and its customer (MODELS.md §1): lines of an order id that several customers
 * carry (a blank customer counts as one) get the customer in their `order_key`, so that each customer's lines make an
 * order of their own instead of being merged into one. Other orders keep their order id as the key.
 */
async function separateSharedOrderIds(db: Db, table: string): Promise<void> {
  // Customer ids are never empty after trimming, so '' stands for a line without a customer.
  await db.query(`UPDATE ${table} SET order_key = order_id || chr(30) || coalesce(customer_id, '') WHERE order_id IN (
    SELECT order_id FROM ${table} WHERE order_id IS NOT NULL GROUP BY order_id HAVING min(coalesce(customer_id, '')) <> max(coalesce(customer_id, '')))`);
}

/** Which order totals are purchases (MODELS.md §1): the `purchases` view's condition, over `order_totals`' columns. */
export const PURCHASE_WHERE = 'net > 0 OR (net = 0 AND NOT has_refund)';

/**
 * One shared definition of orders and purchases (MODELS.md §1), used by every model. `order_totals` stays an ordinary
 * table even when `orders` is stored compressed: it is a third of the size, and every model reads it.
 */
export async function buildPurchases(db: Db): Promise<void> {
  // A status-refunded line reduces its order only where the order has no explicit negative line.
  await db.query(`CREATE OR REPLACE TABLE order_totals AS
      SELECT order_key, min(customer_id) AS customer_id, min(order_ts) AS order_ts, min(order_ts)::DATE AS order_day,
        CASE WHEN bool_or(is_refund) THEN sum(amount) ELSE coalesce(sum(amount) FILTER (WHERE NOT refund_status), 0) END AS net,
        bool_or(is_refund OR refund_status) AS has_refund, count(*)::INTEGER AS lines
      FROM orders GROUP BY order_key;
    CREATE OR REPLACE VIEW purchases AS
      SELECT * FROM order_totals WHERE ${PURCHASE_WHERE};
    CREATE OR REPLACE VIEW customer_purchases AS
      SELECT * FROM purchases WHERE customer_id IS NOT NULL`);
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

/**
 * The formats that parse most of a sample of the column's values (the three most common), and whether Excel serials
 * occur. `rows` (the table's) spreads the sample over the whole table.
 */
export async function usualDateFormats(db: Db, table: string, column: string, order: DateOrder, rows: number) {
  const hits = await one<Record<string, number>>(db, formatHitsSql(column, table, order, rows));
  const formats = dateFormats(order)
    .map((f, i) => ({ f, n: hits[`h${i}`] }))
    .filter((h) => h.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((h) => h.f);
  return { formats: formats.slice(0, 3), serials: hits.serials > 0 };
}

/**
 * Status values naming a full refund. The patterns run on the column's distinct values, not on every row (`OFFSET 0`
 * keeps DuckDB from pushing the filter below the DISTINCT).
 */
async function defaultRefundStatuses(db: Db, table: string, column: string): Promise<string[]> {
  const r = await rows<{ s: string }>(
    db,
    `SELECT DISTINCT trim(v) AS s FROM (SELECT DISTINCT ${ident(column)} AS v FROM ${ident(table)} OFFSET 0)
     WHERE regexp_matches(lower(v), '退|refund|return|reversal')
       AND NOT regexp_matches(lower(v), '部分|partial|申请|拒绝|取消退|rejected|requested') ORDER BY s LIMIT 50`,
  );
  return r.map((x) => x.s);
}

/**
 * The cleaning report: `counts` and `faults` (up to 5 examples per fault) come from the typed rows; the rest from
 * `orders` and `order_totals`. Refund lines are looked for only among lines that are negative or carry a refund
 * status: whether their order has an explicit negative line is decided among those same lines, which include every
 * negative line of the order.
 */
async function report(
  db: Db,
  raw: RawSource,
  counts: Record<string, number>,
  faults: { kind: string; line: number; value: string | null }[],
  ctx: { dedupe: boolean; dateOrder: DateOrder; evidence: CleaningReport['date_order_evidence']; refundStatuses: string[]; mapping: Mapping; range: DateRange },
): Promise<CleaningReport> {
  const o = await one<Record<string, number>>(
    db,
    `SELECT count(*)::DOUBLE AS orders,
       (SELECT count(*) FROM purchases)::DOUBLE AS purchases,
       count(*) FILTER (WHERE customer_id IS NULL)::DOUBLE AS guest_orders,
       count(*) FILTER (WHERE net < 0)::DOUBLE AS refund_orders,
       (SELECT count(*) FROM (${REFUND_LINES}))::DOUBLE AS refund_lines,
       count(DISTINCT split_part(order_key, chr(30), 1)) FILTER (WHERE contains(order_key, chr(30)))::DOUBLE AS shared_order_ids
     FROM order_totals`,
  );
  // Order ids shared by several customers: the keys of their orders carry the customer (separateSharedOrderIds).
  const shared = o.shared_order_ids
    ? await rows<{ order_id: string; line: number; customers: (string | null)[] }>(
        db,
        `SELECT order_id, min(first)::DOUBLE AS line, list(customer_id ORDER BY first) AS customers
         FROM (SELECT order_id, customer_id, min(__line) AS first FROM orders WHERE order_key <> order_id GROUP BY ALL)
         GROUP BY order_id ORDER BY line LIMIT 5`,
      )
    : [];
  const ex = await rows<{ kind: string; line: number; value: string | null }>(
    db,
    `SELECT kind, line::DOUBLE AS line, value FROM (
       (SELECT 'blank_customer' AS kind, __line AS line, NULL AS value FROM orders WHERE customer_id IS NULL ORDER BY __line LIMIT 5)
       UNION ALL
       (SELECT 'refund', __line, amount::VARCHAR FROM (${REFUND_LINES}) ORDER BY __line LIMIT 5))
     ORDER BY kind, line`,
  );
  const columnOf: Record<string, string | undefined> = {
    bad_date: ctx.mapping.order_ts,
    bad_amount: ctx.mapping.amount ?? ctx.mapping.unit_price,
    out_of_range_date: ctx.mapping.order_ts,
    blank_customer: ctx.mapping.customer_id,
    refund: ctx.mapping.amount ?? ctx.mapping.quantity,
  };
  const examples: CleaningReport['examples'] = {};
  for (const e of [...faults, ...ex].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.line - b.line))) {
    const k = e.kind as keyof CleaningReport['examples'];
    (examples[k] ??= []).push({ line: e.line, column: columnOf[k], value: e.value });
  }
  if (shared.length)
    examples.shared_order_id = shared.map((s) => ({ line: s.line, column: ctx.mapping.order_id, value: s.order_id, customers: [...s.customers] }));
  // Rows the reader left out come first: they were never typed, so they carry no other fault.
  if (raw.unreadable.count) examples.unreadable_row = raw.unreadable.examples.map((e) => ({ line: e.line, value: e.text }));
  return {
    file: raw.file,
    rows_read: counts.rows_read + raw.unreadable.count,
    rows_loaded: counts.rows_loaded,
    duplicates_removed: counts.duplicates_removed,
    blank_customer: counts.blank_customer,
    bad_date: counts.bad_date,
    bad_amount: counts.bad_amount,
    out_of_range_date: counts.out_of_range_date,
    unreadable_row: raw.unreadable.count,
    refund_lines: o.refund_lines,
    orders: o.orders,
    purchases: o.purchases,
    customers: counts.customers,
    guest_orders: o.guest_orders,
    refund_orders: o.refund_orders,
    shared_order_ids: o.shared_order_ids,
    dedupe: ctx.dedupe,
    date_order: ctx.dateOrder,
    date_order_evidence: ctx.evidence,
    refund_statuses: ctx.refundStatuses,
    date_range: ctx.range,
    examples,
  };
}

/** Order lines that carry a refund: negative lines, and status-refunded lines of orders without a negative line. */
const REFUND_LINES = `SELECT __line, amount FROM (
    SELECT __line, amount, is_refund, refund_status, bool_or(is_refund) OVER (PARTITION BY order_key) AS explicit
    FROM orders WHERE is_refund OR refund_status)
  WHERE is_refund OR (refund_status AND NOT explicit)`;
