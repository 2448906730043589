/**
 * How Approach 2 finds each budget's optimum. `parabola`: a least-squares quadratic in log N over every
 * run (Hoffmann et al.); `parabola-nearest`: the same on the `nearestK` runs nearest the lowest loss;
 * `akima`: Akima interpolation with seed-noise draws and a weighted power law (Porian et al. 2024).
 */
export const ESTIMATORS = ['parabola', 'parabola-nearest', 'akima'] as const;
export type Approach2Estimator = (typeof ESTIMATORS)[number];
/** isoflop's default: today's full-range quadratic (the README says when to choose another). */
export const DEFAULT_ESTIMATOR: Approach2Estimator = 'parabola';
/** `parabola-nearest` without `nearestK`: the five nearest, as in Porian et al.'s comparison. */
export const DEFAULT_NEAREST_K = 5;
