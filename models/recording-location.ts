import { isAbsolute, relative, resolve } from 'node:path';

/**
 * Where a call's recording lives. Local recordings must sit under one of the
 * configured recording roots, so a call record can never make the workers read
 * an arbitrary file (../../etc/passwd).
 */
export type RecordingLocation =
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string; root: string }
  | { kind: 'invalid'; reason: string };

export function locateRecording(recording: string, roots: string[], baseDir = roots[0]): RecordingLocation {
  if (/^https?:\/\//i.test(recording)) {
    try {
      return { kind: 'url', url: new URL(recording).toString() };
    } catch {
      return { kind: 'invalid', reason: `recording URL "${recording}" is malformed` };
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(recording)) {
    return {
      kind: 'invalid',
      reason: `recording "${recording}" uses an unsupported scheme (use a path or http(s))`,
    };
  }
  const path = resolve(baseDir ?? '.', recording);
  const root = roots.find((r) => isInside(resolve(r), path));
  if (!root) {
    return {
      kind: 'invalid',
      reason: `recording ${path} is outside the recording roots (${roots.join(', ')}); see CALLQA_RECORDING_ROOTS`,
    };
  }
  return { kind: 'file', path, root: resolve(root) };
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
