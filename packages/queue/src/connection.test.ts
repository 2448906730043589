import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from './connection.js';

describe('redisOptionsFromUrl', () => {
  it('reads host, port, database and credentials, and never gives up on a command', () => {
    expect(redisOptionsFromUrl('redis://user:p%40ss@10.0.0.5:6380/2')).toEqual({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      username: 'user',
      password: 'p@ss',
      maxRetriesPerRequest: null,
    });
    expect(redisOptionsFromUrl('rediss://cache')).toMatchObject({
      host: 'cache',
      port: 6379,
      db: 0,
      tls: {},
    });
  });

  it('rejects what is not a Redis URL, naming REDIS_URL', () => {
    expect(() => redisOptionsFromUrl('localhost:6379')).toThrow(/^REDIS_URL: /);
    expect(() => redisOptionsFromUrl('http://localhost')).toThrow(/^REDIS_URL: /);
    expect(() => redisOptionsFromUrl('redis://localhost/x')).toThrow(
      /^REDIS_URL: .*database number/,
    );
  });
});
