import type { Config, ScoreBand } from '../models/config.ts';

export { SAMPLE_REASONS, type SampleReason } from './sample-reasons.ts';

/** Everything a sampling run depends on besides the data; stored with each run so it can be replayed. */
export interface SamplingParams {
  /** Share of the previous month's calls sampled at random (0.01 = 1%). */
  rate: number;
  /** Calls strictly shorter than this are all sampled. */
  shortCallS: number;
  /** Calls strictly longer than this are all sampled. */
  longCallS: number;
  /** Last month's score → quota multiplier; the highest band whose minScore <= score applies. */
  bands: ScoreBand[];
  /** Calls sampled in an exemption month (two full-score months in a row). */
  exemptionQuota: number;
  fullScore: number;
  timeZone: string;
}

export function samplingParamsFrom(config: Config): SamplingParams {
  const { rate, shortCallS, longCallS, bands, exemptionQuota, fullScore } = config.sampling;
  return { rate, shortCallS, longCallS, bands, exemptionQuota, fullScore, timeZone: config.timeZone };
}
