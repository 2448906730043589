export { SERVER_ERRORS, ServerError, type ServerErrorCode } from './errors.js';
export { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_HOST, DEFAULT_PORT } from './defaults.js';
export { buildServer, type IsoflopServer, type ServerOptions } from './http/build-server.js';
export type { SweepCoordinator } from './http/sweep-coordinator.js';
export {
  CHARTS,
  chartByName,
  type ChartDefinition,
  type ChartInputs,
} from './charts/chart-registry.js';
export { renderSvg } from './charts/render-svg.js';
