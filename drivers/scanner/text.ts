import iconv from 'iconv-lite';

/** Scanner payloads are UTF-8 by default; Chinese prescription codes are often GB18030. */
export function decodeScannedBytes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030');
  }
}
