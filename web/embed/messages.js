// The widget's postMessage protocol between the host page's /embed.js and /embed/frame.js.
// embed.js is a classic script (document.currentScript names its origin), so it cannot import this
// module; it keeps copies of these values, which tests/test_embed_messages.py holds equal.

export const CHANNEL = 'bgremove-embed';
export const PROTOCOL = 1;

export const Message = Object.freeze({
  // host -> frame
  CREATE: 'create',     // {id, options: {model, backend, idleMs, offline}}
  REMOVE: 'remove',     // {id, blob, options}: remove()'s options without signal and onProgress
  CANCEL: 'cancel',     // {id}
  DISPOSE: 'dispose',   // {}
  // frame -> host
  READY: 'ready',       // {}: the frame's modules ran; the host may send
  PROGRESS: 'progress', // {id, progress}: create()'s start-up stages, or a remove()'s 'preview'
  CREATED: 'created',   // {id, info}: the engine's EngineInfo (web/src/shared/protocol.js)
  RESULT: 'result',     // {id, result}: remove()'s result
  ERROR: 'error',       // {id, error: {name, message}}
});
