import { describe, expect, it } from 'vitest';
import { OnScreen, StaleRequest, VisibleFirst } from '../../src/views/visible-first.ts';

/** A request that records when it was sent and answers when `finish` is called. */
function pending(log: string[], name: string) {
  let finish!: (v: string) => void;
  const answer = new Promise<string>((r) => (finish = r));
  return {
    request: () => {
      log.push(`sent ${name}`);
      return answer;
    },
    finish: () => finish(name),
  };
}

const screenAt = (value: boolean) => {
  const s = new OnScreen();
  s.set(value);
  return s;
};
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

describe('visible-first requests', () => {
  it('sends a cell off screen only once the cells on screen have their answers', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const hidden = pending(log, 'hidden');
    const shown = pending(log, 'shown');
    // The cell off screen asks first in the update, and still goes after.
    const h = q.run(screenAt(false), hidden.request);
    const v = q.run(screenAt(true), shown.request);
    await ticks();
    expect(log).toEqual(['sent shown']);
    expect(q.inView).toBe(1);
    shown.finish();
    expect(await v).toBe('shown');
    await ticks();
    expect(log).toEqual(['sent shown', 'sent hidden']);
    hidden.finish();
    expect(await h).toBe('hidden');
    expect(q.inView).toBe(0);
  });

  it('sends a waiting cell at once when it scrolls into view, and then counts it as on screen', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const screen = screenAt(false);
    const shown = pending(log, 'shown');
    const scrolled = pending(log, 'scrolled');
    const other = pending(log, 'other');
    void q.run(screenAt(true), shown.request);
    void q.run(screen, scrolled.request);
    void q.run(screenAt(false), other.request);
    await ticks();
    expect(log).toEqual(['sent shown']);
    screen.set(true);
    await ticks();
    expect(log).toEqual(['sent shown', 'sent scrolled']);
    shown.finish();
    await ticks();
    // The cell that came into view still holds the one off screen.
    expect(log).toEqual(['sent shown', 'sent scrolled']);
    scrolled.finish();
    await ticks();
    expect(log).toEqual(['sent shown', 'sent scrolled', 'sent other']);
    other.finish();
  });

  it('does not send a waiting request that a newer one replaced', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const shown = pending(log, 'shown');
    const old = pending(log, 'old');
    let replaced = false;
    void q.run(screenAt(true), shown.request);
    const waiting = q.run(screenAt(false), old.request, { stale: () => replaced });
    await ticks();
    replaced = true;
    shown.finish();
    await expect(waiting).rejects.toBeInstanceOf(StaleRequest);
    expect(log).toEqual(['sent shown']);
  });

  it('sends at once with nothing on screen under way; a request outside a cell goes at once as one on screen', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const a = pending(log, 'a');
    const b = pending(log, 'b');
    const c = pending(log, 'c');
    void q.run(screenAt(false), a.request);
    await ticks();
    expect(log).toEqual(['sent a']);
    void q.run(undefined, b.request);
    void q.run(screenAt(false), c.request);
    expect(log).toEqual(['sent a', 'sent b']);
    await ticks();
    expect(log).toEqual(['sent a', 'sent b']);
    b.finish();
    await ticks();
    expect(log).toEqual(['sent a', 'sent b', 'sent c']);
  });

  it('waits for the first look of a cell not seen yet, and goes by it', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const unseen = new OnScreen();
    const shown = pending(log, 'shown');
    const later = pending(log, 'later');
    void q.run(screenAt(true), shown.request);
    void q.run(unseen, later.request);
    await ticks();
    expect(log).toEqual(['sent shown']);
    unseen.set(false);
    await ticks();
    expect(log).toEqual(['sent shown']);
    shown.finish();
    await ticks();
    expect(log).toEqual(['sent shown', 'sent later']);
  });

  it('a fitted cell on screen holds back no other', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const fit = pending(log, 'fit');
    const hidden = pending(log, 'hidden');
    void q.run(screenAt(true), fit.request, { holds: false });
    void q.run(screenAt(false), hidden.request);
    expect(log).toEqual(['sent fit']);
    await ticks();
    expect(log).toEqual(['sent fit', 'sent hidden']);
  });

  it('asks anyway when a cell is not seen within a short while', async () => {
    const q = new VisibleFirst();
    const log: string[] = [];
    const x = pending(log, 'x');
    void q.run(new OnScreen(), x.request);
    await ticks();
    expect(log).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(log).toEqual(['sent x']);
  });
});
