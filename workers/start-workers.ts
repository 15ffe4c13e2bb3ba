import type pg from 'pg';
import type { Config } from '../models/config.ts';
import { openMediaPipeline } from './media-pipeline.ts';
import { startPipeline } from './pipeline.ts';
import type { JobQueue } from './queue/job-queue.ts';
import { BUILT_IN_SCORECARDS, createScorer, loadScorecards } from './scoring-service.ts';

export interface WorkerLog {
  info: (msg: string) => void;
  error: (obj: unknown, msg: string) => void;
}

/**
 * Everything a process needs to work through sampled calls on `queue`: the
 * scorecards (validated and registered now, so a broken one stops start-up),
 * the media pipeline (loaded on first use) and the dispatcher.
 */
export async function startWorkers(config: Config, pool: pg.Pool, queue: JobQueue, log: WorkerLog) {
  const dirs = [BUILT_IN_SCORECARDS, ...(config.scoring.scorecardDir ? [config.scoring.scorecardDir] : [])];
  const cards = await loadScorecards(dirs);
  log.info(`scorecards: ${cards.map((c) => `${c.compiled.card.id}@${c.compiled.card.version}`).join(', ')}`);
  const scoreCall = await createScorer({
    pool,
    cards,
    timeZone: config.timeZone,
    companyNames: config.scoring.companyNames,
  });
  const media = openMediaPipeline(config);
  const pipeline = await startPipeline({
    pool,
    queue,
    log,
    transcribeRecording: media.transcribeRecording,
    scoreCall,
  });
  return {
    async stop() {
      await pipeline.stop();
      await media.close();
    },
  };
}
