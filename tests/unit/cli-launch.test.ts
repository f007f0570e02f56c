// `npm run analyze` runs src/cli/launch.mjs: the command from one esbuild bundle of src/cli/analyze.ts, kept in a cache
// folder and built again when a source file is newer than it. It must write what the modules write when tsx loads them,
// keep a failure's one line and exit status, reuse a current build, rebuild a stale one, and leave the report's modules
// (Plot, linkedom) and the Excel reader out of what a plain run loads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the project, as the real cache is: the bundle's packages are found from its folder up to node_modules.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const cache = mkdtempSync(join(root, 'node_modules/.cache/crm-notebook-cli-test-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function launch(...args: string[]) {
  const r = spawnSync(process.execPath, ['src/cli/launch.mjs', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CRM_NOTEBOOK_CLI_CACHE: cache },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function viaTsx(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
}

const builds = () => readdirSync(cache).filter((d) => d.startsWith('build-')).sort();
const current = () => JSON.parse(readFileSync(join(cache, 'current.json'), 'utf8')) as { dir: string; builtAt: number; inputs: string[] };

/** The package imports of a chunk and of the chunks it imports statically, as a plain run loads them. */
function staticPackages(dir: string, file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  const text = readFileSync(join(dir, file), 'utf8');
  for (const m of text.matchAll(/^(?:import\s[^;]*?from\s*|import\s*|\}\s*from\s*)"([^"]+)";/gms)) {
    const spec = m[1];
    if (spec.startsWith('./')) for (const p of staticPackages(dir, spec.slice(2), seen)) found.add(p);
    else if (!spec.startsWith('node:')) found.add(spec);
  }
  return found;
}

describe('npm run analyze (the bundled command)', { timeout: 300_000 }, () => {
  const args = ['--orders', 'sample-data/orders.csv', '--customers', 'sample-data/customers.csv', '--models', 'overview,rfm,cohorts,clv'];

  it('writes the same document as the modules loaded by tsx, building once', () => {
    const r = launch(...args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const t = viaTsx(...args);
    expect(t.status).toBe(0);
    expect(r.stdout).toBe(t.stdout);
    expect(JSON.parse(r.stdout).overview.customers).toBeGreaterThan(4000);
    expect(builds()).toHaveLength(1);
    expect(current().inputs).toContain('src/cli/analyze.ts');
    expect(current().inputs).toContain('src/models/rfm.ts');
  });

  it('reuses a current build and builds again when a source is newer or gone', () => {
    const first = current();
    expect(launch('--help').status).toBe(0);
    expect(current().dir).toBe(first.dir);
    writeFileSync(join(cache, 'current.json'), JSON.stringify({ ...first, builtAt: 0 }));
    expect(launch('--help').status).toBe(0);
    const second = current();
    expect(second.dir).not.toBe(first.dir);
    writeFileSync(join(cache, 'current.json'), JSON.stringify({ ...second, inputs: [...second.inputs, 'src/models/no-such-model.ts'] }));
    expect(launch('--help').status).toBe(0);
    expect(current().dir).not.toBe(second.dir);
    expect(builds().length).toBeGreaterThanOrEqual(3);
  });

  it('says a failure in one line and exits 1', () => {
    const r = launch('--orders', 'sample-data/orders.csv', '--models', 'nope');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^analyze: unknown model nope \(models: overview, rfm/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('loads the report, its charts and the Excel reader only when asked', () => {
    const dir = join(cache, current().dir);
    const plain = staticPackages(dir, 'analyze.js');
    expect(plain).toContain('apache-arrow');
    for (const p of ['@observablehq/plot', 'linkedom', '@e965/xlsx', 'parquet-wasm']) expect(plain).not.toContain(p);
    // …and they are in the bundle, behind an import made when needed.
    const all = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    for (const p of ['@observablehq/plot', 'linkedom', '@e965/xlsx']) expect(all).toContain(`"${p}"`);
  });
});
