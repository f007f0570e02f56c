/**
 * The notebook survives a reload: its files (the File objects themselves, kept in this browser's
 * IndexedDB, never sent anywhere), their mappings and the notebook document. "Start over" forgets them.
 */
import { del, get, set } from 'idb-keyval';
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

const KEY = 'crm-notebook.session';

export async function loadSession(): Promise<SavedSession | undefined> {
  try {
    const s = await get<SavedSession>(KEY);
    return s?.version === 1 && Array.isArray(s.sources) && s.sources.length ? s : undefined;
  } catch {
    return undefined; // storage unavailable (private mode): the notebook simply starts empty
  }
}

export async function saveSession(session: SavedSession): Promise<void> {
  try {
    await set(KEY, session);
  } catch {
    // Storage full or unavailable: the session is still fully usable, only not restorable.
  }
}

export async function forgetSession(): Promise<void> {
  try {
    await del(KEY);
  } catch {
    // nothing stored
  }
}
