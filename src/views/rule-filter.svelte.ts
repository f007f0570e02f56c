/** What the basket cell's rule table shows: the search, which side it looks in, the rule length, the sort and how many rows. */
import type { BasketRule } from '../models/basket/index.ts';

export type RuleSortKey = 'antecedent' | 'consequent' | 'support' | 'confidence' | 'lift' | 'leverage' | 'conviction' | 'count';

/** The same rule (its items in the same order), whichever result it came from. */
export function sameRule(a: BasketRule, b: BasketRule): boolean {
  return a.consequent[0] === b.consequent[0] && a.antecedent.length === b.antecedent.length && a.antecedent.every((x, i) => x === b.antecedent[i]);
}

/** Rules shown at first, and after the search changes. */
export const RULES_PAGE = 25;

export class RuleFilter {
  search = $state('');
  where = $state<'any' | 'antecedent' | 'consequent'>('any');
  /** Items in a rule (both sides), or 0 for any. */
  length = $state(0);
  sort = $state<{ key: RuleSortKey; desc: boolean } | null>(null);
  shown = $state(RULES_PAGE);

  /** Sort by `key`, or turn the order around when it already is; numbers start from the largest, text from A. */
  sortBy(key: RuleSortKey): void {
    const text = key === 'antecedent' || key === 'consequent';
    this.sort = this.sort?.key === key ? { key, desc: !this.sort.desc } : { key, desc: !text };
    this.shown = RULES_PAGE;
  }

  /** The rules that pass the search and length, in the chosen order (text compared in the language of `tag`). */
  apply(rules: BasketRule[], tag: string): BasketRule[] {
    const q = this.search.trim().toLowerCase();
    const { where, length, sort } = this;
    const out = rules.filter((r) => {
      if (length && r.antecedent.length + 1 !== length) return false;
      if (!q) return true;
      const sides = where === 'antecedent' ? r.antecedent : where === 'consequent' ? r.consequent : [...r.antecedent, ...r.consequent];
      return sides.some((item) => item.toLowerCase().includes(q));
    });
    if (!sort) return out;
    const { key, desc } = sort;
    const sign = desc ? -1 : 1;
    const text = (r: BasketRule) => (key === 'antecedent' ? r.antecedent.join('\u0000') : r.consequent[0]);
    return [...out].sort((a, b) =>
      key === 'antecedent' || key === 'consequent' ? sign * text(a).localeCompare(text(b), tag) : sign * (a[key] - b[key]),
    );
  }
}
