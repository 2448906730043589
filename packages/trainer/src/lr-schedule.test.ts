import { describe, expect, it } from 'vitest';
import { learningRate } from './lr-schedule.js';

describe('learningRate', () => {
  const schedule = { lr: 1, minLr: 0.1, warmupSteps: 2 };

  it('warms up linearly to the peak', () => {
    expect(learningRate(schedule, 0, 6)).toBeCloseTo(0.5, 12);
    expect(learningRate(schedule, 1, 6)).toBeCloseTo(1, 12);
  });

  it('decays by a cosine from the peak to the floor at the last step', () => {
    expect(learningRate(schedule, 2, 6)).toBeCloseTo(1, 12);
    // progress 1/3: 0.1 + 0.45 * (1 + cos(pi/3)) = 0.775
    expect(learningRate(schedule, 3, 6)).toBeCloseTo(0.775, 12);
    expect(learningRate(schedule, 4, 6)).toBeCloseTo(0.325, 12);
    expect(learningRate(schedule, 5, 6)).toBeCloseTo(0.1, 12);
  });

  it('never goes below the floor or above the peak', () => {
    for (let step = 0; step < 50; step++) {
      const lr = learningRate({ lr: 3e-3, minLr: 3e-4, warmupSteps: 5 }, step, 50);
      expect(lr).toBeGreaterThan(0);
      expect(lr).toBeLessThanOrEqual(3e-3);
      if (step >= 5) expect(lr).toBeGreaterThanOrEqual(3e-4 - 1e-15);
    }
  });

  it('holds the peak when there is no room to decay', () => {
    expect(learningRate({ lr: 2, minLr: 0, warmupSteps: 0 }, 0, 1)).toBe(2);
  });
});
