/**
 * What the first bytes of a file say before ffmpeg sees it. ffmpeg answers
 * "Invalid data found" for a text file and for a damaged recording alike, and
 * happily decodes a WAV whose data was cut off; these checks let us give each
 * case its own reason.
 */
export type HeaderVerdict =
  | { kind: 'not_audio'; what: string }
  | { kind: 'truncated_wav'; declaredBytes: number; presentBytes: number }
  | { kind: 'unknown' };

const magic: Array<[string, number[]]> = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a ZIP archive (or Office document)', [0x50, 0x4b, 0x03, 0x04]],
];

/** `head` is the start of the file (64 KiB is plenty), `fileSize` its full size. */
export function inspectHeader(head: Uint8Array, fileSize: number): HeaderVerdict {
  for (const [what, bytes] of magic) {
    if (bytes.every((b, i) => head[i] === b)) return { kind: 'not_audio', what };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP')
    return { kind: 'not_audio', what: 'a WebP image' };
  if (looksLikeText(head)) return { kind: 'not_audio', what: 'a text file' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return wavTruncation(head, fileSize);
  return { kind: 'unknown' };
}

function wavTruncation(head: Uint8Array, fileSize: number): HeaderVerdict {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = ascii(head, offset, 4);
    const size = view.getUint32(offset + 4, true);
    if (id === 'data') {
      // Recorders that stream write 0 or a huge placeholder they never patch: no claim to check.
      if (size === 0 || size >= 0x7fff0000) return { kind: 'unknown' };
      const present = Math.max(0, fileSize - (offset + 8));
      // A few missing bytes (a last partial frame) is harmless; a missing tail is not.
      const missing = size - present;
      return missing > 4096 && missing > size * 0.005
        ? { kind: 'truncated_wav', declaredBytes: size, presentBytes: present }
        : { kind: 'unknown' };
    }
    offset += 8 + size + (size % 2);
  }
  return { kind: 'unknown' };
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** Valid UTF-8 with no control bytes other than whitespace: a transcript, CSV, HTML error page... */
function looksLikeText(head: Uint8Array): boolean {
  const sample = head.subarray(0, 1024);
  if (sample.length === 0) return false;
  for (const b of sample) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  try {
    // A cut in the middle of a multi-byte character at the sample's end is still text.
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, trimPartialUtf8(sample)));
    return true;
  } catch {
    return false;
  }
}

function trimPartialUtf8(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = bytes[end - i];
    if ((b & 0xc0) === 0xc0) return end - i;
    if ((b & 0xc0) !== 0x80) break;
  }
  return end;
}
