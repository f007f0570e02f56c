/**
 * The first file read after DuckDB starts pays for compiling DuckDB's WebAssembly: V8 compiles each WebAssembly
 * function when it first runs and optimizes the busy ones later, so every step of reading and cleaning runs slowly
 * once. Measured on 1M order lines in DuckDB-WASM under Node: 12.8 s of CPU for the first load and apply, 9.4 s after
 * warming up on 2,000 lines (8.3 s when everything is warm). `warmUp` runs the same steps on a small generated orders
 * file while the engine waits for the user's first file, and then removes every table it made.
 */
import { ident, type Db } from '../db/db.ts';
import { applyMapping, loadFile } from './index.ts';

const SLOT = 'raw__warmup';
const LINES = 2_000;

/** Thrown into the warm-up by `stop()`: the user's file is waiting. */
class Stopped extends Error {}

/**
 * Read and clean a generated orders file on `db`, and drop what it built. `stop()` true makes the next query end the
 * warm-up (a user's file should not wait for it). Never throws.
 *
 * Each query first yields to the event loop: DuckDB-WASM's blocking calls answer with promises that are already
 * settled, so without it the whole warm-up would run before the worker reads its next message (the engine's
 * `ready()`, or the file that should stop it).
 */
export async function warmUp(db: Db, stop: () => boolean): Promise<void> {
  const guarded: Db = {
    ...db,
    query: async (sql) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stop()) throw new Stopped();
      return db.query(sql);
    },
  };
  try {
    const loaded = await loadFile(guarded, 'warmup.csv', new TextEncoder().encode(sampleOrders()), SLOT);
    await applyMapping(guarded, loaded, loaded.mapping, {}, { release: true });
  } catch {
    // A warm-up that fails or is stopped has still compiled what it ran.
  } finally {
    await db
      .query(`DROP TABLE IF EXISTS ${ident(SLOT)}; DROP VIEW IF EXISTS customer_purchases; DROP VIEW IF EXISTS purchases;
        DROP TABLE IF EXISTS order_totals; DROP TABLE IF EXISTS orders`)
      .catch(() => undefined);
  }
}

/** An orders file shaped like a shop's export: ISO times, a repeated line, refunds by status and by sign. */
function sampleOrders(): string {
  const lines = ['订单号,客户编号,下单时间,商品名称,品类,数量,单价,实付金额,渠道,订单状态'];
  const products = [['挂耳咖啡 10片', '咖啡豆', 45], ['骨瓷碗碟 礼盒', '餐具', 399], ['耐热玻璃水杯', '杯具', 29]] as const;
  for (let i = 0; i < LINES; i++) {
    const [name, category, price] = products[i % products.length];
    const quantity = 1 + (i % 3);
    const day = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const status = i % 50 === 7 ? '已退款' : '已完成';
    const amount = (i % 97 === 5 ? -1 : 1) * quantity * price;
    lines.push(`DD${100000 + (i >> 1)},C${String(i % 300).padStart(5, '0')},${day},${name},${category},${quantity},${price}.00,${amount}.00,天猫,${status}`);
  }
  lines.push(lines[lines.length - 1]);
  return lines.join('\n') + '\n';
}
