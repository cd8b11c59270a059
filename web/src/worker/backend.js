// Which execution backends this browser offers. WebGPU counts only with a real (non-fallback)
// adapter: a software adapter is slower than our WASM path.

export async function probeWebGpu() {
  if (!('gpu' in navigator)) return { available: false, reason: 'navigator.gpu missing' };
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (err) {
    return { available: false, reason: String(err) };
  }
  if (!adapter) return { available: false, reason: 'no adapter' };
  const info = adapter.info || {};
  const fallback = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter);
  return {
    available: true,
    fallback,
    shaderF16: adapter.features.has('shader-f16'),
    vendor: info.vendor || '',
    architecture: info.architecture || '',
  };
}

export function wasmCapabilities() {
  return {
    threads: Boolean(self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined'),
    cores: navigator.hardwareConcurrency || 1,
  };
}
