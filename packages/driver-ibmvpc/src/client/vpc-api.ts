import type { IbmService } from './ibm-service.js';
import type {
  FloatingIp,
  FloatingIpPrototype,
  Image,
  ImagePrototype,
  InstancePrototype,
  InstanceProfile,
  Key,
  PageLinks,
  Subnet,
  Vpc,
  VpcInstance,
} from './vpc-models.js';

/** Items per page asked of the VPC API (its maximum). */
const PAGE_LIMIT = 100;

/**
 * The VPC API operations the driver uses (`/v1`, with `version` and `generation=2` on every
 * call, which the service adds). Listings follow `next` links to the end, as the original's
 * pagination helper does.
 */
export class VpcApi {
  constructor(private readonly service: IbmService) {}

  listVpcs(): Promise<Vpc[]> {
    return this.listAll<Vpc>('vpcs', 'vpcs');
  }

  listSubnets(): Promise<Subnet[]> {
    return this.listAll<Subnet>('subnets', 'subnets');
  }

  listKeys(): Promise<Key[]> {
    return this.listAll<Key>('keys', 'keys');
  }

  /** Instance profiles come in one page. */
  async listInstanceProfiles(): Promise<InstanceProfile[]> {
    const { result } = await this.service.call<{ profiles: InstanceProfile[] }>({ method: 'GET', path: '/instance/profiles', operation: 'vpc.GET.instance_profiles' });
    return result.profiles;
  }

  listInstances(): Promise<VpcInstance[]> {
    return this.listAll<VpcInstance>('instances', 'instances');
  }

  async createInstance(prototype: InstancePrototype): Promise<VpcInstance> {
    return (await this.service.call<VpcInstance>({ method: 'POST', path: '/instances', body: prototype, operation: 'vpc.POST.instances' })).result;
  }

  async deleteInstance(id: string): Promise<void> {
    await this.service.call({ method: 'DELETE', path: `/instances/${encodeURIComponent(id)}`, operation: 'vpc.DELETE.instance' });
  }

  listFloatingIps(): Promise<FloatingIp[]> {
    return this.listAll<FloatingIp>('floating_ips', 'floating_ips');
  }

  async createFloatingIp(prototype: FloatingIpPrototype): Promise<FloatingIp> {
    return (await this.service.call<FloatingIp>({ method: 'POST', path: '/floating_ips', body: prototype, operation: 'vpc.POST.floating_ips' })).result;
  }

  async deleteFloatingIp(id: string): Promise<void> {
    await this.service.call({ method: 'DELETE', path: `/floating_ips/${encodeURIComponent(id)}`, operation: 'vpc.DELETE.floating_ip' });
  }

  /** Binds a floating IP to an instance's network interface. */
  async addInstanceNetworkInterfaceFloatingIp(instanceId: string, networkInterfaceId: string, floatingIpId: string): Promise<FloatingIp> {
    const path = `/instances/${encodeURIComponent(instanceId)}/network_interfaces/${encodeURIComponent(networkInterfaceId)}/floating_ips/${encodeURIComponent(floatingIpId)}`;
    return (await this.service.call<FloatingIp>({ method: 'PUT', path, operation: 'vpc.PUT.instance_network_interface_floating_ip' })).result;
  }

  listImages(): Promise<Image[]> {
    return this.listAll<Image>('images', 'images');
  }

  async getImage(id: string): Promise<Image> {
    return (await this.service.call<Image>({ method: 'GET', path: `/images/${encodeURIComponent(id)}`, operation: 'vpc.GET.image' })).result;
  }

  async createImage(prototype: ImagePrototype): Promise<Image> {
    return (await this.service.call<Image>({ method: 'POST', path: '/images', body: prototype, operation: 'vpc.POST.images' })).result;
  }

  async deleteImage(id: string): Promise<void> {
    await this.service.call({ method: 'DELETE', path: `/images/${encodeURIComponent(id)}`, operation: 'vpc.DELETE.image' });
  }

  /** Every page of a collection: `start` taken from each `next` link, as the IBM SDKs page. */
  private async listAll<T>(collection: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let start: string | undefined;
    for (;;) {
      const { result } = await this.service.call<PageLinks & Record<string, T[] | undefined>>({
        method: 'GET',
        path: `/${collection}`,
        query: { limit: PAGE_LIMIT, start },
        operation: `vpc.GET.${collection}`,
      });
      items.push(...(result[key] ?? []));
      const next = result.next?.href;
      if (!next) return items;
      start = new URL(next).searchParams.get('start') ?? undefined;
      if (start === undefined) return items;
    }
  }
}
