import type { RunContext } from '../../src/models/registry.ts';

/** What the engine gives a model run, for tests that call a model directly: derived tables and the state kept for the data. */
export function runContext(): RunContext {
  const kept = new Map<string, unknown>();
  return {
    prepared: new Map(),
    sources: { customers: false, events: false },
    state: <T>(name: string, make: () => T) => {
      if (!kept.has(name)) kept.set(name, make());
      return kept.get(name) as T;
    },
  };
}
