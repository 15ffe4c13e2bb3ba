import { maskPersonalData } from '../models/mask-personal-data.ts';
import type { Actor, Role } from '../models/permissions.ts';
import { isPlainObject } from './server-paths.ts';

/**
 * Personal numbers in responses (a caller's phone or ID-card number in a
 * transcript, in the evidence a score quotes, in call metadata or audit
 * values) are masked for agents always and for the roles CALLQA_MASK_ROLES
 * names. The stored data stays whole: masking happens here, at the edge,
 * once per response, for every route.
 */

/** Identifiers and error codes are references, not something a caller said: never masked. */
const REFERENCE_KEY = /^(id|code)$|Ids?$/;

export function masksPersonalDataFor(
  actor: Pick<Actor, 'role'> | undefined,
  maskRoles: readonly Role[],
): boolean {
  if (!actor) return false; // public routes (health, login) carry no call data
  return actor.role === 'agent' || maskRoles.includes(actor.role);
}

/** A copy of a response body with personal numbers masked in every string but references. */
export function maskResponse(payload: unknown, key = ''): unknown {
  if (typeof payload === 'string') return REFERENCE_KEY.test(key) ? payload : maskPersonalData(payload);
  if (Array.isArray(payload)) return payload.map((item) => maskResponse(item, key));
  if (!isPlainObject(payload)) return payload;
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(payload)) out[k] = maskResponse(value, k);
  return out;
}
