/**
 * Aborts `target` when any of `sources` aborts, with the reason `reasonOf` gives for that source. Returns a
 * function that removes the listeners again: the sandboxed processor lives for many jobs, and listeners left
 * on its process-wide shutdown signal would pile up by one per job.
 */
export function forwardAborts(
  target: AbortController,
  sources: readonly { signal: AbortSignal; reason: () => unknown }[],
): () => void {
  const forward = (reason: unknown): void => {
    if (!target.signal.aborted) target.abort(reason);
  };
  const removers = sources.map(({ signal, reason }) => {
    if (signal.aborted) forward(reason());
    const listener = (): void => forward(reason());
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  });
  return () => removers.forEach((remove) => remove());
}
