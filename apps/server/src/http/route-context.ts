import type { Store } from '@isoflop/store';
import type { EventFeed } from './event-feed.js';
import type { SweepCoordinator } from './sweep-coordinator.js';

/** What every route plugin is given: the store to read, the coordinator to write through, the feed. */
export interface RouteContext {
  store: Store;
  coordinator: SweepCoordinator | undefined;
  feed: EventFeed;
  maxEventStreams: number;
  maxReplayEvents: number;
}
