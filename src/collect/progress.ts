/**
 * The progress line on a terminal: users done of total, calls, retries, elapsed and ETA, redrawn
 * in place on stderr. Silent when stderr is not a TTY (CI logs, pipes) or with --quiet.
 */
export interface ProgressCounters {
  readonly usersDone: number;
  /** Users listed so far; `listingComplete` says whether more pages may follow. */
  readonly usersTotal: number;
  readonly listingComplete: boolean;
  readonly calls: number;
  readonly retries: number;
}

export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

export function progressLine(counters: ProgressCounters, elapsedMs: number): string {
  const total = `${counters.usersTotal}${counters.listingComplete ? '' : '+'}`;
  const elapsed = elapsedMs / 1000;
  let eta = '?';
  if (counters.listingComplete && counters.usersDone > 0) {
    eta = formatDuration((elapsed / counters.usersDone) * (counters.usersTotal - counters.usersDone));
  }
  return `collecting: users ${counters.usersDone}/${total}, ${counters.calls} calls, ${counters.retries} retries, ${formatDuration(elapsed)} elapsed, ETA ${eta}`;
}

export class ProgressDisplay {
  private timer: NodeJS.Timeout | null = null;
  private readonly started = performance.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly read: () => ProgressCounters,
    private readonly enabled: boolean,
  ) {}

  static for(stream: NodeJS.WriteStream, quiet: boolean, read: () => ProgressCounters): ProgressDisplay {
    return new ProgressDisplay(stream, read, !quiet && stream.isTTY === true);
  }

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  private draw(): void {
    // A pseudo-terminal can report 0 columns; then do not cut at all rather than cut everything.
    const columns = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 1000;
    this.stream.write(`\r\x1b[K${progressLine(this.read(), performance.now() - this.started).slice(0, columns - 1)}`);
  }

  /** Clears the line so the next message starts at column 0; also call before printing logs. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}
