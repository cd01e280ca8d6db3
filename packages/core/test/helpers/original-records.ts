import { kazooCreate } from './kazoo-writer.js';

/** When the seeded records changed state (epoch s), and the "now" the tests render at. */
export const SEEDED_AT = 1_700_000_000.25;
/** One day, two hours, three minutes and four and a half seconds later: ages read `01:02:03:04`. */
export const RENDERED_AT = SEEDED_AT + 93_784.5;

export const UUID_BUILD = '0f3e9a7c5b1d4e2fa6b8c0d2e4f61a3b';

/** A node record with every key the original writes (spec §6.2), overridden by `fields`. */
export function originalNode(fields: Record<string, unknown>): Record<string, unknown> {
  const port = fields.connection_port ?? 22;
  return {
    state: 'ready',
    state_time: SEEDED_AT,
    cloud: null,
    provider: 'cloud-a',
    pool: 'main',
    type: ['debian'],
    allocated_to: null,
    az: null,
    region: null,
    public_ipv4: null,
    private_ipv4: null,
    public_ipv6: null,
    host_id: null,
    interface_ip: null,
    connection_port: port,
    ssh_port: port,
    image_id: null,
    launcher: 'nl01.example.org-PoolWorker.cloud-a-main-6f1c',
    created_time: SEEDED_AT,
    external_id: null,
    hostname: null,
    comment: null,
    user_data: null,
    hold_job: null,
    host_keys: [],
    username: 'zuul',
    connection_type: 'ssh',
    shell_type: null,
    hold_expiration: null,
    resources: null,
    attributes: null,
    python_path: 'auto',
    tenant_name: null,
    driver_data: null,
    requestor: null,
    ...fields,
  };
}

/** The IDs ZooKeeper gave the seeded records. */
export interface SeededRecords {
  /** ready, cloud-a, one label, unlocked. */
  readyNode: string;
  /** in-use, last written by Zuul (with its `id` key), two labels; lock it to see `locked`. */
  zuulNode: string;
  /** hold, a Kubernetes-style object port, a legacy single-string `type`, quotes in the comment. */
  podNode: string;
  /** An empty znode left by kazoo's "ensure path": not a node. */
  emptyNode: string;
  /** As Zuul submits it (creation document only). */
  zuulRequest: string;
  /** As a launcher rewrites it (all 13 keys), declined once. */
  launcherRequest: string;
}

/**
 * Writes, through kazoo and Python's json.dumps, the records of a small installation the way
 * Zuul, the original launcher and builder leave them: three nodes (and an empty node znode), two
 * requests, two pool components, and images `debian` (two builds: a uuid one with two uploads to
 * cloud-a, an old numbered one with a failed upload) and `ubuntu` (paused, a manual build
 * request, a build in progress).
 */
export async function seedOriginalRecords(hosts: string): Promise<SeededRecords> {
  const [readyNode, zuulNode, podNode, emptyNode, zuulRequest, launcherRequest] = await kazooCreate(hosts, [
    { path: '/nodepool/nodes/', sequence: true, data: originalNode({ external_id: 'i-0a1b', public_ipv4: '203.0.113.10', private_ipv4: '10.0.0.10', az: 'zone-1', interface_ip: '203.0.113.10' }) },
    {
      path: '/nodepool/nodes/',
      sequence: true,
      data: {
        ...originalNode({
          state: 'in-use',
          type: ['debian', 'arm64'],
          external_id: 'i-0c2d',
          public_ipv6: '2001:db8::2',
          allocated_to: '200-0000000000',
          user_data: { zuul_system: '9c1d', project_name: 'example.org/acme/app' },
          tenant_name: 'acme',
          requestor: '9c1d',
        }),
        id: 'zuul-writes-its-id',
      },
    },
    {
      path: '/nodepool/nodes/',
      sequence: true,
      data: originalNode({
        state: 'hold',
        provider: 'k8s',
        pool: 'pods',
        type: 'pod-label',
        connection_port: { name: 'pod-1', namespace: 'ns', skiptls: true },
        connection_type: 'kubectl',
        external_id: 'ns/pod-1',
        comment: "it's held",
        hold_job: 'acme example.org/acme/app build .*',
        driver_data: { nested: [1, null] },
        username: null,
      }),
    },
    { path: '/nodepool/nodes/', sequence: true, data: null },
    {
      path: '/nodepool/requests/200-',
      sequence: true,
      data: {
        requestor_data: { build_set_uuid: 'b41', tenant_name: 'acme', pipeline_name: 'check', job_uuid: '7e2', job_name: 'integration', span_info: null },
        node_types: ['debian', 'arm64'],
        requestor: '9c1d',
        created_time: SEEDED_AT,
        provider: null,
        state: 'requested',
        state_time: SEEDED_AT,
        relative_priority: 0,
        event_id: 'e5a',
        tenant_name: 'acme',
      },
    },
    {
      path: '/nodepool/requests/100-',
      sequence: true,
      data: {
        state: 'pending',
        state_time: SEEDED_AT,
        declined_by: ['nl02.example.org-PoolWorker.k8s-pods-1234'],
        node_types: ['debian'],
        nodes: [],
        reuse: true,
        requestor: 'NodePool:min-ready',
        requestor_data: null,
        provider: null,
        relative_priority: 2,
        event_id: null,
        created_time: null,
        tenant_name: null,
      },
    },
  ]);
  const build = (fields: Record<string, unknown>) => ({ state: 'ready', state_time: SEEDED_AT, builder: 'nb01.example.org', builder_id: 'a5c3', username: 'zuul', python_path: 'auto', shell_type: null, ...fields });
  const upload = (fields: Record<string, unknown>) => ({ state: 'ready', state_time: SEEDED_AT, external_id: null, external_name: null, format: 'qcow2', username: 'zuul', python_path: 'auto', shell_type: null, ...fields });
  const debian = `/nodepool/images/debian/builds`;
  await kazooCreate(hosts, [
    { path: `${debian}/${UUID_BUILD}`, data: build({ formats: 'raw,qcow2' }) },
    { path: `${debian}/${UUID_BUILD}/providers/cloud-a/images/lock` },
    { path: `${debian}/${UUID_BUILD}/providers/cloud-a/images/`, sequence: true, data: upload({ external_id: 'img-1', external_name: 'debian-1700000000' }) },
    { path: `${debian}/${UUID_BUILD}/providers/cloud-a/images/`, sequence: true, data: upload({ state: 'uploading' }) },
    { path: `${debian}/0000000001`, data: build({ builder: undefined, formats: 'qcow2' }) },
    { path: `${debian}/0000000001/providers/k8s/images/`, sequence: true, data: upload({ state: 'failed', format: null }) },
    { path: `${debian}/lock` },
    { path: '/nodepool/images/ubuntu/pause' },
    { path: '/nodepool/images/ubuntu/request-build' },
    { path: '/nodepool/images/ubuntu/builds/5e0f', data: build({ state: 'building', builder: 'nb02.example.org' }) },
    {
      path: '/nodepool/components/pool/nl01.example.org',
      sequence: true,
      data: { hostname: 'nl01.example.org', id: 'nl01.example.org-PoolWorker.cloud-a-main-6f1c', kind: 'pool', model_api: 0, paused: false, priority: 100, provider_name: 'cloud-a', state: 'running', supported_labels: ['debian', 'arm64'], version: '9.0.0' },
    },
    {
      path: '/nodepool/components/pool/nl02.example.org',
      sequence: true,
      data: { hostname: 'nl02.example.org', id: 'nl02.example.org-PoolWorker.k8s-pods-1234', kind: 'pool', model_api: 0, paused: false, priority: 100, provider_name: 'k8s', state: 'running', supported_labels: ['pod-label', 'debian'], version: '9.0.0' },
    },
  ]);
  const id = (path: string | undefined) => path!.slice(path!.lastIndexOf('/') + 1);
  return { readyNode: id(readyNode), zuulNode: id(zuulNode), podNode: id(podNode), emptyNode: id(emptyNode), zuulRequest: id(zuulRequest), launcherRequest: id(launcherRequest) };
}
