import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps peak memory near the live heap during a long collection. Each SDK call allocates objects
 * that live for the call's round trip; V8 promotes many of them and then lets that garbage grow
 * to several times the live heap before a full collection (measured: ~150 MB of garbage over a
 * ~35 MB live heap for 5,000 users, and more on a busy machine). A full collection every few
 * seconds costs a few milliseconds each and keeps the peak down.
 *
 * `gc` is exposed the documented way (the --expose-gc flag), set at run time because a CLI cannot
 * pass V8 flags through its shebang; the function appears in contexts created after the flag.
 * Where that fails the collector simply runs without it.
 */
export function startPeriodicFullGc(intervalMs: number): () => void {
  let fullGc: (() => void) | null = null;
  try {
    setFlagsFromString('--expose-gc');
    const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    if (typeof exposed === 'function') fullGc = exposed as () => void;
  } catch {
    // A runtime that refuses the flag only loses the memory optimisation, never data.
    fullGc = null;
  }
  if (fullGc === null) return () => undefined;
  const collect = fullGc;
  const timer = setInterval(() => collect(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
