/**
 * `npm run analyze`: runs the headless command (src/cli/analyze.ts) from one bundle of its modules, made by esbuild and
 * kept under node_modules/.cache, and made again whenever a source file it was made from is newer than it (or gone).
 * Loaded from the bundle the command starts in about 0.5 s; through tsx, which compiles every module as it is loaded
 * and runs it in a second process, it took about 2 s before reading a line. The bundle is split where the command
 * imports a module only when needed (the report and its charts, the Excel and Parquet readers), so a plain run does not
 * load them. Packages stay outside the bundle and are loaded from node_modules as before.
 *
 * Plain JavaScript, so that node runs it as it is. CRM_NOTEBOOK_CLI_CACHE names another cache folder (the tests use it).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = join(root, 'src/cli/analyze.ts');

/** The cache folder: one folder per build, and `current.json` naming the one in use with the files it was made from. */
export function cacheDir() {
  return process.env.CRM_NOTEBOOK_CLI_CACHE ?? join(root, 'node_modules/.cache/crm-notebook-cli');
}

/**
 * Whether the build `current` describes ({ dir, builtAt: ms before the build began, inputs: paths from the project's
 * root }) is missing or older than one of its inputs (or this file). An input changed while it was being built is
 * newer than `builtAt`, so it is seen on the next run.
 */
export function isStale(current, cache = cacheDir()) {
  if (!current || typeof current.builtAt !== 'number' || !Array.isArray(current.inputs)) return true;
  try {
    statSync(join(cache, current.dir, 'analyze.js'));
    for (const f of [...current.inputs, relative(root, fileURLToPath(import.meta.url))]) {
      if (statSync(join(root, f)).mtimeMs > current.builtAt) return true;
    }
  } catch {
    return true;
  }
  return false;
}

function readCurrent(cache) {
  try {
    return JSON.parse(readFileSync(join(cache, 'current.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The bundle's entry, built first when stale. Several runs at once may each build: each writes its own folder and then
 * renames its `current.json` into place, so a run reads either the old build or a whole new one.
 */
export async function bundle(cache = cacheDir()) {
  const current = readCurrent(cache);
  if (!isStale(current, cache)) return join(cache, current.dir, 'analyze.js');
  const { build } = await import('esbuild');
  const builtAt = Date.now();
  const dir = `build-${builtAt}-${process.pid}`;
  mkdirSync(join(cache, dir), { recursive: true });
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      outdir: join(cache, dir),
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      metafile: true,
      logLevel: 'error',
      absWorkingDir: root,
    });
  } catch {
    // esbuild has said what and where on stderr.
    rmSync(join(cache, dir), { recursive: true, force: true });
    process.exit(1);
  }
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  const tmp = join(cache, `current.${process.pid}.json`);
  writeFileSync(tmp, JSON.stringify({ dir, builtAt, inputs }));
  renameSync(tmp, join(cache, 'current.json'));
  // Builds replaced more than an hour ago: no run can still be starting from them.
  for (const d of readdirSync(cache)) {
    if (d === dir || !d.startsWith('build-')) continue;
    try {
      if (statSync(join(cache, d)).mtimeMs < Date.now() - 3_600_000) rmSync(join(cache, d), { recursive: true, force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
  return join(cache, dir, 'analyze.js');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await bundle();
  const { cli } = await import(pathToFileURL(file).href);
  await cli(process.argv.slice(2));
}
