export interface ShutdownStep {
  /** Said in the log before the step runs. */
  name: string;
  run: () => unknown;
  /**
   * Stop waiting after this long and go on with the next step (jobs cut short
   * are re-queued after the restart; the exit code then says 1).
   */
  waitAtMostMs?: number;
}

export interface ShutdownOptions {
  log: (line: string) => void;
  /** Exit 1 if the whole shutdown takes longer than this. */
  forceAfterMs: number;
}

/**
 * A signal this soon after the first is the same press delivered twice: under
 * `npm start`, Ctrl-C reaches the server from the terminal and again from npm,
 * which forwards it — an operator's second press comes later.
 */
export const SAME_PRESS_MS = 1000;

/**
 * On the first SIGTERM or SIGINT, runs `steps` one after another and exits 0
 * when all of them finished (1 when one failed or ran out of time); a second
 * signal (after `SAME_PRESS_MS`), or the force timeout, exits 1 at once.
 */
export function shutdownOnSignals(steps: ShutdownStep[], { log, forceAfterMs }: ShutdownOptions): void {
  let closingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closingSince !== undefined) {
      if (Date.now() - closingSince < SAME_PRESS_MS) return;
      log(`${signal} again: exiting without finishing the shutdown`);
      process.exit(1);
    }
    closingSince = Date.now();
    log(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log(`shutdown still running after ${forceAfterMs / 1000} s: exiting`);
      process.exit(1);
    }, forceAfterMs);
    force.unref();
    void runSteps(steps, log).then((clean) => {
      clearTimeout(force);
      log(clean ? 'shutdown complete' : 'shutdown finished with problems (see above)');
      process.exit(clean ? 0 : 1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function runSteps(steps: ShutdownStep[], log: (line: string) => void): Promise<boolean> {
  let clean = true;
  for (const step of steps) {
    log(`shutdown: ${step.name}`);
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'out of time'>((resolve) => {
      if (step.waitAtMostMs !== undefined)
        timer = setTimeout(() => resolve('out of time'), step.waitAtMostMs);
    });
    try {
      const outcome = await Promise.race([Promise.resolve(step.run()), outOfTime]);
      if (outcome === 'out of time') {
        log(`shutdown: ${step.name}: still busy after ${step.waitAtMostMs! / 1000} s, going on`);
        clean = false;
      }
    } catch (error) {
      log(`shutdown: ${step.name} failed: ${(error as Error).message ?? String(error)}`);
      clean = false;
    } finally {
      clearTimeout(timer);
    }
  }
  return clean;
}
