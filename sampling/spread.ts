import { ceilClean } from './quota.ts';

/**
 * How many of the month's random picks should exist by `through`. Daily runs
 * top the sample up to this pro-rata target, so the quota is spread over the
 * month instead of being spent on its first calls; a run at or after the end
 * of the month takes the whole quota.
 */
export function proRataTarget(quota: number, monthStart: Date, monthEnd: Date, through: Date): number {
  if (through.getTime() >= monthEnd.getTime()) return quota;
  const elapsed = (through.getTime() - monthStart.getTime()) / (monthEnd.getTime() - monthStart.getTime());
  if (elapsed <= 0) return 0;
  return Math.min(quota, ceilClean(quota * elapsed));
}
