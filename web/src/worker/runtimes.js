// Loads the runtimes the build assembled into /vendor (see web/vendor/runtime.json).
// Everything comes from our own origin; the folder names carry content hashes.

let manifestPromise = null;

export function runtimeManifest() {
  manifestPromise ??= fetch('/vendor/runtime.json', { cache: 'no-cache' }).then((r) => {
    if (!r.ok) throw new Error(`runtime manifest missing (HTTP ${r.status}); run setup again`);
    return r.json();
  });
  return manifestPromise;
}

export async function loadOrt(flavour) {
  const manifest = await runtimeManifest();
  const ort = await import(manifest.ort.base + manifest.ort[flavour]);
  ort.env.wasm.wasmPaths = manifest.ort.base;
  // Threads need SharedArrayBuffer, which only cross-origin isolated pages get.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 4) : 1;
  return ort;
}

export async function loadPython() {
  const manifest = await runtimeManifest();
  const { indexURL, module, lockFile, packages } = manifest.pyodide;
  const { loadPyodide } = await import(indexURL + module);
  const pyodide = await loadPyodide({ indexURL, lockFileURL: indexURL + lockFile });
  // Pyodide checks each wheel's sha256 from the lock file, so a tampered file fails loudly here.
  await pyodide.loadPackage(packages, { checkIntegrity: true });
  return pyodide;
}
