// HEIC/HEIF photos (iPhones) for browsers that cannot decode them, which is all but Safari: libheif
// (LGPL, with libde265) compiled to WebAssembly, served from /vendor and loaded the first time a HEIC
// file arrives. decode.js imports this module lazily, so neither it nor libheif is part of a first
// visit; the service worker caches both on that first use (web/sw.js, "lazy").
//
// What comes out matches bgremove/decode.py (pillow-heif on the same libheif): the primary image,
// never a thumbnail; irot/imir applied by libheif (the EXIF orientation tag inside a HEIF only
// repeats them and is ignored, as the HEIF spec, libheif, pillow-heif and Safari do); 10/12-bit
// reduced to 8 by libheif; colour values as stored, profile not applied, like every other format
// (see docs/USING.md#photo-formats).
import { UserError } from './errors.js';
import { fetchVerified, runtimeManifest } from './runtimes.js';

let compiled = null;

// The glue is libheif-js's classic (UMD) build, served byte for byte as published. Imported as a
// module it ends by calling an AMD `define` if one exists: that hands us the factory without eval
// (our CSP forbids it) and without changing the LGPL file.
async function loadFactory(manifest) {
  const { base, module } = manifest.libheif;
  // The glue is checked like the WASM binary; the import below is then served the same immutable
  // URL (from the HTTP or service-worker cache).
  await fetchVerified(manifest, base + module);
  let factory = null;
  const define = (deps, make) => { factory = make(); };
  define.amd = true;
  self.define = define;
  try {
    await import(new URL(base + module, self.location.href).href);
  } finally {
    delete self.define;
  }
  if (typeof factory !== 'function') throw new Error('The HEIC decoder runtime did not load; reload the page.');
  return factory;
}

async function load() {
  const manifest = await runtimeManifest();
  if (!manifest.libheif) throw new Error('This build has no HEIC decoder (runtime.json); run setup again.');
  const [factory, wasm] = await Promise.all([
    loadFactory(manifest),
    fetchVerified(manifest, manifest.libheif.base + manifest.libheif.wasm).then((b) => WebAssembly.compile(b)),
  ]);
  return { factory, wasm };
}

// A fresh instance per file: its WebAssembly memory (a 48 MP photo needs a few hundred MB) is freed
// with it instead of staying reserved in the engine worker for the rest of the session.
async function instance() {
  compiled ??= load().catch((err) => { compiled = null; throw err; });
  const { factory, wasm } = await compiled;
  return new Promise((resolve, reject) => {
    factory({
      // The glue is built for synchronous start-up (its exports are bound before the factory
      // returns), so instantiate synchronously too, from the module compiled once above.
      instantiateWasm(imports, done) {
        return done(new WebAssembly.Instance(wasm, imports), wasm);
      },
      onRuntimeInitialized() { resolve(this); },
      onAbort: (what) => reject(new Error(`HEIC decoder aborted: ${what}`)),
      print: () => {},
      printErr: () => {},
    });
  });
}

function failed(result) {
  return !result || (typeof result.code === 'number' && result.code !== 0);
}

function damaged(name, detail) {
  const quoted = name ? ` ("${name}")` : '';
  return new UserError(`This HEIC file is damaged or incomplete, so it is not an image that can be read${quoted}`
    + `${detail ? `: ${detail}` : ''}.`);
}

/**
 * Decode a HEIC/HEIF blob to unpremultiplied 8-bit RGBA. checkSize(width, height) runs before any
 * pixel is decoded and throws to refuse.
 */
export async function decodeHeic(blob, name, checkSize) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let lib;
  let runtimeFiles;
  try {
    lib = await instance();
    const { libheif } = await runtimeManifest();
    // Kept for offline use by the service worker (cached already when it controlled the fetches).
    runtimeFiles = [new URL(import.meta.url).pathname, libheif.base + libheif.module,
      libheif.base + libheif.wasm];
  } catch (err) {
    throw new UserError(`The HEIC decoder could not be started${name ? ` ("${name}")` : ''}: `
      + `${err?.message || err}. Reload the page and try again.`);
  }
  try {
    return decodeWith(lib, bytes, name, checkSize, runtimeFiles);
  } catch (err) {
    if (err instanceof UserError) throw err;
    // A trap inside libheif (damaged data, memory) ends this instance only; the engine's other
    // runtimes are untouched, so it is this file's failure rather than a crash of the worker.
    if (err instanceof RangeError || /memory/i.test(String(err?.message))) {
      throw new UserError(`Not enough memory to decode this HEIC image${name ? ` ("${name}")` : ''}.`);
    }
    throw damaged(name, String(err?.message || err));
  }
}

function decodeWith(lib, bytes, name, checkSize, runtimeFiles) {
  const warnings = [];
  const ctx = lib.heif_context_alloc();
  let handle = null;
  let image = null;
  try {
    const read = lib.heif_context_read_from_memory(ctx, bytes);
    if (failed(read)) throw damaged(name, read?.message?.trim());
    handle = lib.heif_js_context_get_primary_image_handle(ctx);
    if (failed(handle)) throw damaged(name, handle?.message || 'no primary image');
    const width = lib.heif_image_handle_get_width(handle);
    const height = lib.heif_image_handle_get_height(handle);
    checkSize(width, height);
    const images = lib.heif_context_get_number_of_top_level_images(ctx);
    if (images > 1) warnings.push(`This HEIC file holds ${images} images: only its primary image was used.`);
    if (lib.heif_context_has_sequence?.(ctx)) {
      warnings.push('This HEIC file also holds an image sequence (a Live Photo or burst): only its still image '
        + 'was used.');
    }
    // libheif converts to 8-bit interleaved RGBA, applies irot/imir and clap, and merges an alpha
    // plane when there is one; depth maps and other auxiliary images are never decoded.
    image = lib.heif_js_decode_image2(handle, lib.heif_colorspace.heif_colorspace_RGB,
      lib.heif_chroma.heif_chroma_interleaved_RGBA);
    if (failed(image) || !image.channels) throw damaged(name, image?.message);
    const plane = image.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
    if (!plane || plane.width !== width || plane.height !== height) throw damaged(name, 'unexpected pixel layout');
    const pixels = new Uint8ClampedArray(width * height * 4);
    const row = width * 4;
    if (plane.stride === row) {
      pixels.set(plane.data.subarray(0, row * height));
    } else {
      for (let y = 0; y < height; y += 1) pixels.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), y * row);
    }
    return { pixels, width, height, warnings, runtimeFiles };
  } finally {
    if (image?.image) lib.heif_image_release(image.image);
    if (handle && !failed(handle)) lib.heif_image_handle_release(handle);
    lib.heif_context_free(ctx);
  }
}
