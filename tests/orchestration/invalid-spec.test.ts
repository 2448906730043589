import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '@isoflop/server';
import type { Store } from '@isoflop/store';
import {
  CLI,
  Coordinator,
  fixtureText,
  obliterate,
  openStore,
  sandbox,
  spawnNode,
  type Sandbox,
} from './harness.js';

/** The tiny spec with two bad fields: a negative batch size and an unknown family. */
function invalidSpec(): string {
  return fixtureText('tiny.yaml')
    .replace('batchSize: 2', 'batchSize: -2')
    .replace('  arm: {}', '  arm: {}\n  gpt: {}');
}

describe('an invalid spec', () => {
  const redisUrl = inject('redisUrl');
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox('invalid-spec');
  });
  afterAll(async () => {
    await obliterate(redisUrl, box.prefix);
    box.cleanup();
  });

  it('through the CLI exits 2 naming each field, and writes no database', async () => {
    const specFile = join(box.dir, 'bad.yaml');
    writeFileSync(specFile, invalidSpec());
    writeFileSync(join(box.dir, 'corpus.jsonl'), '{"text": "a"}\n');
    for (const command of ['run', 'submit']) {
      const dbFile = join(box.dir, `${command}.db`);
      const cli = spawnNode(
        CLI,
        [command, specFile, '--db', dbFile],
        {
          ...process.env,
          REDIS_URL: redisUrl,
          ISOFLOP_QUEUE_PREFIX: box.prefix,
        },
        box.dir,
      );
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toMatch(/batchSize: /);
      expect(cli.output()).toMatch(/families\.gpt: unknown family/);
      expect(existsSync(dbFile)).toBe(false);
      expect(existsSync(join(box.dir, '.isoflop'))).toBe(false);
    }
  });

  describe('through HTTP', () => {
    let store: Store;
    let coordinator: Coordinator;
    beforeAll(() => {
      store = openStore(box.dbFile);
      coordinator = Coordinator.open({ store, redisUrl, prefix: box.prefix, log: () => undefined });
    });
    afterAll(async () => {
      await coordinator.close();
      store.close();
    });

    it('answers 400 with the field paths, and writes no rows', async () => {
      const server = await buildServer({ store, coordinator, port: 0 });
      try {
        const response = await server.app.inject({
          method: 'POST',
          url: '/api/sweeps',
          headers: { 'content-type': 'application/yaml' },
          payload: invalidSpec(),
        });
        expect(response.statusCode).toBe(400);
        const body = response.json<{ error: string; issues: { path: string }[] }>();
        expect(body.error).toBe('INVALID_SPEC');
        expect(body.issues.map((issue) => issue.path)).toEqual(
          expect.arrayContaining(['batchSize', 'families.gpt']),
        );
      } finally {
        await server.close();
      }
      for (const table of ['sweeps', 'runs', 'events']) {
        expect(store.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
      }
    });
  });
});
