/** Entry point: starts the engine worker (via the client module) and mounts the notebook. */
import { mount } from 'svelte';
import './db/client.ts';
import './app.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
