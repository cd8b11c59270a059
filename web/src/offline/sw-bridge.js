// Page side of the service worker: registration, precache progress, and the update hand-over.
// A new deploy installs a new worker that waits; the page tells the person, and only their click
// (applyUpdate) lets it take over, followed by one reload, so a page never runs two deploys' files.

const SW_URL = '/sw.js';

/**
 * Register /sw.js (scope /). Callbacks: onProgress({done, total}) while files are saved for offline
 * use; onOffline({version}) once this deploy is fully cached; onUpdate(registration) when a newer
 * deploy is installed and waiting; onFailed() when saving a deploy failed (the browser retries on
 * the next visit). Resolves with the registration, or null where service workers are unavailable
 * (insecure origin, private mode, blocked storage), in which case the app still works online.
 */
export async function registerServiceWorker({ onProgress, onOffline, onUpdate, onFailed } = {}) {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return null;
  const sw = navigator.serviceWorker;
  sw.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.source !== 'bgremove-sw') return;
    if (data.type === 'precache-progress') onProgress?.({ done: data.done, total: data.total });
    if (data.type === 'activated') onOffline?.({ version: data.version });
  });
  // Messages from the worker are held until this; the first visit's progress must not wait for load.
  sw.startMessages();
  let registration;
  try {
    registration = await sw.register(SW_URL, { scope: '/', updateViaCache: 'none' });
  } catch (err) {
    console.warn('bgremove: offline support unavailable:', err?.message || err);
    return null;
  }
  const notifyIfWaiting = () => {
    // A waiting worker while another controls the page is a newer deploy, not the first install.
    if (registration.waiting && sw.controller) onUpdate?.(registration);
  };
  const watch = (incoming) => {
    incoming?.addEventListener('statechange', () => {
      if (incoming.state === 'installed') notifyIfWaiting();
      // Precaching failed (network gone, or a file that is not of this build): nothing was kept.
      if (incoming.state === 'redundant' && !registration.waiting && !registration.installing) onFailed?.();
    });
  };
  registration.addEventListener('updatefound', () => watch(registration.installing));
  watch(registration.installing);
  notifyIfWaiting();
  if (registration.active && sw.controller) onOffline?.({ version: await activeVersion() });
  return registration;
}

/** The precache version of the worker controlling this page, or null. */
export function activeVersion() {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = (event) => {
      const data = event.data || {};
      if (data.source !== 'bgremove-sw' || data.type !== 'version') return;
      navigator.serviceWorker.removeEventListener('message', channel);
      resolve(data.version);
    };
    navigator.serviceWorker.addEventListener('message', channel);
    controller.postMessage({ type: 'version' });
    setTimeout(() => resolve(null), 3000);
  });
}

/** Let the waiting deploy take over, then reload once so every file comes from it. */
export function applyUpdate(registration) {
  const waiting = registration?.waiting;
  if (!waiting) return false;
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  waiting.postMessage({ type: 'skip-waiting' });
  return true;
}
