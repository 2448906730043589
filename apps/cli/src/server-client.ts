import type { SweepSpec } from '@isoflop/planner';
import { CliError } from './errors.js';

export interface SubmittedSweep {
  sweepId: string;
  sweepName: string;
  runs: number;
  created: boolean;
}

export interface SweepSummary {
  id: string;
  name: string;
  state: string;
  runs: Record<string, number>;
}

interface ErrorBody {
  error?: string;
  message?: string;
  issues?: { path: string; message: string }[];
}

/**
 * A running `isoflop serve` reached over its HTTP API (`--server URL`): submit and cancel go through its
 * coordinator, which stays the only writer of the deployment's SQLite database. Mutations carry
 * `Authorization: Bearer $ISOFLOP_TOKEN` when the token is set (a server bound off loopback needs it).
 */
export class ServerClient {
  private constructor(
    private readonly base: URL,
    private readonly token: string | undefined,
  ) {}

  static connect(url: string, token: string | undefined): ServerClient {
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new CliError('BAD_INPUT', `--server: expected an http(s) URL, got '${url}'`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new CliError('BAD_INPUT', `--server: expected an http(s) URL, got '${url}'`);
    }
    return new ServerClient(base, token || undefined);
  }

  /** Submits a validated spec (corpus paths already absolute) as JSON. */
  async submit(spec: SweepSpec): Promise<SubmittedSweep> {
    const body = (await this.request('POST', '/api/sweeps', spec)) as {
      sweepId: string;
      created: boolean;
      plan: { sweepName: string; runs: unknown[] };
    };
    return {
      sweepId: body.sweepId,
      sweepName: body.plan.sweepName,
      runs: body.plan.runs.length,
      created: body.created,
    };
  }

  /** Cancels a sweep named by id, or by name (the newest sweep of that name). */
  async cancel(sweep: string): Promise<SweepSummary> {
    const id = await this.sweepId(sweep);
    return (await this.request(
      'POST',
      `/api/sweeps/${encodeURIComponent(id)}/cancel`,
    )) as SweepSummary;
  }

  private async sweepId(idOrName: string): Promise<string> {
    const { sweeps } = (await this.request('GET', '/api/sweeps')) as { sweeps: SweepSummary[] };
    const match =
      sweeps.find((sweep) => sweep.id === idOrName) ??
      sweeps.find((sweep) => sweep.name === idOrName);
    if (match === undefined) {
      throw new CliError(
        'BAD_INPUT',
        `SWEEP: no sweep with id or name '${idOrName}' on ${this.base.origin}`,
      );
    }
    return match.id;
  }

  private async request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<unknown> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = {};
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST' && this.token !== undefined)
      headers['authorization'] = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new CliError(
        'FAILED',
        `--server: cannot reach ${this.base.origin}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause: error },
      );
    }
    const text = await response.text();
    if (response.ok) return text === '' ? undefined : JSON.parse(text);
    throw new CliError(
      response.status >= 500 ? 'FAILED' : 'BAD_INPUT',
      `${this.base.origin} answered ${response.status}: ${describeError(text)}`,
    );
  }
}

/** The server's error body (`{error, message, issues}`) as one message, or the raw text. */
function describeError(text: string): string {
  let body: ErrorBody;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    return text.slice(0, 500);
  }
  const issues = (body.issues ?? []).map((issue) => `\n  ${issue.path}: ${issue.message}`).join('');
  return `${body.error ?? 'ERROR'}: ${body.message ?? ''}${issues}`;
}
