import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sha256Hex } from '../../common/domain/canonical-hash';

const PREFIX = 'pf_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // 43 base62 characters carry 256 bits
const GENERATED_KEY = /^pf_([0-9A-Za-z]{43})_([0-9a-z]{6})$/;

/**
 * A new key: `pf_<256-bit base62>_<crc32>`. The prefix and checksum let secret scanners recognise a leaked key
 * offline, and let the service refuse a mistyped one without a store lookup.
 */
export function generateApiKey(): string {
  const bytes = randomBytes(BODY_LENGTH);
  let body = '';
  for (const byte of bytes) body += BASE62[byte % 62];
  return `${PREFIX}${body}_${checksum(body)}`;
}

/** Keys in our format must carry a valid checksum; any other string (a configured admin key) is looked up as is. */
export function hasValidChecksum(key: string): boolean {
  if (!key.startsWith(PREFIX)) return true;
  const match = GENERATED_KEY.exec(key);
  return match !== null && checksum(match[1]) === match[2];
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** What a key list shows to recognise a key: its first characters. */
export function keyHint(key: string): string {
  return `${key.slice(0, 7)}…`;
}

function checksum(body: string): string {
  return crc32(body).toString(36).padStart(6, '0').slice(-6);
}
