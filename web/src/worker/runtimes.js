// Loads the runtimes the build assembled into /vendor (see web/vendor/runtime.json).
// Everything comes from our own origin; the folder names carry content hashes.

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

// flavour 'wasm' (CPU only, smaller) or 'webgpu' (WebGPU + a WASM fallback EP in one bundle).
export async function loadOrt(flavour) {
  if (ortModules.has(flavour)) return ortModules.get(flavour);
  const manifest = await runtimeManifest();
  const base = new URL(manifest.ort.base, self.location.href).href;
  const ort = await import(base + manifest.ort[flavour]);
  ort.env.wasm.wasmPaths = base;
  // Threads need SharedArrayBuffer, which only cross-origin isolated pages get. More than four
  // threads buys little for a 320x320 model and costs memory per thread.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 4) : 1;
  // We are already off the main thread; ORT's own proxy worker would only add a copy.
  ort.env.wasm.proxy = false;
  ortModules.set(flavour, ort);
  return ort;
}

export async function loadPython() {
  const manifest = await runtimeManifest();
  const { module, lockFile, packages } = manifest.pyodide;
  const indexURL = new URL(manifest.pyodide.indexURL, self.location.href).href;
  const { loadPyodide } = await import(indexURL + module);
  const pyodide = await loadPyodide({ indexURL, lockFileURL: indexURL + lockFile });
  // Pyodide checks each wheel's sha256 from the lock file, so a tampered file fails loudly here.
  await pyodide.loadPackage(packages, { checkIntegrity: true });
  return pyodide;
}
