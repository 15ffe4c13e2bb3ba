import { sep } from 'node:path';

/**
 * Keeps absolute server paths out of responses. Recording locations and the
 * reasons and messages that quote them (a call's recording problem, a failed
 * fetch or decode) are stored with full paths for the server log and the
 * workers; at the edge a path under the storage directory or a recording root
 * is shown relative to it, a root itself by a label, and any other absolute
 * path by its last part.
 */

/** Response fields that may hold a path, wherever they sit in the body. */
const PATH_FIELDS = new Set(['recording', 'recordingProblem', 'failureReason', 'reason', 'message']);

/** An absolute POSIX path standing as a word of its own (not the path part of a URL). */
const ABSOLUTE_PATH = /(^|[\s("'=,[])\/(?:[^\s"'(),;\]]+\/)*([^\s"'(),;\]/]+)\/?/g;

export interface PathPlaces {
  storageDir: string;
  recordingRoots: string[];
}

export type Scrub = (text: string) => string;

export function pathScrubber(places: PathPlaces): Scrub {
  const labels = new Map<string, string>([[places.storageDir, 'the storage directory']]);
  places.recordingRoots.forEach((root, i) => {
    if (!labels.has(root)) labels.set(root, `recording root ${i + 1}`);
  });
  // Longest first, so a root inside another is matched as itself.
  const roots = [...labels.keys()].filter((r) => r !== sep).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const root of roots) {
      out = out.replaceAll(`${root}${sep}`, '').replaceAll(root, `<${labels.get(root)}>`);
    }
    return out.replace(ABSOLUTE_PATH, (_match, before: string, last: string) => `${before}…/${last}`);
  };
}

/** A copy of a response body with every path field scrubbed; other values untouched. */
export function scrubResponse(payload: unknown, scrub: Scrub): unknown {
  if (Array.isArray(payload)) return payload.map((item) => scrubResponse(item, scrub));
  if (!isPlainObject(payload)) return payload;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    out[key] = typeof value === 'string' && PATH_FIELDS.has(key) ? scrub(value) : scrubResponse(value, scrub);
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
