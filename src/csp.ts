/**
 * The page's Content-Security-Policy, in one place: vite.config.ts puts it in index.html as a <meta> tag and sends
 * it as a header from `vite preview` and the dev server; public/_headers (Netlify, Cloudflare Pages) and the nginx
 * snippet in the README carry the same text, and a unit test checks they still do.
 *
 * The promise it enforces: no script and no connection beyond the page's own origin (connect-src covers fetch,
 * XHR, WebSocket and EventSource; script-src covers dynamic import). WebAssembly may be compiled
 * ('wasm-unsafe-eval'), JavaScript may not be evaluated from strings. Workers come from the origin or from blob:
 * URLs; the app starts its workers from blob: URLs (src/db/start-worker.ts) so that they inherit this policy
 * where it is delivered only as the <meta> tag.
 */
export const CSP_DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];

/** The policy as one header value (also the <meta> tag's content). */
export const CSP = CSP_DIRECTIVES.join('; ');
