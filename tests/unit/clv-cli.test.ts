// The headless command's `--models clv` output equals the model function's on the same data and settings.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { clv, type ClvSettings } from '../../src/models/clv/model.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const cdnow = fileURLToPath(new URL('../../../shared/data/CDNOW_sample.txt', import.meta.url));

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--orders', cdnow, '--models', 'clv', ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout).clv;
}

async function direct(settings: ClvSettings): Promise<unknown> {
  const db = await openNodeDb();
  const loaded = await loadFile(db, 'CDNOW_sample.txt', readFileSync(cdnow), 'raw_orders');
  await applyMapping(db, loaded, loaded.mapping);
  // Through JSON as the command prints it (NaN and -0 become what JSON makes of them).
  return JSON.parse(JSON.stringify(await clv(db, settings)));
}

describe('analyze --models clv', () => {
  it('prints the contract fields, equal to clv() with --calibration-end', async () => {
    const out = await cli('--calibration-end', '1997-09-30');
    expect(out).toEqual(await direct({ calibrationEnd: '1997-09-30' }));
    const bg = out.bgnbd as Record<string, number>;
    expect(Object.keys(bg).sort()).toEqual(['a', 'alpha', 'b', 'log_likelihood', 'r']);
    expect(bg.r).toBeCloseTo(0.2426, 3);
    const gg = out.gamma_gamma as Record<string, number>;
    expect(gg.p).toBeCloseTo(6.25, 1);
    const customers = out.customers as Record<string, unknown>[];
    expect(customers.length).toBe(2357);
    expect(Object.keys(customers[0])).toEqual(['customer_id', 'x', 't_x', 'T', 'p_alive', 'expected_purchases', 'expected_spend', 'clv']);
    expect(customers[0].customer_id).toBe('00004');
  }, 240_000);

  it('honours --time-unit day and the clv settings file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clv-cli-'));
    const settingsFile = join(dir, 'settings.json');
    const settings: ClvSettings = { model: 'mbgnbd', horizonMonths: 6, monthlyDiscount: 0.02, marginRate: 0.3, compare: false };
    writeFileSync(settingsFile, JSON.stringify({ clv: settings }));
    const out = await cli('--calibration-end', '1997-09-30', '--time-unit', 'day', '--settings', settingsFile);
    expect(out).toEqual(await direct({ ...settings, calibrationEnd: '1997-09-30', timeUnit: 'day' }));
    expect(out.time_unit).toBe('day');
    expect(out.model).toBe('mbgnbd');
    expect(out.horizon_months).toBe(6);
    expect(out.holdout_length).toBe(273);
    // Days: T of customer 00004 (first purchase 1997-01-01) is 272 days; only BG/NBD and the chosen MBG/NBD are fitted.
    const first = (out.customers as { T: number; t_x: number }[])[0];
    expect(first.T).toBe(272);
    expect((out.models as { model: string }[]).map((m) => m.model).sort()).toEqual(['bgnbd', 'mbgnbd']);
  }, 240_000);

  it('refuses a calibration end after the data', async () => {
    await expect(cli('--calibration-end', '1998-07-01')).rejects.toThrow(/calibration end 1998-07-01 is after the last day analysed \(1998-06-30/);
  }, 120_000);
});
