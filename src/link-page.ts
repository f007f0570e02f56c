/** The share link's page: the read-only report view, without the notebook, the engine or DuckDB. */
import { mount } from 'svelte';
import LinkView from './views/LinkView.svelte';

mount(LinkView, { target: document.getElementById('app')! });
