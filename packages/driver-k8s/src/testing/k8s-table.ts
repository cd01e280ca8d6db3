import type { KubeObject } from './object-store.js';

/**
 * Server-side printing (meta.k8s.io/v1 `Table`), which `kubectl get` asks for: the columns the
 * API server prints for namespaces and pods, and its default table (Name, Created At) for the
 * rest.
 */
interface Column {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
  readonly cell: (object: KubeObject) => unknown;
}

type Json = Record<string, unknown>;

const nameColumn: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  priority: 0,
  cell: (object) => object.metadata.name,
};

const ageColumn: Column = {
  name: 'Age',
  type: 'string',
  format: '',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (object) => age(object.metadata.creationTimestamp),
};

const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  namespaces: [
    nameColumn,
    { name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0, cell: (object) => (object.status as Json | undefined)?.phase ?? '' },
    ageColumn,
  ],
  pods: [
    nameColumn,
    { name: 'Ready', type: 'string', format: '', description: 'The aggregate readiness state of this pod for accepting traffic.', priority: 0, cell: readyCell },
    { name: 'Status', type: 'string', format: '', description: 'The aggregate status of the containers in this pod.', priority: 0, cell: podStatusCell },
    { name: 'Restarts', type: 'integer', format: '', description: 'The number of times the containers in this pod have been restarted.', priority: 0, cell: () => 0 },
    ageColumn,
    { name: 'IP', type: 'string', format: '', description: 'IP address allocated to the pod.', priority: 1, cell: (object) => (object.status as Json | undefined)?.podIP ?? '<none>' },
    { name: 'Node', type: 'string', format: '', description: 'Name of the node.', priority: 1, cell: (object) => (object.spec as Json | undefined)?.nodeName ?? '<none>' },
    { name: 'Nominated Node', type: 'string', format: '', description: 'Nominated node name.', priority: 1, cell: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', format: '', description: 'Readiness gates.', priority: 1, cell: () => '<none>' },
  ],
};

const DEFAULT_COLUMNS: readonly Column[] = [
  nameColumn,
  { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0, cell: (object) => object.metadata.creationTimestamp ?? '' },
];

/** `objects` as a Table; `includeObject` is the request's (`PartialObjectMetadata` by default, `Object`, `None`). */
export function toTable(resource: string, objects: readonly KubeObject[], listMetadata: Json, includeObject: string | null): Json {
  const columns = COLUMNS[resource] ?? DEFAULT_COLUMNS;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetadata,
    columnDefinitions: columns.map(({ cell: _cell, ...definition }) => definition),
    rows: objects.map((object) => ({
      cells: columns.map((column) => column.cell(object)),
      ...(includeObject === 'None' ? {} : { object: includeObject === 'Object' ? object : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata } }),
    })),
  };
}

/** Whether an Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function containerStatuses(object: KubeObject): Json[] {
  return ((object.status as Json | undefined)?.containerStatuses ?? []) as Json[];
}

function readyCell(object: KubeObject): string {
  const containers = ((object.spec as Json | undefined)?.containers ?? []) as unknown[];
  const ready = containerStatuses(object).filter((status) => status.ready === true).length;
  return `${ready}/${containers.length}`;
}

function podStatusCell(object: KubeObject): string {
  if (object.metadata.deletionTimestamp) return 'Terminating';
  const status = (object.status ?? {}) as Json;
  for (const container of containerStatuses(object)) {
    const waiting = (container.state as Json | undefined)?.waiting as Json | undefined;
    if (waiting?.reason) return String(waiting.reason);
  }
  if (status.phase === 'Pending' && !(object.spec as Json | undefined)?.nodeName) return 'Pending';
  if (status.phase === 'Pending') return 'ContainerCreating';
  return String(status.reason ?? status.phase ?? 'Unknown');
}

/** kubectl's human durations: `45s`, `4m5s`, `25m`, `3h5m`, `30h`, `3d4h`, `10d`. */
export function age(created: string | undefined, now = Date.now()): string {
  if (!created) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  return `${days}d`;
}
