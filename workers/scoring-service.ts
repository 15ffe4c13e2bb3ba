import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Call } from '../models/call-repository.ts';
import { registerScorecard, saveCallScore } from '../models/call-score-repository.ts';
import { recomputeMonthScore } from '../models/score-repository.ts';
import type { Channel, Transcript } from '../models/transcript.ts';
import { PermanentError } from './permanent-error.ts';
import { compileScorecard, type CompiledScorecard } from './scoring/compile-scorecard.ts';
import { parseScorecard } from './scoring/parse-scorecard.ts';
import { scoreTranscript } from './scoring/score-transcript.ts';
import type { CallScore } from './scoring/call-score.ts';

export const BUILT_IN_SCORECARDS = fileURLToPath(new URL('./scoring/scorecards/', import.meta.url));

export interface LoadedScorecard {
  compiled: CompiledScorecard;
  source: string;
  sha256: string;
  file: string;
}

/** The scorecard files a path names: itself, or every .yaml/.yml/.json file of a directory. */
async function cardFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  return (await readdir(path))
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort()
    .map((name) => join(path, name));
}

/**
 * Reads the scorecards of the given files and directories (every
 * .yaml/.yml/.json file of a directory); for each id the highest version wins.
 */
export async function loadScorecards(paths: string[]): Promise<LoadedScorecard[]> {
  const byId = new Map<string, LoadedScorecard>();
  for (const path of paths) {
    for (const file of await cardFiles(path)) {
      const source = await readFile(file, 'utf8');
      const compiled = compileScorecard(parseScorecard(source, basename(file)), { cardDir: dirname(file) });
      const loaded = { compiled, source, sha256: createHash('sha256').update(source).digest('hex'), file };
      const seen = byId.get(compiled.card.id);
      if (!seen || seen.compiled.card.version < compiled.card.version) byId.set(compiled.card.id, loaded);
    }
  }
  return [...byId.values()];
}

/**
 * The scorecard for a call: same language as the transcript, a profile for
 * its channel (phone unless an imported transcript says chat), then the most
 * specific match — its team, else its channel, else its direction, else a
 * card for everyone.
 */
export function chooseScorecard(
  cards: LoadedScorecard[],
  call: Pick<Call, 'teamId' | 'direction'>,
  language: string,
  channel: Channel = 'phone',
): LoadedScorecard | undefined {
  let best: { card: LoadedScorecard; rank: number } | undefined;
  for (const card of cards) {
    const { language: cardLanguage, appliesTo } = card.compiled.card;
    if (cardLanguage !== language) continue;
    const teams = appliesTo?.teams;
    const directions = appliesTo?.directions;
    const channels = appliesTo?.channels;
    if (teams && !(call.teamId && teams.includes(call.teamId))) continue;
    if (channels && !channels.includes(channel)) continue;
    // A chat session has no direction of its own: a card's directions apply to calls.
    if (directions && channel === 'phone' && !directions.includes(call.direction)) continue;
    const rank = (teams ? 4 : 0) + (channels ? 2 : 0) + (directions ? 1 : 0);
    if (!best || rank > best.rank) best = { card, rank };
  }
  return best?.card;
}

export interface ScorerOptions {
  pool: pg.Pool;
  cards: LoadedScorecard[];
  timeZone: string;
  companyNames?: string[];
}

/** Records each loaded card under its (id, version); a changed card under a held version is refused. */
export async function registerScorecards(pool: pg.Pool, cards: LoadedScorecard[]): Promise<void> {
  for (const card of cards) {
    const { id, version, name, language, appliesTo } = card.compiled.card;
    await registerScorecard(pool, {
      scorecardId: id,
      version,
      name,
      language,
      appliesTo,
      source: card.source,
      sha256: card.sha256,
    });
  }
}

/** scoreCall for the score processor: choose, score (pure), store with the scorecard version, update month score. */
export async function createScorer(options: ScorerOptions) {
  await registerScorecards(options.pool, options.cards);
  return async (call: Call, transcript: Transcript): Promise<CallScore> => {
    const card = chooseScorecard(options.cards, call, transcript.language, transcript.channel);
    if (!card) {
      throw new PermanentError(
        'no_scorecard',
        `no scorecard applies to ${transcript.channel ?? 'phone'} ${call.direction} calls of team ${call.teamId ?? '(none)'} in language ${transcript.language}; add one to CALLQA_SCORECARD_DIR`,
      );
    }
    const score = scoreTranscript(card.compiled, transcript, {
      direction: call.direction,
      team: call.teamId ?? undefined,
      companyNames: options.companyNames,
    });
    await saveCallScore(options.pool, {
      callId: call.callId,
      scorecardId: score.scorecardId,
      scorecardVersion: score.scorecardVersion,
      score: score.score,
      passed: score.passed,
      autoFailed: score.autoFailed,
      needsReview: score.needsReview,
      result: score,
    });
    await recomputeMonthScore(options.pool, call.callId, options.timeZone);
    return score;
  };
}
