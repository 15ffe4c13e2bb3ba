import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * The one answer to "is this recording inside the roots". Strictly inside: the
 * root itself is not (a recording is a file under a root, never the root).
 * `..foo.wav` is a file name, not a step up, so it is inside.
 *
 * Lexical: compares the paths as written. Used before touching the file
 * system, so `../../etc/passwd` is refused without revealing whether it exists.
 */
export function isLexicallyInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The real path of `path` when it lies strictly inside `root` after every
 * symbolic link on both sides is resolved, else undefined: a link inside the
 * root pointing out of it is outside. Throws realpath's error (ENOENT, EACCES)
 * when `path` or `root` cannot be resolved.
 */
export async function realPathInside(root: string, path: string): Promise<string | undefined> {
  const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]);
  return isLexicallyInside(realRoot, real) ? real : undefined;
}

/** Whether `path`, symlinks resolved, lies strictly inside `root` (symlinks resolved). */
export async function isInside(root: string, path: string): Promise<boolean> {
  return (await realPathInside(root, path)) !== undefined;
}
