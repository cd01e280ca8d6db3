import { EventTypeCode } from './protocol/constants.js';
import { selfAndAncestors } from './paths.js';

/**
 * What happened to a watched znode.
 * - `created`, `deleted`, `changed` (data), `children` (a child was created or deleted);
 * - `session-lost`: the session expired or the client closed before the one-shot watch fired,
 *   so it never will.
 */
export type WatchEventType = 'created' | 'deleted' | 'changed' | 'children' | 'session-lost';

/** A watch notification, with the path relative to the client's chroot. */
export interface WatchEvent {
  type: WatchEventType;
  path: string;
}

export type WatchListener = (event: WatchEvent) => void;

/** The kinds of watch a caller can hold, and can name in `removeWatches`. */
export type WatchKind = 'data' | 'exist' | 'children' | 'persistent' | 'persistent-recursive';

const eventTypeNames = new Map<number, WatchEventType>([
  [EventTypeCode.nodeCreated, 'created'],
  [EventTypeCode.nodeDeleted, 'deleted'],
  [EventTypeCode.nodeDataChanged, 'changed'],
  [EventTypeCode.nodeChildrenChanged, 'children'],
]);

export function eventTypeName(code: number): WatchEventType | undefined {
  return eventTypeNames.get(code);
}

/** Which one-shot watch kinds an event of each type triggers (ZooKeeper's server rules). */
const oneShotTriggers: Record<Exclude<WatchEventType, 'session-lost'>, readonly WatchKind[]> = {
  created: ['data', 'exist'],
  changed: ['data', 'exist'],
  deleted: ['data', 'exist', 'children'],
  children: ['children'],
};

/** Paths of every watch to re-establish on a server, grouped as SetWatches2 wants them. */
export interface WatchSnapshot {
  data: string[];
  exist: string[];
  children: string[];
  persistent: string[];
  persistentRecursive: string[];
}

/**
 * The client's side of watch bookkeeping. The server keeps one watch per path and kind per
 * session and sends one notification per event; this table fans it out to every listener,
 * forgets one-shot listeners once they fire, and knows what to restore after a reconnect.
 */
export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, Set<WatchListener>>> = {
    data: new Map(),
    exist: new Map(),
    children: new Map(),
    persistent: new Map(),
    'persistent-recursive': new Map(),
  };

  constructor(private readonly onListenerError: (error: unknown, event: WatchEvent) => void) {}

  add(kind: WatchKind, path: string, listener: WatchListener): void {
    const table = this.tables[kind];
    let listeners = table.get(path);
    if (!listeners) table.set(path, (listeners = new Set()));
    listeners.add(listener);
  }

  has(kind: WatchKind, path: string): boolean {
    return (this.tables[kind].get(path)?.size ?? 0) > 0;
  }

  /**
   * Removes one listener, or all of a kind on a path when `listener` is omitted.
   * Returns true when something was removed.
   */
  remove(kind: WatchKind, path: string, listener?: WatchListener): boolean {
    const listeners = this.tables[kind].get(path);
    if (!listeners) return false;
    const removed = listener === undefined ? listeners.size > 0 : listeners.delete(listener);
    if (listener === undefined || listeners.size === 0) this.tables[kind].delete(path);
    return removed;
  }

  /** Delivers a server notification to every listener it concerns. */
  dispatch(event: WatchEvent): void {
    if (event.type === 'session-lost') return;
    const due: WatchListener[] = [];
    for (const kind of oneShotTriggers[event.type]) {
      const listeners = this.tables[kind].get(event.path);
      if (listeners) {
        this.tables[kind].delete(event.path);
        due.push(...listeners);
      }
    }
    due.push(...(this.tables.persistent.get(event.path) ?? []));
    // The server never sends children events to recursive watches: created/deleted cover them.
    if (event.type !== 'children') {
      for (const ancestor of selfAndAncestors(event.path)) {
        due.push(...(this.tables['persistent-recursive'].get(ancestor) ?? []));
      }
    }
    // A listener registered twice under different kinds is called once per event.
    for (const listener of new Set(due)) this.call(listener, event);
  }

  /** Paths to hand to the server again after reconnecting within the same session. */
  snapshot(): WatchSnapshot {
    return {
      data: [...this.tables.data.keys()],
      exist: [...this.tables.exist.keys()],
      children: [...this.tables.children.keys()],
      persistent: [...this.tables.persistent.keys()],
      persistentRecursive: [...this.tables['persistent-recursive'].keys()],
    };
  }

  /**
   * The session is gone, and with it every server-side watch. One-shot listeners are told
   * (`session-lost`) and forgotten; persistent ones stay, for the client to re-add on the next
   * session.
   */
  dropOneShot(): void {
    for (const kind of ['data', 'exist', 'children'] as const) {
      const table = this.tables[kind];
      const entries = [...table.entries()];
      table.clear();
      for (const [path, listeners] of entries) {
        for (const listener of listeners) this.call(listener, { type: 'session-lost', path });
      }
    }
  }

  /** Persistent watches, to re-add on a new session. */
  persistentPaths(): { path: string; recursive: boolean }[] {
    return [
      ...[...this.tables.persistent.keys()].map((path) => ({ path, recursive: false })),
      ...[...this.tables['persistent-recursive'].keys()].map((path) => ({ path, recursive: true })),
    ];
  }

  clear(): void {
    for (const table of Object.values(this.tables)) table.clear();
  }

  private call(listener: WatchListener, event: WatchEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.onListenerError(error, event);
    }
  }
}
