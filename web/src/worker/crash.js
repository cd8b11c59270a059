// Telling a broken engine from a bad input, and (for tests only) breaking it on purpose.
//
// A WebAssembly trap, a failed memory growth or an Emscripten abort inside ONNX Runtime or Pyodide
// leaves that runtime's heap in an unknown state; the worker reports the job as failed with
// `fatal: true` and closes, and the page's WorkerBridge starts a fresh worker for the next job.

// Only a page opened with ?testhooks=1 passes the flag on to the worker's URL (worker-bridge.js);
// no option of remove() or create() reaches this.
const HOOKS_ENABLED = new URL(self.location.href).searchParams.get('testhooks') === '1';

let armed = null;

export function isFatal(err) {
  if (!err || err.name === 'UserError' || err.name === 'AbortError') return false;
  if (err instanceof WebAssembly.RuntimeError) return true;
  const message = String(err.message || err);
  if (err instanceof RangeError && /memory|allocation|buffer/i.test(message)) return true;
  return /fatal error|fatally failed|\babort\(|Aborted\(|out of memory|memory access out of bounds/i.test(message);
}

export function armTestCrash({ mode } = {}) {
  if (!HOOKS_ENABLED) throw new Error('unknown request test-crash');
  if (!['trap', 'uncaught'].includes(mode)) throw new Error(`unknown crash mode ${mode}`);
  armed = mode;
  return { armed };
}

// A module whose only function is `unreachable`: calling it is a genuine WebAssembly trap.
const TRAP_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x05, 0x01, 0x01, 0x74, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]);

export async function crashIfArmed() {
  if (!armed) return;
  const mode = armed;
  armed = null;
  if (mode === 'trap') {
    const { instance } = await WebAssembly.instantiate(TRAP_MODULE);
    instance.exports.t();
  }
  // 'uncaught': an exception nobody catches, as a runtime callback might throw; the page sees the
  // worker's error event while this job never finishes.
  setTimeout(() => { throw new Error('test hook: uncaught exception in the engine'); });
  await new Promise(() => {});
}
