import type { V1Role, V1Secret } from '@kubernetes/client-node';
import type { KubeAccess } from './client/kube-access.js';
import type { KubeClient } from './client/kube-client.js';
import type { PodLabelSettings } from './config/index.js';
import { WORKER_ACCOUNT, type NamespaceConnection } from './connection-details.js';
import { K8sLaunchError } from './errors.js';
import { waitForObject } from './object-wait.js';
import { nodepoolLabels, type NodeOwner } from './pod-body.js';

const ALL_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** What setting up a namespace needs. */
export interface NamespaceSetup {
  readonly kube: KubeClient;
  readonly access: KubeAccess;
  readonly owner: NodeOwner;
  readonly settings: Pick<PodLabelSettings, 'labels'>;
  /**
   * `true` for pod labels: the account may only get and list pods and use exec, logs and port
   * forwarding (role `zuul-restricted`); `false`: it may manage pods, services, jobs, secrets…
   * (role `zuul`).
   */
  readonly restrictedAccess: boolean;
  /** Called once the namespace exists, before anything slow: its name is the node's external ID. */
  readonly onCreated: (namespace: string) => Promise<void>;
  readonly tokenTimeoutMs: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

/**
 * 9.0.0's `createNamespace`: namespace `<pool>-<node id>` with Nodepool's labels, service
 * account `zuul-worker`, a token secret for it (which the token controller fills in), a role
 * and the binding of the account to it. Returns the connection details for `connection_port`.
 */
export async function setUpNamespace(setup: NamespaceSetup): Promise<NamespaceConnection> {
  const { kube, access, owner } = setup;
  const namespace = `${owner.pool}-${owner.nodeId}`;
  const created = await kube.createNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: nodepoolLabels(setup.settings, owner) } });
  await setup.onCreated(namespace);

  await kube.createServiceAccount(namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: WORKER_ACCOUNT } });
  await kube.createSecret(namespace, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: { name: WORKER_ACCOUNT, annotations: { 'kubernetes.io/service-account.name': WORKER_ACCOUNT } },
  });
  const { token, caCrt } = await waitForToken(setup, namespace);

  const role = setup.restrictedAccess ? restrictedRole() : fullRole();
  await kube.createRole(namespace, role);
  await kube.createRoleBinding(namespace, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'zuul-role' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata!.name! },
    subjects: [{ kind: 'ServiceAccount', name: WORKER_ACCOUNT, namespace }],
  });

  const connection: NamespaceConnection = {
    name: created.metadata?.name ?? namespace,
    namespace,
    host: access.host,
    skiptls: access.skipTls,
    token,
    user: WORKER_ACCOUNT,
  };
  if (!connection.skiptls) connection.ca_crt = caCrt;
  return connection;
}

/**
 * The token secret filled in: its token (decoded) and CA (kept base64, as 9.0.0 writes it).
 * 9.0.0 reads once a second, 30 times; here the reads come quicker at first (the controller is
 * usually done within milliseconds), within the same 30 s.
 */
async function waitForToken(setup: NamespaceSetup, namespace: string): Promise<{ token: string; caCrt: string }> {
  const filled = (secret: V1Secret | undefined) => Boolean(secret?.data?.token && secret.data['ca.crt']);
  const secret = await waitForObject(
    {
      read: () => setup.kube.readSecret(namespace, WORKER_ACCOUNT),
      resourceVersion: (object) => object.metadata?.resourceVersion,
    },
    {
      until: filled,
      timeoutMs: setup.tokenTimeoutMs,
      pollMs: Math.min(setup.pollMs, 250),
      signal: setup.signal,
      timeoutError: (last) => new K8sLaunchError(`${namespace}: couldn't find token for secret ${last?.metadata?.name ?? WORKER_ACCOUNT}`),
    },
  );
  const data = secret!.data!;
  return { token: Buffer.from(data.token!, 'base64').toString('utf8'), caCrt: data['ca.crt']! };
}

function fullRole(): V1Role {
  return {
    kind: 'Role',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: 'zuul' },
    rules: [
      {
        apiGroups: [''],
        resources: ['pods', 'pods/exec', 'pods/log', 'pods/portforward', 'services', 'endpoints', 'crontabs', 'jobs', 'deployments', 'replicasets', 'configmaps', 'secrets'],
        verbs: ALL_VERBS,
      },
    ],
  };
}

function restrictedRole(): V1Role {
  return {
    kind: 'Role',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: 'zuul-restricted' },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ALL_VERBS },
      // 9.0.0 names `pods/logs`, a subresource that does not exist (logs are `pods/log`); kept.
      { apiGroups: [''], resources: ['pods/logs'], verbs: ALL_VERBS },
      { apiGroups: [''], resources: ['pods/portforward'], verbs: ALL_VERBS },
    ],
  };
}
