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

/**
 * A response body with every path field scrubbed; other values untouched.
 * Copy on write: a part with nothing to scrub is returned as it is (a call
 * page or a run's page is mostly such parts, and copying them all was a
 * measurable share of the API's CPU), a part that changes is a copy.
 */
export function scrubResponse(payload: unknown, scrub: Scrub): unknown {
  if (Array.isArray(payload)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < payload.length; i++) {
      const value = scrubResponse(payload[i], scrub);
      if (value !== payload[i]) (out ??= payload.slice())[i] = value;
    }
    return out ?? payload;
  }
  if (!isPlainObject(payload)) return payload;
  let out: Record<string, unknown> | undefined;
  for (const key in payload) {
    if (!Object.hasOwn(payload, key)) continue;
    const value = payload[key];
    const scrubbed =
      typeof value === 'string' ? (PATH_FIELDS.has(key) ? scrub(value) : value) : scrubResponse(value, scrub);
    if (scrubbed !== value) (out ??= { ...payload })[key] = scrubbed;
  }
  return out ?? payload;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
