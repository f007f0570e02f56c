/**
 * Entry point: a share link (`#r=…`) opens the read-only report view, which needs only the report's code and Plot;
 * anything else starts the notebook (the engine worker, DuckDB and the cells). Each comes as a script of its own, so
 * a link's reader never loads or starts the engine.
 */
import './app.css';
import { isReportFragment } from './notebook/share-codec.ts';

if (isReportFragment(location.hash)) void import('./link-page.ts');
else void import('./notebook-page.ts');
