import type { IbmService } from './ibm-service.js';
import type { ResourceGroup, ResourceInstance } from './vpc-models.js';

/**
 * IBM Cloud's platform services the driver uses: Resource Manager v2 (resource groups, which
 * carry Nodepool's metadata) and Resource Controller v2 (the Cloud Object Storage instance).
 */
export class ResourceApi {
  constructor(
    private readonly manager: IbmService,
    private readonly controller: IbmService,
  ) {}

  /** The account's resource groups (one answer, as the original reads them). */
  async listResourceGroups(): Promise<ResourceGroup[]> {
    const { result } = await this.manager.call<{ resources: ResourceGroup[] }>({ method: 'GET', path: '/v2/resource_groups', operation: 'resource_manager.GET.resource_groups' });
    return result.resources;
  }

  /** Creates a resource group; the answer has its ID and CRN. */
  async createResourceGroup(name: string): Promise<ResourceGroup> {
    const { result } = await this.manager.call<ResourceGroup>({ method: 'POST', path: '/v2/resource_groups', body: { name }, operation: 'resource_manager.POST.resource_groups' });
    return { ...result, name };
  }

  /** Service instances named `name`, every page. */
  async listResourceInstances(name: string): Promise<ResourceInstance[]> {
    const instances: ResourceInstance[] = [];
    let start: string | undefined;
    for (;;) {
      const { result } = await this.controller.call<{ resources: ResourceInstance[]; next_url?: string | null }>({
        method: 'GET',
        path: '/v2/resource_instances',
        query: { name, type: 'service_instance', start },
        operation: 'resource_controller.GET.resource_instances',
      });
      instances.push(...result.resources);
      if (!result.next_url) return instances;
      start = new URL(result.next_url, 'http://next.invalid').searchParams.get('start') ?? undefined;
      if (start === undefined) return instances;
    }
  }
}
