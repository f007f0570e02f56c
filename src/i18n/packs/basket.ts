/** Messages of the basket cell(s): zh is the reference set of keys, en must have the same keys. */
export const zh = {};

export const en: Record<keyof typeof zh, string> = {};
