/**
 * The optional canonical tables besides orders: `customers`, `events` (each with a report of the rows left out,
 * like the orders cleaning report, so that nothing is lost silently) and `baskets`.
 */
import { ident, one, rows, type Db } from '../db/db.ts';
import { decideDateOrder, usualDateFormats, type FaultExample } from './clean.ts';
import { dateRange, outOfRangeSql, type DateRange } from './date-range.ts';
import { InputError } from './errors.ts';
import type { Field, Mapping } from './mapping.ts';
import type { RawSource } from './read.ts';
import { idSql, labelSql, timestampSql } from './values.ts';

/**
 * What loading a customers or events file did with each source row.
 * Counting: rows_read = rows_loaded + unreadable_row + blank_customer + duplicate_customer + bad_date +
 * out_of_range_date + blank_event; a row with several faults counts once, under the first of those. bad_first_seen
 * counts loaded customers whose first-seen date could not be read, out_of_range_first_seen those whose first-seen date
 * is before the floor or after the day of the analysis (either way the customer is kept, without the date).
 */
export interface TableReport {
  file: string;
  role: 'customers' | 'events';
  rows_read: number;
  rows_loaded: number;
  /** Rows the file's dialect could not read (a stray quote, extra values): not loaded; examples give their text. */
  unreadable_row: number;
  /** Rows without a customer id (after trimming): left out. */
  blank_customer: number;
  /** Customers file: later rows repeating a customer id (the first row is kept). */
  duplicate_customer: number;
  /** Events file: rows whose time could not be read: left out. */
  bad_date: number;
  /** Events file: rows dated before the floor or after the day of the analysis (`date_range`): left out. */
  out_of_range_date: number;
  /** Events file: rows without an event name: left out. */
  blank_event: number;
  /** Customers file: loaded customers whose first-seen date could not be read. */
  bad_first_seen: number;
  /** Customers file: loaded customers whose first-seen date is out of range (kept without the date). */
  out_of_range_first_seen: number;
  /** The plausible dates used: from the floor setting to the day the analysis ran. */
  date_range: DateRange;
  examples: Partial<
    Record<
      'unreadable_row' | 'blank_customer' | 'duplicate_customer' | 'bad_date' | 'out_of_range_date' | 'blank_event' | 'bad_first_seen' | 'out_of_range_first_seen',
      FaultExample[]
    >
  >;
}

type Fault = keyof TableReport['examples'];

/**
 * The customers table: one row per customer id (the first row of a repeated id), extra columns kept. A first-seen
 * date outside `range` is dropped (the customer stays), like one that cannot be read.
 */
export async function buildCustomers(db: Db, raw: RawSource, mapping: Mapping, range: DateRange = dateRange()): Promise<TableReport> {
  const col = (c?: string) => (c ? ident(c) : 'NULL');
  const t = ident(raw.table);
  const mapped = new Set(Object.values(mapping));
  const extras = raw.columns.filter((c) => !mapped.has(c));
  const seen = mapping.first_seen;
  const ts = seen ? await timestamp(db, raw, seen) : 'NULL::TIMESTAMP';
  await db.query(`CREATE OR REPLACE TEMP TABLE customers__staged AS
    SELECT *, CASE WHEN customer_id IS NULL THEN 'blank_customer'
        WHEN row_number() OVER (PARTITION BY customer_id ORDER BY __line) > 1 THEN 'duplicate_customer' END AS __fault
    FROM (SELECT __line, ${idSql(col(mapping.customer_id))} AS customer_id, ${ts} AS __seen, ${col(seen)} AS __raw_seen,
      CASE WHEN NOT ${outOfRangeSql('__seen', range)} THEN __seen END AS first_seen,
      ${['name', 'phone', 'email', 'region', 'channel'].map((f) => `${mapping[f as Field] ? labelSql(col(mapping[f as Field])) : 'NULL::VARCHAR'} AS ${f}`).join(', ')}
      ${extras.length ? ', ' + extras.map((c) => `${ident(c)} AS ${ident('x_' + c)}`).join(', ') : ''}
    FROM ${t})`);
  const report = await tableReport(db, 'customers__staged', raw, 'customers', range, {
    blank_customer: [mapping.customer_id, 'NULL'],
    duplicate_customer: [mapping.customer_id, 'customer_id'],
    bad_first_seen: [seen, '__raw_seen'],
    out_of_range_first_seen: [seen, '__raw_seen'],
  }, {
    bad_first_seen: seen ? `__fault IS NULL AND __seen IS NULL AND nullif(trim(__raw_seen), '') IS NOT NULL` : 'false',
    out_of_range_first_seen: seen ? `__fault IS NULL AND __seen IS NOT NULL AND first_seen IS NULL` : 'false',
  });
  if (report.rows_loaded === 0) {
    await db.query('DROP TABLE customers__staged');
    throw new InputError(raw.file, 'no_customer_rows', { column: mapping.customer_id, sheet: raw.sheet });
  }
  await db.query(`CREATE OR REPLACE TABLE customers AS
    SELECT customer_id, first_seen, name, phone, email, region, channel
      ${extras.length ? ', ' + extras.map((c) => `${ident('x_' + c)} AS ${ident(c)}`).join(', ') : ''}
    FROM customers__staged WHERE __fault IS NULL ORDER BY __line;
    DROP TABLE customers__staged`);
  return report;
}

/** The events table: rows with a customer id, a readable time within `range` and an event name. */
export async function buildEvents(db: Db, raw: RawSource, mapping: Mapping, range: DateRange = dateRange()): Promise<TableReport> {
  const ts = await timestamp(db, raw, mapping.event_ts!);
  await db.query(`CREATE OR REPLACE TEMP TABLE events__staged AS
    SELECT *, CASE WHEN customer_id IS NULL THEN 'blank_customer' WHEN event_ts IS NULL THEN 'bad_date'
        WHEN ${outOfRangeSql('event_ts', range)} THEN 'out_of_range_date' WHEN event IS NULL OR event = '' THEN 'blank_event' END AS __fault
    FROM (SELECT __line, ${idSql(ident(mapping.customer_id!))} AS customer_id, ${ts} AS event_ts,
      trim(${ident(mapping.event!)}) AS event, ${ident(mapping.event_ts!)} AS __raw_ts FROM ${ident(raw.table)})`);
  const report = await tableReport(db, 'events__staged', raw, 'events', range, {
    blank_customer: [mapping.customer_id, 'NULL'],
    bad_date: [mapping.event_ts, '__raw_ts'],
    out_of_range_date: [mapping.event_ts, '__raw_ts'],
    blank_event: [mapping.event, 'NULL'],
  });
  if (report.rows_loaded === 0) {
    await db.query('DROP TABLE events__staged');
    throw new InputError(raw.file, 'no_event_rows', { sheet: raw.sheet });
  }
  await db.query(`CREATE OR REPLACE TABLE events AS
    SELECT customer_id, event_ts, event, __line FROM events__staged WHERE __fault IS NULL ORDER BY __line;
    DROP TABLE events__staged`);
  return report;
}

/** Baskets from a basket-per-line file: basket id = line number, items kept exactly, repeats within a line once. */
export async function buildBaskets(db: Db, raw: RawSource): Promise<number> {
  await db.query(`CREATE OR REPLACE TABLE baskets AS
    SELECT DISTINCT __line AS basket_id, item FROM (SELECT __line, unnest(string_split(items, ',')) AS item FROM ${ident(raw.table)})
    WHERE item <> '' ORDER BY basket_id, item`);
  return (await one<{ n: number }>(db, `SELECT count(DISTINCT basket_id)::DOUBLE AS n FROM baskets`)).n;
}

/** Timestamps read like order dates: month/day order decided from the data, the usual formats tried first. */
async function timestamp(db: Db, raw: RawSource, column: string): Promise<string> {
  const { order } = await decideDateOrder(db, raw.table, column, 'auto');
  const formats = await usualDateFormats(db, ident(raw.table), ident(column), order, raw.rows);
  return timestampSql(ident(column), order, formats.formats, formats.serials);
}

/**
 * Counts and up to 5 example lines per fault of a staged table (`__line`, `__fault`); `kept` gives, per note on loaded
 * rows (bad_first_seen, out_of_range_first_seen), the condition that marks them.
 */
async function tableReport(
  db: Db,
  staged: string,
  raw: RawSource,
  role: TableReport['role'],
  range: DateRange,
  faults: Partial<Record<Fault, [column: string | undefined, value: string]>>,
  kept: Partial<Record<'bad_first_seen' | 'out_of_range_first_seen', string>> = {},
): Promise<TableReport> {
  const c = await one<Record<string, number>>(
    db,
    `SELECT count(*)::DOUBLE AS rows_read, count(*) FILTER (WHERE __fault IS NULL)::DOUBLE AS rows_loaded,
      ${(['blank_customer', 'duplicate_customer', 'bad_date', 'out_of_range_date', 'blank_event'] as const).map((f) => `count(*) FILTER (WHERE __fault = '${f}')::DOUBLE AS ${f}`).join(', ')},
      ${(['bad_first_seen', 'out_of_range_first_seen'] as const).map((f) => `count(*) FILTER (WHERE ${kept[f] ?? 'false'})::DOUBLE AS ${f}`).join(', ')}
     FROM ${staged}`,
  );
  const parts = Object.entries(faults).map(([fault, [, value]]) => {
    const where = fault in kept ? kept[fault as keyof typeof kept] : `__fault = '${fault}'`;
    return `SELECT '${fault}' AS kind, __line AS line, ${value}::VARCHAR AS value FROM ${staged} WHERE ${where}`;
  });
  const ex = await rows<{ kind: Fault; line: number; value: string | null }>(
    db,
    `SELECT kind, line::DOUBLE AS line, value FROM (SELECT *, row_number() OVER (PARTITION BY kind ORDER BY line) AS k FROM (${parts.join(' UNION ALL ')}))
     WHERE k <= 5 ORDER BY kind, line`,
  );
  const examples: TableReport['examples'] = {};
  for (const e of ex) (examples[e.kind] ??= []).push({ line: e.line, column: faults[e.kind]?.[0], value: e.value });
  if (raw.unreadable.count) examples.unreadable_row = raw.unreadable.examples.map((e) => ({ line: e.line, value: e.text }));
  return {
    file: raw.file,
    role,
    rows_read: c.rows_read + raw.unreadable.count,
    rows_loaded: c.rows_loaded,
    unreadable_row: raw.unreadable.count,
    blank_customer: c.blank_customer,
    duplicate_customer: c.duplicate_customer,
    bad_date: c.bad_date,
    out_of_range_date: c.out_of_range_date,
    blank_event: c.blank_event,
    bad_first_seen: c.bad_first_seen,
    out_of_range_first_seen: c.out_of_range_first_seen,
    date_range: range,
    examples,
  };
}
