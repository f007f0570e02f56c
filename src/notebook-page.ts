/** The notebook page: starts the engine worker (via the client module) and mounts the notebook. */
import { mount } from 'svelte';
import './db/client.ts';
import './print.css';
import App from './App.svelte';
import { appUpdate } from './notebook/app-update.svelte.ts';
import { isReportFragment } from './notebook/share-codec.ts';

// The notebook mounts in a task of its own: evaluating the page's script and mounting it in one task made that
// task the longest of a page load (about 200 ms here); the worker has already started loading DuckDB.
setTimeout(() => mount(App, { target: document.getElementById('app')! }), 0);
// The service worker is registered after the page has loaded, so that precaching does not compete with it.
if (document.readyState === 'complete') appUpdate.start();
else addEventListener('load', () => appUpdate.start());
// A share link pasted into this tab's address bar changes only the fragment: open it as a link is opened.
addEventListener('hashchange', () => {
  if (isReportFragment(location.hash)) location.reload();
});
