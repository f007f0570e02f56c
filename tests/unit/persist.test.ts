// What a tab may write over what the browser keeps: each write bumps a revision and a tab writes only over the one it
// last read or wrote, so start over in one tab is not undone by another tab's save, and an older tab does not
// overwrite a newer notebook. Two SessionStores over one Map stand for two tabs over one IndexedDB.
import { describe, expect, it } from 'vitest';
import { nextState, SessionStore, storedState, type KeyValue, type SavedSession } from '../../src/notebook/persist.ts';

function memory(): KeyValue & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (key) => data.get(key),
    // Read and write in one step, as idb-keyval's update does in one IndexedDB transaction.
    update: async (key, fn) => {
      data.set(key, fn(data.get(key)));
    },
  };
}

const session = (name: string, asOf: string | null = null): SavedSession => ({
  version: 1,
  savedAt: '2026-12-07T00:00:00.000Z',
  sources: [{ file: new File(['x'], name), role: 'orders', mapping: {} }],
  doc: { version: 1, settings: { asOf }, cells: [], rfmScheme: null },
});

describe('storedState and nextState', () => {
  it('reads a session kept before revisions as revision 0, a started-over state as no session', () => {
    const old = session('orders.csv');
    expect(storedState(old)).toEqual({ rev: 0, session: old });
    expect(storedState(undefined)).toEqual({ rev: 0, session: null });
    expect(storedState({ rev: 4, session: null })).toEqual({ rev: 4, session: null });
    expect(storedState({ rev: 2, session: { ...old, sources: [] } })).toEqual({ rev: 2, session: null });
  });

  it('writes only over the revision the tab saw, unless forced', () => {
    const s = session('a.csv');
    expect(nextState({ rev: 3, session: null }, 3, s)).toEqual({ rev: 4, session: s });
    expect(nextState({ rev: 4, session: s }, 3, s)).toBeNull();
    expect(nextState({ rev: 4, session: s }, 3, null, true)).toEqual({ rev: 5, session: null });
  });
});

describe('two tabs', () => {
  it('start over in one tab is not undone when the other saves', async () => {
    const kv = memory();
    const first = new SessionStore(kv);
    expect(await first.save(session('orders.csv'))).toBe('saved');
    const a = new SessionStore(kv);
    const b = new SessionStore(kv);
    expect((await a.load())?.sources[0].file.name).toBe('orders.csv');
    expect((await b.load())?.sources[0].file.name).toBe('orders.csv');

    expect(await a.clear()).toBe('saved');
    expect(await b.save(session('orders.csv', '2011-06-01'))).toBe('newer');
    expect(await b.forget()).toBe('newer');
    // A new tab (a reload) finds the notebook started over.
    expect(await new SessionStore(kv).load()).toBeUndefined();
    expect(storedState(kv.data.get('crm-notebook.session'))).toEqual({ rev: 2, session: null });

    // Tab A goes on after starting over: its next notebook is saved.
    expect(await a.save(session('next.csv'))).toBe('saved');
    expect((await new SessionStore(kv).load())?.sources[0].file.name).toBe('next.csv');
  });

  it('an older tab does not overwrite the newer state, until the user keeps it on purpose', async () => {
    const kv = memory();
    await new SessionStore(kv).save(session('orders.csv'));
    const a = new SessionStore(kv);
    const b = new SessionStore(kv);
    await a.load();
    await b.load();
    expect(await a.save(session('orders.csv', '2011-06-01'))).toBe('saved');
    expect(await b.save(session('orders.csv', '2011-01-01'))).toBe('newer');
    expect((await new SessionStore(kv).load())?.doc.settings.asOf).toBe('2011-06-01');
    // A keeps saving over its own writes.
    expect(await a.save(session('orders.csv', '2011-07-01'))).toBe('saved');
    // B chose to keep its own notebook: written, and A is now the older tab.
    expect(await b.save(session('orders.csv', '2011-01-01'), true)).toBe('saved');
    expect(await a.save(session('orders.csv', '2011-08-01'))).toBe('newer');
    expect((await new SessionStore(kv).load())?.doc.settings.asOf).toBe('2011-01-01');
  });

  it('saves from one tab issued together each write over the last (they run one after another)', async () => {
    const kv = memory();
    const a = new SessionStore(kv);
    await a.load();
    const outcomes = await Promise.all(['2011-01-01', '2011-02-01', '2011-03-01'].map((d) => a.save(session('o.csv', d))));
    expect(outcomes).toEqual(['saved', 'saved', 'saved']);
    expect(a.seen).toBe(3);
    expect((await new SessionStore(kv).load())?.doc.settings.asOf).toBe('2011-03-01');
  });

  it('a storage that fails leaves the tab usable: unavailable, nothing thrown', async () => {
    const broken: KeyValue = { get: () => Promise.reject(new Error('no storage')), update: () => Promise.reject(new Error('quota')) };
    const a = new SessionStore(broken);
    expect(await a.load()).toBeUndefined();
    expect(await a.save(session('o.csv'))).toBe('unavailable');
    expect(a.seen).toBe(0);
  });
});
