import { safeStorage } from 'electron'
import type { SecretCipher } from '../connections/cipher'

/**
 * Electron's safeStorage (async API) as the connection store's cipher: the key lives in the OS
 * keychain (macOS Keychain, Windows DPAPI, Linux libsecret/kwallet). On Linux without a
 * keyring the backend is `basic_text`, a hard-coded key: we call that unavailable, so the
 * user is asked rather than given plaintext in disguise.
 */
function currentBackend(): string {
  if (process.platform === 'darwin') return 'keychain'
  if (process.platform === 'win32') return 'dpapi'
  // Known only once the async encryptor has initialized; 'unknown' before that.
  return safeStorage.getSelectedStorageBackend()
}

const WEAK = new Set(['basic_text', 'unknown'])

export function createSafeStorageCipher(): SecretCipher {
  return {
    get backend() {
      return currentBackend()
    },
    get osProtected() {
      return !WEAK.has(currentBackend())
    },
    async isAvailable() {
      const available = await safeStorage.isAsyncEncryptionAvailable()
      return available && !WEAK.has(currentBackend())
    },
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    async decrypt(data) {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data)
      return { value: result, stale: shouldReEncrypt }
    }
  }
}
