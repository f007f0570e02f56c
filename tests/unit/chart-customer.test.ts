// The customer 360 view's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { customerEvents, customerTimeline } from '../../src/charts/customer.ts';
import type { Customer360 } from '../../src/models/customer360.ts';
import { snapshotTests } from './chart-snapshot.ts';

const customer: Customer360 = {
  customer_id: 'C1', found: true,
  summary: { purchases: 2, revenue: 350, first_day: '2025-01-03', last_day: '2025-02-10', refunds: 1, refund_amount: 50, orders: 3 },
  orders: [
    { order_id: 'O3', ts: '2025-02-12 09:30', day: '2025-02-12', amount: -50, lines: 1, items: null, kind: 'refund', partly_refunded: false },
    { order_id: 'O2', ts: '2025-02-10 18:05', day: '2025-02-10', amount: 150, lines: 2, items: null, kind: 'purchase', partly_refunded: true },
    { order_id: 'O1', ts: '2025-01-03 11:00', day: '2025-01-03', amount: 200, lines: 1, items: null, kind: 'purchase', partly_refunded: false },
  ],
  events: [{ ts: '2025-01-02 20:00', event: 'signup' }, { ts: '2025-02-09 21:15', event: 'add_to_cart' }],
};

snapshotTests({
  'customer-timeline': (w, l) => customerTimeline(customer, w, l),
  'customer-events': (w, l) => customerEvents(customer, w, l),
});
