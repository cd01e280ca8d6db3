/**
 * The npm packages that may provide a driver, in the order they are tried:
 *
 * 1. a scoped name (`@acme/nodepool-gce`) is used as is;
 * 2. a bare name `gce` tries `@nodepool/driver-gce`, then `nodepool-driver-gce`;
 * 3. then any installed package whose package.json declares `"nodepool": {"drivers": ["gce"]}`
 *    (found by scanning, not listed here).
 *
 * Pure: no file system access.
 */
export function driverPackageCandidates(driverName: string): string[] {
  if (driverName.startsWith('@')) return [driverName];
  return [`@nodepool/driver-${driverName}`, `nodepool-driver-${driverName}`];
}

/** The inverse, for messages: `@nodepool/driver-gce` → `gce`; other names are returned as is. */
export function driverShorthand(packageName: string): string {
  const match = /^(?:@nodepool\/driver-|nodepool-driver-)(.+)$/.exec(packageName.replaceAll('\\', '/'));
  return match?.[1] ?? packageName;
}

/**
 * Packages that serve drivers under names other than their own (one package, several names).
 * Only used to suggest what to install; resolution finds them by their declarations.
 */
export const KNOWN_DRIVER_PACKAGES: Readonly<Record<string, string>> = {
  kubernetes: '@nodepool/driver-k8s',
  openshift: '@nodepool/driver-k8s',
  openshiftpods: '@nodepool/driver-k8s',
  fake: '@nodepool/driver-openstack',
};
