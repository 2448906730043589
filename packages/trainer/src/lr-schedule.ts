export interface LrScheduleSpec {
  lr: number;
  minLr: number;
  warmupSteps: number;
}

/**
 * Learning rate for the update made at `step` (0-based) of `totalSteps`: linear warmup from lr/warmupSteps
 * to lr over the first warmupSteps updates, then a cosine from lr down to minLr at the last update.
 */
export function learningRate(schedule: LrScheduleSpec, step: number, totalSteps: number): number {
  const { lr, minLr, warmupSteps } = schedule;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 1) return lr;
  const progress = Math.min(1, (step - warmupSteps) / (decaySteps - 1));
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
