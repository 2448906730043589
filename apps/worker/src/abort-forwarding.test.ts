import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { forwardAborts } from './abort-forwarding.js';

describe('forwardAborts', () => {
  it("aborts the target with the first source's reason", () => {
    const shutdown = new AbortController();
    const cancel = new AbortController();
    const target = new AbortController();
    forwardAborts(target, [
      { signal: shutdown.signal, reason: () => 'shutdown' },
      { signal: cancel.signal, reason: () => cancel.signal.reason },
    ]);
    cancel.abort('cancelled by the user');
    shutdown.abort();
    expect(target.signal.reason).toBe('cancelled by the user');
  });

  it('takes an already aborted source at once', () => {
    const shutdown = new AbortController();
    shutdown.abort();
    const target = new AbortController();
    forwardAborts(target, [{ signal: shutdown.signal, reason: () => 'shutdown' }]);
    expect(target.signal.reason).toBe('shutdown');
  });

  it('leaves no listener behind on a long-lived signal after many jobs', () => {
    const shutdown = new AbortController();
    for (let job = 0; job < 50; job++) {
      const stop = forwardAborts(new AbortController(), [
        { signal: shutdown.signal, reason: () => 'shutdown' },
      ]);
      stop();
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});
