import { resolve } from 'node:path';
import { isLexicallyInside } from './is-inside.ts';
import { checkRecordingUrl, type HostRule } from './recording-url-policy.ts';

/**
 * Where a call's recording lives. Local recordings must sit under one of the
 * configured recording roots, so a call record can never make the workers read
 * an arbitrary file (../../etc/passwd); URLs must pass the recording URL policy
 * (recording-url-policy.ts), so a call record can never make them fetch an
 * arbitrary address. This is the check without I/O; the workers check again,
 * symlinks and DNS included, right before reading.
 */
export type RecordingLocation =
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string; root: string }
  | { kind: 'invalid'; code: 'path_escape' | 'url_not_allowed'; reason: string };

export interface RecordingPlaces {
  /** Local recordings may only be read from under these directories. */
  roots: readonly string[];
  /** CALLQA_RECORDING_HOSTS; empty: no URL is allowed. */
  hosts: readonly HostRule[];
  /** Relative paths resolve against this (default: the first root). */
  baseDir?: string;
}

export function locateRecording(recording: string, places: RecordingPlaces): RecordingLocation {
  // A one-letter "scheme" is a Windows drive letter, i.e. a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(recording)) {
    const check = checkRecordingUrl(recording, places.hosts);
    if (!check.ok) return { kind: 'invalid', code: check.code, reason: check.reason };
    return { kind: 'url', url: check.url.href };
  }
  const { roots } = places;
  const path = resolve(places.baseDir ?? roots[0] ?? '.', recording);
  const root = roots.find((r) => isLexicallyInside(r, path));
  if (!root) {
    return {
      kind: 'invalid',
      code: 'path_escape',
      reason: `recording ${path} is outside the recording roots (${roots.join(', ')}); see CALLQA_RECORDING_ROOTS`,
    };
  }
  return { kind: 'file', path, root: resolve(root) };
}
