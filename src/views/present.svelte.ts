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

/**
 * Scroll a cell to the top of the page and keep it there for a moment: the cells around it are laid out at an
 * estimated height until they come near (content-visibility in App.svelte) and take their real height after the jump.
 * Held for three seconds; the user's own scrolling or typing stops it.
 */
function bringBack(el: HTMLElement): void {
  const events = ['wheel', 'touchstart', 'keydown', 'mousedown'] as const;
  let stopped = false;
  const stop = () => (stopped = true);
  // Listened to from the next frame on: the key that left present mode may still be on its way.
  requestAnimationFrame(() => {
    for (const ev of events) addEventListener(ev, stop, { once: true, passive: true });
  });
  const until = performance.now() + 3000;
  const margin = parseFloat(getComputedStyle(el).scrollMarginTop) || 0;
  const place = () => scrollTo({ top: scrollY + el.getBoundingClientRect().top - margin, behavior: 'instant' });
  const hold = () => {
    const atBottom = scrollY + innerHeight >= document.documentElement.scrollHeight - 1;
    if (Math.abs(el.getBoundingClientRect().top - margin) > 2 && !atBottom) place();
    if (!stopped && performance.now() < until) requestAnimationFrame(hold);
    else for (const ev of events) removeEventListener(ev, stop);
  };
  place();
  requestAnimationFrame(hold);
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
    this.#returnTo?.focus({ preventScroll: true });
    const el = cellAnchor(last);
    if (el) bringBack(el);
    this.#returnTo = null;
  }
}

export const present = new Presentation();
