import type picomatchLibrary from 'picomatch';
import { onDemand } from './on-demand.js';

/**
 * picomatch, loaded on first use: only files with globs (exceptions, responses, owners) need it, so
 * a run given none of them never loads it. One place for the exceptions, responses and owners code.
 */
export const picomatch = onDemand<typeof picomatchLibrary>('picomatch');
