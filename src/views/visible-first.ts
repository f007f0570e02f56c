/**
 * Cells on screen ask the engine first. After a change every cell asks for its model again (a filter, the data, the
 * as-of date); the engine has one DuckDB thread, so the cells' statements would otherwise take turns and the cell the
 * user is looking at would be drawn about when the last one is. A request of a cell off screen waits instead until no
 * request of a cell on screen is under way (or until the cell scrolls into view); then it goes as before. Nothing is
 * skipped: every cell gets its result, the ones in view first.
 */

/** Whether a cell is on screen (or near it), as its frame's observer last saw it; `null` until first seen. */
export class OnScreen {
  #value: boolean | null = null;
  #listeners = new Set<() => void>();

  get value(): boolean | null {
    return this.#value;
  }

  set(value: boolean): void {
    if (value === this.#value) return;
    this.#value = value;
    for (const l of [...this.#listeners]) l();
  }

  /** Call `listener` at each change; returns how to stop. */
  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** How long a cell not seen yet by its observer waits for it before asking anyway (ms). */
const FIRST_LOOK_MS = 250;

export class StaleRequest extends Error {
  override name = 'StaleRequest';
}

/** The page's one queue: how many requests of cells on screen are under way, and the requests waiting for none. */
export class VisibleFirst {
  #inView = 0;
  #waiting = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Requests of cells on screen under way. */
  get inView(): number {
    return this.#inView;
  }

  /**
   * Run `request` for a cell whose place is `screen` (none: not a cell, runs at once). On screen it runs at once (and
   * counts); off screen it first waits a task (so that the cells on screen that change in the same update ask first),
   * then until no request on screen is under way or the cell comes into view. `stale` says whether a newer request
   * of the same cell has replaced this one while it waited: it is then not sent, and rejects with `StaleRequest`.
   * `holds: false` (a fitted model's cell: its fit runs in a worker of its own, beside DuckDB) runs as a cell on screen
   * does but holds back no other.
   */
  async run<T>(screen: OnScreen | undefined, request: () => Promise<T>, opts: { stale?: () => boolean; holds?: boolean } = {}): Promise<T> {
    const stale = opts.stale ?? (() => false);
    if (screen && screen.value === null) await this.#firstLook(screen);
    if (screen && !screen.value) {
      await new Promise((r) => setTimeout(r, 0));
      while (this.#inView > 0 && !screen.value && !stale()) await this.#wake(screen);
      if (stale()) throw new StaleRequest('replaced by a newer request');
      // Came into view while waiting: it now goes as a cell on screen does.
      if (!screen.value) return request();
    }
    if (opts.holds === false) return request();
    this.#inView++;
    try {
      return await request();
    } finally {
      this.#inView--;
      if (this.#inView === 0) this.#release();
    }
  }

  /** Until the cell's observer has looked once (or a short while has passed). */
  #firstLook(screen: OnScreen): Promise<void> {
    return new Promise((resolve) => {
      const stop = screen.listen(done);
      const timer = setTimeout(done, FIRST_LOOK_MS);
      function done() {
        stop();
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Until the requests on screen are done or this cell comes into view. */
  #wake(screen: OnScreen): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        stop();
        this.#waiting.delete(done);
        resolve();
      };
      const stop = screen.listen(done);
      this.#waiting.add(done);
    });
  }

  /**
   * Let the waiting requests go, a task later: what the cells on screen ask next from their result (a list page) is
   * asked in the same task as the result arrives, and so goes first.
   */
  #release(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#inView > 0) return;
      for (const w of [...this.#waiting]) w();
    }, 0);
  }
}

/** The page's queue. */
export const visibleFirst = new VisibleFirst();
