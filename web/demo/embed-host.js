// Demo host page: listens to the element's events and drives window.BgRemover directly.
const events = document.getElementById('events');
const widget = document.getElementById('widget');

function log(text) {
  const li = document.createElement('li');
  li.textContent = text;
  events.append(li);
}

widget.addEventListener('bgremove-ready', (e) => log(`ready: ${e.detail.backend}, ${e.detail.model}`));
widget.addEventListener('bgremove-result', (e) => log(`result: ${e.detail.width}×${e.detail.height}, ${e.detail.blob.size} bytes`));
widget.addEventListener('bgremove-error', (e) => log(`error: ${e.detail.message}`));
widget.addEventListener('bgremove-progress', (e) => {
  if (e.detail.stage !== 'download') log(`progress: ${e.detail.stage}`);
});

let remover = null;
const status = document.getElementById('api-status');
document.getElementById('api-file').addEventListener('change', async (e) => {
  const [file] = e.target.files;
  if (!file) return;
  try {
    status.textContent = 'Starting…';
    remover ??= await window.BgRemover.create({ onProgress: (p) => { status.textContent = p.stage; } });
    const { blob, width, height, timings } = await remover.remove(file, { format: 'image/png' });
    const img = document.getElementById('api-result');
    img.src = URL.createObjectURL(blob);
    img.hidden = false;
    status.textContent = `${width}×${height} in ${Math.round(timings.total)} ms`;
  } catch (err) {
    status.textContent = `Error: ${err.message}`;
  }
});
