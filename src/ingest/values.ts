/** SQL expressions that turn source text into typed values: ids, timestamps, money. */

export type DateOrder = 'mdy' | 'dmy';

const ISO_LIKE = [
  '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
  '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%Y.%m.%d %H:%M:%S', '%Y.%m.%d',
  '%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H:%M', '%Y年%m月%d日', '%Y%m%d',
];
const SLASHED = ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%m/%d/%y %H:%M', '%m/%d/%y'];

/** The strptime formats tried, in order, for a month/day order. */
export function dateFormats(order: DateOrder): string[] {
  const slashed = order === 'mdy' ? SLASHED : SLASHED.map((f) => f.replace('%m/%d', '%d/%m'));
  return [...ISO_LIKE, ...slashed];
}

const ISO_FAST = `'\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?'`;
const EXCEL_SERIAL = `'\\d{5}(\\.\\d+)?'`;

function stripOffset(col: string): string {
  return `regexp_replace(trim(${col}), '(\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)\\s*(Z|[+-]\\d{2}:?\\d{2})$', '\\1')`;
}

/**
 * SQL that counts, on up to `sample` distinct values, how many each format parses (columns h0, h1, …). Values that
 * `timestampSql` reads as ISO are left out: it never tries the usual formats on them, and every format tried on a
 * value that it does not fit is a failed parse, which is slow in WASM. The values come from about 10,000 rows spread
 * evenly over the table's lines (every `step`-th line, `step` from `rows`), so that a format used only late in the
 * file is seen, while trimming and offset stripping run on few rows (`OFFSET 0` keeps DuckDB from running them on
 * every row before it tests the line number).
 */
export function formatHitsSql(col: string, table: string, order: DateOrder, rows: number, sample = 1000): string {
  const hits = dateFormats(order).map((f, i) => `count(try_strptime(v, '${f}'))::DOUBLE AS h${i}`).join(', ');
  const step = Math.max(1, Math.floor(rows / 10_000));
  return `WITH s AS (SELECT ${col} FROM ${table}${step > 1 ? ` WHERE __line % ${step} = 0` : ''} OFFSET 0),
    v AS (SELECT DISTINCT v FROM (SELECT ${stripOffset(col)} AS v FROM s WHERE nullif(trim(${col}), '') IS NOT NULL)
      WHERE NOT regexp_full_match(v, ${ISO_FAST}) LIMIT ${sample})
    SELECT ${hits}, count(*) FILTER (WHERE regexp_full_match(v, ${EXCEL_SERIAL}))::DOUBLE AS serials FROM v`;
}

/**
 * Text → TIMESTAMP as written (an offset or `Z` is dropped, not applied); NULL when not a real date.
 * `formats` are the ones seen in the data: a failed strptime is costly in WASM, so the full list is
 * tried only for values the usual formats miss.
 */
export function timestampSql(col: string, order: DateOrder, formats: string[] = [], serials = false): string {
  const v = stripOffset(col);
  const all = dateFormats(order).map((f) => `'${f}'`).join(', ');
  const usual = formats.length ? `try_strptime(${v}, [${formats.map((f) => `'${f}'`).join(', ')}])` : 'NULL::TIMESTAMP';
  // Excel stores dates as days since 1899-12-30; only 5-digit serials (1954..2173) are taken as such.
  const serial = serials
    ? `CASE WHEN regexp_full_match(trim(${col}), ${EXCEL_SERIAL})
      THEN TIMESTAMP '1899-12-30' + to_microseconds(round(trim(${col})::DOUBLE * 86400000000)::BIGINT) END`
    : 'NULL::TIMESTAMP';
  // First the common case, a bare ISO value: it needs neither trimming nor offset stripping (both allocate a copy
  // of every value, which dominates the cost in WASM); the branches after it give the same result for such values.
  return `CASE WHEN regexp_full_match(${col}, ${ISO_FAST}) THEN try_cast(${col} AS TIMESTAMP)
    WHEN ${col} IS NULL OR trim(${col}) = '' THEN NULL
    WHEN regexp_full_match(${v}, ${ISO_FAST}) THEN try_cast(${v} AS TIMESTAMP)
    ELSE coalesce(${usual}, ${serial}, try_strptime(${v}, [${all}])) END`;
}

/** Line amounts: DECIMAL(18,4) is exact and fast (sums widen to DECIMAL(38,4)); 128-bit casts are slow in WASM. */
export const MONEY = 'DECIMAL(18,4)';

/** How a money column writes its numbers, decided on a sample (see `moneyStyleSql`). */
export type MoneyStyle = 'plain' | 'dot' | 'comma';

/**
 * Text → money: currency signs, accounting parentheses, a minus (also U+2212), and thousands separators in
 * groups of three. In the `comma` style (`1.234,56`, `12,5`) the comma is the decimal mark; otherwise the dot
 * is. A value that fits neither (`1,0,0`, `12,50` among dot decimals) is no amount, rather than a different number.
 */
export function moneySql(col: string, style: MoneyStyle = 'dot'): string {
  // The cast skips surrounding ASCII spaces itself: trimming (which also drops other Unicode spaces, and copies every
  // value) is needed only where the direct cast fails.
  if (style === 'plain') return `coalesce(try_cast(${col} AS ${MONEY}), try_cast(trim(${col}) AS ${MONEY}))`;
  const x = `regexp_replace(replace(trim(${col}), '−', '-'), '[¥￥$€£\\s]|RMB|CNY|元', '', 'g')`;
  const signed = `CASE WHEN regexp_full_match(${x}, '\\(.*\\)') THEN '-' || trim(${x}, '()') ELSE ${x} END`;
  const [group, mark] = style === 'comma' ? ['\\.', ','] : [',', '\\.'];
  const valid = `'[-+]?((\\d{1,3}(${group}\\d{3})+|\\d+)(${mark}\\d+)?|${mark}\\d+)'`;
  const digits = style === 'comma' ? `replace(replace(${signed}, '.', ''), ',', '.')` : `replace(${signed}, ',', '')`;
  // A bare number (digits, a minus, in the dot style a decimal part) comes out of the cleaning below unchanged: it
  // skips the regular expressions and the copies they make.
  const bare = style === 'comma' ? `'-?\\d+'` : `'-?\\d+(\\.\\d+)?'`;
  return `CASE WHEN regexp_full_match(${col}, ${bare}) THEN try_cast(${col} AS ${MONEY})
    WHEN regexp_full_match(${signed}, ${valid}) THEN try_cast(${digits} AS ${MONEY}) END`;
}

/**
 * SQL giving the money style of a column from a sample: `plain` when every value is a bare number; `comma` when
 * some value ends in a comma and one or two digits and none in a dot and other than three digits; else `dot`.
 */
export function moneyStyleSql(col: string, table: string): string {
  return `SELECT CASE WHEN coalesce(bool_and(regexp_full_match(trim(v), '-?\\d+(\\.\\d+)?')), true) THEN 'plain'
      WHEN bool_or(regexp_matches(v, '\\d,\\d{1,2}\\)?\\s*$')) AND NOT bool_or(regexp_matches(v, '\\d\\.(\\d{1,2}|\\d{4,})\\)?\\s*$')) THEN 'comma'
      ELSE 'dot' END AS style
    FROM (SELECT ${col} AS v FROM ${table} WHERE nullif(trim(${col}), '') IS NOT NULL LIMIT 5000)`;
}

/** Text → DOUBLE for quantities. */
export function numberSql(col: string): string {
  return `coalesce(try_cast(${col} AS DOUBLE), try_cast(replace(trim(${col}), ',', '') AS DOUBLE))`;
}

/** Ids are trimmed, `12583.0` reads as `12583`, leading zeros stay; blank is NULL. */
export function idSql(col: string): string {
  // Only a value with a dot can be a `12583.0`: the others skip the regular expression.
  return `nullif(CASE WHEN contains(${col}, '.') THEN regexp_replace(trim(${col}), '^(\\d+)\\.0+$', '\\1') ELSE ${trimSql(col)} END, '')`;
}

/**
 * `trim(col)` without its cost where it changes nothing. trim copies every value, which is a large part of typing a
 * column in WASM; it drops Unicode space separators only, so a value of ASCII characters (as many bytes as characters)
 * that neither starts nor ends with a space is already trimmed.
 */
export function trimSql(col: string): string {
  return `CASE WHEN strlen(${col}) = length(${col}) AND NOT starts_with(${col}, ' ') AND NOT ends_with(${col}, ' ') THEN ${col} ELSE trim(${col}) END`;
}

/** Labels are kept exactly as written; only an empty value becomes NULL. */
export function labelSql(col: string): string {
  return `nullif(${col}, '')`;
}

/** SQL counting evidence for day-first vs month-first among `a/b/yyyy` values (only values with a slash can be such). */
export function dateOrderEvidenceSql(col: string, table: string): string {
  return `SELECT
    count(*) FILTER (WHERE try_cast(m[1] AS INT) > 12)::DOUBLE AS day_first,
    count(*) FILTER (WHERE try_cast(m[2] AS INT) > 12)::DOUBLE AS month_first,
    count(m)::DOUBLE AS slashed
    FROM (SELECT regexp_extract(trim(${col}), '^(\\d{1,2})/(\\d{1,2})/\\d{2,4}', ['a', 'b']) AS s FROM ${table} WHERE contains(${col}, '/')) t,
    LATERAL (SELECT CASE WHEN s.a <> '' THEN [s.a, s.b] END AS m)`;
}
