/** Clusters' plain-language names (zh, en) from their levels: what the cell, its list and a report call them. */

/** A cluster's standing on one dimension, from its mean standardized value z: top ≥ 1.5, high ≥ 0.5, low ≤ −0.5. */
export type Level = 'top' | 'high' | 'mid' | 'low';
/** How recently a cluster's typical customer bought (MODELS.md §5 windows: 90, 180, 365 days). */
export type Activity = 'active' | 'cooling' | 'dormant' | 'lapsed';

const ACTIVITY_NAMES: Record<Activity, [string, string]> = {
  active: ['活跃', 'active'],
  cooling: ['降温', 'cooling'],
  dormant: ['沉睡', 'dormant'],
  lapsed: ['流失', 'lapsed'],
};

/**
 * A plain-language name (zh, en) from a cluster's F and M levels and its activity. Value: F and M both
 * top → top-value; both at least high → high-value; M at least high only → big-ticket; F at least high
 * only → frequent; both low → low-value; otherwise mid-value; a cluster whose members all bought once is
 * one-time, and one-time buyers who are active are "new customers".
 */
export function clusterName(f: Level, m: Level, activity: Activity, oneTime: boolean): { zh: string; en: string } {
  if (oneTime && activity === 'active') return { zh: '新客户', en: 'new customers' };
  const atLeastHigh = (l: Level) => l === 'high' || l === 'top';
  const value: [string, string] = oneTime
    ? ['一次购买', 'one-time']
    : f === 'top' && m === 'top'
      ? ['顶级价值', 'top-value']
      : atLeastHigh(f) && atLeastHigh(m)
        ? ['高价值', 'high-value']
        : atLeastHigh(m)
          ? ['大额', 'big-ticket']
          : atLeastHigh(f)
            ? ['高频', 'frequent']
            : f === 'low' && m === 'low'
              ? ['低价值', 'low-value']
              : ['中等价值', 'mid-value'];
  const [zh, en] = ACTIVITY_NAMES[activity];
  return { zh: value[0] + zh, en: `${value[1]} ${en}` };
}

/** A name numbered when an earlier cluster has it already ("high-value dormant 2"); `seen` counts the names so far. */
export function numberedName(seen: Map<string, number>, name: { zh: string; en: string }): { zh: string; en: string } {
  const repeat = (seen.get(name.en) ?? 0) + 1;
  seen.set(name.en, repeat);
  const suffix = repeat > 1 ? ` ${repeat}` : '';
  return { zh: name.zh + suffix, en: name.en + suffix };
}
