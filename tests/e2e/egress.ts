// Helpers of the no-egress browser tests: another origin that counts what reaches it, a plain static host without
// response headers, and one attempt to reach the other origin from the page or from a worker.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { expect, type Page, type Worker } from '@playwright/test';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Another origin (127.0.0.1 on a free port, while the app is on localhost): it answers any request with a small
 * script module, allowed from anywhere, and completes WebSocket handshakes, so that a request the browser lets
 * through succeeds; `hits` lists every request and handshake that reached it.
 */
export async function otherOrigin(): Promise<{ url: string; hits: string[]; close: () => void }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/javascript' });
    res.end('export const leaked = true;\n');
  });
  server.on('upgrade', (req, socket) => {
    hits.push(`WebSocket ${req.url}`);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  const url = await listen(server);
  return { url, hits, close: () => server.close() };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv',
};

/** The built app served as plain files with a content type and no other header: a host that sends no CSP. */
export async function plainHost(dist: string): Promise<{ url: string; close: () => void }> {
  const root = resolve(dist);
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
    try {
      if (!file.startsWith(root)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  const url = await listen(server);
  return { url, close: () => server.close() };
}

/** What one context got when it tried to reach `target`: each attempt's outcome and the CSP violations it saw. */
export interface EgressTry {
  name: string;
  fetch: string;
  webSocket: string;
  import: string;
  violations: string[];
}

/**
 * Try fetch, a WebSocket and a dynamic import to `target`, listening for the CSP's violation reports. Runs as a
 * function in the page or a worker (Playwright's evaluate), so it is plain JavaScript with no imports.
 */
async function tryEgress(target: string): Promise<EgressTry> {
  const violations: string[] = [];
  const onViolation = (e: SecurityPolicyViolationEvent) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`);
  self.addEventListener('securitypolicyviolation', onViolation);
  const fetched = await fetch(`${target}/fetch`, { mode: 'no-cors' }).then(
    () => 'sent',
    (e: Error) => `failed: ${e.message}`,
  );
  const webSocket = await new Promise<string>((done) => {
    try {
      const ws = new WebSocket(`${target.replace(/^http/, 'ws')}/socket`);
      ws.onopen = () => {
        ws.close();
        done('open');
      };
      ws.onerror = () => done('failed');
    } catch (e) {
      done(`failed: ${(e as Error).name}`);
    }
  });
  const imported = await import(/* @vite-ignore */ `${target}/module.js`).then(
    () => 'loaded',
    (e: Error) => `failed: ${e.message}`,
  );
  // Violation events are queued as tasks: let them arrive.
  await new Promise((done) => setTimeout(done, 200));
  self.removeEventListener('securitypolicyviolation', onViolation);
  const name = typeof document === 'undefined' ? (self as unknown as { name: string }).name : 'page';
  return { name, fetch: fetched, webSocket, import: imported, violations };
}

/** Every context of the app: the page, the engine's worker (named `engine`) and the CLV fit worker, once the first fit has started it. */
export async function contexts(page: Page): Promise<{ page: Page; workers: Map<string, Worker> }> {
  // The engine's worker and at least one CLV fit worker (the model comparison may have started a second one).
  await expect.poll(() => page.workers().length, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const named = await Promise.all(page.workers().map(async (w) => [await w.evaluate(() => self.name), w] as const));
  const engine = named.find(([name]) => name === 'engine');
  expect(engine, 'the engine worker').toBeDefined();
  const fits = named.filter(([, w]) => w !== engine![1]).map(([, w], i) => [i ? `clv-fit-${i + 1}` : 'clv-fit', w] as const);
  return { page, workers: new Map<string, Worker>([['engine', engine![1]], ...fits]) };
}

/** Each context's attempt to reach `target`. */
export async function egressFrom(ctx: { page: Page; workers: Map<string, Worker> }, target: string): Promise<EgressTry[]> {
  const out = [await ctx.page.evaluate(tryEgress, target)];
  for (const [name, worker] of ctx.workers) out.push({ ...(await worker.evaluate(tryEgress, target)), name });
  return out;
}

/** Blocked by the policy: each attempt failed and each was reported as a violation of connect-src or script-src. */
export function expectBlocked(tries: EgressTry[], target: string): void {
  for (const t of tries) {
    expect({ name: t.name, fetch: t.fetch, webSocket: t.webSocket, import: t.import.replace(/:.*/, '') }).toEqual({
      name: t.name,
      fetch: 'failed: Failed to fetch',
      webSocket: 'failed',
      import: 'failed',
    });
    const ws = target.replace(/^http/, 'ws');
    expect(new Set(t.violations), t.name).toEqual(
      new Set([`connect-src ${target}/fetch`, `connect-src ${ws}/socket`, `script-src-elem ${target}/module.js`]),
    );
  }
}
