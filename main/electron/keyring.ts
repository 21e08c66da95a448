/** safeStorage as the OsKeyring that seals the face-template key (main/face/keys.ts). */
import { safeStorage } from 'electron';
import type { OsKeyring } from '../face/keys';

export const electronKeyring: OsKeyring = {
  available: () => safeStorage.isEncryptionAvailable(),
  // Only Linux has a choice of backend; elsewhere the OS keystore is always the real one.
  backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (sealed) => safeStorage.decryptString(sealed),
};
