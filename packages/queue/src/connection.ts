import type { RedisOptions } from 'ioredis';
import { QueueError } from './errors.js';

/** Where the queue lives and under which key prefix and name. */
export interface QueueLocation {
  redisUrl: string;
  /** Key prefix (default DEFAULT_PREFIX); tests use a unique one each. */
  prefix?: string;
  /** Queue name (default TRAIN_QUEUE). */
  queueName?: string;
}

/**
 * ioredis options from a redis:// or rediss:// URL. maxRetriesPerRequest null makes commands wait through
 * a Redis restart instead of failing, which BullMQ requires for workers and we want everywhere.
 */
export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch (error) {
    throw new QueueError(
      'BAD_REDIS_URL',
      `REDIS_URL: expected redis://host:port, got '${redisUrl}'`,
      {
        cause: error,
      },
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueError(
      'BAD_REDIS_URL',
      `REDIS_URL: expected a redis:// or rediss:// URL, got '${redisUrl}'`,
    );
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new QueueError(
      'BAD_REDIS_URL',
      `REDIS_URL: expected a database number in the path, got '${url.pathname}'`,
    );
  }
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** REDIS_URL (undefined when unset), ISOFLOP_QUEUE_PREFIX and ISOFLOP_QUEUE_NAME from the environment. */
export function queueLocationFromEnv(env: NodeJS.ProcessEnv = process.env): {
  redisUrl: string | undefined;
  prefix: string | undefined;
  queueName: string | undefined;
} {
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  };
  return {
    redisUrl: value('REDIS_URL'),
    prefix: value('ISOFLOP_QUEUE_PREFIX'),
    queueName: value('ISOFLOP_QUEUE_NAME'),
  };
}
