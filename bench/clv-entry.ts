/** The CLV code the benchmark runs inside Chromium, bundled by bench/clv.ts into one classic script (global `__clv`). */
export { fitAndScoreSynthetic } from '../src/models/clv/synthetic.ts';
export { scoreCustomers } from '../src/models/clv/pipeline.ts';
export { fitBgNbd } from '../src/models/clv/bgnbd.ts';
