import { asInteger, asJson, asNumber, asObject, asString, asStringList, field, RecordCodec, type Field } from './codec.js';
import { RecordFormatError } from './json.js';

/** Node states (protocol spec §6.3), exact strings. */
export const NODE_STATES = [
  'init',
  'building',
  'testing',
  'ready',
  'in-use',
  'used',
  'hold',
  'deleting',
  'failed',
  'aborted',
  'deleted',
] as const;
export type NodeState = (typeof NODE_STATES)[number];

const nodeStates = new Set<string>(NODE_STATES);

export function isNodeState(value: unknown): value is NodeState {
  return typeof value === 'string' && nodeStates.has(value);
}

/** SSH/WinRM port, or for Kubernetes nodes an object with the API credentials. */
export type ConnectionPort = number | Record<string, unknown>;

/**
 * A node record: `/nodepool/nodes/<id>`, every field of protocol spec §6.2.
 * `id` and `version` come from the znode, not from its JSON.
 */
export class Node {
  /** The znode name, a 10-digit sequence number; empty until the node is first stored. */
  id = '';
  /** Data version of the znode when last read or written; -1 for a node not stored yet. */
  version = -1;

  state: NodeState = 'init';
  /** Epoch seconds of the last state assignment. */
  stateTime = 0;
  cloud: string | null = null;
  provider: string | null = null;
  pool: string | null = null;
  /** Labels of the node. */
  type: string[] = [];
  /** ID of the request the node is reserved for. */
  allocatedTo: string | null = null;
  az: string | null = null;
  region: string | null = null;
  publicIpv4: string | null = null;
  privateIpv4: string | null = null;
  publicIpv6: string | null = null;
  hostId: string | null = null;
  interfaceIp: string | null = null;
  /** Written as both `connection_port` and its legacy twin `ssh_port`. */
  connectionPort: ConnectionPort = 22;
  imageId: string | null = null;
  launcher: string | null = null;
  createdTime: number | null = null;
  externalId: string | null = null;
  hostname: string | null = null;
  comment: string | null = null;
  userData: unknown = null;
  holdJob: string | null = null;
  hostKeys: string[] = [];
  username: string | null = 'zuul';
  connectionType: string | null = null;
  shellType: string | null = null;
  holdExpiration: number | null = null;
  resources: Record<string, unknown> | null = null;
  slot: number | null = null;
  attributes: Record<string, unknown> | null = null;
  pythonPath: string | null = null;
  tenantName: string | null = null;
  driverData: unknown = null;
  requestor: string | null = null;

  /** Sets the state and, as the original does on every assignment, its timestamp. */
  setState(state: NodeState, now = Date.now() / 1000): void {
    this.state = state;
    this.stateTime = now;
  }

  /**
   * Builds a node from its znode JSON. Throws RecordFormatError when the record cannot be a
   * node (no or unknown `state`, like the original's parser) or when a key the launcher acts
   * on holds a value of the wrong JSON type (see `nodeKeyTypes`).
   */
  static fromJson(id: string, json: Record<string, unknown>, version = -1): Node {
    if (!isNodeState(json.state)) {
      throw new RecordFormatError(`node state ${JSON.stringify(json.state)} is not one of ${NODE_STATES.join(', ')}`);
    }
    checkNodeJson(json);
    const node = nodeCodec.read(json, new Node());
    if (!Object.hasOwn(json, 'connection_port')) {
      node.connectionPort = readPort(json.ssh_port) ?? 22;
    }
    node.id = id;
    node.version = version;
    return node;
  }

  /** Every key the original writes, `ssh_port` included; never Zuul's `id`. */
  toJson(): Record<string, unknown> {
    const json = nodeCodec.write(this);
    json.ssh_port = json.connection_port;
    return json;
  }

  /** A copy, so a cache entry is never changed behind the cache's back. */
  clone(): Node {
    return Node.fromJson(this.id, structuredClone(this.toJson()), this.version);
  }
}

const isStringOrNull = (value: unknown) => value === null || typeof value === 'string';
const isStringList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * The JSON type of each key the launcher allocates, locks and deletes by (spec §5.2). A value of
 * another type would be coerced, and a coerced record written back would lose what was there;
 * such a node is corrupt instead: logged and skipped, never rewritten.
 */
const nodeKeyTypes: Readonly<Record<string, [check: (value: unknown) => boolean, expected: string]>> = {
  state_time: [(value) => typeof value === 'number', 'a number'],
  // A bare string is a legacy record's single label.
  type: [(value) => value === null || typeof value === 'string' || isStringList(value), 'a label or a list of labels'],
  provider: [isStringOrNull, 'a string or null'],
  pool: [isStringOrNull, 'a string or null'],
  allocated_to: [isStringOrNull, 'a string or null'],
  launcher: [isStringOrNull, 'a string or null'],
  host_keys: [(value) => value === null || isStringList(value), 'a list of strings'],
};

/** Throws RecordFormatError naming the first key whose value does not match the protocol. */
function checkNodeJson(json: Record<string, unknown>): void {
  for (const [key, [check, expected]] of Object.entries(nodeKeyTypes)) {
    if (Object.hasOwn(json, key) && !check(json[key])) {
      throw new RecordFormatError(`node ${key} is ${JSON.stringify(json[key])}, not ${expected}`);
    }
  }
}

function readPort(value: unknown): ConnectionPort | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return undefined;
}

/** `hold_expiration` is coerced to a number; a non-numeric string means 0 (no node-level expiry). */
function readHoldExpiration(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return /^\d+$/.test(value) ? Number(value) : 0;
  return 0;
}

const nodeFields: Field<Node>[] = [
  field<Node, 'state'>('state', 'state', (value) => value as NodeState),
  field<Node, 'stateTime'>('state_time', 'stateTime', (value) => (typeof value === 'number' ? value : 0)),
  field<Node, 'cloud'>('cloud', 'cloud', asString()),
  field<Node, 'provider'>('provider', 'provider', asString()),
  field<Node, 'pool'>('pool', 'pool', asString()),
  field<Node, 'type'>('type', 'type', asStringList),
  field<Node, 'allocatedTo'>('allocated_to', 'allocatedTo', asString()),
  field<Node, 'az'>('az', 'az', asString()),
  field<Node, 'region'>('region', 'region', asString()),
  field<Node, 'publicIpv4'>('public_ipv4', 'publicIpv4', asString()),
  field<Node, 'privateIpv4'>('private_ipv4', 'privateIpv4', asString()),
  field<Node, 'publicIpv6'>('public_ipv6', 'publicIpv6', asString()),
  field<Node, 'hostId'>('host_id', 'hostId', asString()),
  field<Node, 'interfaceIp'>('interface_ip', 'interfaceIp', asString()),
  field<Node, 'connectionPort'>('connection_port', 'connectionPort', (value) => readPort(value) ?? 22),
  field<Node, 'imageId'>('image_id', 'imageId', asString()),
  field<Node, 'launcher'>('launcher', 'launcher', asString()),
  field<Node, 'createdTime'>('created_time', 'createdTime', asNumber()),
  field<Node, 'externalId'>('external_id', 'externalId', asString()),
  field<Node, 'hostname'>('hostname', 'hostname', asString()),
  field<Node, 'comment'>('comment', 'comment', asString()),
  field<Node, 'userData'>('user_data', 'userData', asJson),
  field<Node, 'holdJob'>('hold_job', 'holdJob', asString()),
  field<Node, 'hostKeys'>('host_keys', 'hostKeys', asStringList),
  field<Node, 'username'>('username', 'username', (value, present) => (present ? asString()(value, present) : 'zuul')),
  field<Node, 'connectionType'>('connection_type', 'connectionType', asString()),
  field<Node, 'shellType'>('shell_type', 'shellType', asString()),
  field<Node, 'holdExpiration'>('hold_expiration', 'holdExpiration', readHoldExpiration),
  field<Node, 'resources'>('resources', 'resources', asObject),
  field<Node, 'slot'>('slot', 'slot', (value) => (typeof value === 'number' ? asInteger(0)(value, true) : null)),
  field<Node, 'attributes'>('attributes', 'attributes', asObject),
  field<Node, 'pythonPath'>('python_path', 'pythonPath', asString()),
  field<Node, 'tenantName'>('tenant_name', 'tenantName', asString()),
  field<Node, 'driverData'>('driver_data', 'driverData', asJson),
  field<Node, 'requestor'>('requestor', 'requestor', asString()),
];
const nodeCodec = new RecordCodec<Node>(nodeFields);
