/**
 * Seeded generator of the demo store (a 家居 + 咖啡 shop): orders.csv, customers.csv and events.csv.
 * Same output bytes on every run, in any time zone: `npm run sample`.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const SEED = 20240618;

// ---------------------------------------------------------------------------------------------
// Random numbers: mulberry32, one independent stream per part so that tuning one part leaves the
// others unchanged.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

class Rng {
  private readonly next: () => number;
  constructor(stream: string) {
    this.next = mulberry32((SEED ^ hashString(stream)) >>> 0);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Index drawn with the given (non-negative) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
  exp(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Gamma(shape, scale) by Marsaglia and Tsang. */
  gamma(shape: number, scale: number): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
    }
  }
  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    return x / (x + this.gamma(b, 1));
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar. Times are seconds since 2024-01-01 00:00:00 local wall-clock time; they are formatted
// with UTC arithmetic only, so the machine's time zone never matters.

const DAY = 86_400;
const DAYS = 731; // 2024-01-01 .. 2025-12-31 (2024 is a leap year)
const END = DAYS * DAY - 1;
const EPOCH_MS = Date.UTC(2024, 0, 1);
const DOUYIN_LAUNCH = dayOf(2024, 5, 1); // the 抖音 shop opened in May 2024
const SPRING_FESTIVALS = [dayOf(2024, 2, 10), dayOf(2025, 1, 29)];

function dayOf(year: number, month: number, dom: number): number {
  return Math.round((Date.UTC(year, month - 1, dom) - EPOCH_MS) / 86_400_000);
}

function formatTs(seconds: number): string {
  const iso = new Date(EPOCH_MS + seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

interface DayInfo {
  month: number;
  dom: number;
  weekend: boolean;
  /** Demand multiplier of the day: shopping festivals up, 春节 down. */
  festival: number;
  /** Line discount in percent that the shop runs that day (100 = none). */
  promo: number;
}

const CALENDAR: DayInfo[] = Array.from({ length: DAYS }, (_, d) => {
  const date = new Date(EPOCH_MS + d * 86_400_000);
  const month = date.getUTCMonth() + 1;
  const dom = date.getUTCDate();
  const weekday = date.getUTCDay();
  let festival = 1;
  let promo = 100;
  if (month === 11 && dom <= 10) [festival, promo] = [1.7, 85];
  else if (month === 11 && dom === 11) [festival, promo] = [4.2, 85];
  else if (month === 11 && dom === 12) festival = 1.3;
  else if (month === 6 && dom <= 17) [festival, promo] = [1.45, 88];
  else if (month === 6 && dom === 18) [festival, promo] = [3.2, 88];
  else if (month === 12 && dom === 12) [festival, promo] = [1.6, 90];
  else if (month === 12 && dom >= 15 && dom <= 24) [festival, promo] = [1.55, dom >= 20 ? 90 : 100];
  else if (month === 12 && dom === 25) festival = 1.2;
  else if (month === 3 && dom === 8) festival = 1.35;
  else if (month === 5 && dom === 20) festival = 1.4;
  else if (month === 10 && dom <= 7) festival = 1.1;
  for (const sf of SPRING_FESTIVALS) {
    const k = d - sf;
    if (k >= -12 && k <= -5) festival = 1.2; // 年货节
    else if (k >= -4 && k <= 6) festival = 0.35; // couriers stop, shops close
    else if (k >= 7 && k <= 10) festival = 0.7;
  }
  return { month, dom, weekend: weekday === 0 || weekday === 6, festival, promo };
});
const MAX_DEMAND = 4.2 * 1.15;

function demand(d: number): number {
  const info = CALENDAR[d];
  return info.festival * (info.weekend ? 1.15 : 1);
}

const ONLINE_HOURS = [
  0.7, 0.35, 0.15, 0.08, 0.05, 0.08, 0.2, 0.5, 0.9, 1.2, 1.5, 1.5, 1.4, 1.3, 1.3, 1.3, 1.2, 1.1, 1.1,
  1.4, 1.9, 2.1, 1.9, 1.2,
];
const STORE_HOURS = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.8, 1.1, 1.3, 1.0, 1.1, 1.3, 1.4, 1.3, 1.2, 1.3, 1.2, 0.6, 0, 0,
];
const SINGLES_DAY_HOURS = ONLINE_HOURS.map((w, h) => (h <= 1 ? w * 8 : w));

function timeOnDay(rng: Rng, d: number, channel: Channel): number {
  const info = CALENDAR[d];
  const hours =
    channel === '门店' ? STORE_HOURS : info.month === 11 && info.dom === 11 ? SINGLES_DAY_HOURS : ONLINE_HOURS;
  return d * DAY + rng.weighted(hours) * 3600 + rng.int(0, 3599);
}

// ---------------------------------------------------------------------------------------------
// Catalogue.

export const CATEGORIES = ['咖啡豆', '咖啡器具', '即饮咖啡', '杯具', '家纺', '香薰', '收纳', '餐具'] as const;
type Category = (typeof CATEGORIES)[number];
type Season = 'summer' | 'winter' | 'xmas' | 'gift' | '';

interface Product {
  key: string;
  name: string;
  category: Category;
  /** List price in fen. */
  price: number;
  popularity: number;
  consumable: boolean;
  season: Season;
}

// key, name, category, price (yuan), popularity, consumable, season
const CATALOGUE: [string, string, Category, number, number, boolean, Season][] = [
  ['yirga', '手冲咖啡豆 埃塞俄比亚 耶加雪菲 250g', '咖啡豆', 88, 3.0, true, ''],
  ['guji', '手冲咖啡豆 埃塞俄比亚 古吉 250g', '咖啡豆', 98, 1.8, true, ''],
  ['huila', '手冲咖啡豆 哥伦比亚 慧兰 250g', '咖啡豆', 78, 1.8, true, ''],
  ['kenya', '手冲咖啡豆 肯尼亚 AA 250g', '咖啡豆', 108, 1.2, true, ''],
  ['geisha', '手冲咖啡豆 巴拿马 瑰夏 100g', '咖啡豆', 168, 0.6, true, 'gift'],
  ['guatemala', '手冲咖啡豆 危地马拉 安提瓜 250g', '咖啡豆', 86, 1.0, true, ''],
  ['yunnan', '云南保山 小粒咖啡豆 250g', '咖啡豆', 58, 2.0, true, ''],
  ['mandheling', '曼特宁 深烘咖啡豆 250g', '咖啡豆', 76, 1.4, true, ''],
  ['decaf', '低因咖啡豆 哥伦比亚 250g', '咖啡豆', 92, 0.6, true, ''],
  ['espresso500', '意式拼配咖啡豆 500g', '咖啡豆', 98, 2.4, true, ''],
  ['espresso1k', '意式拼配咖啡豆 1kg', '咖啡豆', 178, 1.0, true, ''],
  ['dripbag', '挂耳咖啡 精品拼配 10片', '咖啡豆', 45, 2.6, true, ''],
  ['ground', '咖啡粉 中度研磨 250g', '咖啡豆', 68, 0.9, true, ''],
  ['kettle', '手冲壶 细口 600ml', '咖啡器具', 169, 1.6, false, 'gift'],
  ['ekettle', '温控手冲壶 电热', '咖啡器具', 359, 0.7, false, 'gift'],
  ['v60', 'V60 滤杯 树脂', '咖啡器具', 59, 1.4, false, ''],
  ['dripper', '陶瓷滤杯 蛋糕杯', '咖啡器具', 89, 0.8, false, ''],
  ['conefilter', '锥形滤纸 100张', '咖啡器具', 19, 2.2, true, ''],
  ['flatfilter', '平底滤纸 50张', '咖啡器具', 16, 0.7, true, ''],
  ['handgrinder', '手摇磨豆机', '咖啡器具', 239, 0.9, false, 'gift'],
  ['egrinder', '电动磨豆机', '咖啡器具', 599, 0.4, false, ''],
  ['frenchpress', '法压壶 350ml', '咖啡器具', 129, 0.9, false, ''],
  ['moka', '摩卡壶 3人份', '咖啡器具', 189, 0.6, false, ''],
  ['scale', '咖啡电子秤 计时', '咖啡器具', 119, 0.6, false, ''],
  ['server', '玻璃分享壶 600ml', '咖啡器具', 69, 0.7, false, ''],
  ['coldbrewer', '冷萃壶 1L', '咖啡器具', 99, 0.6, false, 'summer'],
  ['frother', '电动奶泡器', '咖啡器具', 79, 0.6, false, ''],
  ['coldbrew6', '冷萃咖啡液 6瓶装', '即饮咖啡', 59, 2.6, true, 'summer'],
  ['coldbrew12', '冷萃咖啡液 12瓶装', '即饮咖啡', 109, 1.0, true, 'summer'],
  ['freezedried', '冻干咖啡粉 24颗', '即饮咖啡', 89, 2.0, true, ''],
  ['oatlatte', '燕麦拿铁 即饮 250ml×6', '即饮咖啡', 45, 1.4, true, 'summer'],
  ['americano', '美式黑咖啡 即饮 330ml×12', '即饮咖啡', 69, 1.2, true, 'summer'],
  ['capsule', '浓缩咖啡胶囊 20颗', '即饮咖啡', 79, 1.0, true, ''],
  ['coconutlatte', '生椰拿铁 即饮 250ml×6', '即饮咖啡', 52, 1.0, true, 'summer'],
  ['mug', '陶瓷马克杯', '杯具', 49, 3.0, false, ''],
  ['mugbox', '手绘马克杯 礼盒装', '杯具', 128, 0.9, false, 'gift'],
  ['doubleglass', '双层玻璃杯 350ml', '杯具', 59, 1.5, false, ''],
  ['tumbler', '随行保温咖啡杯', '杯具', 139, 1.1, false, 'winter'],
  ['espressocup', '浓缩咖啡杯碟套装', '杯具', 69, 0.7, false, ''],
  ['stoneware', '日式粗陶杯', '杯具', 39, 1.3, false, ''],
  ['couplecups', '情侣对杯 礼盒', '杯具', 168, 0.6, false, 'gift'],
  ['glass', '耐热玻璃水杯', '杯具', 29, 1.3, false, ''],
  ['thermos', '304不锈钢保温杯 500ml', '杯具', 119, 0.9, false, 'winter'],
  ['pillowcase', '亚麻抱枕套', '家纺', 79, 2.2, false, ''],
  ['pillowinsert', '羽丝绒抱枕芯', '家纺', 49, 1.2, false, ''],
  ['beddingset', '纯棉四件套 1.8m', '家纺', 499, 1.0, false, ''],
  ['summerquilt', '水洗棉夏凉被', '家纺', 269, 0.8, false, 'summer'],
  ['fleeceblanket', '珊瑚绒毛毯', '家纺', 159, 0.9, false, 'winter'],
  ['throw', '针织沙发盖毯', '家纺', 199, 0.8, false, 'winter'],
  ['tablecloth', '棉麻桌布', '家纺', 89, 1.0, false, ''],
  ['curtain', '亚麻窗帘 单片', '家纺', 259, 0.5, false, ''],
  ['towel', '纯棉浴巾', '家纺', 69, 1.4, false, ''],
  ['rug', '北欧风地毯 120×160', '家纺', 329, 0.5, false, ''],
  ['candle', '香薰蜡烛', '香薰', 69, 2.8, false, 'xmas'],
  ['candlebox', '大豆蜡香薰蜡烛 礼盒', '香薰', 158, 1.0, false, 'gift'],
  ['reed', '无火香薰 藤条 150ml', '香薰', 89, 1.8, false, ''],
  ['oil', '香薰精油 10ml', '香薰', 59, 1.5, true, ''],
  ['diffuser', '超声波香薰机', '香薰', 199, 0.8, false, 'gift'],
  ['refill', '香薰补充液 200ml', '香薰', 79, 1.2, true, ''],
  ['carscent', '车载香薰', '香薰', 49, 1.0, false, ''],
  ['incense', '檀香线香', '香薰', 39, 0.8, true, ''],
  ['xmasbox', '圣诞香氛礼盒', '香薰', 268, 2.5, false, 'xmas'],
  ['basket', '棉麻收纳筐', '收纳', 59, 2.0, false, ''],
  ['deskbox', '桌面收纳盒', '收纳', 39, 1.8, false, ''],
  ['clothesbox', '衣物收纳箱 3件套', '收纳', 99, 1.2, false, ''],
  ['vacuumbag', '真空压缩袋 8件套', '收纳', 59, 1.2, false, ''],
  ['drawer', '抽屉分隔盒', '收纳', 29, 1.3, false, ''],
  ['capsulerack', '咖啡胶囊收纳架', '收纳', 69, 0.5, false, ''],
  ['bambootray', '竹制收纳托盘', '收纳', 45, 0.9, false, ''],
  ['shelf', '挂墙置物架', '收纳', 89, 0.8, false, ''],
  ['plate', '陶瓷餐盘 8寸', '餐具', 39, 2.0, false, ''],
  ['bowls', '日式饭碗 4只装', '餐具', 69, 1.5, false, ''],
  ['chopsticks', '实木筷子 10双', '餐具', 39, 1.4, false, ''],
  ['cutlery', '不锈钢刀叉勺套装', '餐具', 89, 1.0, false, ''],
  ['dinnerset', '釉下彩餐具 16件套', '餐具', 299, 0.6, false, 'gift'],
  ['saladbowl', '玻璃沙拉碗', '餐具', 49, 1.0, false, ''],
  ['woodtray', '木质托盘', '餐具', 59, 0.9, false, ''],
  ['dessertset', '甜品叉勺 6支', '餐具', 35, 0.9, false, ''],
  ['bonechina', '骨瓷碗碟 礼盒', '餐具', 399, 0.4, false, 'gift'],
];

const PRODUCTS: Product[] = CATALOGUE.map(([key, name, category, yuan, popularity, consumable, season]) => ({
  key,
  name,
  category,
  price: yuan * 100,
  popularity,
  consumable,
  season,
}));
const PRODUCT_BY_KEY = new Map(PRODUCTS.map((p) => [p.key, p]));

const GROUPS: Record<string, string[]> = {
  pourBeans: ['yirga', 'guji', 'huila', 'kenya', 'guatemala', 'yunnan', 'geisha'],
  beans: ['yirga', 'guji', 'huila', 'kenya', 'guatemala', 'yunnan', 'mandheling', 'espresso500', 'decaf'],
  darkBeans: ['mandheling', 'espresso500', 'yunnan', 'ground'],
  espressoBeans: ['espresso500', 'espresso1k'],
  filters: ['conefilter'],
  drippers: ['v60', 'dripper'],
  coffeeToGo: ['dripbag', 'freezedried', 'coldbrew6'],
  plates: ['plate', 'bowls', 'chopsticks', 'saladbowl'],
};

/** What tends to be bought together: product key → [product key or group, probability]. */
const ASSOCIATIONS: Record<string, [string, number][]> = {
  kettle: [['conefilter', 0.7], ['pourBeans', 0.6], ['drippers', 0.45], ['server', 0.25], ['scale', 0.2]],
  ekettle: [['conefilter', 0.65], ['pourBeans', 0.6], ['drippers', 0.4], ['scale', 0.3]],
  v60: [['conefilter', 0.75], ['pourBeans', 0.45], ['server', 0.2]],
  dripper: [['conefilter', 0.7], ['pourBeans', 0.45]],
  handgrinder: [['beans', 0.7], ['conefilter', 0.25]],
  egrinder: [['beans', 0.75]],
  frenchpress: [['darkBeans', 0.55], ['mug', 0.2]],
  moka: [['espressoBeans', 0.6], ['espressocup', 0.25]],
  coldbrewer: [['darkBeans', 0.45]],
  frother: [['espressoBeans', 0.45], ['mug', 0.3]],
  server: [['conefilter', 0.3]],
  mug: [['beans', 0.25], ['coffeeToGo', 0.2], ['candle', 0.06]],
  mugbox: [['beans', 0.3], ['dripbag', 0.2]],
  stoneware: [['beans', 0.15], ['dripbag', 0.15]],
  doubleglass: [['coldbrew6', 0.25], ['beans', 0.12]],
  espressocup: [['espressoBeans', 0.4]],
  tumbler: [['coffeeToGo', 0.2]],
  conefilter: [['pourBeans', 0.3]],
  flatfilter: [['beans', 0.3]],
  yirga: [['conefilter', 0.14], ['guji', 0.1]],
  huila: [['conefilter', 0.12]],
  espresso500: [['frother', 0.04]],
  capsulerack: [['capsule', 0.55]],
  capsule: [['capsulerack', 0.05]],
  pillowcase: [['pillowinsert', 0.6], ['throw', 0.08]],
  beddingset: [['fleeceblanket', 0.15], ['summerquilt', 0.12], ['towel', 0.12]],
  curtain: [['rug', 0.15], ['tablecloth', 0.1]],
  diffuser: [['oil', 0.7]],
  reed: [['refill', 0.35], ['candle', 0.12]],
  candle: [['incense', 0.08], ['reed', 0.08]],
  plate: [['bowls', 0.35], ['chopsticks', 0.25]],
  bowls: [['chopsticks', 0.35], ['plate', 0.2]],
  dinnerset: [['chopsticks', 0.3], ['woodtray', 0.12]],
  cutlery: [['dessertset', 0.2], ['plates', 0.2]],
  basket: [['deskbox', 0.3], ['drawer', 0.2]],
  clothesbox: [['vacuumbag', 0.45]],
  vacuumbag: [['clothesbox', 0.2]],
};

function seasonFactor(product: Product, d: number): number {
  const { month, dom } = CALENDAR[d];
  let f = 1;
  if (product.category === '即饮咖啡' || product.season === 'summer') {
    f = month >= 6 && month <= 8 ? 1.9 : month === 5 || month === 9 ? 1.3 : month === 12 || month <= 2 ? 0.55 : 1;
  }
  if (product.key === 'summerquilt') f = month >= 5 && month <= 8 ? 3 : 0.15;
  if (product.season === 'winter') f = month >= 10 || month <= 2 ? 2 : month >= 6 && month <= 8 ? 0.35 : 1;
  if (product.category === '香薰' && (month === 11 || month === 12)) f *= 1.5;
  if (product.key === 'xmasbox') f = (month === 11 && dom >= 20) || (month === 12 && dom <= 25) ? 4 : 0;
  if (product.season === 'gift' && (month === 12 || month === 1)) f *= 1.8;
  if (product.key === 'couplecups' && ((month === 5 && dom >= 10 && dom <= 20) || (month === 2 && dom <= 14))) f *= 3;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Customers.

const REGIONS = ['华东', '华南', '华北', '西南', '华中', '西北', '东北'] as const;
const REGION_WEIGHTS = [36, 20, 15, 10, 10, 5, 4];
const CHANNELS = ['小程序', '天猫', '门店', '抖音'] as const;
type Channel = (typeof CHANNELS)[number];
type Persona = 'coffee' | 'home' | 'mixed';
type Segment = 'oneTime' | 'light' | 'regular' | 'loyal';

const PERSONA_WEIGHTS: Record<Persona, Record<Category, number>> = {
  coffee: { 咖啡豆: 4, 咖啡器具: 2.2, 即饮咖啡: 2.5, 杯具: 1.6, 家纺: 0.25, 香薰: 0.35, 收纳: 0.3, 餐具: 0.3 },
  home: { 咖啡豆: 0.4, 咖啡器具: 0.2, 即饮咖啡: 0.6, 杯具: 1.6, 家纺: 3, 香薰: 2.6, 收纳: 2.2, 餐具: 2.6 },
  mixed: { 咖啡豆: 1.3, 咖啡器具: 0.9, 即饮咖啡: 1.2, 杯具: 1.4, 家纺: 1.3, 香薰: 1.3, 收纳: 1, 餐具: 1.2 },
};

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN_CHARS =
  '伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯欣怡雪婷琳晨阳佳颖子涵梓轩若彤思雨嘉欣一诺雨桐俊熙晓梅海燕志强丹宁瑶瑾萱博睿昊然宏亮慧倩露璐';
const PHONE_PREFIXES = [
  '130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157',
  '158', '159', '166', '173', '176', '177', '180', '181', '182', '185', '186', '187', '188', '189', '198', '199',
];

interface Customer {
  id: string;
  name: string;
  phone: string;
  region: (typeof REGIONS)[number];
  channel: Channel;
  registeredAt: number;
  persona: Persona;
  segment: Segment | 'lead';
  /** Seconds of the first order, for buyers. */
  firstOrderAt: number;
  /** Purchase rate per day while alive, and chance to drop out after each purchase (BG/NBD style). */
  rate: number;
  dropout: number;
  favouriteBean: string;
  owned: Set<string>;
  orderTimes: number[];
}

function chineseName(rng: Rng): string {
  const surname = SURNAMES[Math.min(SURNAMES.length - 1, Math.floor(Math.pow(rng.float(), 1.8) * SURNAMES.length))];
  const given = rng.chance(0.7)
    ? GIVEN_CHARS[rng.int(0, GIVEN_CHARS.length - 1)] + GIVEN_CHARS[rng.int(0, GIVEN_CHARS.length - 1)]
    : GIVEN_CHARS[rng.int(0, GIVEN_CHARS.length - 1)];
  return surname + given;
}

function maskedPhone(rng: Rng): string {
  return `${rng.pick(PHONE_PREFIXES)}****${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

function channelFor(rng: Rng, region: string, d: number): Channel {
  const store = region === '华东' || region === '华南' ? 20 : 0; // shops in 上海, 杭州 and 深圳 only
  const douyin = d >= DOUYIN_LAUNCH ? 6 + (14 * (d - DOUYIN_LAUNCH)) / (DAYS - DOUYIN_LAUNCH) : 0;
  return CHANNELS[rng.weighted([42, 32, store, douyin])];
}

/** Code-unit order, the same on every machine (unlike localeCompare). */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cumulative(weights: number[]): number[] {
  const out: number[] = [];
  let total = 0;
  for (const w of weights) out.push((total += w));
  return out;
}

function drawDay(rng: Rng, cdf: number[]): number {
  const x = rng.float() * cdf[cdf.length - 1];
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const BUYERS = 5000;
const LEADS = 800;

/** New customers per day: growing over the two years, with the same festival peaks as orders. */
function acquisitionCdf(): number[] {
  return cumulative(CALENDAR.map((_, d) => (1.3 - (0.1 * d) / DAYS) * Math.pow(demand(d), 0.9)));
}

function makeCustomers(): Customer[] {
  const rng = new Rng('customers');
  const acquisition = acquisitionCdf();
  const customers: Customer[] = [];
  for (let i = 0; i < BUYERS + LEADS; i++) customers.push(drawCustomer(rng, acquisition, i >= BUYERS));
  // Ids follow registration order: C00001 is the oldest account.
  const byRegistration = customers.map((c, i) => [c.registeredAt, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  byRegistration.forEach(([, i], rank) => {
    customers[i].id = `C${String(rank + 1).padStart(5, '0')}`;
  });
  return customers;
}

/** One customer (id left empty): region, home channel, taste, buying segment, first order and registration. */
function drawCustomer(rng: Rng, acquisition: number[], lead: boolean): Customer {
  const region = REGIONS[rng.weighted(REGION_WEIGHTS)];
  const d = drawDay(rng, acquisition);
  const channel = channelFor(rng, region, d);
  const persona = (['coffee', 'home', 'mixed'] as const)[rng.weighted([40, 35, 25])];
  const segment: Segment | 'lead' = lead
    ? 'lead'
    : (['oneTime', 'light', 'regular', 'loyal'] as const)[rng.weighted([42, 33, 19, 6])];
  // Orders per month while alive, and the chance of leaving after each order.
  const [meanPerMonth, dropA, dropB] =
    segment === 'light' ? [0.9, 3, 6.5] : segment === 'regular' ? [2.3, 1.5, 13] : segment === 'loyal' ? [4.6, 1.2, 40] : [0, 1, 1];
  const rate = meanPerMonth > 0 ? Math.min(6, rng.gamma(4, meanPerMonth / 4)) / 30.4 : 0;
  const dropout = segment === 'oneTime' || lead ? 1 : rng.beta(dropA, dropB);
  const firstOrderAt = timeOnDay(rng, d, channel);
  // Registration: mostly in the session of the first order, some earlier (a few before 2024).
  const r = rng.float();
  let registeredAt =
    lead || r < 0.55 ? firstOrderAt - rng.int(60, 1800) : r < 0.85 ? firstOrderAt - rng.int(1, 60) * DAY - rng.int(0, DAY - 1) : firstOrderAt - rng.int(61, 300) * DAY - rng.int(0, DAY - 1);
  if (channel === '抖音') registeredAt = Math.max(registeredAt, DOUYIN_LAUNCH * DAY + rng.int(0, DAY - 1));
  if (channel === '抖音' && registeredAt >= firstOrderAt) registeredAt = firstOrderAt - rng.int(60, 1800);
  return {
    id: '',
    name: chineseName(rng),
    phone: maskedPhone(rng),
    region,
    channel,
    registeredAt: lead ? Math.max(0, registeredAt) : registeredAt,
    persona,
    segment,
    firstOrderAt: lead ? -1 : firstOrderAt,
    rate,
    dropout,
    favouriteBean: '',
    owned: new Set(),
    orderTimes: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Orders.

type Status = '已完成' | '已退款' | '部分退款';

interface Line {
  product: Product;
  quantity: number;
  /** Paid amount in fen. */
  amount: number;
}

interface Order {
  id: string;
  customer: Customer | null;
  at: number;
  channel: Channel;
  lines: Line[];
  status: Status;
  refundAt: number;
  refundLines: Line[];
}

function quantityFor(rng: Rng, product: Product, customer: Customer | null): number {
  if (product.consumable) {
    const loyal = customer?.segment === 'loyal' || customer?.segment === 'regular';
    return 1 + rng.weighted(loyal ? [46, 34, 15, 4, 1] : [64, 26, 8, 1.5, 0.5]);
  }
  if (product.category === '杯具' || product.category === '餐具') return 1 + rng.weighted([72, 22, 4, 2]);
  return 1 + rng.weighted([90, 8.5, 1.5]);
}

function productWeight(product: Product, customer: Customer | null, d: number, repeat: boolean): number {
  const persona = customer?.persona ?? 'mixed';
  let w = PERSONA_WEIGHTS[persona][product.category] * product.popularity * seasonFactor(product, d);
  if (repeat) w *= product.consumable ? 1.5 : 0.8;
  if (customer) {
    if (customer.owned.has(product.key) && !product.consumable) w *= 0.15;
    if (customer.favouriteBean === product.key) w *= 6;
    const brews = customer.owned.has('kettle') || customer.owned.has('ekettle') || customer.owned.has('v60');
    if (brews && (product.key === 'conefilter' || GROUPS.pourBeans.includes(product.key))) w *= 1.8;
  }
  return w;
}

function pickProduct(rng: Rng, candidates: Product[], customer: Customer | null, d: number, repeat: boolean, basket: Line[]): Product | null {
  const weights = candidates.map((p) =>
    basket.some((l) => l.product === p) ? 0 : productWeight(p, customer, d, repeat),
  );
  if (weights.every((w) => w === 0)) return null;
  return candidates[rng.weighted(weights)];
}

function makeBasket(rng: Rng, customer: Customer | null, at: number, repeat: boolean): Line[] {
  const d = Math.floor(at / DAY);
  const basket: Line[] = [];
  const add = (product: Product) => basket.push({ product, quantity: quantityFor(rng, product, customer), amount: 0 });
  const anchor = pickProduct(rng, PRODUCTS, customer, d, repeat, basket);
  if (anchor) add(anchor);
  for (let i = 0; i < basket.length && basket.length < 4; i++) {
    for (const [target, p] of ASSOCIATIONS[basket[i].product.key] ?? []) {
      if (basket.length >= 4 || !rng.chance(p)) continue;
      const keys = GROUPS[target] ?? [target];
      const next = pickProduct(rng, keys.map((k) => PRODUCT_BY_KEY.get(k)!), customer, d, repeat, basket);
      if (next) add(next);
    }
  }
  const fill = customer?.segment === 'loyal' ? [0.3, 0.22, 0.14] : [0.18, 0.14, 0.1];
  while (basket.length < 4 && rng.chance(fill[basket.length - 1])) {
    const next = pickProduct(rng, PRODUCTS, customer, d, repeat, basket);
    if (!next) break;
    add(next);
  }
  const promo = CALENDAR[d].promo < 100 ? CALENDAR[d].promo : rng.chance(0.07) ? 95 : 100;
  for (const line of basket) line.amount = Math.round((line.quantity * line.product.price * promo) / 100);
  if (customer) {
    for (const line of basket) {
      customer.owned.add(line.product.key);
      if (!customer.favouriteBean && line.product.category === '咖啡豆' && line.product.key !== 'dripbag') {
        customer.favouriteBean = line.product.key;
      }
    }
  }
  return basket;
}

function orderChannel(rng: Rng, customer: Customer, d: number): Channel {
  return rng.chance(0.82) ? customer.channel : channelFor(rng, customer.region, d);
}

const GUEST_LINES = 40;
const GUEST_WHITESPACE_IDS = 6;

function newOrder(customer: Customer | null, at: number, channel: Channel, lines: Line[]): Order {
  return { id: '', customer, at, channel, lines, status: '已完成', refundAt: -1, refundLines: [] };
}

/** A buyer's orders: the first, then Poisson purchases thinned by the day's demand until they drop out or time ends. */
function customerOrders(rng: Rng, customer: Customer, push: (order: Order) => void): void {
  let t = customer.firstOrderAt;
  push(newOrder(customer, t, customer.channel, makeBasket(rng, customer, t, false)));
  customer.orderTimes.push(t);
  if (customer.dropout >= 1) return;
  let alive = !rng.chance(customer.dropout);
  let day = t / DAY;
  while (alive) {
    day += rng.exp(customer.rate * MAX_DEMAND);
    if (day >= DAYS) break;
    const d = Math.floor(day);
    if (!rng.chance(demand(d) / MAX_DEMAND)) continue;
    const channel = orderChannel(rng, customer, d);
    t = timeOnDay(rng, d, channel);
    if (t <= customer.orderTimes[customer.orderTimes.length - 1]) t = customer.orderTimes[customer.orderTimes.length - 1] + rng.int(600, 7200);
    if (t > END) break;
    push(newOrder(customer, t, channel, makeBasket(rng, customer, t, true)));
    customer.orderTimes.push(t);
    alive = !rng.chance(customer.dropout);
  }
}

/** ~2% of member orders refunded in full, ~1% in part (a unit back), 1–14 days later; sets status and refund lines. */
function maybeRefund(rng: Rng, order: Order): void {
  if (!order.customer || order.at > END - 15 * DAY) return;
  const r = rng.float();
  const units = order.lines.reduce((n, l) => n + l.quantity, 0);
  if (r < 0.02) {
    order.status = '已退款';
    order.refundLines = order.lines.map((l) => ({ product: l.product, quantity: -l.quantity, amount: -l.amount }));
  } else if (r < 0.035 && units >= 2) {
    order.status = '部分退款';
    const line = rng.pick(order.lines);
    order.refundLines = [{ product: line.product, quantity: -1, amount: -Math.round(line.amount / line.quantity) }];
  } else return;
  order.refundAt = order.at + rng.int(1, 14) * DAY + rng.int(-3 * 3600, 3 * 3600);
}

function makeOrders(customers: Customer[]): Order[] {
  const rng = new Rng('orders');
  const orders: Order[] = [];
  for (const customer of customers) {
    if (customer.segment !== 'lead') customerOrders(rng, customer, (o) => orders.push(o));
  }
  // Walk-in guests at the shops (no member account): exactly GUEST_LINES lines.
  let guestLines = 0;
  while (guestLines < GUEST_LINES) {
    const d = rng.int(0, DAYS - 1);
    const at = timeOnDay(rng, d, '门店');
    const lines = makeBasket(rng, null, at, false).slice(0, GUEST_LINES - guestLines);
    guestLines += lines.length;
    orders.push(newOrder(null, at, '门店', lines));
  }
  // Order ids: DD + yymmdd + sequence of the day, in time order.
  orders.sort((a, b) => a.at - b.at || ordinal(a.customer?.id ?? '', b.customer?.id ?? ''));
  let currentDay = -1;
  let seq = 0;
  for (const order of orders) {
    const d = Math.floor(order.at / DAY);
    if (d !== currentDay) [currentDay, seq] = [d, 0];
    const date = formatTs(order.at);
    order.id = `DD${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}${String(++seq).padStart(4, '0')}`;
  }
  for (const order of orders) maybeRefund(rng, order);
  return orders;
}

// ---------------------------------------------------------------------------------------------
// Events: browsing and lead stages from the mini-program and the shops' CRM.

const EVENT_NAMES = ['浏览', '咨询', '报价', '试用'] as const;
type EventName = (typeof EVENT_NAMES)[number];
interface CrmEvent {
  customer: Customer;
  at: number;
  event: EventName;
}

function makeEvents(customers: Customer[]): CrmEvent[] {
  const rng = new Rng('events');
  const events: CrmEvent[] = [];
  const push = (customer: Customer, at: number, event: EventName) => {
    const t = Math.min(END, Math.max(0, Math.round(at)));
    if (t >= Math.max(0, customer.registeredAt)) events.push({ customer, at: t, event });
  };
  const between = (from: number, to: number) => from + rng.float() * Math.max(0, to - from);
  for (const customer of customers) {
    const start = Math.max(0, customer.registeredAt);
    if (customer.segment === 'lead') {
      // Leads: some never interact, most browse, some ask, get a quote (company gifts) or a tasting.
      const r = rng.float();
      if (r < 0.3) continue;
      const horizon = Math.min(END, start + rng.int(3, 120) * DAY);
      const views = rng.int(1, 7);
      for (let i = 0; i < views; i++) push(customer, between(start, horizon), '浏览');
      if (r > 0.72) {
        push(customer, between(start, horizon), '咨询');
        if (rng.chance(0.35)) push(customer, between(start, horizon), '报价');
        if (rng.chance(0.4)) push(customer, between(start, horizon), '试用');
      }
      continue;
    }
    const tracked = rng.chance(customer.channel === '门店' ? 0.35 : 0.7);
    if (!tracked) continue;
    const first = customer.firstOrderAt;
    if (first - start > 3600) {
      const views = rng.int(1, 4);
      for (let i = 0; i < views; i++) push(customer, between(start, first - 60), '浏览');
      if (rng.chance(0.25)) push(customer, between(start, first - 60), '咨询');
      if (rng.chance(customer.persona === 'coffee' ? 0.18 : 0.07)) push(customer, between(start, first - 60), '试用');
      if (rng.chance(0.03)) push(customer, between(start, first - 60), '报价');
    } else if (rng.chance(0.6)) {
      push(customer, first - rng.int(120, 1800), '浏览');
    }
    for (const at of customer.orderTimes.slice(1)) {
      if (!rng.chance(0.4)) continue;
      const views = rng.int(1, 3);
      for (let i = 0; i < views; i++) push(customer, at - rng.int(60, 3 * DAY), '浏览');
      if (rng.chance(0.05)) push(customer, at - rng.int(600, 2 * DAY), '咨询');
    }
    // Some who stopped buying still look around.
    const last = customer.orderTimes[customer.orderTimes.length - 1];
    if (last < END - 120 * DAY && rng.chance(0.25)) {
      const views = rng.int(1, 3);
      for (let i = 0; i < views; i++) push(customer, between(last + 30 * DAY, END), '浏览');
    }
  }
  events.sort(
    (a, b) => a.at - b.at || ordinal(a.customer.id, b.customer.id) || EVENT_NAMES.indexOf(a.event) - EVENT_NAMES.indexOf(b.event),
  );
  return events;
}

// ---------------------------------------------------------------------------------------------
// Rows of orders.csv, and the dirt seeded into them.

export const ORDER_HEADER = ['订单号', '客户编号', '下单时间', '商品名称', '品类', '数量', '单价', '实付金额', '渠道', '订单状态'];

interface OrderRow {
  order: Order;
  line: Line;
  at: number;
  refund: boolean;
  customerId: string;
  time: string;
  amount: string;
}

const BAD_DATES = [
  '2024/2/30',
  '未知',
  '2025-02-29 13:05:44',
  '2024-04-31 20:15:00',
  '0000-00-00 00:00:00',
  '2024-13-02 10:00:00',
  '2025/6/31',
  '待定',
  '2024-09-31 08:30:00',
  '2025-11-31 21:11:11',
];
const BAD_AMOUNTS = ['--', 'N/A', '#VALUE!', '待结算', '--'];
const DUPLICATED_ROWS = 30;
const PADDED_IDS = 24;
const CURRENCY_AMOUNTS = 12;

function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function yuanWithSymbol(fen: number, symbol: string): string {
  const [int, dec] = yuan(fen).split('.');
  return `${symbol}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

/** The dirt seeded into orders.csv, row counts unless named otherwise. */
export interface DirtCounts {
  duplicateRows: number;
  blankCustomerRows: number;
  whitespaceOnlyCustomerRows: number;
  badDateRows: number;
  badAmountRows: number;
  paddedCustomerIdRows: number;
  currencyFormattedAmountRows: number;
  fullyRefundedOrders: number;
  fullRefundLines: number;
  partiallyRefundedOrders: number;
  partialRefundLines: number;
}

function makeRows(orders: Order[]): { rows: OrderRow[]; dirt: DirtCounts } {
  const rng = new Rng('dirt');
  const rows: OrderRow[] = [];
  for (const order of orders) {
    const customerId = order.customer?.id ?? '';
    for (const line of order.lines) {
      rows.push({ order, line, at: order.at, refund: false, customerId, time: formatTs(order.at), amount: yuan(line.amount) });
    }
    for (const line of order.refundLines) {
      rows.push({ order, line, at: order.refundAt, refund: true, customerId, time: formatTs(order.refundAt), amount: yuan(line.amount) });
    }
  }
  rows.sort((a, b) => a.at - b.at || ordinal(a.order.id, b.order.id));

  // Each faulty row has one fault, on a plain line of a completed member order.
  const clean = rows.map((_, i) => i).filter((i) => rows[i].order.customer && rows[i].order.status === '已完成');
  rng.shuffle(clean);
  let next = 0;
  const take = (n: number, ok: (r: OrderRow) => boolean = () => true) => {
    const out: number[] = [];
    for (let i = next; i < clean.length && out.length < n; i++) {
      if (clean[i] >= 0 && ok(rows[clean[i]])) {
        out.push(clean[i]);
        clean[i] = -1;
      }
    }
    while (next < clean.length && clean[next] < 0) next++;
    return out.sort((a, b) => a - b);
  };
  const duplicated = take(DUPLICATED_ROWS);
  take(BAD_DATES.length).forEach((i, k) => (rows[i].time = BAD_DATES[k]));
  take(BAD_AMOUNTS.length).forEach((i, k) => (rows[i].amount = BAD_AMOUNTS[k]));
  take(PADDED_IDS).forEach((i, k) => {
    const id = rows[i].customerId;
    rows[i].customerId = [` ${id}`, `${id} `, `  ${id}`, `${id}  `][k % 4];
  });
  const big = take(CURRENCY_AMOUNTS / 2, (r) => r.line.amount >= 100_000);
  const small = take(CURRENCY_AMOUNTS - big.length, (r) => r.line.amount < 100_000);
  [...big, ...small].forEach((i, k) => (rows[i].amount = yuanWithSymbol(rows[i].line.amount, k % 3 === 2 ? '￥' : '¥')));
  const guests = rows.filter((r) => !r.order.customer);
  guests.slice(0, GUEST_WHITESPACE_IDS).forEach((r, k) => (r.customerId = k % 2 ? '  ' : ' '));

  // Exported twice: the copy lands right after the original or a few rows further on.
  const copies = new Map<number, OrderRow[]>();
  for (const i of duplicated) {
    const at = Math.min(rows.length - 1, i + rng.int(0, 3));
    copies.set(at, [...(copies.get(at) ?? []), { ...rows[i] }]);
  }
  const out: OrderRow[] = [];
  rows.forEach((row, i) => out.push(row, ...(copies.get(i) ?? [])));

  const refunded = orders.filter((o) => o.status === '已退款');
  const partial = orders.filter((o) => o.status === '部分退款');
  return {
    rows: out,
    dirt: {
      duplicateRows: duplicated.length,
      blankCustomerRows: guests.length,
      whitespaceOnlyCustomerRows: Math.min(GUEST_WHITESPACE_IDS, guests.length),
      badDateRows: BAD_DATES.length,
      badAmountRows: BAD_AMOUNTS.length,
      paddedCustomerIdRows: PADDED_IDS,
      currencyFormattedAmountRows: big.length + small.length,
      fullyRefundedOrders: refunded.length,
      fullRefundLines: refunded.reduce((n, o) => n + o.refundLines.length, 0),
      partiallyRefundedOrders: partial.length,
      partialRefundLines: partial.reduce((n, o) => n + o.refundLines.length, 0),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What a cleaner following MODELS.md §1 should find, computed from the rows as written.

export interface ExpectedCleaning {
  rowsRead: number;
  rowsLoaded: number;
  duplicatesRemoved: number;
  badDate: number;
  badAmount: number;
  blankCustomer: number;
  orders: number;
  purchases: number;
  /** Sum of net amounts of purchases, in yuan with 2 decimals. */
  revenue: string;
  customersWithPurchase: number;
  repeatCustomers: number;
}

function expectedCleaning(rows: OrderRow[], badDates: Set<string>, badAmounts: Set<string>): ExpectedCleaning {
  const seen = new Set<string>();
  let duplicatesRemoved = 0;
  let badDate = 0;
  let badAmount = 0;
  let blankCustomer = 0;
  const net = new Map<string, { fen: number; refund: boolean; customer: string }>();
  for (const row of rows) {
    const text = orderRowText(row);
    if (seen.has(text)) {
      duplicatesRemoved++;
      continue;
    }
    seen.add(text);
    if (badDates.has(row.time)) {
      badDate++;
      continue;
    }
    if (badAmounts.has(row.amount)) {
      badAmount++;
      continue;
    }
    const customer = row.customerId.trim();
    if (!customer) blankCustomer++;
    const entry = net.get(row.order.id) ?? { fen: 0, refund: false, customer };
    entry.fen += row.line.amount;
    entry.refund ||= row.line.amount < 0 || row.line.quantity < 0;
    net.set(row.order.id, entry);
  }
  let purchases = 0;
  let revenue = 0;
  const perCustomer = new Map<string, number>();
  for (const { fen, refund, customer } of net.values()) {
    if (fen > 0 || (fen === 0 && !refund)) {
      purchases++;
      revenue += fen;
      if (customer) perCustomer.set(customer, (perCustomer.get(customer) ?? 0) + 1);
    }
  }
  return {
    rowsRead: rows.length,
    rowsLoaded: rows.length - duplicatesRemoved - badDate - badAmount,
    duplicatesRemoved,
    badDate,
    badAmount,
    blankCustomer,
    orders: net.size,
    purchases,
    revenue: yuan(revenue),
    customersWithPurchase: perCustomer.size,
    repeatCustomers: [...perCustomer.values()].filter((n) => n >= 2).length,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV writing.

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

function orderRowText(row: OrderRow): string {
  const { order, line } = row;
  return [
    order.id,
    row.customerId,
    row.time,
    line.product.name,
    line.product.category,
    line.quantity,
    yuan(line.product.price),
    row.amount,
    order.channel,
    order.status,
  ]
    .map(csvField)
    .join(',');
}

// ---------------------------------------------------------------------------------------------

export interface Summary {
  seed: number;
  files: Record<'orders.csv' | 'customers.csv' | 'events.csv', { rows: number; bytes: number }>;
  customers: number;
  buyers: number;
  leads: number;
  products: number;
  orders: number;
  memberOrders: number;
  guestOrders: number;
  orderLines: number;
  linesPerOrder: Record<string, number>;
  ordersByYear: Record<string, number>;
  segments: Record<string, number>;
  events: Record<string, number>;
  dirt: DirtCounts;
  expected: ExpectedCleaning;
}

export interface GenerateOptions {
  /** Where to write the three CSV files; default: the folder of this script. */
  outDir?: string;
}

/** Builds the demo store and writes orders.csv, customers.csv and events.csv; returns the summary. */
export function generate(options: GenerateOptions = {}): Summary {
  const outDir = options.outDir ?? dirname(fileURLToPath(import.meta.url));
  const customers = makeCustomers();
  const orders = makeOrders(customers);
  const events = makeEvents(customers);
  const { rows, dirt } = makeRows(orders);

  const ordersCsv = [ORDER_HEADER.join(','), ...rows.map(orderRowText)].join('\n') + '\n';
  const customersSorted = [...customers].sort((a, b) => ordinal(a.id, b.id));
  const customersCsv = csv(
    ['客户编号', '姓名', '手机', '地区', '注册渠道', '注册时间'],
    customersSorted.map((c) => [c.id, c.name, c.phone, c.region, c.channel, formatTs(c.registeredAt)]),
  );
  const eventsCsv = csv(
    ['customer_id', 'event_ts', 'event'],
    events.map((e) => [e.customer.id, formatTs(e.at), e.event]),
  );

  mkdirSync(outDir, { recursive: true });
  const files = { 'orders.csv': ordersCsv, 'customers.csv': customersCsv, 'events.csv': eventsCsv };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);

  const count = <T>(items: T[], key: (item: T) => string) => {
    const out: Record<string, number> = {};
    for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
    return out;
  };
  const memberOrders = orders.filter((o) => o.customer).length;
  return {
    seed: SEED,
    files: {
      'orders.csv': { rows: rows.length, bytes: Buffer.byteLength(ordersCsv) },
      'customers.csv': { rows: customers.length, bytes: Buffer.byteLength(customersCsv) },
      'events.csv': { rows: events.length, bytes: Buffer.byteLength(eventsCsv) },
    },
    customers: customers.length,
    buyers: customers.filter((c) => c.segment !== 'lead').length,
    leads: customers.filter((c) => c.segment === 'lead').length,
    products: PRODUCTS.length,
    orders: orders.length,
    memberOrders,
    guestOrders: orders.length - memberOrders,
    orderLines: orders.reduce((n, o) => n + o.lines.length, 0),
    linesPerOrder: count(orders, (o) => String(o.lines.length)),
    ordersByYear: count(orders, (o) => formatTs(o.at).slice(0, 4)),
    segments: count(customers, (c) => c.segment),
    events: count(events, (e) => e.event),
    dirt,
    expected: expectedCleaning(rows, new Set(BAD_DATES), new Set(BAD_AMOUNTS)),
  };
}

/** The numbers documented in README.md, as `key → value` rows (the test checks README against them). */
export function summaryTable(s: Summary): [string, string][] {
  return [
    ...Object.entries(s.files).flatMap(([file, v]): [string, string][] => [
      [`${file} rows`, String(v.rows)],
      [`${file} bytes`, String(v.bytes)],
    ]),
    ...(['customers', 'buyers', 'leads', 'products', 'orders', 'memberOrders', 'guestOrders', 'orderLines'] as const).map(
      (k): [string, string] => [k, String(s[k])],
    ),
    ...Object.entries(s.dirt).map(([k, v]): [string, string] => [`dirt.${k}`, String(v)]),
    ...Object.entries(s.expected).map(([k, v]): [string, string] => [`expected.${k}`, String(v)]),
  ];
}

function printSummary(s: Summary): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `sample store (seed ${s.seed})`,
    ...Object.entries(s.files).map(([f, v]) => `  ${f.padEnd(14)} ${n(v.rows).padStart(7)} rows  ${n(v.bytes).padStart(10)} bytes`),
    `customers ${n(s.customers)} (buyers ${n(s.buyers)}, leads ${n(s.leads)}); products ${s.products}`,
    `orders ${n(s.orders)} (member ${n(s.memberOrders)}, guest ${s.guestOrders}), order lines ${n(s.orderLines)} before refunds and dirt`,
    `lines per order ${JSON.stringify(s.linesPerOrder)}; orders by year ${JSON.stringify(s.ordersByYear)}`,
    `segments ${JSON.stringify(s.segments)}; events ${JSON.stringify(s.events)}`,
    '',
    'README numbers (tests/unit/sample-data.test.ts checks README.md against these):',
    ...summaryTable(s).map(([k, v]) => `| \`${k}\` | ${v} |`),
  ];
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// The same store at any size, for the benchmark: `npm run sample -- --lines 1000000 --out FILE`.

export interface ScaledOptions {
  /** Rows to write after the header (order lines, refund lines and duplicates together), at most 2^24. */
  lines: number;
  file: string;
}

export interface ScaledSummary {
  rows: number;
  bytes: number;
  /** Buyers drawn (ids C0000001 … in order of drawing). */
  customers: number;
  /** Orders with at least one written line, guest orders included. */
  orders: number;
  guestOrders: number;
  refundLines: number;
  duplicateRows: number;
}

const MAX_SCALED_LINES = 1 << 24;
const STATUSES: readonly Status[] = ['已完成', '已退款', '部分退款'];
/** The sample's rates: 30 duplicated rows in 38,764; 29 guest orders per 5,000 buyers. */
const SCALED_DUPLICATE_RATE = DUPLICATED_ROWS / 38_764;
const SCALED_GUEST_RATE = 29 / BUYERS;

/**
 * orders.csv's columns and habits (catalogue, calendar, segments, baskets, refunds, exact duplicates and walk-in
 * guests at the sample's rates) for as many buyers as it takes to fill `lines` rows, sorted by time like an export.
 * Unreadable dates and amounts are left out so that every column has one type (a Parquet copy gets TIMESTAMP and
 * DECIMAL columns). Lines are held in typed arrays (about 30 bytes each) and written in chunks, so 10M rows fit.
 */
export function writeScaledOrders({ lines, file }: ScaledOptions): ScaledSummary {
  if (!(Number.isInteger(lines) && lines > 0 && lines <= MAX_SCALED_LINES)) throw new RangeError(`lines must be 1 .. ${MAX_SCALED_LINES}`);
  const customerRng = new Rng('scaled-customers');
  const orderRng = new Rng('scaled-orders');
  const extraRng = new Rng('scaled-extras');
  const acquisition = acquisitionCdf();
  const productIndex = new Map(PRODUCTS.map((p, i) => [p, i]));
  // Per line, and per order (grown as needed).
  const lineAt = new Int32Array(lines);
  const lineOrder = new Int32Array(lines);
  const lineProduct = new Uint8Array(lines);
  const lineQuantity = new Int8Array(lines);
  const lineFen = new Int32Array(lines);
  let orderCustomer = new Int32Array(1 << 16);
  let orderAt = new Int32Array(1 << 16);
  let orderSeq = new Int32Array(1 << 16);
  let orderChannel = new Uint8Array(1 << 16);
  let orderStatus = new Uint8Array(1 << 16);
  const perDay = new Int32Array(DAYS);
  let n = 0;
  let orders = 0;
  let customers = 0;
  let guestOrders = 0;
  let refundLines = 0;
  let duplicateRows = 0;

  const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(a.length * 2);
    b.set(a);
    return b;
  };
  const addLine = (order: number, at: number, line: Line, copies: number) => {
    for (let c = 0; c < copies && n < lines; c++, n++) {
      lineAt[n] = at;
      lineOrder[n] = order;
      lineProduct[n] = productIndex.get(line.product)!;
      lineQuantity[n] = line.quantity;
      lineFen[n] = line.amount;
    }
  };
  const addOrder = (order: Order, customerNo: number) => {
    if (n >= lines) return;
    maybeRefund(extraRng, order);
    if (orders === orderAt.length) {
      [orderCustomer, orderAt, orderSeq] = [grow(orderCustomer), grow(orderAt), grow(orderSeq)];
      [orderChannel, orderStatus] = [grow(orderChannel), grow(orderStatus)];
    }
    const k = orders++;
    orderCustomer[k] = customerNo;
    orderAt[k] = order.at;
    orderSeq[k] = ++perDay[Math.floor(order.at / DAY)];
    orderChannel[k] = CHANNELS.indexOf(order.channel);
    orderStatus[k] = STATUSES.indexOf(order.status);
    const copies = () => (extraRng.chance(SCALED_DUPLICATE_RATE) ? 2 : 1);
    for (const line of order.lines) addLine(k, order.at, line, copies());
    for (const line of order.refundLines) addLine(k, order.refundAt, line, 1);
    refundLines += order.refundLines.length;
  };
  while (n < lines) {
    const customer = drawCustomer(customerRng, acquisition, false);
    const no = ++customers;
    customerOrders(orderRng, customer, (order) => addOrder(order, no));
    if (extraRng.chance(SCALED_GUEST_RATE)) {
      const at = timeOnDay(extraRng, extraRng.int(0, DAYS - 1), '门店');
      addOrder(newOrder(null, at, '门店', makeBasket(extraRng, null, at, false)), 0);
      guestOrders++;
    }
  }

  // Time order; lines of one order stay together (consecutive indices break the ties).
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = lineAt[i] * MAX_SCALED_LINES + i;
  keys.sort();
  const fd = openSync(file, 'w');
  let bytes = 0;
  const chunk: string[] = [ORDER_HEADER.join(',')];
  const flush = () => {
    const text = chunk.join('\n') + '\n';
    writeSync(fd, text);
    bytes += Buffer.byteLength(text);
    chunk.length = 0;
  };
  // formatTs, with each day's text made once.
  const dates = Array.from({ length: DAYS }, (_, d) => formatTs(d * DAY).slice(0, 10));
  const idDays = dates.map((d) => `DD${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`);
  const two = (x: number) => (x < 10 ? '0' : '') + x;
  const timeText = (t: number) => {
    const s = t % DAY;
    return `${dates[(t - s) / DAY]} ${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  };
  let previous = '';
  try {
    for (let k = 0; k < n; k++) {
      const i = keys[k] % MAX_SCALED_LINES;
      const o = lineOrder[i];
      const product = PRODUCTS[lineProduct[i]];
      const row = [
        idDays[Math.floor(orderAt[o] / DAY)] + String(orderSeq[o]).padStart(5, '0'),
        orderCustomer[o] ? `C${String(orderCustomer[o]).padStart(7, '0')}` : '',
        timeText(lineAt[i]),
        product.name,
        product.category,
        lineQuantity[i],
        yuan(product.price),
        yuan(lineFen[i]),
        CHANNELS[orderChannel[o]],
        STATUSES[orderStatus[o]],
      ]
        .map(csvField)
        .join(',');
      if (row === previous) duplicateRows++;
      previous = row;
      chunk.push(row);
      if (chunk.length >= 65_536) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { rows: n, bytes, customers, orders, guestOrders, refundLines, duplicateRows };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string' }, out: { type: 'string' } } });
  if (values.lines) {
    const lines = Number(values.lines);
    console.log(writeScaledOrders({ lines, file: values.out ?? `orders-${lines}.csv` }));
  } else printSummary(generate());
}
