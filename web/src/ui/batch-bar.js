// The results area's batch bar: overall progress and the buttons that act on every photo. The hero
// shrinks and the results show once there is a photo; the batch controls from the second.
const $ = (id) => document.getElementById(id);

// counts: Queue.counts() ({total, queued, working, done, error, cancelled}).
export function renderBatchBar(c) {
  const finished = c.done + c.error + c.cancelled;
  document.body.dataset.photos = c.total > 1 ? 'many' : String(c.total);
  $('results-section').hidden = c.total === 0;
  $('batch-bar').hidden = c.total < 2;
  const bar = $('overall-progress');
  bar.max = Math.max(1, c.total);
  bar.value = finished;
  const parts = [`${c.done} of ${c.total} done`];
  if (c.error) parts.push(`${c.error} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  if (c.queued + c.working) parts.push(`${c.queued + c.working} to go`);
  $('overall-text').textContent = c.total ? parts.join(', ') : 'No photos yet.';
  $('download-zip').disabled = c.done === 0;
  $('cancel-all').disabled = c.queued + c.working === 0;
  $('clear-results').disabled = c.total === 0;
  $('rerun').disabled = finished === 0;
}
