import { countNodes } from '../stats/node-counts.js';
import { NODE_STATES, type NodeState } from '../zk/node.js';
import { dibImageList } from './dib-image-list.js';
import { imageList } from './image-list.js';
import { imageStatus } from './image-status.js';
import { launcherList } from './launcher-list.js';
import { compareIds } from './node-list.js';
import { poolList } from './pool-list.js';
import type { StatusRow } from './status-listing.js';
import type { StatusSource } from './status-source.js';

/** A node as the dashboard shows it; times are epoch seconds, so the page can tick ages. */
export interface DashboardNode {
  readonly id: string;
  readonly provider: string | null;
  readonly pool: string | null;
  readonly label: readonly string[];
  readonly state: NodeState;
  readonly state_time: number;
  /** The node's lock has a contender (Zuul or a launcher holds it). */
  readonly locked: boolean;
  readonly server_id: string | null;
  /** The address Zuul connects to: the interface IP, else the first public or private one. */
  readonly ip: string | null;
  /** The request the node is allocated to. */
  readonly allocated_to: string | null;
  /** The pool worker that launched it. */
  readonly launcher: string | null;
}

/** A node request as the dashboard shows it. */
export interface DashboardRequest {
  readonly id: string;
  readonly state: string;
  readonly state_time: number;
  /** When Zuul created it (epoch s); null when the record does not say. */
  readonly created_time: number | null;
  readonly relative_priority: number;
  readonly requestor: string | null;
  readonly node_types: readonly string[];
  readonly nodes: readonly string[];
  /** Pool worker IDs, as in `pools`. */
  readonly declined_by: readonly string[];
  readonly provider: string | null;
}

/** Node counts by state: over all, per provider and per label (see `countNodes`). */
export interface DashboardSummary {
  readonly states: readonly NodeState[];
  readonly total: Readonly<Record<string, number>>;
  readonly providers: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly labels: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Everything the dashboard shows, at one moment. Each collection maps a stable key to a row,
 * so a change can be sent as the rows that differ (see the web app's dashboard feed). Rows of
 * images, builds, uploads, launchers and pools are those of the matching listings
 * (`imageStatus`, `dibImageList`, `imageList`, `launcherList`, `poolList`).
 */
export interface DashboardStatus {
  /** Epoch seconds the status was read at. */
  readonly now: number;
  readonly summary: DashboardSummary;
  /** By node ID. */
  readonly nodes: Readonly<Record<string, DashboardNode>>;
  /** By request ID. */
  readonly requests: Readonly<Record<string, DashboardRequest>>;
  /** By registration znode name. */
  readonly launchers: Readonly<Record<string, StatusRow>>;
  /** By pool worker ID. */
  readonly pools: Readonly<Record<string, StatusRow>>;
  /** By image name. */
  readonly images: Readonly<Record<string, StatusRow>>;
  /** By `<image>-<build ID>`. */
  readonly builds: Readonly<Record<string, StatusRow>>;
  /** By `<image>/<build ID>/<provider>/<upload ID>`. */
  readonly uploads: Readonly<Record<string, StatusRow>>;
}

/** The keyed collections of a `DashboardStatus`, in the order the page shows them. */
export const DASHBOARD_COLLECTIONS = ['nodes', 'requests', 'launchers', 'pools', 'images', 'builds', 'uploads'] as const;
export type DashboardCollection = (typeof DASHBOARD_COLLECTIONS)[number];

/**
 * Reads what the dashboard shows from `source`: node counts, nodes, requests, launchers and
 * pools (with their paused flags), images with their builds and uploads.
 *
 * Nodes and requests carry their state times rather than `nodeList`'s formatted ages: the
 * page ages them itself, so a row changes only when its record does.
 */
export async function dashboardStatus(source: StatusSource, options: { now?: number } = {}): Promise<DashboardStatus> {
  const now = options.now ?? Date.now() / 1000;
  const [nodes, requests, pools, poolRows, launchers, images, builds, uploads] = await Promise.all([
    source.nodes(),
    source.requests(),
    source.poolComponents(),
    poolList(source),
    launcherList(source),
    imageStatus(source),
    dibImageList(source),
    imageList(source),
  ]);
  nodes.sort((a, b) => compareIds(a.id, b.id));
  requests.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const counts = countNodes(nodes, pools);
  const nodeRows = await Promise.all(
    nodes.map(
      async (node): Promise<DashboardNode> => ({
        id: node.id,
        provider: node.provider,
        pool: node.pool,
        label: node.type,
        state: node.state,
        state_time: node.stateTime,
        locked: await source.isNodeLocked(node.id),
        server_id: node.externalId,
        ip: node.interfaceIp ?? node.publicIpv4 ?? node.publicIpv6 ?? node.privateIpv4,
        allocated_to: node.allocatedTo,
        launcher: node.launcher,
      }),
    ),
  );
  return {
    now,
    summary: {
      states: NODE_STATES,
      total: Object.fromEntries(counts.total),
      providers: Object.fromEntries([...counts.byProvider].map(([provider, states]) => [provider, Object.fromEntries(states)])),
      labels: Object.fromEntries([...counts.byLabel].map(([label, states]) => [label, Object.fromEntries(states)])),
    },
    // Object.fromEntries defines own properties, so a key such as `__proto__` is kept as data.
    nodes: Object.fromEntries(nodeRows.map((node) => [node.id, node])),
    requests: Object.fromEntries(
      requests.map((request) => [
        request.id,
        {
          id: request.id,
          state: request.state,
          state_time: request.stateTime,
          created_time: request.createdTime,
          relative_priority: request.relativePriority,
          requestor: request.requestor,
          node_types: request.nodeTypes,
          nodes: request.nodes,
          declined_by: request.declinedBy,
          provider: request.provider,
        } satisfies DashboardRequest,
      ]),
    ),
    launchers: keyed(launchers.rows, (row) => String(row.name)),
    pools: keyed(poolRows.rows, (row) => String(row.id)),
    images: keyed(images.rows, (row) => String(row.image)),
    builds: keyed(builds.rows, (row) => String(row.id)),
    uploads: keyed(uploads.rows, (row) => `${String(row.image)}/${String(row.id)}/${String(row.provider)}/${String(row.upload_id)}`),
  };
}

function keyed(rows: readonly StatusRow[], key: (row: StatusRow) => string): Record<string, StatusRow> {
  return Object.fromEntries(rows.map((row) => [key(row), row]));
}
