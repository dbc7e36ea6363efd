import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encryption at rest for the few secrets the server must read back (two-factor TOTP secrets): AES-256-GCM with
 * the instance key (docs/security.md, "Secrets at rest"). A database dump or backup alone no longer holds them.
 *
 * Stored form: `v1:` + base64url(iv[12] | tag[16] | ciphertext). A value without the prefix was written before
 * encryption existed and is read as it is (it is sealed again on its next write).
 */
export interface SecretBox {
  seal(plain: string): string;
  open(stored: string): string;
}

const PREFIX = 'v1:';

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(
          'A stored secret cannot be decrypted with this instance key: every node must run with the same SECRET_KEY ' +
            '(or the same data/secret.key file).',
        );
      }
    },
  };
}

/**
 * The instance key: SECRET_KEY (any string of at least 32 characters, hashed to 32 bytes), else the file
 * `<dataDir>/secret.key`, created with mode 0600 on first start. Several processes starting together read the
 * file the first one wrote.
 */
export function loadInstanceKey(dataDir: string, envKey: string | undefined): Buffer {
  if (envKey !== undefined && envKey.trim() !== '')
    return createHash('sha256').update(envKey.trim()).digest();
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (let attempt = 0; ; attempt++) {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    // Another process created the file a moment ago and is still writing it.
    if (attempt >= 50) throw new Error(`${file} does not hold a 32-byte key; remove it or set SECRET_KEY`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
