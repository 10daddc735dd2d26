import assert from 'node:assert/strict';
import { chromaChildReadiness, nextBackoffMs } from '../src/local/chroma-supervisor.js';

describe('Chroma child supervision', () => {
  it('backs off exponentially from the first delay up to the cap', () => {
    const delays: number[] = [];
    let delay = 0;
    for (let attempt = 0; attempt < 7; attempt++) delays.push((delay = nextBackoffMs(delay, 1_000, 30_000)));
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('is a required readiness check that fails while the child is down', async () => {
    const state = { alive: true };
    const check = chromaChildReadiness(state);
    assert.notEqual(check.required, false);
    await check.check(AbortSignal.timeout(1_000));
    state.alive = false;
    await assert.rejects(check.check(AbortSignal.timeout(1_000)), /Chroma server is down/);
  });
});
