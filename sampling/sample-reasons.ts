/** Why a call is in the sample — one list for the sampler, the database check and the web app (no imports). */
export const SAMPLE_REASONS = [
  'random_quota',
  'short_call',
  'long_call',
  'neighbour',
  'exemption_month',
  'manual',
] as const;
export type SampleReason = (typeof SAMPLE_REASONS)[number];
