// What a file is, from its first bytes, before any decoder sees it: the format by magic number and,
// for PNG, JPEG, GIF, WebP, BMP, HEIC/HEIF and AVIF, the pixel size from the header. A 40 KB PNG can claim
// 30000x30000 (3.6 GB of RGBA); refusing it here means createImageBitmap never tries.
import { jpegSize } from './jpeg-size.js';

const HEAD_BYTES = 1 << 20; // every header but a padded JPEG's fits; jpeg-size.js walks on past it
const GIF_WALK_BYTES = 64 << 20; // counting GIF frames walks the file; larger GIFs only get the head

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function ascii(b, start, end) {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

function be32(b, i) {
  return ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
}

function png(b) {
  if (b.length < 33 || ascii(b, 12, 16) !== 'IHDR') return { format: 'png' };
  const info = { format: 'png', width: be32(b, 16), height: be32(b, 20), animated: false };
  // APNG announces itself with acTL before the first IDAT.
  for (let i = 8; i + 8 <= b.length;) {
    const type = ascii(b, i + 4, i + 8);
    if (type === 'acTL') info.animated = true;
    if (type === 'IDAT' || type === 'acTL') break;
    i += 12 + be32(b, i);
  }
  return info;
}

// Counts image descriptors by walking the block structure; stops at the second one.
function gifFrames(b) {
  let i = 13;
  if (b[10] & 0x80) i += 3 * (2 << (b[10] & 7));
  let frames = 0;
  const skipSubBlocks = () => {
    while (i < b.length && b[i] !== 0) i += b[i] + 1;
    i += 1;
  };
  while (i < b.length && frames < 2) {
    const block = b[i];
    if (block === 0x21) {
      i += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames += 1;
      const flags = b[i + 9];
      i += 10;
      if (flags & 0x80) i += 3 * (2 << (flags & 7));
      i += 1; // LZW minimum code size
      skipSubBlocks();
    } else {
      break; // trailer (0x3b) or damage
    }
  }
  return frames;
}

function gif(b) {
  return { format: 'gif', width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8), animated: gifFrames(b) > 1 };
}

function webp(b) {
  const chunk = ascii(b, 12, 16);
  if (chunk === 'VP8 ' && b.length >= 30) {
    return { format: 'webp', width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30) {
    return {
      format: 'webp',
      animated: Boolean(b[20] & 0x02),
      width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)),
      height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)),
    };
  }
  return { format: 'webp' };
}

function bmp(b) {
  if (b.length < 26) return { format: 'bmp' };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // OS/2 1.x files (a 12-byte BITMAPCOREHEADER) keep 16-bit sizes where later headers have 32-bit.
  if (dv.getUint32(14, true) === 12) return { format: 'bmp', width: dv.getUint16(18, true), height: dv.getUint16(20, true) };
  return { format: 'bmp', width: Math.abs(dv.getInt32(18, true)), height: Math.abs(dv.getInt32(22, true)) };
}

// TIFF: ImageWidth (256) and ImageLength (257) of the first image directory, when it lies in the head.
function tiff(b) {
  const little = b[0] === 0x49;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (i) => dv.getUint16(i, little);
  const u32 = (i) => dv.getUint32(i, little);
  if (b.length < 8) return { format: 'tiff' };
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > b.length) return { format: 'tiff' };
  const size = {};
  const count = u16(ifd);
  for (let k = 0; k < count && ifd + 2 + 12 * (k + 1) <= b.length; k += 1) {
    const entry = ifd + 2 + 12 * k;
    const tag = u16(entry);
    if (tag !== 256 && tag !== 257) continue;
    const type = u16(entry + 2);
    const value = type === 3 ? u16(entry + 8) : type === 4 ? u32(entry + 8) : undefined;
    if (value !== undefined) size[tag === 256 ? 'width' : 'height'] = value;
  }
  return size.width !== undefined && size.height !== undefined ? { format: 'tiff', ...size } : { format: 'tiff' };
}

function isobmffFormat(b) {
  const brands = [ascii(b, 8, 12)];
  const size = Math.min(be32(b, 0), b.length, 256);
  for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(b, i, i + 4));
  if (brands.some((x) => AVIF_BRANDS.has(x))) return 'avif';
  if (brands.some((x) => HEIF_BRANDS.has(x))) return 'heic';
  return null;
}

// HEIF and AVIF keep the pixel size in 'ispe' properties: meta > iprp > ipco lists properties, ipma
// assigns them to items, pitm names the primary item. Thumbnails, grid tiles and depth maps carry
// their own ispe; the primary item (a grid's, too) carries the full size. Every length is checked
// against its parent and every loop is bounded: this runs on untrusted bytes before any decoder.
const META_MAX_BYTES = 16 << 20;
const TOP_LEVEL_BOXES = 64;
const CHILD_BOXES = 4096;

// Child boxes of b[start, end) as {type, start (payload), end}; stops at the first malformed header.
function children(b, start, end) {
  const out = [];
  for (let i = start; i + 8 <= end && out.length < CHILD_BOXES;) {
    let size = be32(b, i);
    let header = 8;
    if (size === 1) {
      if (i + 16 > end || be32(b, i + 8) !== 0) break; // a box over 4 GiB inside meta is damage
      size = be32(b, i + 12);
      header = 16;
    } else if (size === 0) {
      size = end - i;
    }
    if (size < header || i + size > end) break;
    out.push({ type: ascii(b, i + 4, i + 8), start: i + header, end: i + size });
    i += size;
  }
  return out;
}

function child(b, box, type) {
  return children(b, box.start, box.end).find((c) => c.type === type);
}

function primaryItem(b, meta) {
  const pitm = child(b, meta, 'pitm');
  if (!pitm || pitm.end - pitm.start < 6) return null;
  return b[pitm.start] === 0 ? (b[pitm.start + 4] << 8) | b[pitm.start + 5] : be32(b, pitm.start + 4);
}

// 1-based ipco indexes of the properties ipma assigns to item; null when ipma cannot be read.
function propertiesOf(b, ipma, item) {
  const version = b[ipma.start];
  const wide = b[ipma.start + 3] & 1;
  let i = ipma.start + 4;
  if (i + 4 > ipma.end) return null;
  const count = be32(b, i);
  i += 4;
  for (let n = 0; n < count && i < ipma.end; n += 1) {
    const idSize = version < 1 ? 2 : 4;
    if (i + idSize + 1 > ipma.end) return null;
    const id = idSize === 2 ? (b[i] << 8) | b[i + 1] : be32(b, i);
    const associations = b[i + idSize];
    i += idSize + 1;
    if (i + associations * (wide ? 2 : 1) > ipma.end) return null;
    const indexes = [];
    for (let k = 0; k < associations; k += 1) {
      indexes.push(wide ? ((b[i] << 8) | b[i + 1]) & 0x7fff : b[i] & 0x7f);
      i += wide ? 2 : 1;
    }
    if (id === item) return indexes;
  }
  return null;
}

/** {width, height} of the primary item (rotated by its irot), else of the largest ispe; null if none. */
function heifSize(b, meta) {
  const iprp = child(b, meta, 'iprp');
  const ipco = iprp && child(b, iprp, 'ipco');
  if (!ipco) return null;
  const props = children(b, ipco.start, ipco.end);
  const ispe = (p) => (p && p.type === 'ispe' && p.end - p.start >= 12
    ? { width: be32(b, p.start + 4), height: be32(b, p.start + 8) } : null);
  const item = primaryItem(b, meta);
  const ipma = children(b, iprp.start, iprp.end).filter((c) => c.type === 'ipma');
  for (const box of item === null ? [] : ipma) {
    const assigned = propertiesOf(b, box, item)?.map((k) => props[k - 1]) || [];
    const size = assigned.map(ispe).find(Boolean);
    if (!size) continue;
    const irot = assigned.find((p) => p && p.type === 'irot' && p.end > p.start);
    return irot && (b[irot.start] & 1) ? { width: size.height, height: size.width } : size;
  }
  let largest = null;
  for (const size of props.map(ispe)) {
    if (size && (!largest || size.width * size.height > largest.width * largest.height)) largest = size;
  }
  return largest;
}

// The meta box usually follows ftyp, but a writer may put mdat first: walk the top-level headers
// through the blob (a few bytes each) rather than trusting the first megabyte to hold it.
async function readMeta(blob, head) {
  let offset = 0;
  for (let n = 0; n < TOP_LEVEL_BOXES && offset + 8 <= blob.size; n += 1) {
    const h = offset + 16 <= head.length ? head.subarray(offset, offset + 16)
      : new Uint8Array(await blob.slice(offset, offset + 16).arrayBuffer());
    if (h.length < 8) return null;
    let size = be32(h, 0);
    if (size === 1) {
      if (h.length < 16) return null;
      size = be32(h, 8) * 2 ** 32 + be32(h, 12);
    } else if (size === 0) {
      size = blob.size - offset;
    }
    if (size < 8) return null;
    if (ascii(h, 4, 8) === 'meta') {
      if (size > META_MAX_BYTES || offset + size > blob.size) return null;
      const b = offset + size <= head.length ? head.subarray(offset, offset + size)
        : new Uint8Array(await blob.slice(offset, offset + size).arrayBuffer());
      return { b, meta: { type: 'meta', start: 12, end: b.length } }; // FullBox: skip version/flags
    }
    offset += size;
  }
  return null;
}

async function isobmff(blob, head) {
  const format = isobmffFormat(head);
  if (!format) return null;
  const found = await readMeta(blob, head);
  const size = found && heifSize(found.b, found.meta);
  return size ? { format, ...size } : { format };
}

function looksLikeSvg(b) {
  let text = ascii(b, 0, 1024);
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  text = text.trimStart().toLowerCase();
  return (text.startsWith('<?xml') || text.startsWith('<svg') || text.startsWith('<!doctype svg')
    || text.startsWith('<!--')) && text.includes('<svg');
}

/** {format, width?, height?, animated?} from the blob's first bytes; format null when unknown. */
export async function sniffImage(blob) {
  const b = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    const whole = blob.size > b.length
      ? new Uint8Array(await blob.slice(0, GIF_WALK_BYTES).arrayBuffer()) : b;
    return gif(whole);
  }
  if (b.length >= 8 && be32(b, 0) === 0x89504e47 && be32(b, 4) === 0x0d0a1a0a) return png(b);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(blob, b);
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return webp(b);
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return bmp(b);
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') return (await isobmff(blob, b)) || { format: null };
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return tiff(b);
  if (looksLikeSvg(b)) return { format: 'svg' };
  return { format: null };
}
