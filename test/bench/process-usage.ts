import { readdir, readFile } from 'node:fs/promises';

/** Linux clock ticks per second (USER_HZ), what /proc/<pid>/stat counts CPU time in. */
const TICKS = 100;

export interface ProcessUsage {
  /** User + system CPU seconds so far. */
  cpuS: number;
  rssMb: number;
  /** Peak resident set since the process started (VmHWM). */
  peakRssMb: number;
}

/** CPU time and memory of another process, from /proc (Linux only; zeros elsewhere). */
export async function processUsage(pid: number): Promise<ProcessUsage> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) — utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return {
      cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS,
      rssMb: kb('VmRSS') / 1024,
      peakRssMb: kb('VmHWM') / 1024,
    };
  } catch {
    return { cpuS: 0, rssMb: 0, peakRssMb: 0 };
  }
}

/**
 * CPU seconds of a PostgreSQL server: the postmaster, its live children (the
 * backends serving the pool, autovacuum, …) and the children that have exited.
 */
export async function postgresCpuSeconds(postmasterPid: number): Promise<number> {
  let total = 0;
  try {
    const own = await readFile(`/proc/${postmasterPid}/stat`, 'utf8');
    const f = own.slice(own.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime: exited children are counted in the last two.
    total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return 0;
  }
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[1]) === postmasterPid) total += Number(f[11]) + Number(f[12]);
  }
  return total / TICKS;
}
