// Model bytes: the manifest says what to fetch and its sha256; IndexedDB keeps verified bytes
// under that hash, and every load re-checks the hash (a cache entry can rot or be tampered with).

import { Stage } from '../shared/protocol.js';

const MODELS_BASE = new URL('../../models/', import.meta.url);
const DB_NAME = 'bgremove-models';
const STORE = 'bytes';

let manifestPromise = null;

export function modelManifest() {
  manifestPromise ??= fetch(new URL('manifest.json', MODELS_BASE), { cache: 'no-cache' }).then((r) => {
    if (!r.ok) throw new Error(`The model list is missing (HTTP ${r.status}); the models have not been built.`);
    return r.json();
  });
  return manifestPromise;
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(req?.result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function download(entry, onProgress) {
  const url = new URL(entry.file, MODELS_BASE);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not download model "${entry.id}" (HTTP ${response.status}).`);
  const total = entry.bytes;
  // Content-Length may describe compressed bytes; the manifest's size is what we will hold.
  const out = new Uint8Array(total);
  let loaded = 0;
  const reader = response.body.getReader();
  onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.byteLength > total) {
      await reader.cancel();
      throw new Error(`Model "${entry.id}" is larger than the manifest says (${total} bytes).`);
    }
    out.set(value, loaded);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  if (loaded !== total) throw new Error(`Model "${entry.id}" download ended at ${loaded} of ${total} bytes.`);
  return out;
}

/**
 * The model's bytes, verified against the manifest's sha256. Returns {bytes, source} where source is
 * 'cache' or 'network'. onProgress gets {stage: 'download'|'verify', loaded?, total?}.
 */
export async function loadModelBytes(entry, onProgress = () => {}) {
  let db = null;
  try {
    db = await openDb();
  } catch {
    db = null; // private modes may refuse IndexedDB; we still work, only without the cache
  }
  try {
    if (db) {
      const cached = await tx(db, 'readonly', (s) => s.get(entry.sha256));
      if (cached) {
        onProgress({ stage: Stage.VERIFY });
        if (await sha256Hex(cached) === entry.sha256) return { bytes: new Uint8Array(cached), source: 'cache' };
        await tx(db, 'readwrite', (s) => s.delete(entry.sha256));
      }
    }
    const bytes = await download(entry, (p) => onProgress({ stage: Stage.DOWNLOAD, ...p }));
    onProgress({ stage: Stage.VERIFY });
    if (await sha256Hex(bytes) !== entry.sha256) {
      throw new Error(`Model "${entry.id}" failed its integrity check (sha256 mismatch); reload to retry.`);
    }
    if (db) {
      try {
        await tx(db, 'readwrite', (s) => s.put(bytes.buffer, entry.sha256));
      } catch {
        // Quota full: the model still runs, it will be fetched again next time.
      }
    }
    return { bytes, source: 'network' };
  } finally {
    db?.close();
  }
}
