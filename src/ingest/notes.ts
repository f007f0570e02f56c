/**
 * Notes on a guessed mapping as a sentence: in the page in the user's language (fields by their names there), in the
 * headless command in English (fields by their canonical names, as `--mapping` takes them).
 */
import type { MappingNote } from './mapping.ts';

export function mappingNoteText(text: (key: string) => string, note: MappingNote, field: (name: string) => string = (name) => name): string {
  const quote = (c: string) => text('error.list.quote').replace('{item}', c);
  const params: Record<string, string> = {
    columns: note.columns.map(quote).join(text('error.list.sep')),
    column: quote(note.column),
    field: field(note.field),
  };
  return text(`sources.mapping_note.${note.code}`).replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
}
