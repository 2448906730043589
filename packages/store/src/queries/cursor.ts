import { eq } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { cursors } from '../schema.js';

export function getCursor(store: Store, name: string): string | undefined {
  return store.db.select({ value: cursors.value }).from(cursors).where(eq(cursors.name, name)).get()
    ?.value;
}

export function setCursor(store: Store, name: string, value: string): void {
  store.db
    .insert(cursors)
    .values({ name, value })
    .onConflictDoUpdate({ target: cursors.name, set: { value } })
    .run();
}
