/**
 * The notebook survives a reload: its files (the File objects themselves, kept in this browser's
 * IndexedDB, never sent anywhere), their mappings and the notebook document. "Start over" forgets them.
 *
 * Several tabs share what is kept. Each write bumps a revision number, and a tab writes only over the revision it
 * last read or wrote itself (checked and written in one IndexedDB transaction): a tab holding an older notebook
 * does not overwrite a newer one, nor bring back one that another tab started over. Start over always writes.
 */
import { get, update } from 'idb-keyval';
import type { Mapping, Role } from '../ingest/index.ts';
import type { NotebookDoc } from './notebook.svelte.ts';

export interface SavedSource {
  file: File;
  role: Role;
  mapping: Mapping;
  sheet?: string;
}

export interface SavedSession {
  version: 1;
  savedAt: string;
  sources: SavedSource[];
  doc: NotebookDoc;
}

/** What is kept: the notebook, or null once started over; `rev` counts the writes. */
export interface StoredState {
  rev: number;
  session: SavedSession | null;
}

/** The storage the store works on: IndexedDB in the page, a Map in the unit tests. `update` reads and writes in one step. */
export interface KeyValue {
  get(key: string): Promise<unknown>;
  update(key: string, fn: (old: unknown) => unknown): Promise<void>;
}

/** What became of a write: made, refused because another tab wrote since, or storage unavailable. */
export type WriteOutcome = 'saved' | 'newer' | 'unavailable';

const KEY = 'crm-notebook.session';

/** The stored value read as a state; a session kept before revisions existed counts as revision 0. */
export function storedState(value: unknown): StoredState {
  if (typeof value !== 'object' || value === null) return { rev: 0, session: null };
  if ('rev' in value && typeof value.rev === 'number') {
    const session = (value as StoredState).session;
    return { rev: value.rev, session: usable(session) ? session : null };
  }
  return { rev: 0, session: usable(value) ? (value as SavedSession) : null };
}

function usable(s: unknown): s is SavedSession {
  const session = s as SavedSession | null;
  return session?.version === 1 && Array.isArray(session.sources) && session.sources.length > 0;
}

/**
 * The state to store when a tab that last saw revision `seen` writes `session` over `current`: null when another
 * tab has written since (the tab's state is older), unless `force` (start over, or the user keeping this tab's).
 */
export function nextState(current: StoredState, seen: number, session: SavedSession | null, force = false): StoredState | null {
  if (!force && current.rev !== seen) return null;
  return { rev: current.rev + 1, session };
}

export const idbKeyValue: KeyValue = { get: (key) => get(key), update: (key, fn) => update(key, fn) };

/** One tab's view of the kept notebook. Its writes run one after another, each against the revision the last one left. */
export class SessionStore {
  #kv: KeyValue;
  #seen = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(kv: KeyValue = idbKeyValue) {
    this.#kv = kv;
  }

  /** The revision this tab last read or wrote. */
  get seen(): number {
    return this.#seen;
  }

  /** The kept notebook, if any; its revision becomes the one this tab has seen. */
  load(): Promise<SavedSession | undefined> {
    return this.#serial(async () => {
      try {
        const state = storedState(await this.#kv.get(KEY));
        this.#seen = state.rev;
        return state.session ?? undefined;
      } catch {
        return undefined; // storage unavailable (private mode): the notebook simply starts empty
      }
    });
  }

  /** Keep `session`, unless another tab wrote since this one last read or wrote ('newer'); `force` writes anyway. */
  save(session: SavedSession, force = false): Promise<WriteOutcome> {
    return this.#write(session, force);
  }

  /** Start over: forget the notebook for every tab, whatever was written since. */
  clear(): Promise<WriteOutcome> {
    return this.#write(null, true);
  }

  /** Forget the notebook (its last file was removed), unless another tab wrote since. */
  forget(): Promise<WriteOutcome> {
    return this.#write(null, false);
  }

  #write(session: SavedSession | null, force: boolean): Promise<WriteOutcome> {
    return this.#serial(async () => {
      let written: StoredState | null = null;
      try {
        await this.#kv.update(KEY, (old) => {
          written = nextState(storedState(old), this.#seen, session, force);
          return written ?? old;
        });
      } catch {
        return 'unavailable'; // storage full or unavailable: the notebook is still fully usable, only not restorable
      }
      if (!written) return 'newer';
      this.#seen = (written as StoredState).rev;
      return 'saved';
    });
  }

  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
