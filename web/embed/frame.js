// The widget's engine frame. It runs our own BgRemover (web/src/api/bg-remover.js) and answers the
// host page's /embed.js over postMessage. Trust rules: a message counts only if it comes from
// window.parent, from an origin the server's allow-list names (the same list its CSP
// frame-ancestors enforces), and from the same origin as every earlier message; replies go to that
// origin only, never to '*'.
import { BgRemover } from '../src/api/bg-remover.js';
import { registerServiceWorker } from '../src/offline/sw-bridge.js';
import { CHANNEL, Message, PROTOCOL } from './messages.js';
import { originAllowed } from './origins.js';

// Chromium and WebKit tell us the parent's origin; elsewhere the first valid message pins it.
let parentOrigin = location.ancestorOrigins?.length ? location.ancestorOrigins[0] : null;
let remover = null;
let creating = null;
const jobs = new Map(); // id -> AbortController of a running remove()
const stats = { accepted: 0, ignored: 0 };
window.bgremoveFrame = stats;

// Fails closed: with no list (offline and never cached, a host that does not serve it, a broken
// file) no parent is trusted. The service worker keeps each version's list next to this page, and a
// new server configuration means a new worker (web/sw.js), so offline the two always agree.
const allowList = fetch('/embed/allowed-origins.json', { cache: 'no-cache' })
  .then((r) => (r.ok ? r.json() : null))
  .then((body) => body?.frameAncestors ?? null)
  .catch(() => null);

function post(message, transfer = []) {
  if (!parentOrigin || window.parent === window) return;
  window.parent.postMessage({ channel: CHANNEL, protocol: PROTOCOL, ...message }, parentOrigin, transfer);
}

function errorPayload(err) {
  return { name: err?.name || 'Error', message: err?.message || String(err) };
}

async function trusted(event) {
  if (event.source !== window.parent || window.parent === window) return false;
  const data = event.data;
  if (!data || data.channel !== CHANNEL || typeof data.type !== 'string') return false;
  if (parentOrigin && event.origin !== parentOrigin) return false;
  if (!originAllowed(await allowList, event.origin, location.origin)) return false;
  parentOrigin ??= event.origin;
  return true;
}

async function create(id, options = {}) {
  // Opt-in: browsers partition a framed origin's storage per embedding site, so offline support
  // here costs each host site its own ~58 MB copy of the runtimes.
  if (options.offline) registerServiceWorker().catch(() => {});
  if (remover) return post({ type: Message.CREATED, id, info: remover.info });
  creating ??= BgRemover.create({
    model: options.model,
    backend: options.backend || 'auto',
    idleMs: options.idleMs,
    onProgress: (progress) => post({ type: Message.PROGRESS, id, progress }),
  });
  try {
    remover = await creating;
    post({ type: Message.CREATED, id, info: remover.info });
  } catch (err) {
    creating = null;
    post({ type: Message.ERROR, id, error: errorPayload(err) });
  }
}

async function remove(id, blob, options = {}) {
  const controller = new AbortController();
  jobs.set(id, controller);
  try {
    if (!remover) throw new Error('The widget engine has not been created yet.');
    // This job's own progress (the 'preview'), for the host's remove({onProgress}).
    const onProgress = (progress) => post({ type: Message.PROGRESS, id, progress });
    const result = await remover.remove(blob, { ...options, signal: controller.signal, onProgress });
    post({ type: Message.RESULT, id, result });
  } catch (err) {
    post({ type: Message.ERROR, id, error: errorPayload(err) });
  } finally {
    jobs.delete(id);
  }
}

window.addEventListener('message', async (event) => {
  if (!(await trusted(event))) {
    stats.ignored += 1;
    return;
  }
  stats.accepted += 1;
  const { type, id, options, blob } = event.data;
  if (type === Message.CREATE) create(id, options);
  else if (type === Message.REMOVE) remove(id, blob, options);
  else if (type === Message.CANCEL) jobs.get(id)?.abort();
  else if (type === Message.DISPOSE) {
    remover?.dispose();
    remover = null;
    creating = null;
  } else post({ type: Message.ERROR, id, error: { name: 'TypeError', message: `unknown message type "${type}"` } });
});

// Ready handshake. With the parent's origin known the announcement goes only there; without it
// (no ancestorOrigins) it carries nothing but its type, so '*' leaks nothing.
if (parentOrigin) {
  post({ type: Message.READY });
} else if (window.parent !== window) {
  window.parent.postMessage({ channel: CHANNEL, protocol: PROTOCOL, type: Message.READY }, '*');
}

