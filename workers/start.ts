/**
 * Start a module worker so that it runs under the page's Content-Security-Policy.
 *
 * A worker loaded from its own URL gets the policy sent with that script's response and nothing else: where the
 * policy is only the <meta> tag of index.html (a host that cannot send headers), such a worker may fetch, open a
 * WebSocket or import a script from anywhere. A worker loaded from a blob: URL inherits the policy of the context
 * that created it (HTML: "initialize a worker global scope's policy container"; the browser tests measure it in
 * Chromium), and everything it imports runs in that worker under that policy. So the worker is a one-line blob
 * module that imports the real worker module; the real module keeps its URL, so its imports, chunks and
 * `import.meta.url` resolve as before. The engine's worker starts the CLV fit worker the same way, which inherits the policy again.
 *
 * In such a worker the global's base URL is the blob: URL, so the worker code resolves URLs of its own files
 * against `import.meta.url` (see engine.worker.ts), never against `location`.
 */
export function startWorker(url: string | URL, options: WorkerOptions = {}): Worker {
  const script = new URL(url, import.meta.url).href;
  // The blob: URL is given up once the worker has read it (the module body runs after its import has loaded).
  const source = `import ${JSON.stringify(script)};\nURL.revokeObjectURL(import.meta.url);\n`;
  const blob = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(blob, { ...options, type: 'module' });
  } catch (e) {
    // A stricter policy set by the host (worker-src without blob:) refuses blob: workers; that host's header
    // then governs the worker loaded from its URL.
    URL.revokeObjectURL(blob);
    if (e instanceof DOMException && e.name === 'SecurityError') return new Worker(script, { ...options, type: 'module' });
    throw e;
  }
}
