// One ONNX Runtime session per (model, backend), created once and kept for the worker's life.

export async function createSession(ort, bytes, backend) {
  const options = {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    // The uint8 model stores weights as uint8 with DequantizeLinear in front of each Conv. ORT keeps
    // those nodes by default (for QDQ fusions, which a weight-only model never gets); folding them
    // into float weights once builds the session 3-4x faster and drops a DequantizeLinear per Conv
    // from every run, with the same output (ORT's profiler, docs/BENCHMARKS.md#wasm-inference).
    extra: { session: { disable_quant_qdq: '1' } },
  };
  if (backend === 'webgpu') options.preferredOutputLocation = 'cpu';
  return ort.InferenceSession.create(bytes, options);
}

// input: Float32Array of [1, 3, h, w]; returns {data: Float32Array, dims} of the 'mask' output.
export async function runModel(ort, session, entry, input, h, w) {
  const feeds = { [entry.input.name]: new ort.Tensor('float32', input, [1, 3, h, w]) };
  const results = await session.run(feeds);
  const mask = results[entry.output.name];
  try {
    const data = mask.location === 'cpu' ? mask.data : await mask.getData();
    return { data, dims: mask.dims };
  } finally {
    feeds[entry.input.name].dispose?.();
  }
}
