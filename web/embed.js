// Host-side script of the embeddable widget. A page includes
//   <script src="https://APP-ORIGIN/embed.js" defer></script>
// and gets the <bg-remover> element and window.BgRemover (the same create/remove/dispose API as the
// app's own page). The work happens in a hidden iframe from APP-ORIGIN (/embed/frame.html), so the
// app's headers, service worker, storage and workers stay on its origin; photos go from this page
// to that frame with postMessage and never to any server.
//
// Trust rule: a message is read only if its origin is APP-ORIGIN and its source is the iframe this
// script created; everything is sent to APP-ORIGIN only.
(() => {
  'use strict';

  if (window.customElements?.get('bg-remover')) return; // included twice

  // Copies of web/embed/messages.js (what the frame imports) and of web/src/shared/protocol.js's
  // FORMATS: a classic script cannot import a module. tests/test_embed_messages.py holds them equal.
  const CHANNEL = 'bgremove-embed';
  const PROTOCOL = 1;
  const Message = Object.freeze({
    CREATE: 'create', REMOVE: 'remove', CANCEL: 'cancel', DISPOSE: 'dispose',
    READY: 'ready', PROGRESS: 'progress', CREATED: 'created', RESULT: 'result', ERROR: 'error',
  });
  const APP_ORIGIN = appOrigin();
  const FRAME_URL = `${APP_ORIGIN}/embed/frame.html`;
  const FORMATS = ['image/png', 'image/webp', 'mask'];
  const READY_GRACE_MS = 10_000;

  // Whose frame to load. A classic <script src> is document.currentScript. A module, or a script
  // added by a loader after the fact, has none, and guessing from the page's other <script src$=
  // "/embed.js"> could pick another vendor's widget; such pages must name the app's origin on the
  // tag: <script type="module" src="https://APP/embed.js" data-bgremove-origin="https://APP">.
  function appOrigin() {
    const own = document.currentScript;
    const named = own ? [own] : [...document.querySelectorAll('script[data-bgremove-origin]')];
    const declared = named.map((el) => el.getAttribute('data-bgremove-origin')).filter(Boolean);
    if (declared.length > 1 && new Set(declared.map((d) => parseOrigin(d))).size > 1) {
      throw new Error('bg-remover: several <script data-bgremove-origin> tags name different origins.');
    }
    if (declared.length) {
      const origin = parseOrigin(declared[0]);
      if (!origin) throw new Error(`bg-remover: data-bgremove-origin="${declared[0]}" is not an http(s) origin.`);
      return origin;
    }
    if (own?.src) return new URL(own.src, location.href).origin;
    throw new Error('bg-remover: embed.js cannot tell which app it belongs to (it was loaded as a module or '
      + 'by a script loader). Add data-bgremove-origin="https://your-app.example" to its <script> tag.');
  }

  function parseOrigin(value) {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
    } catch {
      return null;
    }
  }

  // One hidden iframe per remover: each has its own engine worker, and dispose() frees it all.
  class FrameConnection {
    constructor() {
      this.pending = new Map();
      this.nextId = 1;
      this.iframe = document.createElement('iframe');
      this.iframe.title = 'Background remover engine';
      this.iframe.setAttribute('aria-hidden', 'true');
      this.iframe.tabIndex = -1;
      Object.assign(this.iframe.style, {
        position: 'absolute', width: '1px', height: '1px', border: '0', opacity: '0',
        pointerEvents: 'none', left: '-10000px', top: '0',
      });
      this.onMessage = this.onMessage.bind(this);
      window.addEventListener('message', this.onMessage);
      this.ready = new Promise((resolve, reject) => {
        this.readyResolve = resolve;
        // A frame the app refuses to show here (its CSP frame-ancestors) still fires 'load', with an
        // error page that never says 'ready'; the real frame says it as soon as its modules ran.
        this.iframe.addEventListener('load', () => {
          setTimeout(() => reject(new Error(`The background remover at ${APP_ORIGIN} did not answer. `
            + `Is ${location.origin} in its allowed embedders (bgremove-serve --frame-ancestors)?`)), READY_GRACE_MS);
        });
      });
      this.ready.catch(() => {});
      this.iframe.src = FRAME_URL;
      (document.body || document.documentElement).append(this.iframe);
    }

    onMessage(event) {
      // Origin alone is not enough (any page of APP_ORIGIN could post); it must be our frame.
      if (event.origin !== APP_ORIGIN || event.source !== this.iframe.contentWindow) return;
      const data = event.data;
      if (!data || data.channel !== CHANNEL) return;
      if (data.type === Message.READY) {
        this.readyResolve();
        return;
      }
      const job = this.pending.get(data.id);
      if (!job) return;
      if (data.type === Message.PROGRESS) {
        job.onProgress?.(data.progress);
      } else if (data.type === Message.CREATED || data.type === Message.RESULT) {
        this.pending.delete(data.id);
        job.resolve(data.type === Message.CREATED ? data.info : data.result);
      } else if (data.type === Message.ERROR) {
        this.pending.delete(data.id);
        const err = new Error(data.error?.message || 'background removal failed');
        if (data.error?.name === 'AbortError') {
          job.reject(new DOMException(err.message, 'AbortError'));
          return;
        }
        if (data.error?.name) err.name = data.error.name;
        job.reject(err);
      }
    }

    async request(type, payload = {}, { onProgress, signal } = {}) {
      await this.ready;
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, onProgress });
        signal?.addEventListener('abort', () => {
          if (!this.pending.delete(id)) return;
          this.send({ type: Message.CANCEL, id });
          reject(new DOMException('cancelled', 'AbortError'));
        }, { once: true });
        this.send({ type, id, ...payload });
      });
    }

    send(message) {
      this.iframe.contentWindow?.postMessage({ channel: CHANNEL, protocol: PROTOCOL, ...message }, APP_ORIGIN);
    }

    close(reason) {
      window.removeEventListener('message', this.onMessage);
      this.send({ type: Message.DISPOSE });
      this.iframe.remove();
      for (const job of this.pending.values()) job.reject(new Error(reason));
      this.pending.clear();
    }
  }

  class RemoteRemover {
    #conn;
    #disposed = false;

    constructor(conn, info) {
      this.#conn = conn;
      this.info = info;
    }

    /**
     * Same options as the app's BgRemover.create: {model, backend, onProgress, idleMs}, plus
     * offline: true to let the frame keep the runtimes for use without a network.
     */
    static async create({ model, backend = 'auto', onProgress, idleMs, offline = false } = {}) {
      const conn = new FrameConnection();
      try {
        const options = { model, backend, idleMs, offline: Boolean(offline) };
        const info = await conn.request(Message.CREATE, { options }, { onProgress });
        return new RemoteRemover(conn, info);
      } catch (err) {
        conn.close('engine failed to start');
        throw err;
      }
    }

    get backend() {
      return this.info.backend;
    }

    get model() {
      return this.info.model?.id;
    }

    /**
     * Resolves {blob, width, height, backend, model, timings}, like the app's remover.remove();
     * onProgress gets this photo's progress (the 'preview' of a multi-pass plan) from the frame.
     */
    async remove(file, options = {}) {
      if (this.#disposed) throw new Error('This remover has been disposed; create a new one.');
      if (!(file instanceof Blob)) throw new Error('remove() expects a File or Blob holding an image.');
      const { signal, onProgress, ...rest } = options;
      if (rest.format !== undefined && !FORMATS.includes(rest.format)) {
        throw new Error(`format must be one of ${FORMATS.join(', ')}; got "${rest.format}".`);
      }
      // A File keeps its name across postMessage; the engine uses it only in error messages.
      return this.#conn.request(Message.REMOVE, { blob: file, options: rest }, { signal, onProgress });
    }

    dispose() {
      this.#disposed = true;
      this.#conn.close('This remover has been disposed.');
    }
  }

  const STYLE = `
    :host {
      display: block;
      font: var(--bg-remover-font, inherit);
      color: var(--bg-remover-color, inherit);
    }
    [part="dropzone"] {
      display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .5em;
      min-height: var(--bg-remover-min-height, 10rem);
      padding: 1em;
      border: 2px dashed var(--bg-remover-border-color, currentColor);
      border-radius: var(--bg-remover-radius, 12px);
      background: var(--bg-remover-background, transparent);
      cursor: pointer; text-align: center;
    }
    :host([data-dragging]) [part="dropzone"] { border-color: var(--bg-remover-accent, #2563eb); }
    [part="dropzone"]:focus-within { outline: 2px solid var(--bg-remover-accent, #2563eb); outline-offset: 2px; }
    input { position: absolute; width: 1px; height: 1px; opacity: 0; }
    [part="status"] { margin: .5em 0 0; min-height: 1.2em; }
    progress { width: 100%; accent-color: var(--bg-remover-accent, #2563eb); }
    [part="result"] {
      display: block; max-width: 100%; margin-top: .5em;
      border-radius: var(--bg-remover-radius, 12px);
      background-color: var(--bg-remover-checker-light, #fff);
      background-image:
        linear-gradient(45deg, var(--bg-remover-checker-dark, #ccc) 25%, transparent 25%, transparent 75%, var(--bg-remover-checker-dark, #ccc) 75%),
        linear-gradient(45deg, var(--bg-remover-checker-dark, #ccc) 25%, transparent 25%, transparent 75%, var(--bg-remover-checker-dark, #ccc) 75%);
      background-size: 16px 16px; background-position: 0 0, 8px 8px;
    }
    [part="download"] { display: inline-block; margin-top: .5em; color: var(--bg-remover-accent, #2563eb); }
    [hidden] { display: none !important; }
  `;

  // remove() options that may be given as attributes: attribute -> [option key, type].
  const OPTION_ATTRIBUTES = {
    format: ['format', String],
    background: ['background', String],
    refine: ['refine', String],
    quality: ['quality', Number],
    threshold: ['threshold', Number],
    feather: ['feather', Number],
    'edge-shift': ['edge_shift', Number],
  };

  function sheetFor(root) {
    // Constructed stylesheets are not subject to the host page's CSP style-src; <style> is the fallback.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      root.adoptedStyleSheets = [sheet];
    } catch {
      const style = document.createElement('style');
      style.textContent = STYLE;
      root.append(style);
    }
  }

  class BgRemoverElement extends HTMLElement {
    static observedAttributes = ['label'];

    #remover = null;
    #resultUrl = null;
    #ui = null;

    connectedCallback() {
      if (!this.#ui) this.#render();
      if (!this.hasAttribute('lazy')) this.ready().catch(() => {});
    }

    disconnectedCallback() {
      // Moving the element keeps its engine; only removal from the document frees it.
      queueMicrotask(() => {
        if (this.isConnected || !this.#remover) return;
        this.#remover.then((r) => r.dispose(), () => {});
        this.#remover = null;
      });
    }

    attributeChangedCallback(name, _old, value) {
      if (name === 'label' && this.#ui) this.#ui.label.textContent = value || 'Drop a photo or choose one';
    }

    /** The element's RemoteRemover, started on first use. */
    ready() {
      this.#remover ??= RemoteRemover.create({
        model: this.getAttribute('model') || undefined,
        backend: this.getAttribute('backend') || 'auto',
        offline: this.hasAttribute('offline'),
        onProgress: (progress) => this.#onProgress(progress),
      }).then((remover) => {
        this.#status('Ready. Photos stay on this device.');
        this.#ui.progress.hidden = true;
        this.#emit('bgremove-ready', { backend: remover.backend, model: remover.model, info: remover.info });
        return remover;
      }, (err) => {
        this.#remover = null;
        this.#fail(err);
        throw err;
      });
      return this.#remover;
    }

    /** Cut out one image with the element's attribute options, overridden by `options`. */
    async process(file, options = {}) {
      const remover = await this.ready();
      this.#status('Removing the background…');
      try {
        const result = await remover.remove(file, { ...this.#attributeOptions(), ...options });
        this.#show(result);
        this.#status(`Done: ${result.width}×${result.height}.`);
        this.#emit('bgremove-result', { ...result, file });
        return result;
      } catch (err) {
        this.#fail(err);
        throw err;
      }
    }

    #attributeOptions() {
      const options = {};
      for (const [attr, [key, type]] of Object.entries(OPTION_ATTRIBUTES)) {
        const value = this.getAttribute(attr);
        if (value !== null) options[key] = type(value);
      }
      return options;
    }

    #render() {
      const root = this.attachShadow({ mode: 'open' });
      sheetFor(root);
      const zone = document.createElement('label');
      zone.part = 'dropzone';
      const label = document.createElement('span');
      label.part = 'label';
      label.textContent = this.getAttribute('label') || 'Drop a photo or choose one';
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = 'image/*';
      zone.append(label, input);
      const progress = document.createElement('progress');
      progress.hidden = true;
      const status = document.createElement('p');
      status.part = 'status';
      status.setAttribute('role', 'status');
      const img = document.createElement('img');
      img.part = 'result';
      img.alt = 'Cut-out result';
      img.hidden = true;
      const download = document.createElement('a');
      download.part = 'download';
      download.textContent = 'Download';
      download.hidden = true;
      root.append(zone, progress, status, img, download);
      this.#ui = { label, input, progress, status, img, download };

      input.addEventListener('change', () => {
        const [file] = input.files;
        input.value = '';
        if (file) this.process(file).catch(() => {});
      });
      zone.addEventListener('dragover', (e) => {
        e.preventDefault();
        this.toggleAttribute('data-dragging', true);
      });
      zone.addEventListener('dragleave', () => this.removeAttribute('data-dragging'));
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        this.removeAttribute('data-dragging');
        const file = [...(e.dataTransfer?.files || [])].find((f) => f.type.startsWith('image/'));
        if (file) this.process(file).catch(() => {});
      });
    }

    #onProgress(progress) {
      const { progress: bar } = this.#ui;
      if (progress.stage === 'download' && progress.total) {
        bar.hidden = false;
        bar.max = progress.total;
        bar.value = progress.loaded;
        this.#status(`Downloading the model: ${Math.round((100 * progress.loaded) / progress.total)}%`);
      } else if (progress.stage) {
        this.#status(progress.stage === 'ready' ? 'Ready.' : 'Starting the on-device engine…');
      }
      this.#emit('bgremove-progress', progress);
    }

    #show(result) {
      if (this.hasAttribute('no-preview')) return;
      if (this.#resultUrl) URL.revokeObjectURL(this.#resultUrl);
      this.#resultUrl = URL.createObjectURL(result.blob);
      const { img, download } = this.#ui;
      img.src = this.#resultUrl;
      img.hidden = false;
      download.href = this.#resultUrl;
      download.download = result.blob.type === 'image/webp' ? 'cutout.webp' : 'cutout.png';
      download.hidden = this.hasAttribute('no-download');
    }

    #status(text) {
      this.#ui.status.textContent = text;
    }

    #fail(err) {
      this.#status(`Error: ${err.message}`);
      this.#emit('bgremove-error', { name: err.name, message: err.message });
    }

    #emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
  }

  window.BgRemover = RemoteRemover;
  window.customElements.define('bg-remover', BgRemoverElement);
})();
