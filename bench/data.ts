/** The benchmark's input files: the demo store at scale (sample-data/generate.ts) as CSV, and a typed Parquet copy. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeScaledOrders, type ScaledSummary } from '../sample-data/generate.ts';

export const SIZES: Record<string, number> = { '100k': 100_000, '1m': 1_000_000, '5m': 5_000_000, '10m': 10_000_000 };

export interface OrderFile {
  path: string;
  bytes: number;
}

export interface OrderFiles {
  lines: number;
  csv: OrderFile;
  parquet?: OrderFile;
  /** What the generator drew (customers, orders, …). */
  generated: ScaledSummary;
}

const GENERATOR = new URL('../sample-data/generate.ts', import.meta.url);

/**
 * `orders-<size>.csv` (and `.parquet` when asked) under `dir`, made once and reused while the generator is unchanged
 * (a stamp file keeps the generator's hash and its summary).
 */
export async function orderFiles(dir: string, size: string, parquet: boolean, log: (msg: string) => void): Promise<OrderFiles> {
  const lines = SIZES[size];
  if (!lines) throw new Error(`unknown size ${size} (sizes: ${Object.keys(SIZES).join(', ')})`);
  const csv = join(dir, `orders-${size}.csv`);
  const stampFile = join(dir, `orders-${size}.json`);
  const hash = createHash('sha256').update(readFileSync(GENERATOR)).digest('hex').slice(0, 16);
  let stamp = existsSync(stampFile) ? (JSON.parse(readFileSync(stampFile, 'utf8')) as { hash: string; generated: ScaledSummary; parquet?: boolean }) : null;
  if (!stamp || stamp.hash !== hash || !existsSync(csv)) {
    log(`generating ${lines.toLocaleString('en-US')} order lines → ${csv}`);
    const started = performance.now();
    const generated = writeScaledOrders({ lines, file: csv + '.part' });
    renameSync(csv + '.part', csv);
    log(`  ${(generated.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    stamp = { hash, generated };
    writeFileSync(stampFile, JSON.stringify(stamp, null, 1));
  }
  const out: OrderFiles = { lines, csv: { path: csv, bytes: statSync(csv).size }, generated: stamp.generated };
  if (parquet) {
    const file = join(dir, `orders-${size}.parquet`);
    if (!stamp.parquet || !existsSync(file)) {
      log(`writing ${file}`);
      await csvToParquet(csv, file + '.part');
      renameSync(file + '.part', file);
      writeFileSync(stampFile, JSON.stringify({ ...stamp, parquet: true }, null, 1));
    }
    out.parquet = { path: file, bytes: statSync(file).size };
  }
  return out;
}

/**
 * A typed Parquet copy, as a warehouse export would be: TIMESTAMP order time, DECIMAL(12,2) money, INTEGER quantity,
 * text ids (DuckDB's default: Snappy, row groups of 122,880 rows).
 */
async function csvToParquet(csv: string, parquet: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  await conn.run(`COPY (SELECT * FROM read_csv(${lit(csv)}, header = true,
      types = {'订单号': 'VARCHAR', '客户编号': 'VARCHAR', '下单时间': 'TIMESTAMP', '数量': 'INTEGER', '单价': 'DECIMAL(12,2)', '实付金额': 'DECIMAL(12,2)'}))
    TO ${lit(parquet)} (FORMAT parquet)`);
  conn.closeSync();
  instance.closeSync();
}
