import { asBoolean, asInteger, asJson, asNumber, asString, asStringList, field, RecordCodec, type Field } from './codec.js';
import { RecordFormatError } from './json.js';

/** Request states (protocol spec §5.4). */
export const REQUEST_STATES = ['requested', 'pending', 'fulfilled', 'failed'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

const requestStates = new Set<string>(REQUEST_STATES);

/** Priority prefix of Nodepool's own min-ready requests. */
export const MIN_READY_PRIORITY = '900';
/** Requestor of Nodepool's own min-ready requests. */
export const MIN_READY_REQUESTOR = 'NodePool:min-ready';

/**
 * A node request: `/nodepool/requests/<PPP>-<seq10>`, the 13 keys of protocol spec §5.3.
 * Zuul's creation document lacks `declined_by`, `nodes` and `reuse`; they take their defaults.
 */
export class NodeRequest {
  /** The znode name, `<PPP>-<seq10>`; empty until the request is first stored. */
  id = '';
  /** Data version of the znode when last read or written; -1 for one not stored yet. */
  version = -1;

  state: RequestState = 'requested';
  stateTime = 0;
  /** Pool worker IDs that declined the request. */
  declinedBy: string[] = [];
  /** Requested labels, in job order; duplicates allowed. */
  nodeTypes: string[] = [];
  /** Node IDs, in exactly the order of `nodeTypes`, once fulfilled. */
  nodes: string[] = [];
  /** Whether existing ready nodes may be reused. */
  reuse = true;
  requestor: string | null = null;
  /** Opaque to Nodepool and copied back unchanged on every write. */
  requestorData: unknown = null;
  /** Preferred provider. */
  provider: string | null = null;
  relativePriority = 0;
  eventId: string | null = null;
  createdTime: number | null = null;
  tenantName: string | null = null;

  setState(state: RequestState, now = Date.now() / 1000): void {
    this.state = state;
    this.stateTime = now;
  }

  /** The three-character precedence prefix (lower is more urgent). */
  get priority(): string {
    return parseRequestId(this.id).priority;
  }

  /** The sequence part of the ID, as text. */
  get sequence(): string {
    return parseRequestId(this.id).sequence;
  }

  /**
   * Builds a request from its znode JSON. Throws RecordFormatError when the record does not
   * match the protocol (spec §5.3): such a request is skipped, never rewritten or fulfilled.
   */
  static fromJson(id: string, json: Record<string, unknown>, version = -1): NodeRequest {
    checkRequestJson(json);
    const request = requestCodec.read(json, new NodeRequest());
    request.id = id;
    request.version = version;
    return request;
  }

  /** All 13 keys, null where empty, and nothing else. */
  toJson(): Record<string, unknown> {
    return requestCodec.write(this);
  }

  clone(): NodeRequest {
    return NodeRequest.fromJson(this.id, structuredClone(this.toJson()), this.version);
  }
}

const requestFields: Field<NodeRequest>[] = [
  field<NodeRequest, 'state'>('state', 'state', (value) => value as RequestState),
  field<NodeRequest, 'stateTime'>('state_time', 'stateTime', (value) => (typeof value === 'number' ? value : 0)),
  field<NodeRequest, 'declinedBy'>('declined_by', 'declinedBy', asStringList),
  field<NodeRequest, 'nodeTypes'>('node_types', 'nodeTypes', asStringList),
  field<NodeRequest, 'nodes'>('nodes', 'nodes', asStringList),
  field<NodeRequest, 'reuse'>('reuse', 'reuse', asBoolean(true)),
  field<NodeRequest, 'requestor'>('requestor', 'requestor', asString()),
  field<NodeRequest, 'requestorData'>('requestor_data', 'requestorData', asJson),
  field<NodeRequest, 'provider'>('provider', 'provider', asString()),
  field<NodeRequest, 'relativePriority'>('relative_priority', 'relativePriority', asInteger(0)),
  field<NodeRequest, 'eventId'>('event_id', 'eventId', asString()),
  field<NodeRequest, 'createdTime'>('created_time', 'createdTime', asNumber()),
  field<NodeRequest, 'tenantName'>('tenant_name', 'tenantName', asString()),
];
const requestCodec = new RecordCodec<NodeRequest>(requestFields);

const isString = (value: unknown) => typeof value === 'string';
const isStringOrNull = (value: unknown) => value === null || typeof value === 'string';
const isNumber = (value: unknown) => typeof value === 'number';
const isStringList = (value: unknown) => Array.isArray(value) && value.every(isString);

/** The JSON type of each key a request may hold (spec §5.3); absent keys take their defaults. */
const requestKeyTypes: Readonly<Record<string, [check: (value: unknown) => boolean, expected: string]>> = {
  state_time: [isNumber, 'a number'],
  declined_by: [isStringList, 'a list of strings'],
  node_types: [isStringList, 'a list of strings'],
  nodes: [isStringList, 'a list of strings'],
  reuse: [(value) => typeof value === 'boolean', 'a boolean'],
  requestor: [isStringOrNull, 'a string or null'],
  provider: [isStringOrNull, 'a string or null'],
  relative_priority: [Number.isInteger, 'an integer'],
  event_id: [isStringOrNull, 'a string or null'],
  created_time: [(value) => value === null || isNumber(value), 'a number or null'],
  tenant_name: [isStringOrNull, 'a string or null'],
};

/** Throws RecordFormatError naming the first key whose value does not match the protocol. */
function checkRequestJson(json: Record<string, unknown>): void {
  if (typeof json.state !== 'string' || !requestStates.has(json.state)) {
    throw new RecordFormatError(`request state ${JSON.stringify(json.state)} is not one of ${REQUEST_STATES.join(', ')}`);
  }
  for (const [key, [check, expected]] of Object.entries(requestKeyTypes)) {
    if (Object.hasOwn(json, key) && !check(json[key])) {
      throw new RecordFormatError(`request ${key} is ${JSON.stringify(json[key])}, not ${expected}`);
    }
  }
}

/** Splits `200-0000004711` into its precedence prefix and sequence. */
export function parseRequestId(id: string): { priority: string; sequence: string } {
  const dash = id.indexOf('-');
  // Zuul recognises its request IDs by id[3] == '-'; anything else sorts by name alone.
  if (dash !== 3) return { priority: '', sequence: id };
  return { priority: id.slice(0, 3), sequence: id.slice(4) };
}

/**
 * Processing order (spec §5.2): precedence prefix, then `relative_priority`, then sequence —
 * never the znode name alone.
 */
export function compareRequests(a: NodeRequest, b: NodeRequest): number {
  const left = parseRequestId(a.id);
  const right = parseRequestId(b.id);
  if (left.priority !== right.priority) return left.priority < right.priority ? -1 : 1;
  if (a.relativePriority !== b.relativePriority) return a.relativePriority - b.relativePriority;
  if (left.sequence !== right.sequence) return compareSequences(left.sequence, right.sequence);
  return 0;
}

/** Sequence numbers are 10 digits, or 11 characters with a leading '-' after wrapping. */
function compareSequences(a: string, b: string): number {
  const left = Number(a);
  const right = Number(b);
  if (Number.isFinite(left) && Number.isFinite(right) && left !== right) return left - right;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether every registered pool has declined the request, which is when it fails (spec §5.4):
 * all pool components count, not only those that support its labels.
 */
export function declinedByEveryPool(request: NodeRequest, registeredPoolIds: Iterable<string>): boolean {
  const declined = new Set(request.declinedBy);
  for (const id of registeredPoolIds) if (!declined.has(id)) return false;
  return true;
}

/**
 * Orders a fulfilled node set as the request listed its labels (spec §5.5): Zuul maps
 * `nodes[i]` to `node_types[i]`. Throws if the set does not match the labels.
 */
export function orderNodesForRequest(nodeTypes: readonly string[], nodes: readonly { id: string; type: readonly string[] }[]): string[] {
  const remaining = [...nodes];
  return nodeTypes.map((label) => {
    const index = remaining.findIndex((node) => node.type.includes(label));
    if (index === -1) throw new Error(`no node of label ${label} in the node set`);
    return remaining.splice(index, 1)[0]!.id;
  });
}
