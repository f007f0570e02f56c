/**
 * Chart drawing in line, one chart per task. When a result arrives, a cell may mount several charts at once;
 * drawing each in its own task keeps every task short, so the page keeps answering clicks and scrolls
 * while the charts appear one after another.
 */
type Job = { run: () => void };

const queue: Job[] = [];
let posted = false;
const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel();

function next(): void {
  posted = false;
  const job = queue.shift();
  try {
    job?.run();
  } finally {
    if (queue.length) post();
  }
}

function post(): void {
  if (posted) return;
  posted = true;
  if (channel) channel.port2.postMessage(null);
  else setTimeout(next, 0);
}

if (channel) channel.port1.onmessage = next;

/** Run `run` in a task of its own after the jobs already waiting; the returned function cancels it if it has not run yet. */
export function schedule(run: () => void): () => void {
  const job: Job = { run };
  queue.push(job);
  post();
  return () => {
    const i = queue.indexOf(job);
    if (i >= 0) queue.splice(i, 1);
  };
}
