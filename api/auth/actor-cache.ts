import type { Actor } from '../../models/permissions.ts';

/**
 * How long a resolved token or session is trusted without asking PostgreSQL
 * again. Revoking a token, disabling a user or changing their teams (the
 * CLI, another process) reaches a running API within this bound; a logout
 * through this API ends its session at once (ActorCache#forget).
 */
export const ACTOR_CACHE_MS = 2_000;
const MAX_ENTRIES = 10_000;

/**
 * Who a credential (the SHA-256 of a token or session id) belongs to, for a
 * moment: every request authenticates, and the lookup was a statement and a
 * round trip per request (a measurable share of PostgreSQL's CPU under load).
 * Only successes are kept — an unknown credential is asked about every
 * time, so a newly created token works at once and guessing fills nothing.
 */
export class ActorCache {
  readonly #entries = new Map<string, { actor: Actor; until: number }>();

  constructor(
    readonly ttlMs = ACTOR_CACHE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): Actor | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.actor;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, actor: Actor): void {
    if (this.ttlMs <= 0) return;
    // Oldest first out (a Map keeps insertion order); the bound only matters under a flood of distinct credentials.
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { actor, until: this.now() + this.ttlMs });
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}
