/** The share link's page: the read-only report view, without the notebook, the engine or DuckDB. */
import { mount } from 'svelte';
import LinkView from './views/LinkView.svelte';

performance.mark('report-link:script');
mount(LinkView, { target: document.getElementById('app')! });
