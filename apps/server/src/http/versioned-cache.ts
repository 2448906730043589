/**
 * Values computed from the database, kept while the database is unchanged: every entry belongs to one
 * data version (the store's `dataVersion`), and the first lookup at a new version drops them all. A
 * dashboard load asks for eight charts of one sweep at once, and a watched page asks again on every
 * event; at 10,000 runs each chart costs tens of milliseconds to read and build, so a version's charts
 * and the run points they share are computed once.
 */
export class VersionedCache<Value> {
  private version: string | undefined;
  private readonly entries = new Map<string, Value>();

  /** @param maxEntries the most keys kept at one version (zoomed ranges make keys without end) */
  constructor(private readonly maxEntries: number) {}

  get(key: string, version: string, compute: () => Value): Value {
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
    }
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const value = compute();
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
    return value;
  }
}
