import { describe } from 'vitest';
import { createInMemorySignalingPair } from '../../src/signaling/createInMemorySignalingPair.js';
import { runConformance } from './runConformance.js';

describe('createInMemorySignalingPair conformance', () => {
  runConformance(() => createInMemorySignalingPair());
});

describe('createInMemorySignalingPair conformance with latency', () => {
  runConformance(() => createInMemorySignalingPair({ latencyMs: 5 }));
});
