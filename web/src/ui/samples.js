// The sample photos in the hero: a click fetches one from our origin and adds it like a chosen file.

export function initSamples(container, addFiles, say) {
  container.addEventListener('click', async (e) => {
    const button = e.target.closest('button[data-sample]');
    if (!button) return;
    const url = button.dataset.sample;
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const blob = await res.blob();
      addFiles([new File([blob], url.split('/').pop(), { type: blob.type || 'image/jpeg' })]);
    } catch (err) {
      say(`Could not load the sample photo: ${err.message}`);
    }
  });
}
