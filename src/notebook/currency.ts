/**
 * The currency of the order amounts, where the data says it: a sign or code in the amount column's header
 * ("金额(元)", "Amount (USD)") or in its values ("¥39.00", "$12.50"). The list exports name it in their money
 * headers ("消费金额 (¥)"); the amounts themselves stay plain numbers. Unknown (none, or more than one): null.
 */
const CURRENCIES: [symbol: string, pattern: RegExp][] = [
  ['¥', /[¥￥]|元|人民币|(^|[^a-z])(rmb|cny)([^a-z]|$)/i],
  ['$', /\$|(^|[^a-z])usd([^a-z]|$)/i],
  ['€', /€|(^|[^a-z])eur([^a-z]|$)/i],
  ['£', /£|(^|[^a-z])gbp([^a-z]|$)/i],
];

/** The one currency named by the amount column's header or its sample values; null when none or several are. */
export function currencyOf(header: string, samples: readonly string[]): string | null {
  const texts = [header, ...samples];
  const found = CURRENCIES.filter(([, pattern]) => texts.some((t) => pattern.test(t))).map(([symbol]) => symbol);
  return found.length === 1 ? found[0] : null;
}
