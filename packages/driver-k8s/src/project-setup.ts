import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { KubeAccess } from './client/kube-access.js';
import type { KubeClient } from './client/kube-client.js';
import type { OpenshiftClient } from './client/openshift-client.js';
import type { PodLabelSettings } from './config/index.js';
import { WORKER_ACCOUNT, type ProjectConnection } from './connection-details.js';
import { isNotFound, K8sLaunchError } from './errors.js';
import { waitForObject } from './object-wait.js';
import { nodepoolLabels, type NodeOwner } from './pod-body.js';

/** 9.0.0's `createProject`: a ProjectRequest for `project`, carrying Nodepool's labels. */
export async function requestProject(openshift: OpenshiftClient, project: string, settings: Pick<PodLabelSettings, 'labels'>, owner: NodeOwner): Promise<void> {
  await openshift.requestProject({
    apiVersion: 'project.openshift.io/v1',
    kind: 'ProjectRequest',
    metadata: { name: project, labels: nodepoolLabels(settings, owner) },
  });
}

export interface ProjectPreparation {
  readonly kube: KubeClient;
  readonly openshift: OpenshiftClient;
  readonly access: KubeAccess;
  readonly tokenTimeoutMs: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

/**
 * 9.0.0's `prepareProject`: service account `zuul-worker`, its token from the secrets OpenShift
 * makes for it (listed in the account's `secrets`), and the account made the project's admin
 * (an authorization.openshift.io RoleBinding to cluster role `admin`).
 */
export async function prepareProject(preparation: ProjectPreparation, project: string): Promise<ProjectConnection> {
  const { kube, openshift, access } = preparation;
  await kube.createServiceAccount(project, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: WORKER_ACCOUNT } });
  const { token, caCrt } = await waitForAccountToken(preparation, project);
  await openshift.createRoleBinding(project, {
    apiVersion: 'authorization.openshift.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'admin-0' },
    roleRef: { name: 'admin' },
    subjects: [{ kind: 'ServiceAccount', name: WORKER_ACCOUNT, namespace: project }],
    userNames: [`system:serviceaccount:${project}:${WORKER_ACCOUNT}`],
  });
  const connection: ProjectConnection = { namespace: project, host: access.host, skiptls: access.skipTls, token, user: WORKER_ACCOUNT };
  if (!connection.skiptls) connection.ca_crt = caCrt;
  return connection;
}

/**
 * Reads the account until OpenShift lists its secrets, then reads those until one holds a token
 * and a CA: 9.0.0 tries 30 times a second apart; the same 30 s here, quicker reads at first.
 */
async function waitForAccountToken(preparation: ProjectPreparation, project: string): Promise<{ token: string; caCrt: string }> {
  const { kube } = preparation;
  let found: { token: string; caCrt: string } | undefined;
  const holdsToken = async (account: V1ServiceAccount | undefined): Promise<boolean> => {
    for (const reference of account?.secrets ?? []) {
      if (!reference.name) continue;
      try {
        const data = (await kube.readSecret(project, reference.name)).data;
        if (data?.token && data['ca.crt']) {
          found = { token: Buffer.from(data.token, 'base64').toString('utf8'), caCrt: data['ca.crt'] };
          return true;
        }
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return false;
  };
  let checked: V1ServiceAccount | undefined;
  await waitForObject(
    {
      // A read that also looks at the secrets: the wait's condition must be a plain check.
      read: async () => {
        const account = await kube.readServiceAccount(project, WORKER_ACCOUNT);
        checked = (await holdsToken(account)) ? account : undefined;
        return account;
      },
      resourceVersion: (account) => account.metadata?.resourceVersion,
    },
    {
      until: (account) => account !== undefined && account === checked,
      timeoutMs: preparation.tokenTimeoutMs,
      pollMs: Math.min(preparation.pollMs, 250),
      signal: preparation.signal,
      timeoutError: () => new K8sLaunchError(`${project}: couldn't find token for service account ${WORKER_ACCOUNT}`),
    },
  );
  return found!;
}
