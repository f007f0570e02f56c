// The Content-Security-Policy is defined once (src/csp.ts) and said the same everywhere it is delivered: the
// <meta> tag the build writes into index.html, the headers of vite preview and the dev server, public/_headers
// for static hosts and the nginx snippet of the README.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Plugin, UserConfig } from 'vite';
import { CSP, CSP_DIRECTIVES } from '../../src/csp.ts';
import config from '../../vite.config.ts';

const file = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

describe('the Content-Security-Policy', () => {
  it('allows scripts and connections to the own origin only', () => {
    const directive = (name: string) => CSP_DIRECTIVES.find((d) => d.startsWith(`${name} `));
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('worker-src')).toBe("worker-src 'self' blob:");
    expect(CSP).not.toMatch(/\*|https?:|'unsafe-eval'/);
  });

  it('is sent as a header by vite preview and the dev server', () => {
    const c = config as UserConfig;
    expect(c.preview?.headers).toEqual({ 'Content-Security-Policy': CSP });
    expect(c.server?.headers).toEqual({ 'Content-Security-Policy': CSP });
  });

  it('is the <meta> tag of index.html, written by the build from src/csp.ts only', () => {
    expect(file('index.html')).not.toContain('Content-Security-Policy"');
    const plugin = (config as UserConfig).plugins!.flat().find((p) => (p as Plugin)?.name === 'crm-notebook:csp') as Plugin;
    const transform = plugin.transformIndexHtml as () => unknown;
    expect(transform()).toEqual([{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }]);
  });

  it('is in public/_headers for every path, and in the README\'s nginx snippet', () => {
    const headers = file('public/_headers').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(headers).toEqual(['/*', `  Content-Security-Policy: ${CSP}`]);
    expect(file('README.md')).toContain(`add_header Content-Security-Policy "${CSP}" always;`);
  });
});
