/**
 * The two records Zuul reads and writes, as plain JSON: what lands in ZooKeeper is the point of
 * this package, so nothing here goes through a model that could drop or reorder keys.
 * Protocol spec §5.3 (requests) and §6.2 (nodes).
 */

/** Where requests, request locks and nodes live (relative to the chroot). */
export const REQUEST_ROOT = '/nodepool/requests';
export const REQUEST_LOCK_ROOT = '/nodepool/requests-lock';
export const NODE_ROOT = '/nodepool/nodes';

export const requestPath = (id: string): string => `${REQUEST_ROOT}/${id}`;
export const requestLockPath = (id: string): string => `${REQUEST_LOCK_ROOT}/${id}`;
export const nodePath = (id: string): string => `${NODE_ROOT}/${id}`;
export const nodeLockPath = (id: string): string => `${NODE_ROOT}/${id}/lock`;

/** `requestor_data` as Zuul writes it: opaque to Nodepool, copied back unchanged. */
export interface ZuulRequestorData {
  build_set_uuid: string;
  tenant_name: string | null;
  pipeline_name: string;
  job_uuid: string;
  job_name: string;
  /** Zuul's tracing span; opaque. */
  span_info: unknown;
}

/**
 * The document Zuul writes when it creates a request: exactly these ten keys, in this order
 * (spec §5.3). `declined_by`, `nodes` and `reuse` are absent; readers apply their defaults.
 */
export interface ZuulRequestDocument {
  requestor_data: ZuulRequestorData;
  node_types: string[];
  /** Zuul's system ID. */
  requestor: string;
  /** Epoch seconds (float). */
  created_time: number;
  provider: string | null;
  state: 'requested';
  /** Epoch seconds (float). */
  state_time: number;
  relative_priority: number;
  event_id: string | null;
  tenant_name: string | null;
}

export type RequestState = 'requested' | 'pending' | 'fulfilled' | 'failed';

/** A request record as read back: the keys readers rely on, plus whatever else is there. */
export interface NodeRequestRecord {
  state: RequestState;
  state_time: number;
  node_types: string[];
  /** Absent in Zuul's creation document; `[]` when absent. */
  nodes?: string[];
  declined_by?: string[];
  requestor?: string | null;
  requestor_data?: unknown;
  provider?: string | null;
  relative_priority?: number;
  event_id?: string | null;
  created_time?: number | null;
  tenant_name?: string | null;
  reuse?: boolean;
  [key: string]: unknown;
}

/** A node record as read: every key is kept, known or not (Zuul writes them all back). */
export interface NodeRecord {
  state: string;
  state_time?: number;
  allocated_to?: string | null;
  type?: string[] | string | null;
  interface_ip?: string | null;
  connection_port?: number | Record<string, unknown> | null;
  connection_type?: string | null;
  username?: string | null;
  user_data?: unknown;
  hold_job?: string | null;
  comment?: string | null;
  hold_expiration?: number | null;
  [key: string]: unknown;
}

/** Python's `time.time()`: float seconds, with sub-millisecond digits. */
export function epochSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/**
 * The node document Zuul's `Node.toDict()` produces from a record it read: `id`, `state`,
 * `hold_job`, `comment`, `user_data`, `tenant_name` and `requestor` first (null when never
 * read), then every other key read, in the order read. Zuul never writes `name` or `aliases`
 * back (they are its own internal attributes).
 */
export function zuulNodeDocument(id: string, record: NodeRecord): Record<string, unknown> {
  const document: Record<string, unknown> = {
    id,
    state: record.state,
    hold_job: record.hold_job ?? null,
    comment: record.comment ?? null,
    user_data: record.user_data ?? null,
    tenant_name: record.tenant_name ?? null,
    requestor: record.requestor ?? null,
  };
  for (const [key, value] of Object.entries(record)) {
    if (key === 'id' || key === 'name' || key === 'aliases' || key in document) continue;
    document[key] = value;
  }
  return document;
}

/** Parses znode data as a JSON object; undefined for an empty znode (which counts as absent). */
export function parseRecord<T>(data: Buffer, what: string): T | undefined {
  if (data.length === 0) return undefined;
  const value: unknown = JSON.parse(data.toString('utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${what} does not hold a JSON object`);
  }
  return value as T;
}
