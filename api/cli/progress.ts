/**
 * A progress bar on stderr for long CLI work. On a terminal it redraws one
 * line; in a log (CI, cron) it prints a line every 10% so the log stays short.
 */
export class Progress {
  private readonly started = performance.now();
  private lastPercent = -1;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly label: string) {}

  update(done: number, total: number, items: number, unit: string): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const percent = Math.floor(fraction * 100);
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(items / seconds) : 0;
    const eta = fraction > 0 ? Math.round(seconds / fraction - seconds) : 0;
    const stats = `${percent}% ${items.toLocaleString('en')} ${unit} ${rate.toLocaleString('en')} ${unit}/s ETA ${eta}s`;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(
        `\r${this.label} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${stats}   `,
      );
    } else if (Math.floor(percent / 10) > Math.floor(this.lastPercent / 10)) {
      process.stderr.write(`${this.label}: ${stats}\n`);
    }
    this.lastPercent = percent;
  }

  finish(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
