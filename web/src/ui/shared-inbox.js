// Photos sent by the system share sheet (Web Share Target). The service worker answers the share's
// POST on the device, keeps the files in a cache and opens /#shared; the page takes them from there
// and empties it. The request never reaches the server.

export const SHARE_CACHE = 'bgremove-shared';
export const SHARED_HASH = '#shared';

/** The shared files waiting for this page (emptying the inbox), or [] when there are none. */
export async function takeSharedFiles() {
  if (location.hash !== SHARED_HASH) return [];
  history.replaceState(null, '', location.pathname);
  if (!('caches' in self) || !(await caches.has(SHARE_CACHE))) return [];
  const inbox = await caches.open(SHARE_CACHE);
  const files = [];
  for (const request of await inbox.keys()) {
    const response = await inbox.match(request);
    const blob = await response.blob();
    const name = decodeURIComponent(response.headers.get('x-file-name') || '') || 'shared photo';
    files.push(new File([blob], name, { type: blob.type }));
  }
  await caches.delete(SHARE_CACHE);
  return files;
}
