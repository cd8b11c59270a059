// Files from a drop, folders included (walked with the File and Directory Entries API).

function readAll(reader) {
  // readEntries returns the listing in chunks; an empty chunk marks the end.
  return new Promise((resolve, reject) => {
    const out = [];
    const next = () => reader.readEntries((chunk) => {
      if (!chunk.length) resolve(out);
      else {
        out.push(...chunk);
        next();
      }
    }, reject);
    next();
  });
}

async function walk(entry, out) {
  if (entry.isFile) {
    out.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
  } else if (entry.isDirectory) {
    const children = await readAll(entry.createReader());
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await walk(child, out);
  }
}

export async function filesFromDrop(dataTransfer) {
  const entries = [...(dataTransfer.items || [])]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.());
  // Synthetic drops (and some browsers) give no entries: fall back to the plain file list.
  if (!entries.length || entries.some((e) => !e) || !entries.some((e) => e.isDirectory)) {
    return [...dataTransfer.files];
  }
  const out = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}
