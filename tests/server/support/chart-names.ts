/**
 * The dashboard's charts, as the API serves and the page draws them: written out here, not read from the
 * registry, so that a chart dropped from it fails the tests.
 */
export const CHART_NAMES = [
  'run-states',
  'isoflop-curves',
  'frontier',
  'isoloss-contours',
  'family-comparison',
  'loss-tokens',
  'loss-flops',
  'prime-objectives',
] as const;
