/**
 * Present mode: the notebook's cells one at a time, each filling the window (Presenter.svelte draws the controls,
 * App.svelte lifts the cell shown above the page). The notebook stays mounted underneath: nothing is run again, and
 * leaving puts the page back at the cell last shown.
 */
import { tick } from 'svelte';

/** A cell's wrapper in the notebook page (App.svelte). */
export function cellAnchor(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`.cell-anchor[data-cell-id="${CSS.escape(id)}"]`);
}

class Presentation {
  /** The cell shown, or null when not presenting. */
  cellId = $state<string | null>(null);
  /** Where the keyboard focus was before presenting (the toolbar's button), to give it back on leaving. */
  #returnTo: HTMLElement | null = null;

  get on(): boolean {
    return this.cellId !== null;
  }

  start(id: string): void {
    if (!this.on) this.#returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.cellId = id;
    document.documentElement.classList.add('presenting');
  }

  show(id: string): void {
    if (this.on) this.cellId = id;
  }

  async stop(): Promise<void> {
    const last = this.cellId;
    if (last === null) return;
    this.cellId = null;
    document.documentElement.classList.remove('presenting');
    await tick();
    cellAnchor(last)?.scrollIntoView({ behavior: 'instant', block: 'start' });
    this.#returnTo?.focus({ preventScroll: true });
    this.#returnTo = null;
  }
}

export const present = new Presentation();
