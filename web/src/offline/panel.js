// The "On this device" panel: offline readiness, the update notice, how much is stored, and a
// button that clears it all. Builds its own DOM so the page only provides a place for it.
import { activeVersion, applyUpdate, registerServiceWorker } from './sw-bridge.js';
import { clearStoredData, formatBytes, requestPersistence, storageUsage } from './storage.js';

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function addStylesheet() {
  const href = new URL('./offline.css', import.meta.url).href;
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(el('link', { rel: 'stylesheet', href }));
}

/**
 * Mount the panel into `container` (default: a new <section> at the end of <main> or <body>) and
 * start offline support. noticeSlot: where the "new version" notice goes (default: the panel), so
 * it stays in sight when the panel sits in a closed disclosure; onOfflineChange(offline): told
 * when the app starts or stops working offline. Resolves {registration, refresh}. Never throws:
 * offline support is an extra, the app works without it.
 */
export async function mountOfflinePanel(container, { noticeSlot, onOfflineChange } = {}) {
  addStylesheet();
  const root = container || el('section', { className: 'offline-panel' });
  if (!container) (document.querySelector('main') || document.body).append(root);
  root.id ||= 'offline-panel';
  root.setAttribute('aria-labelledby', 'offline-heading');

  const offlineLine = el('p', { id: 'offline-status', role: 'status' }, 'Checking offline support…');
  const usageLine = el('p', { id: 'offline-usage' });
  const updateButton = el('button', { type: 'button', id: 'offline-update-button', className: 'button' }, 'Reload to update');
  const updateNotice = el('p', { id: 'offline-update', className: 'offline-update', hidden: true, role: 'alert' },
    'A new version of this app is ready. ', updateButton);
  const clearButton = el('button', { type: 'button', id: 'offline-clear', className: 'button secondary' }, 'Clear stored data');
  const clearLine = el('p', { id: 'offline-clear-status', role: 'status' });
  root.replaceChildren(
    el('h2', { id: 'offline-heading' }, 'On this device'),
    offlineLine, ...(noticeSlot ? [] : [updateNotice]), usageLine, clearButton, clearLine,
  );
  noticeSlot?.replaceChildren(updateNotice);

  const state = { version: null, update: false, failed: false, persisted: false, usage: null };
  window.bgremoveOffline = state;

  async function refresh() {
    try {
      const { usage, quota, persisted } = await storageUsage();
      Object.assign(state, { usage, persisted });
      usageLine.textContent = `Stored for offline use: ${formatBytes(usage)}`
        + (quota ? ` of ${formatBytes(quota)} available` : '')
        + (persisted ? ' (kept by the browser)' : ' (the browser may evict it when space runs low)');
    } catch {
      usageLine.textContent = 'This browser does not report storage use.';
    }
  }

  let registration = null;
  updateButton.addEventListener('click', () => {
    updateButton.disabled = true;
    if (!applyUpdate(registration)) window.location.reload();
  });
  clearButton.addEventListener('click', async () => {
    clearButton.disabled = true;
    const removed = await clearStoredData();
    clearLine.textContent = `Removed ${removed.caches} cache(s), ${removed.databases} database(s) and `
      + `${removed.workers} service worker(s). Reloading the page downloads everything again.`;
    offlineLine.textContent = 'Offline use is off until the next visit.';
    state.version = null;
    onOfflineChange?.(false);
    clearButton.disabled = false;
    await refresh();
  });

  registration = await registerServiceWorker({
    onProgress({ done, total }) {
      if (state.failed) return;
      offlineLine.textContent = `Saving the app for offline use: ${done} of ${total} files…`;
    },
    async onOffline({ version }) {
      state.version = version;
      offlineLine.textContent = 'Ready to work offline.';
      onOfflineChange?.(true);
      state.persisted = await requestPersistence();
      await refresh();
    },
    onUpdate() {
      state.update = true;
      updateNotice.hidden = false;
    },
    onFailed() {
      state.failed = true;
      if (!navigator.serviceWorker.controller) {
        offlineLine.textContent = 'Could not save the app for offline use; it works online and will try again on the next visit.';
      }
    },
  });
  if (!registration) {
    offlineLine.textContent = 'Offline use is not available in this browser window.';
  } else if (!navigator.serviceWorker.controller) {
    if (offlineLine.textContent.startsWith('Checking')) offlineLine.textContent = 'Saving the app for offline use…';
  } else {
    state.version ??= await activeVersion();
  }
  await refresh();
  return { registration, refresh };
}
