// Service worker: keeps the app shell and the runtimes of one deploy in one cache, so the app opens
// and runs with no network after the first visit. Models are not here: the engine keeps them in
// IndexedDB by sha256.
//
// Versioning: sw-precache.js (written by webbuild) names every file and a version hashed from their
// contents. The browser byte-compares imported scripts on its update check, so a deploy that changes
// any file installs a new worker into a new cache. That worker waits until the page asks it to take
// over (the "Reload to update" notice), then deletes every older cache: a page never mixes files
// from two deploys.
//
// sw-config.js is written by the server (or the static export) from its header configuration: the
// CSP frame-ancestors and the widget's allow-list. Changing either changes its bytes, hence a new
// worker and a new cache, so an offline copy of the widget frame never keeps an old allow-list.
importScripts('/sw-precache.js');
try {
  importScripts('/sw-config.js');
} catch {
  // A host that does not serve it: the deploy's version alone names the cache.
}

const PRECACHE = self.BGREMOVE_PRECACHE;
const PREFIX = 'bgremove-';
const VERSION = self.BGREMOVE_SERVER?.config ? `${PRECACHE.version}-${self.BGREMOVE_SERVER.config}` : PRECACHE.version;
const CACHE = PREFIX + VERSION;
const RUNTIME = new Set(PRECACHE.runtime);
const PRECACHED = new Set([...PRECACHE.shell, ...PRECACHE.runtime]);
// Files only some visits need (the HEIC decoder): not precached, so a first visit never pays for
// them; the first fetch stores them, checked against this build's sha256, for offline use after.
const LAZY = new Set(PRECACHE.lazy || []);
// Server-rendered (the embed allow-list): the network wins, the cache covers offline visits.
const NETWORK_FIRST = new Set(['/embed/allowed-origins.json']);
const PARALLEL = 4;

async function broadcast(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) {
    client.postMessage({ source: 'bgremove-sw', version: VERSION, ...message });
  }
}

// A runtime file of an earlier deploy is byte-identical when its content-hashed URL is unchanged:
// copy it over instead of downloading tens of MB again.
async function fromOlderCache(path) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(path);
    if (hit) return hit;
  }
  return null;
}

// Runtime files, precached or lazy, live in folders named by content hash.
const immutable = (path) => RUNTIME.has(path) || (LAZY.has(path) && path.startsWith('/vendor/'));

async function fetchForCache(path) {
  if (immutable(path)) {
    const old = await fromOlderCache(path);
    if (old) return old;
  }
  // Immutable runtime files may come from the HTTP cache (the page has often just fetched them);
  // everything else is revalidated so the cache holds exactly this deploy.
  const response = await fetch(path, { cache: immutable(path) ? 'default' : 'no-cache', credentials: 'same-origin' });
  if (!response.ok || response.type !== 'basic' || response.redirected) {
    throw new Error(`precache: ${path} answered HTTP ${response.status}`);
  }
  // A server caught mid-deploy may hand out a file of another build: refuse to mix them.
  const actual = await sha256Hex(await response.clone().arrayBuffer());
  if (actual !== PRECACHE.sha256[path]) {
    throw new Error(`precache: ${path} is not the file of build ${PRECACHE.version} (sha256 ${actual})`);
  }
  return response;
}

// The same three lines as worker/model-store.js's sha256Hex: this is a classic worker script
// (importScripts), which cannot import an ES module, and registering it as a module worker would
// change which browsers can install it; not worth it for three lines.
async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function precache() {
  const cache = await caches.open(CACHE);
  const queue = [...PRECACHED];
  const total = queue.length;
  let done = 0;
  let failed = false;
  async function lane() {
    while (queue.length && !failed) {
      const path = queue.shift();
      try {
        if (!(await cache.match(path))) await cache.put(path, await fetchForCache(path));
      } catch (err) {
        failed = true; // the other lanes stop too: one bad file sinks the whole deploy
        throw err;
      }
      done += 1;
      if (!failed && (done % 4 === 0 || done === total)) await broadcast({ type: 'precache-progress', done, total });
    }
  }
  try {
    await Promise.all(Array.from({ length: PARALLEL }, lane));
    await carryLazyFiles(cache);
    await cacheServerFiles(cache);
  } catch (err) {
    // A half-filled cache must never serve: drop it, and the browser retries on the next visit.
    await caches.delete(CACHE);
    throw err;
  }
}

// The widget frame fails closed without its allow-list, so an offline frame needs this version's
// copy. Not sha256-checked (the server writes it); a host that lacks it only loses offline embedding.
async function cacheServerFiles(cache) {
  for (const path of NETWORK_FIRST) {
    try {
      const response = await fetch(path, { cache: 'no-cache', credentials: 'same-origin' });
      if (response.ok && response.type === 'basic' && !response.redirected) await cache.put(path, response);
    } catch {
      // offline during install: the frame refuses every parent until it can fetch the list
    }
  }
}

// A lazy file an earlier deploy cached stays usable offline across the update when its bytes are
// this build's: the old cache is deleted on activation, so copy it now.
async function carryLazyFiles(cache) {
  for (const path of LAZY) {
    if (await cache.match(path)) continue;
    const old = await fromOlderCache(path);
    if (old && await sha256Hex(await old.clone().arrayBuffer()) === PRECACHE.sha256[path]) {
      await cache.put(path, old);
    }
  }
}

async function cacheOnUse(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (!response.ok || response.type !== 'basic' || response.redirected) return response;
  // Another build's file (a deploy happened since this page loaded) must not run with this one.
  if (await sha256Hex(await response.clone().arrayBuffer()) !== PRECACHE.sha256[key]) {
    return new Response(`${key} is not the file of build ${PRECACHE.version}; reload the page.`,
      { status: 409, headers: { 'Content-Type': 'text/plain' } });
  }
  await cache.put(key, response.clone());
  return response;
}

async function cacheLazy(paths) {
  if (!Array.isArray(paths) || !(await caches.has(CACHE))) return;
  const cache = await caches.open(CACHE);
  for (const path of paths) {
    if (!LAZY.has(path) || await cache.match(path)) continue;
    try {
      await cache.put(path, await fetchForCache(path));
    } catch (err) {
      console.warn('bgremove-sw: not kept for offline use:', err?.message || err);
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
    await broadcast({ type: 'activated' });
  })());
});

self.addEventListener('message', (event) => {
  const { type } = event.data || {};
  if (type === 'skip-waiting') {
    self.skipWaiting();
  } else if (type === 'cache-lazy') {
    // The page's engine used lazy runtime files (the WebGPU build of ONNX Runtime) before this
    // worker controlled it, on a first visit: store them now, from the HTTP cache where it has them.
    event.waitUntil(cacheLazy(event.data.paths));
  } else if (type === 'version') {
    event.source?.postMessage({ source: 'bgremove-sw', type: 'version', version: VERSION, cache: CACHE });
  }
});

function cacheKey(url) {
  if (url.pathname === '/index.html') return '/';
  if (url.pathname.endsWith('/index.html')) return url.pathname.slice(0, -'index.html'.length);
  return url.pathname;
}

async function cacheFirst(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreVary: true });
  // A miss means this cache was cleared under us: the network still answers.
  return hit || fetch(request);
}

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(key, { ignoreVary: true });
    if (hit) return hit;
    throw err;
  }
}

// Web Share Target (manifest.webmanifest): a phone's share sheet POSTs photos to /share-target.
// They are answered here, on the device: kept in a cache the page empties (ui/shared-inbox.js),
// then the app opens. The POST never reaches the server, which refuses POST anyway.
const SHARE_PATH = '/share-target';
const SHARE_CACHE = PREFIX + 'shared';

async function receiveShare(request) {
  const form = await request.formData();
  const inbox = await caches.open(SHARE_CACHE);
  const stamp = Date.now();
  const files = form.getAll('photos').filter((f) => typeof f !== 'string');
  await Promise.all(files.map((file, i) => inbox.put(`/shared/${stamp}-${i}`, new Response(file, {
    headers: { 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) },
  }))));
  return Response.redirect('/#shared', 303);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method === 'POST' && new URL(request.url).pathname === SHARE_PATH
      && new URL(request.url).origin === self.location.origin) {
    event.respondWith(receiveShare(request));
    return;
  }
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Same origin, no query: anything else (model bytes included) goes to the network untouched.
  if (url.origin !== self.location.origin || url.search) return;
  const key = cacheKey(url);
  if (NETWORK_FIRST.has(key)) {
    event.respondWith(networkFirst(request, key));
  } else if (PRECACHED.has(key)) {
    event.respondWith(cacheFirst(request, key));
  } else if (LAZY.has(key)) {
    event.respondWith(cacheOnUse(request, key));
  }
});
