/**
 * CLV timings: BG/NBD + Gamma-Gamma fit and scoring on CDNOW (calibration end 1997-09-30, weeks) and on synthetic
 * customers (src/models/clv/synthetic.ts), in Node and in Chromium's JavaScript engine (the CLV code bundled into
 * one script and run in a blank page, the way the engine worker runs it: no database involved).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium } from '@playwright/test';
import { openNodeDb } from '../src/db/node.ts';
import { fitBgNbd } from '../src/models/clv/bgnbd.ts';
import { scoreCustomers, type ClvInput, type ScoreOptions } from '../src/models/clv/pipeline.ts';
import { loadClvInput } from '../src/models/clv/sql.ts';
import { fitAndScoreSynthetic } from '../src/models/clv/synthetic.ts';
import { Engine } from '../workers/engine.ts';
import config from '../playwright.config.ts';
import { CHROMIUM } from './browser.ts';

const CALIBRATION_END = '1997-09-30';
const AS_OF = '1998-07-01';
/** Synthetic sizes (customers) and their seed. */
const SYNTHETIC = [100_000, 1_000_000];
const SEED = 7;
const WARM_RUNS = 5;

interface FitTimes {
  /** BG/NBD fit alone: the first run (cold code) and the median of the next runs. */
  fitFirstMs: number;
  fitMedianMs: number;
  /** scoreCustomers: BG/NBD and Gamma-Gamma fits and every customer's P(alive), expected purchases and CLV. */
  fitAndScoreMs: number;
  converged: boolean;
  params: Record<string, number>;
}

export interface ClvBench {
  cdnow: { file: string; customers: number; summarySqlMs: number; node: FitTimes; chromium: FitTimes }[];
  synthetic: { customers: number; node: { generateMs: number; fitAndScoreMs: number; converged: boolean }; chromium: { generateMs: number; fitAndScoreMs: number; converged: boolean } }[];
}

const scoreOptions = (holdoutLength: number): ScoreOptions => ({
  model: 'bgnbd', timeUnit: 'week', horizonMonths: 12, monthlyDiscount: 0.01, marginRate: 1, holdoutLength, compare: false,
});
const HOLDOUT_WEEKS = (Date.parse(AS_OF) - 86_400_000 - Date.parse(CALIBRATION_END)) / 86_400_000 / 7;

/** Times of the same fit in Node; the page-side twin is PAGE_FIT below. */
function nodeFit(input: ClvInput): FitTimes {
  const times: number[] = [];
  let fit: ReturnType<typeof fitBgNbd> | undefined;
  for (let i = 0; i <= WARM_RUNS; i++) {
    const t = performance.now();
    fit = fitBgNbd(input);
    times.push(performance.now() - t);
  }
  const t = performance.now();
  scoreCustomers(input, scoreOptions(HOLDOUT_WEEKS));
  return { fitFirstMs: times[0], fitMedianMs: median(times.slice(1)), fitAndScoreMs: performance.now() - t, converged: fit!.converged, params: { ...fit!.params } };
}

const PAGE_FIT = `(({ input, runs, options }) => {
  const arr = (a) => Float64Array.from(a);
  const data = { x: arr(input.x), tx: arr(input.tx), T: arr(input.T), monetary: arr(input.monetary), dayValue: arr(input.dayValue), holdoutX: arr(input.holdoutX) };
  const times = [];
  let fit;
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    fit = __clv.fitBgNbd(data);
    times.push(performance.now() - t);
  }
  const t = performance.now();
  __clv.scoreCustomers(data, options);
  const fitAndScoreMs = performance.now() - t;
  const rest = times.slice(1).sort((a, b) => a - b);
  return { fitFirstMs: times[0], fitMedianMs: rest[rest.length >> 1], fitAndScoreMs, converged: fit.converged, params: { ...fit.params } };
})`;

/** CDNOW (sample and master) and synthetic customers, each in Node and in Chromium. */
export async function clvBench(shared: string, log: (msg: string) => void): Promise<ClvBench> {
  const code = await bundle();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: (config.use?.launchOptions?.args ?? []) as string[] });
  const out: ClvBench = { cdnow: [], synthetic: [] };
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: code });
    for (const name of ['CDNOW_sample.txt', 'CDNOW_master.txt']) {
      const file = shared + name;
      const db = await openNodeDb();
      const engine = new Engine(db);
      const view = await engine.load({ name: basename(file), size: statSync(file).size, data: new Uint8Array(readFileSync(file)) });
      await engine.apply(view.id, view.mapping);
      let t = performance.now();
      const input = await loadClvInput(db, 'bench_clv_input', AS_OF, CALIBRATION_END, 'week');
      const summarySqlMs = performance.now() - t;
      const node = nodeFit(input);
      const plain = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Array.from(v as Float64Array)]));
      t = performance.now();
      const chromiumTimes = (await page.evaluate(`${PAGE_FIT}(${JSON.stringify({ input: plain, runs: WARM_RUNS, options: scoreOptions(HOLDOUT_WEEKS) })})`)) as FitTimes;
      out.cdnow.push({ file: name, customers: input.x.length, summarySqlMs, node, chromium: chromiumTimes });
      log(`  ${name}: ${input.x.length} customers; BG/NBD fit ${node.fitMedianMs.toFixed(1)} ms (Node), ${chromiumTimes.fitMedianMs.toFixed(1)} ms (Chromium)`);
    }
    for (const n of SYNTHETIC) {
      const r = fitAndScoreSynthetic(n, { seed: SEED });
      const node = { generateMs: r.generateMs, fitAndScoreMs: r.fitAndScoreMs, converged: r.scores.chosen.fit.converged };
      const c = (await page.evaluate(`(() => { const r = __clv.fitAndScoreSynthetic(${n}, { seed: ${SEED} });
        return { generateMs: r.generateMs, fitAndScoreMs: r.fitAndScoreMs, converged: r.scores.chosen.fit.converged }; })()`)) as typeof node;
      out.synthetic.push({ customers: n, node, chromium: c });
      log(`  synthetic ${n}: fit and score ${node.fitAndScoreMs.toFixed(0)} ms (Node), ${c.fitAndScoreMs.toFixed(0)} ms (Chromium)`);
    }
  } finally {
    await browser.close();
  }
  return out;
}

/** bench/clv-entry.ts and what it imports as one classic script defining `__clv`. */
async function bundle(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: { entry: fileURLToPath(new URL('./clv-entry.ts', import.meta.url)), name: '__clv', formats: ['iife'], fileName: () => 'clv.js' },
    },
  });
  const output = (Array.isArray(result) ? result[0] : result) as { output: { code?: string }[] };
  return output.output[0].code!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
