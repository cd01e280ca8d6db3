/** Knobs of the test configurations (YAML fragments are indented for where they go). */
export interface ProviderYamlOptions {
  /** Provider keys (indented 4). */
  readonly extra?: string;
  /** Pool keys (indented 8). */
  readonly pool?: string;
  /** Keys of the pod label (indented 12). */
  readonly podLabel?: string;
  readonly launchRetries?: number;
}

/**
 * A `kubernetes` provider named `k8s` on the fake's context: pool `main` with labels
 * `k8s-namespace` (type namespace) and `k8s-pod` (type pod, 1 cpu, 512 MiB).
 */
export function kubernetesYaml(fake: { context: string }, options: ProviderYamlOptions = {}): string {
  return `labels:
  - name: k8s-namespace
  - name: k8s-pod
providers:
  - name: k8s
    driver: kubernetes
    context: ${fake.context}
    launch-retries: ${options.launchRetries ?? 3}
${options.extra ?? ''}    pools:
      - name: main
${options.pool ?? ''}        labels:
          - name: k8s-namespace
            type: namespace
            python-path: /usr/bin/python3
          - name: k8s-pod
            type: pod
            image: docker.io/library/fedora:39
            cpu: 1
            memory: 512
            shell-type: bash
${options.podLabel ?? ''}`;
}

/**
 * An `openshift` provider named `os` on the fake's context: pool `main` with labels
 * `os-project` (type project) and `os-pod` (type pod, 1 cpu, 512 MiB).
 */
export function openshiftYaml(fake: { context: string }, options: ProviderYamlOptions = {}): string {
  return `labels:
  - name: os-project
  - name: os-pod
providers:
  - name: os
    driver: openshift
    context: ${fake.context}
    launch-retries: ${options.launchRetries ?? 3}
${options.extra ?? ''}    pools:
      - name: main
${options.pool ?? ''}        labels:
          - name: os-project
            type: project
          - name: os-pod
            type: pod
            image: quay.io/fedora/fedora:39
            cpu: 1
            memory: 512
            image-pull-secrets:
              - name: registry-credentials
${options.podLabel ?? ''}`;
}

/**
 * An `openshiftpods` provider named `osp` on the fake's context: pool `ci` (the existing
 * project) with label `osp-pod` (1 cpu, 512 MiB).
 */
export function openshiftPodsYaml(fake: { context: string }, options: ProviderYamlOptions = {}): string {
  return `labels:
  - name: osp-pod
providers:
  - name: osp
    driver: openshiftpods
    context: ${fake.context}
    launch-retries: ${options.launchRetries ?? 3}
${options.extra ?? ''}    pools:
      - name: ci
${options.pool ?? ''}        labels:
          - name: osp-pod
            image: quay.io/fedora/fedora:39
            cpu: 1
            memory: 512
${options.podLabel ?? ''}`;
}
