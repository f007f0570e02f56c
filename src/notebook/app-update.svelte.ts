/**
 * The offline app: registers the service worker that precaches the app, and says when a new version is waiting.
 * A new version takes over only when the user reloads through `apply`, so a page never mixes two versions' files.
 */
import { registerSW } from 'virtual:pwa-register';

class AppUpdate {
  /** A new version is installed and waits for a reload. */
  waiting = $state(false);
  /** The app and its engine are cached: the page loads and analyses with the network off. */
  offline = $state(false);
  #update: ((reload?: boolean) => Promise<void>) | undefined;

  start(): void {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.waiting = true),
      onOfflineReady: () => (this.offline = true),
      onRegisteredSW: (_url, registration) => {
        if (registration?.active && !registration.waiting && navigator.serviceWorker.controller) this.offline = true;
      },
    });
  }

  /** Let the waiting version take over and reload the page with it (the notebook restores its files). */
  apply(): void {
    void this.#update?.(true);
  }
}

export const appUpdate = new AppUpdate();
