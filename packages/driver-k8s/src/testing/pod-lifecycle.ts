import { randomBytes } from 'node:crypto';
import type { StatusCause } from './k8s-status.js';
import { checkDns1123Label, checkQuantity, quantityText, required, timestamp, unsupported } from './kube-validation.js';
import type { KubeObject } from './object-store.js';

type Json = Record<string, unknown>;

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

/** Validation of a pod's spec, as the API server does it for the fields that matter here. */
export function checkPodSpec(spec: unknown): StatusCause[] {
  if (spec === null || typeof spec !== 'object') return [required('spec')];
  const { containers, restartPolicy, volumes } = spec as Json;
  const causes: StatusCause[] = [];
  if (!Array.isArray(containers) || containers.length === 0) return [required('spec.containers')];
  const volumeNames = new Set(Array.isArray(volumes) ? volumes.map((volume) => (volume as Json)?.name) : []);
  containers.forEach((container: Json, index) => {
    const path = `spec.containers[${index}]`;
    if (typeof container?.name !== 'string' || container.name === '') causes.push(required(`${path}.name`));
    else causes.push(...checkDns1123Label(`${path}.name`, container.name));
    if (typeof container?.image !== 'string' || container.image.trim() === '') causes.push(required(`${path}.image`));
    if (container?.imagePullPolicy !== undefined && !PULL_POLICIES.includes(container.imagePullPolicy as string)) {
      causes.push(unsupported(`${path}.imagePullPolicy`, container.imagePullPolicy, PULL_POLICIES));
    }
    const resources = (container?.resources ?? {}) as Json;
    for (const part of ['requests', 'limits']) {
      for (const [name, value] of Object.entries((resources[part] ?? {}) as Json)) causes.push(...checkQuantity(`${path}.resources.${part}[${name}]`, value));
    }
    if (Array.isArray(container?.volumeMounts)) {
      container.volumeMounts.forEach((mount: Json, mountIndex: number) => {
        if (!volumeNames.has(mount?.name)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(mount?.name)}`, field: `${path}.volumeMounts[${mountIndex}].name` });
      });
    }
    if (Array.isArray(container?.env)) {
      container.env.forEach((variable: Json, envIndex: number) => {
        if (typeof variable?.name !== 'string' || variable.name === '') causes.push(required(`${path}.env[${envIndex}].name`));
      });
    }
  });
  if (restartPolicy !== undefined && !RESTART_POLICIES.includes(restartPolicy as string)) causes.push(unsupported('spec.restartPolicy', restartPolicy, RESTART_POLICIES));
  return causes;
}

/** A new pod with the defaults the API server fills in, not yet scheduled: `Pending`. */
export function admitPod(pod: KubeObject): KubeObject {
  const spec = pod.spec as Json;
  const containers = (spec.containers as Json[]).map((container) => {
    const resources = (container.resources ?? {}) as Json;
    const quantities = (part: string) => Object.fromEntries(Object.entries((resources[part] ?? {}) as Json).map(([name, value]) => [name, quantityText(value)]));
    const image = container.image as string;
    return {
      ...container,
      resources: { ...(resources.limits ? { limits: quantities('limits') } : {}), ...(resources.requests ? { requests: quantities('requests') } : {}) },
      imagePullPolicy: container.imagePullPolicy ?? (image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent'),
      terminationMessagePath: container.terminationMessagePath ?? '/dev/termination-log',
      terminationMessagePolicy: container.terminationMessagePolicy ?? 'File',
    };
  });
  const serviceAccount = (spec.serviceAccountName ?? spec.serviceAccount ?? 'default') as string;
  return {
    ...pod,
    spec: {
      ...spec,
      containers,
      restartPolicy: spec.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
      dnsPolicy: spec.dnsPolicy ?? 'ClusterFirst',
      serviceAccountName: serviceAccount,
      serviceAccount,
      securityContext: spec.securityContext ?? {},
      schedulerName: spec.schedulerName ?? 'default-scheduler',
      enableServiceLinks: spec.enableServiceLinks ?? true,
      preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority',
      priority: spec.priority ?? 0,
      tolerations: spec.tolerations ?? [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', qosClass: qosClass(containers) },
  };
}

function qosClass(containers: Json[]): string {
  const resources = containers.map((container) => (container.resources ?? {}) as { requests?: Json; limits?: Json });
  if (resources.every((each) => !each.requests && !each.limits)) return 'BestEffort';
  const guaranteed = resources.every((each) => {
    const limits = each.limits ?? {};
    const requests = each.requests ?? limits;
    return ['cpu', 'memory'].every((name) => limits[name] !== undefined && requests[name] === limits[name]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** How a pod ends up once the kubelet had its go: running, stuck waiting, or failed. */
export type PodOutcome = { kind: 'running' } | { kind: 'waiting'; reason: string; message: string } | { kind: 'failed'; reason: string; message: string };

/** The pod scheduled to `nodeName` and in its outcome's state. */
export function settlePod(pod: KubeObject, nodeName: string, podIndex: number, outcome: PodOutcome): KubeObject {
  const now = timestamp();
  const spec = pod.spec as Json;
  const containers = spec.containers as Json[];
  const ready = outcome.kind === 'running';
  const condition = (type: string, status: boolean, reason?: string) => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(reason && !status ? { reason } : {}),
  });
  const containerStatuses = containers.map((container) => {
    const image = container.image as string;
    const base = { name: container.name, image, restartCount: 0 };
    if (outcome.kind === 'running') {
      return { ...base, imageID: `${image.split(':')[0]}@sha256:${randomBytes(32).toString('hex')}`, containerID: `containerd://${randomBytes(32).toString('hex')}`, ready: true, started: true, state: { running: { startedAt: now } }, lastState: {} };
    }
    if (outcome.kind === 'waiting') {
      return { ...base, imageID: '', ready: false, started: false, state: { waiting: { reason: outcome.reason, message: outcome.message } }, lastState: {} };
    }
    return { ...base, imageID: '', ready: false, started: false, state: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } }, lastState: {} };
  });
  const hostIP = '10.0.0.10';
  const podIP = `10.244.${Math.floor(podIndex / 250) % 250}.${(podIndex % 250) + 2}`;
  return {
    ...pod,
    spec: { ...spec, nodeName },
    status: {
      ...(pod.status as Json),
      phase: outcome.kind === 'running' ? 'Running' : outcome.kind === 'waiting' ? 'Pending' : 'Failed',
      ...(outcome.kind === 'failed' ? { reason: outcome.reason, message: outcome.message } : {}),
      conditions: [condition('Initialized', true), condition('Ready', ready, 'ContainersNotReady'), condition('ContainersReady', ready, 'ContainersNotReady'), condition('PodScheduled', true)],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      ...(outcome.kind === 'failed' ? {} : { podIP, podIPs: [{ ip: podIP }] }),
      startTime: now,
      containerStatuses,
    },
  };
}
