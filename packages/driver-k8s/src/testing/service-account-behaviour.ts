import { randomBytes, randomUUID } from 'node:crypto';
import type { ClusterContext, KindBehaviour } from './cluster-context.js';
import type { StatusCause } from './k8s-status.js';
import { required, timestamp } from './kube-validation.js';
import type { KubeObject } from './object-store.js';

export const SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
const ACCOUNT_NAME = 'kubernetes.io/service-account.name';
const ACCOUNT_UID = 'kubernetes.io/service-account.uid';

/**
 * Service accounts. With `legacyServiceAccountTokens` (Kubernetes before 1.24, OpenShift), the
 * token controller makes a token secret for each new account and lists it in `secrets` (on
 * OpenShift after an image-pull `dockercfg` secret), `tokenDelayMs` later. Deleting an account
 * deletes its token secrets.
 */
export const serviceAccountBehaviour: KindBehaviour = {
  created(context, account) {
    if (context.settings().legacyServiceAccountTokens) {
      context.later(context.settings().tokenDelayMs, () => issueLegacySecrets(context, account.metadata.namespace!, account.metadata.name));
    }
  },
  remove(context, account) {
    const namespace = account.metadata.namespace!;
    for (const secret of context.store.list('secrets', namespace)) {
      if (secret.type === SERVICE_ACCOUNT_TOKEN && secret.metadata.annotations?.[ACCOUNT_NAME] === account.metadata.name) {
        context.store.remove('secrets', namespace, secret.metadata.name);
      }
    }
    return context.store.remove('serviceaccounts', namespace, account.metadata.name) ?? account;
  },
};

/**
 * Secrets. One of type `kubernetes.io/service-account-token` must name its account in the
 * `kubernetes.io/service-account.name` annotation; the token controller fills in `token`,
 * `ca.crt` and `namespace` `tokenDelayMs` later, or deletes the secret if the account does not
 * exist. `stringData` is merged into `data`, base64-encoded.
 */
export const secretBehaviour: KindBehaviour = {
  validate(secret) {
    const causes: StatusCause[] = [];
    if (secret.type === SERVICE_ACCOUNT_TOKEN && !secret.metadata.annotations?.[ACCOUNT_NAME]) {
      causes.push(required(`metadata.annotations[${ACCOUNT_NAME}]`));
    }
    for (const [key, value] of Object.entries((secret.data ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) causes.push({ reason: 'FieldValueInvalid', message: 'illegal base64 data', field: `data[${key}]` });
    }
    return causes;
  },
  admit(_context, secret) {
    const { stringData, ...rest } = secret as KubeObject & { stringData?: Record<string, string> };
    const data = { ...((rest.data ?? {}) as Record<string, string>) };
    for (const [key, value] of Object.entries(stringData ?? {})) data[key] = Buffer.from(String(value)).toString('base64');
    return { ...rest, type: rest.type ?? 'Opaque', ...(Object.keys(data).length > 0 ? { data } : {}) };
  },
  created(context, secret) {
    if (secret.type !== SERVICE_ACCOUNT_TOKEN) return;
    context.later(context.settings().tokenDelayMs, () => fillToken(context, secret.metadata.namespace!, secret.metadata.name));
  },
};

/** Makes a service account as a controller would (the namespace's `default`). */
export function createServiceAccount(context: ClusterContext, namespace: string, name: string): KubeObject {
  const account = context.store.create('serviceaccounts', {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: timestamp() },
  });
  serviceAccountBehaviour.created!(context, account);
  return account;
}

function fillToken(context: ClusterContext, namespace: string, name: string): void {
  const secret = context.store.get('secrets', namespace, name);
  if (!secret || (secret.data as Record<string, string> | undefined)?.token) return;
  const accountName = secret.metadata.annotations?.[ACCOUNT_NAME] ?? '';
  const account = context.store.get('serviceaccounts', namespace, accountName);
  if (!account) {
    // As the token controller: a token secret for an account that does not exist is deleted.
    context.store.remove('secrets', namespace, name);
    return;
  }
  const token = context.tokens.issue({ namespace, serviceAccount: accountName, secret: name }, account.metadata.uid!);
  context.store.update('secrets', {
    ...secret,
    metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, [ACCOUNT_UID]: account.metadata.uid! } },
    data: { ...((secret.data ?? {}) as Record<string, string>), ...tokenData(context, namespace, token) },
  });
}

function tokenData(context: ClusterContext, namespace: string, token: string): Record<string, string> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return { 'ca.crt': b64(context.caCert()), namespace: b64(namespace), token: b64(token) };
}

function issueLegacySecrets(context: ClusterContext, namespace: string, accountName: string): void {
  const account = context.store.get('serviceaccounts', namespace, accountName);
  if (!account) return;
  const suffix = () => randomBytes(3).toString('hex').slice(0, 5);
  const references: { name: string }[] = [];
  const annotations = { [ACCOUNT_NAME]: accountName, [ACCOUNT_UID]: account.metadata.uid! };
  if (context.settings().openshift) {
    const name = `${accountName}-dockercfg-${suffix()}`;
    context.store.create('secrets', {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name, namespace, uid: randomUUID(), creationTimestamp: timestamp(), annotations: { 'openshift.io/token-secret.name': `${accountName}-token-legacy` } },
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': Buffer.from('{}').toString('base64') },
    });
    references.push({ name });
  }
  const name = `${accountName}-token-${suffix()}`;
  const token = context.tokens.issue({ namespace, serviceAccount: accountName, secret: name }, account.metadata.uid!);
  context.store.create('secrets', {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: timestamp(), annotations },
    type: SERVICE_ACCOUNT_TOKEN,
    data: tokenData(context, namespace, token),
  });
  references.push({ name });
  context.store.update('serviceaccounts', { ...account, secrets: [...((account.secrets ?? []) as { name: string }[]), ...references] });
}
