import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS package loaded the first time synchronous code uses it, rather than when the module
 * naming it loads. For libraries only some runs need (yaml for a configuration file, picomatch for
 * a glob): imported up front they cost every run their load time (yaml alone 0.07 s, issue 11).
 */
export function onDemand<T>(packageName: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(packageName) as T);
}
