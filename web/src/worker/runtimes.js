// Loads the runtimes the build assembled into /vendor (see web/vendor/runtime.json).
// Everything comes from our own origin; the folder names carry content hashes.

import { sha256Hex } from './model-store.js';

// The WASM binary each ORT bundle instantiates.
const ORT_WASM = { wasm: 'ort-wasm-simd-threaded.wasm', webgpu: 'ort-wasm-simd-threaded.asyncify.wasm' };

let manifestPromise = null;
const ortModules = new Map();

export function runtimeManifest() {
  manifestPromise ??= fetch(new URL('../../vendor/runtime.json', import.meta.url), { cache: 'no-cache' })
    .then((r) => {
      if (!r.ok) throw new Error(`runtime manifest missing (HTTP ${r.status}); run setup again`);
      return r.json();
    });
  return manifestPromise;
}

// The runtime.json paths one ORT flavour loads: the service worker keeps the WebGPU ones out of
// the precache and stores them when an engine has used them (web/sw.js, "lazy").
export function ortFiles(manifest, flavour) {
  const base = manifest.ort.base;
  return [base + manifest.ort[flavour], base + ORT_WASM[flavour], base + ORT_WASM[flavour].replace(/\.wasm$/, '.mjs')];
}

// flavour 'wasm' (CPU only, smaller) or 'webgpu' (WebGPU + a WASM fallback EP in one bundle).
// span(name, fn) times the steps for EngineInfo.startup.
export async function loadOrt(flavour, span = (name, fn) => fn()) {
  if (ortModules.has(flavour)) return ortModules.get(flavour);
  const manifest = await runtimeManifest();
  const base = new URL(manifest.ort.base, self.location.href).href;
  const [ort, wasmBinary] = await Promise.all([
    span('ortImport', () => import(base + manifest.ort[flavour])),
    span('ortWasmFetch', () => fetchVerified(manifest, manifest.ort.base + ORT_WASM[flavour])),
  ]);
  ort.env.wasm.wasmPaths = base;
  // ORT instantiates exactly these bytes, which matched runtime.json's sha256, instead of fetching
  // the file again itself.
  ort.env.wasm.wasmBinary = wasmBinary;
  // Threads need SharedArrayBuffer, which only cross-origin isolated pages get. More than four
  // threads buys little for a 320x320 model and costs memory per thread.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 4) : 1;
  // We are already off the main thread; ORT's own proxy worker would only add a copy.
  ort.env.wasm.proxy = false;
  ortModules.set(flavour, ort);
  return ort;
}

export async function loadPython(span = (name, fn) => fn()) {
  const manifest = await runtimeManifest();
  const { module, lockFile, packages } = manifest.pyodide;
  const indexURL = new URL(manifest.pyodide.indexURL, self.location.href).href;
  const { loadPyodide } = await span('pyodideImport', () => import(indexURL + module));
  // Given the packages, Pyodide fetches and installs them while it bootstraps Python instead of after.
  const pyodide = await span('pyodideBoot', () => loadPyodide({ indexURL, lockFileURL: indexURL + lockFile, packages }));
  // It checks each wheel's sha256 from the lock file, but there only logs a failure: a package
  // missing now is loaded again with errorCallback, and any report becomes a failed start.
  const problems = [];
  const notYet = packages.filter((name) => !(name in pyodide.loadedPackages));
  if (notYet.length) {
    await span('packages', () => pyodide.loadPackage(notYet, {
      checkIntegrity: true, errorCallback: (m) => problems.push(m), messageCallback: () => {},
    }));
  }
  const missing = packages.filter((name) => !(name in pyodide.loadedPackages));
  if (problems.length || missing.length) {
    throw new Error(`A runtime file failed to load or failed its integrity check (${missing.join(', ') || 'packages'}): `
      + `${problems.join('; ') || 'not loaded'}. Reload the page; if this persists the site's files are damaged.`);
  }
  return pyodide;
}

// Bytes of one file listed in runtime.json, refused unless its sha256 matches the list.
export async function fetchVerified(manifest, path) {
  const entry = manifest.files?.find((f) => f.path === path);
  if (!entry) throw new Error(`Runtime file ${path} is not listed in runtime.json; run setup again.`);
  const response = await fetch(new URL(path, self.location.href));
  if (!response.ok) throw new Error(`Runtime file ${path} is missing (HTTP ${response.status}).`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength !== entry.bytes || await sha256Hex(bytes) !== entry.sha256) {
    throw new Error(`Runtime file ${path} failed its integrity check (sha256 mismatch); refusing to run it. `
      + 'Reload the page; if this persists the site\'s files are damaged.');
  }
  return bytes;
}
