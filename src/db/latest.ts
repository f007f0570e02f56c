/**
 * Runs requests for one view so that only the newest result is kept: when a setting changes again
 * before a query finishes, the older answer is dropped on arrival (and so is its error).
 */
export class Latest {
  #seq = 0;

  async run<T>(request: () => Promise<T>): Promise<{ stale: false; value: T } | { stale: true }> {
    const mine = ++this.#seq;
    try {
      const value = await request();
      return mine === this.#seq ? { stale: false, value } : { stale: true };
    } catch (e) {
      if (mine !== this.#seq) return { stale: true };
      throw e;
    }
  }
}
