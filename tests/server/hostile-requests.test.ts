import { connect } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { TrainQueue } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { listSweeps, type Store } from '@isoflop/store';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_SWEEP_YAML } from './support/test-spec.js';
import { tempStore } from './support/temp-store.js';

/**
 * Issue 15: what a hostile web page or client can send a loopback `isoflop serve`. Before the fix a
 * cross-origin or text/plain POST submitted a sweep, a body-less cross-site POST cancelled one, any Host
 * header was served (DNS rebinding), `127.example.org` counted as loopback, bad YAML/JSON and `..` URLs
 * answered 500 (unlogged), and a trickled body held its socket for minutes.
 */
const redisUrl = inject('redisUrl');
const prefix = `test-hostile-${process.pid}-${Date.now().toString(36)}`;
const SPEC_JSON = JSON.stringify(parseYaml(TEST_SWEEP_YAML));

let temp: ReturnType<typeof tempStore>;
let store: Store;
let coordinator: Coordinator;
let server: IsoflopServer;
let base: string;
let host: string;
const logged: string[] = [];

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  coordinator = Coordinator.open({ store, redisUrl, prefix, log: () => undefined });
  server = await buildServer({
    store,
    coordinator,
    port: 0,
    requestTimeoutMs: 1000,
    log: (message) => logged.push(message),
  });
  base = await server.listen();
  host = new URL(base).host;
});

afterAll(async () => {
  await server?.close();
  await coordinator?.close();
  temp?.dispose();
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
});

async function send(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(new URL(path, base), { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

describe('cross-site writes and DNS rebinding', () => {
  it('refuses a POST from another origin, and writes nothing', async () => {
    const response = await send(
      'POST',
      '/api/sweeps',
      { 'content-type': 'application/json', origin: 'http://evil.example' },
      SPEC_JSON,
    );
    expect(response.status).toBe(403);
    expect(response.json['error']).toBe('CROSS_ORIGIN');
    expect(listSweeps(store)).toEqual([]);
  });

  it('refuses what a browser marks as cross-site, even without an Origin', async () => {
    const response = await send(
      'POST',
      '/api/sweeps',
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      SPEC_JSON,
    );
    expect(response.status).toBe(403);
    expect(listSweeps(store)).toEqual([]);
  });

  it('refuses a text/plain spec (the type a form posts without a preflight)', async () => {
    const response = await send(
      'POST',
      '/api/sweeps',
      { 'content-type': 'text/plain' },
      TEST_SWEEP_YAML,
    );
    expect(response.status).toBe(415);
    expect(listSweeps(store)).toEqual([]);
  });

  it('refuses a foreign Host header on a loopback server, for reads too', async () => {
    const { port } = new URL(base);
    const post = await rawRequest(
      `POST /api/sweeps HTTP/1.1\r\nHost: rebound.example:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(SPEC_JSON)}\r\nConnection: close\r\n\r\n${SPEC_JSON}`,
      { keepOpen: true },
    );
    expect(post.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(post).toContain('FOREIGN_HOST');
    const read = await rawRequest(`GET /api/sweeps HTTP/1.1\r\nHost: rebound.example\r\n\r\n`);
    expect(read.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(listSweeps(store)).toEqual([]);
    for (const own of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const ok = await rawRequest(`GET /api/sweeps HTTP/1.1\r\nHost: ${own}\r\n\r\n`);
      expect(ok.split('\r\n')[0], own).toBe('HTTP/1.1 200 OK');
    }
  });

  it("takes the dashboard's own same-origin POST, then refuses a body-less cross-site cancel", async () => {
    const submitted = await send(
      'POST',
      '/api/sweeps',
      {
        'content-type': 'application/json',
        origin: `http://${host}`,
        'sec-fetch-site': 'same-origin',
      },
      SPEC_JSON,
    );
    expect(submitted.status).toBe(201);
    const sweepId = String(submitted.json['sweepId']);
    const foreign: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    ];
    for (const headers of foreign) {
      const cancel = await send('POST', `/api/sweeps/${sweepId}/cancel`, headers, '');
      expect([403, 415], JSON.stringify(headers)).toContain(cancel.status);
    }
    expect(listSweeps(store).map((sweep) => sweep.state)).toEqual(['queued']);
  });

  it('needs a token on any address that is not loopback, parsed rather than prefix-matched', async () => {
    for (const address of ['127.example.org', '127.0.0.1.nip.io', '0.0.0.0', '::']) {
      await expect(buildServer({ store, host: address, port: 0 })).rejects.toMatchObject({
        code: 'INSECURE_BIND',
      });
    }
    for (const address of ['127.0.0.2', '::1', 'localhost']) {
      const loopback = await buildServer({ store, host: address, port: 0 });
      await loopback.close();
    }
  });
});

describe('bad input is a 4xx, never a 500', () => {
  const aliasBomb =
    'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n';
  const cases: [string, string, string][] = [
    ['a YAML alias bomb', 'application/yaml', aliasBomb],
    ['an undefined YAML alias', 'application/yaml', 'name: *nowhere\n'],
    ['JSON nested 100k deep', 'application/json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['a JSON array', 'application/json', '[1, 2]'],
    ['an empty JSON body', 'application/json', ''],
  ];
  for (const [what, contentType, body] of cases) {
    it(`answers 400 to ${what}`, async () => {
      const started = performance.now();
      const response = await send('POST', '/api/sweeps', { 'content-type': contentType }, body);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(response.status).toBe(400);
      expect(listSweeps(store).length).toBeLessThanOrEqual(1);
    });
  }

  it("answers 400 to a URL with '..' segments, as sent on the wire", async () => {
    for (const path of ['/docs/static/../..', '/docs/static/%2e%2e/%2e%2e', '/docs/static/..']) {
      const response = await rawRequest(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      expect(response.split('\r\n')[0], path).toBe('HTTP/1.1 400 Bad Request');
    }
  });
});

describe('the server side of failures', () => {
  it('cuts off a client that trickles its body, and stays responsive', async () => {
    const started = performance.now();
    const answer = await rawRequest(
      `POST /api/sweeps HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      { keepOpen: true },
    );
    expect(performance.now() - started).toBeLessThan(8000);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect((await send('GET', '/api/sweeps', {})).status).toBe(200);
  });
});

describe('internal errors', () => {
  it('are logged, with the request that met them', async () => {
    const broken = tempStore();
    const messages: string[] = [];
    const app = await buildServer({ store: broken.store, port: 0, log: (m) => messages.push(m) });
    broken.store.close();
    const response = await app.app.inject('/api/sweeps');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'INTERNAL', message: 'internal error' });
    expect(messages).toEqual([expect.stringMatching(/^GET \/api\/sweeps -> 500: .*not open/s)]);
    await app.close();
    broken.dispose();
  });
});

/** Sends raw bytes (no URL normalisation, no body framing) and resolves with what comes back. */
function rawRequest(text: string, options: { keepOpen?: boolean } = {}): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(text);
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (!options.keepOpen && received.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}
