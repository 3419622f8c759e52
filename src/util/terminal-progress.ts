/**
 * A progress line redrawn in place on a terminal (stderr), silent when the stream is not a TTY
 * (CI logs, pipes) or with --quiet. The PDF printer's; the collector has its own (collect/progress.ts),
 * which renderers may not import.
 */
export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

/** "printing PDF: chunk 3/40, 57 pages, 12s elapsed, ETA 2m28s": the ETA from the mean time per chunk so far. */
export function pdfProgressLine(chunksDone: number, chunksTotal: number, pages: number, elapsedMs: number): string {
  const elapsed = elapsedMs / 1000;
  const eta = chunksDone > 0 ? formatSeconds((elapsed / chunksDone) * (chunksTotal - chunksDone)) : '?';
  return `printing PDF: chunk ${chunksDone}/${chunksTotal}, ${pages} pages, ${formatSeconds(elapsed)} elapsed, ETA ${eta}`;
}

export class TerminalProgress {
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private line = '';

  private constructor(
    private readonly stream: NodeJS.WriteStream,
    readonly enabled: boolean,
  ) {}

  static on(stream: NodeJS.WritableStream, quiet: boolean): TerminalProgress {
    const terminal = stream as NodeJS.WriteStream;
    return new TerminalProgress(terminal, !quiet && terminal.isTTY === true);
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  /** Sets the text; drawn at most four times a second so a fast run does not flood the terminal. */
  update(line: string): void {
    if (!this.enabled) return;
    this.line = line;
    if (this.timer === null) {
      this.draw();
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  private draw(): void {
    const columns = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 1000;
    this.stream.write(`\r\x1b[K${this.line.slice(0, columns - 1)}`);
  }

  /** Clears the line so the next message starts at column 0. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.enabled && this.timer !== null) this.stream.write('\r\x1b[K');
    this.timer = null;
  }
}

/** The progress line of a large account's run: "iam-audit: writing 6 files for 50000 users...". */
export function largeAccountProgressLine(step: string, users: number): string {
  return `iam-audit: ${step} for ${users} users...`;
}
