// Entry for the page: `import { initOffline } from './offline/index.js'; initOffline();`
export { mountOfflinePanel as initOffline } from './panel.js';
export { activeVersion, applyUpdate, registerServiceWorker } from './sw-bridge.js';
export { clearStoredData, formatBytes, requestPersistence, storageUsage } from './storage.js';
