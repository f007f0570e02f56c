/// <reference types="svelte" />
/// <reference types="vite/client" />
declare module '@duckdb/duckdb-wasm/blocking-browser' {
  export * from '@duckdb/duckdb-wasm/dist/types/src/targets/duckdb-browser-blocking';
}
