// What this origin keeps on the device (runtimes in the Cache API, models in IndexedDB), and the
// means to keep it from eviction or to wipe it.

const CACHE_PREFIX = 'bgremove-';

/** {usage, quota, persisted} in bytes; usage is null where the browser cannot say. */
export async function storageUsage() {
  const storage = navigator.storage;
  const estimate = storage?.estimate ? await storage.estimate() : {};
  const persisted = storage?.persisted ? await storage.persisted() : false;
  return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}

/**
 * Ask the browser not to evict our caches under storage pressure. Chromium decides from site
 * engagement and may say no without asking anyone; that only means data can be evicted.
 */
export async function requestPersistence() {
  const storage = navigator.storage;
  if (!storage?.persist) return false;
  if (await storage.persisted()) return true;
  try {
    return await storage.persist();
  } catch {
    return false;
  }
}

function deleteDatabase(name) {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve(true);
    req.onerror = () => resolve(false);
    // An open connection (a running engine) delays deletion until it closes; do not hang on it.
    req.onblocked = () => resolve(false);
  });
}

/**
 * Remove everything this app stored: precached files, model bytes, and the service worker itself.
 * Returns {caches, databases, workers}: how many of each were removed.
 */
export async function clearStoredData() {
  const result = { caches: 0, databases: 0, workers: 0 };
  if ('caches' in self) {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && await caches.delete(name)) result.caches += 1;
    }
  }
  if ('indexedDB' in self && indexedDB.databases) {
    // Every database on this origin is ours (models today); list them rather than hard-code names.
    for (const { name } of await indexedDB.databases()) {
      if (name && await deleteDatabase(name)) result.databases += 1;
    }
  }
  if (navigator.serviceWorker?.getRegistrations) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) {
      if (await registration.unregister()) result.workers += 1;
    }
  }
  return result;
}

export function formatBytes(n) {
  if (n == null) return 'unknown';
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(0)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
