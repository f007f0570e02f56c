/** What the benchmark ran on: CPU, cores, memory, browser, Node and DuckDB versions, and how busy the machine was. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { one } from '../src/db/db.ts';
import { openNodeDb } from '../src/db/node.ts';
import { CHROMIUM } from './browser.ts';

const ROOT = new URL('..', import.meta.url);

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, ROOT), 'utf8')) as { version: string }).version;
}

export async function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const native = await (await DuckDBInstance.create(':memory:')).connect();
  const nativeVersion = (await native.runAndReadAll('SELECT version() AS v')).getRows()[0][0] as string;
  native.closeSync();
  const wasmVersion = (await one<{ v: string }>(await openNodeDb(), 'SELECT version() AS v')).v;
  return {
    date: new Date().toISOString(),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    chromium: spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    /**
     * The font Chromium gets for Chinese text, or null when the machine has none: every Chinese glyph then goes through
     * font fallback, and the first layout of a page of Chinese text takes seconds.
     */
    cjkFont: spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).stdout?.trim()
      ? spawnSync('fc-match', ['sans-serif:lang=zh-cn', '--format=%{family[0]} (%{file})'], { encoding: 'utf8' }).stdout.trim()
      : null,
    playwright: packageVersion('@playwright/test'),
    duckdbWasm: `${wasmVersion} (@duckdb/duckdb-wasm ${packageVersion('@duckdb/duckdb-wasm')})`,
    duckdbNative: `${nativeVersion} (@duckdb/node-api ${packageVersion('@duckdb/node-api')})`,
    /** 1, 5 and 15 minute load averages when the run started (2 cores: above 2 means the run shared the CPU). */
    loadBefore: loadavg().map((x) => Math.round(x * 10) / 10),
    loadAfter: [] as number[],
  };
}
