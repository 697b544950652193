import type { AdapterName, BenchAdapter } from '../common.js';
import { hangupAdapter } from './hangup.js';
import { rawAdapter } from './raw.js';
import { simplePeerAdapter } from './simplePeer.js';

/** Every adapter the bench compares, by name. */
export const ADAPTERS: Record<AdapterName, BenchAdapter> = {
  raw: rawAdapter,
  hangup: hangupAdapter,
  'simple-peer': simplePeerAdapter,
};
