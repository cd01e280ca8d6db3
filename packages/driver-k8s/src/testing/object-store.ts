/** A Kubernetes object as JSON: kind, apiVersion, metadata and whatever else it has. */
export interface KubeObject {
  kind: string;
  apiVersion: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generateName?: string;
  [field: string]: unknown;
}

/** A change, as a watch streams it. */
export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The store key of the kind (`pods`, `roles.rbac.authorization.k8s.io`). */
  readonly resource: string;
  readonly namespace: string;
  /** The object after the change (for DELETED, as it was, with the deletion's revision). */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED only), for selectors it stops or starts matching. */
  readonly previous?: KubeObject;
  readonly revision: number;
}

/** Events kept for watches that resume from a resourceVersion (etcd's compaction window). */
const HISTORY = 10_000;

/**
 * The fake's etcd: objects by kind, namespace and name, one revision counter for all of them
 * (every change gets the next, as `resourceVersion`), and the recent history of changes for
 * watches. Objects go in and out as copies, so nobody holds a reference into the store.
 */
export class ObjectStore {
  private readonly kinds = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private revisionCounter: number;

  constructor(startRevision = 1000) {
    this.revisionCounter = startRevision;
  }

  /** The latest revision: what a list reports as its `resourceVersion`. */
  get revision(): number {
    return this.revisionCounter;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const object = this.kinds.get(resource)?.get(key(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  /** Every object of a kind (in one namespace, if given), ordered by namespace and name. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.kinds.get(resource)?.entries() ?? [])]
      .filter(([, object]) => namespace === undefined || (object.metadata.namespace ?? '') === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all.map(([, object]) => structuredClone(object));
  }

  /** Stores a new object under the next revision and announces it. */
  create(resource: string, object: KubeObject): KubeObject {
    const stored = structuredClone(object);
    const revision = ++this.revisionCounter;
    stored.metadata.resourceVersion = String(revision);
    this.table(resource).set(key(stored.metadata.namespace ?? '', stored.metadata.name), stored);
    this.emit({ type: 'ADDED', resource, namespace: stored.metadata.namespace ?? '', object: structuredClone(stored), revision });
    return structuredClone(stored);
  }

  /** Replaces an object under the next revision and announces it. */
  update(resource: string, object: KubeObject): KubeObject {
    const table = this.table(resource);
    const id = key(object.metadata.namespace ?? '', object.metadata.name);
    const previous = table.get(id);
    if (!previous) throw new Error(`no ${resource} ${id} to update`);
    const stored = structuredClone(object);
    const revision = ++this.revisionCounter;
    stored.metadata.resourceVersion = String(revision);
    table.set(id, stored);
    this.emit({ type: 'MODIFIED', resource, namespace: stored.metadata.namespace ?? '', object: structuredClone(stored), previous: structuredClone(previous), revision });
    return structuredClone(stored);
  }

  /** Removes an object (if there) and announces it; returns it as it was. */
  remove(resource: string, namespace: string, name: string): KubeObject | undefined {
    const table = this.table(resource);
    const id = key(namespace, name);
    const previous = table.get(id);
    if (!previous) return undefined;
    table.delete(id);
    const revision = ++this.revisionCounter;
    const object = structuredClone(previous);
    object.metadata.resourceVersion = String(revision);
    this.emit({ type: 'DELETED', resource, namespace, object, revision });
    return structuredClone(object);
  }

  /**
   * The changes after `revision`, oldest first; undefined when they are no longer all kept (the
   * watch must answer 410 Gone, and the client list again).
   */
  eventsSince(revision: number): StoreEvent[] | undefined {
    if (revision >= this.revisionCounter) return [];
    const oldest = this.history[0]?.revision ?? this.revisionCounter + 1;
    if (revision < oldest - 1) return undefined;
    return this.history.filter((event) => event.revision > revision);
  }

  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every object and change (not the revision counter, which never goes back). */
  clear(): void {
    this.kinds.clear();
    this.history.length = 0;
  }

  private table(resource: string): Map<string, KubeObject> {
    let table = this.kinds.get(resource);
    if (!table) {
      table = new Map();
      this.kinds.set(resource, table);
    }
    return table;
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const listener of this.listeners) listener(event);
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
