import type { TestProject } from 'vitest/node';
import { startPrivateRedis, type PrivateRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let ownRedis: PrivateRedis | undefined;

/** Tests share the Redis that CI started (REDIS_URL), or a private one started here for a developer. */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (!url) {
    ownRedis = await startPrivateRedis();
    url = ownRedis.url;
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await ownRedis?.stop();
}
