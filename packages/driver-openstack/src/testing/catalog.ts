/** The interfaces every service is published on; each is served under its own path prefix. */
export const INTERFACES = ['public', 'internal', 'admin'] as const;
export type FakeInterface = (typeof INTERFACES)[number];

/** A service of the fake: its catalog type and name, and its path below the endpoint prefix. */
export interface FakeService {
  readonly type: string;
  readonly name: string;
  /** Where its API is rooted (the first path segment the fake routes on). */
  readonly root: string;
  /** The catalog URL's path below the prefix, e.g. `/compute/v2.1`. */
  readonly catalogPath: (projectId: string) => string;
}

/** The services, as DevStack publishes them (Cinder under both `block-storage` and `volumev3`). */
export const SERVICES: readonly FakeService[] = [
  { type: 'identity', name: 'keystone', root: 'identity', catalogPath: () => '/identity' },
  { type: 'compute', name: 'nova', root: 'compute', catalogPath: () => '/compute/v2.1' },
  { type: 'network', name: 'neutron', root: 'network', catalogPath: () => '/network' },
  { type: 'image', name: 'glance', root: 'image', catalogPath: () => '/image' },
  { type: 'block-storage', name: 'cinder', root: 'volume', catalogPath: (projectId) => `/volume/v3/${projectId}` },
  { type: 'volumev3', name: 'cinderv3', root: 'volume', catalogPath: (projectId) => `/volume/v3/${projectId}` },
];

/**
 * The path prefix of an endpoint: nothing for the first region's public interface, else
 * `/<region>` for other regions and `/internal` or `/admin` for those interfaces.
 */
export function endpointPrefix(regions: readonly string[], region: string, iface: FakeInterface): string {
  const regionPart = region === regions[0] ? '' : `/${encodeURIComponent(region)}`;
  const interfacePart = iface === 'public' ? '' : `/${iface}`;
  return `${regionPart}${interfacePart}`;
}

/** Keystone v3's `catalog` of a token: every service, region and interface. */
export function serviceCatalog(url: string, regions: readonly string[], projectId: string): unknown[] {
  return SERVICES.map((service, serviceIndex) => ({
    id: `${serviceIndex.toString(16).padStart(2, '0')}${'c'.repeat(30)}`,
    type: service.type,
    name: service.name,
    endpoints: regions.flatMap((region, regionIndex) =>
      INTERFACES.map((iface, interfaceIndex) => ({
        id: `${serviceIndex}${regionIndex}${interfaceIndex}`.padStart(32, 'e'),
        interface: iface,
        region_id: region,
        region,
        url: `${url}${endpointPrefix(regions, region, iface)}${service.catalogPath(projectId)}`,
      })),
    ),
  }));
}
