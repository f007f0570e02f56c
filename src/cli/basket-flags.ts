/** The headless command's basket flags (--min-support, --min-confidence, --max-size, --basket-by) over `settings.basket`. */
import type { ModelSettings } from '../models/settings.ts';

export interface BasketFlags {
  'min-support'?: string;
  'min-confidence'?: string;
  'max-size'?: string;
  'basket-by'?: string;
}

/** Settings with the flags given on the command line taking precedence over `settings.basket`. */
export function withBasketFlags(settings: ModelSettings | undefined, flags: BasketFlags): ModelSettings | undefined {
  const given = Object.values(flags).some((v) => v !== undefined);
  if (!given) return settings;
  const basket = { ...settings?.basket };
  const number = (flag: keyof BasketFlags): number | undefined => {
    const text = flags[flag];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`--${flag} takes a number, got "${text}"`);
    return value;
  };
  basket.minSupport = number('min-support') ?? basket.minSupport;
  basket.minConfidence = number('min-confidence') ?? basket.minConfidence;
  basket.maxSize = number('max-size') ?? basket.maxSize;
  const by = flags['basket-by'];
  if (by !== undefined) {
    if (by !== 'product' && by !== 'category') throw new Error(`--basket-by is product or category, got "${by}"`);
    basket.basketBy = by;
  }
  return { ...settings, basket };
}
