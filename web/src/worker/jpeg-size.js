// A JPEG's pixel size from its frame header (SOFn), found by walking the marker segments by their
// lengths through the whole file. A reader of the first megabyte alone is blind to a file that pads
// the space before its frame header with APP segments, which is how a gigapixel JPEG would slip past
// the pixel limit into the decoder.

const WINDOW = 1 << 20; // bytes read at a time; a run of 64 KB APP segments costs one read per MB
const MAX_SEGMENTS = 1 << 20; // a real file has tens; a file of a million empty segments is refused
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

// Reads [offset, offset + n) of the blob through one cached window.
function reader(blob, head) {
  let start = 0;
  let bytes = head;
  return async (offset, n) => {
    if (offset < start || offset + n > start + bytes.length) {
      start = offset;
      bytes = new Uint8Array(await blob.slice(offset, offset + Math.max(n, WINDOW)).arrayBuffer());
    }
    return bytes.subarray(offset - start, Math.min(offset - start + n, bytes.length));
  };
}

/** {format: 'jpeg', width?, height?}: no size when the walk meets damage or a scan before any frame. */
export async function jpegSize(blob, head) {
  const read = reader(blob, head);
  let i = 2;
  for (let n = 0; n < MAX_SEGMENTS && i + 4 <= blob.size; n += 1) {
    const h = await read(i, 9);
    if (h.length < 2 || h[0] !== 0xff) break;
    const marker = h[1];
    if (marker === 0xff) { i += 1; continue; } // fill byte before a marker
    // Markers without a length: SOI, RSTn, TEM.
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; }
    if (marker === 0xda || marker === 0xd9) break; // scan data or the end before any frame header
    if (h.length < 4) break;
    const length = (h[2] << 8) | h[3];
    if (length < 2) break; // a length counts its own two bytes; less is damage, and would loop
    if (SOF.has(marker)) {
      if (h.length < 9 || length < 7) break;
      return { format: 'jpeg', height: (h[5] << 8) | h[6], width: (h[7] << 8) | h[8] };
    }
    i += 2 + length;
  }
  return { format: 'jpeg' };
}
