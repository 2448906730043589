import type { Store } from '@isoflop/store';
import Fastify, { type FastifyInstance, type onRequestHookHandler } from 'fastify';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_HOST, DEFAULT_PORT } from '../defaults.js';
import { ServerError } from '../errors.js';
import { SHARED_SCHEMAS } from './api-schemas.js';
import { bearerTokenCheck, isLoopback } from './bearer-auth.js';
import { installErrorHandler, type ServerLog } from './error-handler.js';
import { EventFeed } from './event-feed.js';
import { registerOpenApiDocs } from './openapi-docs.js';
import { dotSegmentCheck, loopbackHostCheck, sameOriginCheck } from './request-guards.js';
import type { RouteContext } from './route-context.js';
import { chartRoutes } from './routes/chart-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { decisionRoutes } from './routes/decision-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { fitRoutes } from './routes/fit-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { sweepRoutes } from './routes/sweep-routes.js';
import { vocabularyRoutes } from './routes/vocabulary-routes.js';
import type { SweepCoordinator } from './sweep-coordinator.js';

/** A request (headers and body) must arrive within this: a client that trickles a body holds a socket. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Live event streams open at once; each holds a socket and a feed subscription. */
export const DEFAULT_MAX_EVENT_STREAMS = 256;
/** Events one stream replays at most before going live (a client that missed more refetches state). */
export const DEFAULT_MAX_REPLAY_EVENTS = 2000;

export interface ServerOptions {
  store: Store;
  /** Without one the server is read-only (POST routes answer 409). */
  coordinator?: SweepCoordinator | undefined;
  /** Default 127.0.0.1. Any other address requires `token`. */
  host?: string | undefined;
  /** Default 8321; 0 picks a free port. */
  port?: number | undefined;
  /** Bearer token for mutating routes; required when `host` is not a loopback address. */
  token?: string | undefined;
  bodyLimitBytes?: number | undefined;
  /** The data cache whose prepared shards `/api/data/...` serves to remote workers (none when unset). */
  dataCacheDir?: string | undefined;
  /** Milliseconds between polls of the events table for live streams (default 250). */
  eventPollMs?: number | undefined;
  /** Default DEFAULT_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number | undefined;
  /** Default DEFAULT_MAX_EVENT_STREAMS; more answer 503. */
  maxEventStreams?: number | undefined;
  /** Default DEFAULT_MAX_REPLAY_EVENTS. */
  maxReplayEvents?: number | undefined;
  /** Where 5xx answers are reported (default: a line on stderr). */
  log?: ServerLog | undefined;
  logger?: boolean | undefined;
}

export interface IsoflopServer {
  app: FastifyInstance;
  /** Starts listening; resolves to the dashboard URL. */
  listen(): Promise<string>;
  /** Ends live streams, stops listening. The store is the caller's to close. */
  close(): Promise<void>;
}

/** The Fastify app with every route: the API, the live event stream, the charts and the dashboard. */
export async function buildServer(options: ServerOptions): Promise<IsoflopServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const token = options.token === '' ? undefined : options.token;
  if (!isLoopback(host) && token === undefined) {
    throw new ServerError(
      'INSECURE_BIND',
      `host: binding to ${host} exposes the API beyond this machine; set ISOFLOP_TOKEN to require a bearer token`,
    );
  }
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    requestTimeout,
    // Node checks the request timeout only this often (30 s by default), and headers must come first.
    http: {
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, requestTimeout / 4)),
    },
    // Event streams never go idle: close them with the server instead of waiting on them forever.
    forceCloseConnections: true,
  });
  const log =
    options.log ?? ((message: string) => process.stderr.write(`isoflop serve: ${message}\n`));
  installErrorHandler(app, log);
  app.addHook('onRequest', dotSegmentCheck());
  if (isLoopback(host)) app.addHook('onRequest', loopbackHostCheck());
  app.addHook('onRequest', sameOriginCheck());
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await registerOpenApiDocs(app);

  const feed = new EventFeed(options.store, options.eventPollMs);
  const stopListening = options.coordinator?.onEventsAppended?.(() => feed.poke());
  const context: RouteContext = {
    store: options.store,
    coordinator: options.coordinator,
    feed,
    maxEventStreams: options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS,
    maxReplayEvents: options.maxReplayEvents ?? DEFAULT_MAX_REPLAY_EVENTS,
  };
  const guardMutation: onRequestHookHandler[] =
    token === undefined ? [] : [bearerTokenCheck(token)];

  await app.register(sweepRoutes(context, guardMutation));
  await app.register(runRoutes(context));
  await app.register(fitRoutes(context));
  await app.register(decisionRoutes(context));
  await app.register(eventRoutes(context));
  await app.register(chartRoutes(context));
  await app.register(vocabularyRoutes(context));
  await app.register(dashboardRoutes());
  if (options.dataCacheDir !== undefined) {
    await app.register(dataRoutes(options.dataCacheDir, guardMutation));
  }

  app.addHook('onClose', async () => {
    stopListening?.();
    feed.close();
  });

  return {
    app,
    async listen() {
      await app.listen({ host, port });
      const address = app.server.address();
      const boundPort = typeof address === 'object' && address ? address.port : port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return `http://${urlHost}:${boundPort}/`;
    },
    async close() {
      await app.close();
    },
  };
}
