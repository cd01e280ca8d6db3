/** A virtual machine size the fake offers (a `Microsoft.Compute/skus` entry). */
export interface FakeVmSize {
  readonly name: string;
  readonly family: string;
  readonly vCPUs: number;
  readonly memoryGB: number;
}

export const DEFAULT_VM_SIZES: readonly FakeVmSize[] = [
  { name: 'Standard_B1ls', family: 'standardBSFamily', vCPUs: 1, memoryGB: 0.5 },
  { name: 'Standard_B1s', family: 'standardBSFamily', vCPUs: 1, memoryGB: 1 },
  { name: 'Standard_B2s', family: 'standardBSFamily', vCPUs: 2, memoryGB: 4 },
  { name: 'Standard_D1_v2', family: 'standardDv2Family', vCPUs: 1, memoryGB: 3.5 },
  { name: 'Standard_D2_v3', family: 'standardDv3Family', vCPUs: 2, memoryGB: 8 },
  { name: 'Standard_D2s_v5', family: 'standardDSv5Family', vCPUs: 2, memoryGB: 8 },
  { name: 'Standard_D4s_v5', family: 'standardDSv5Family', vCPUs: 4, memoryGB: 16 },
];

/** A marketplace image (`publisher:offer:sku`, every version `latest`-resolvable). */
export interface FakeMarketplaceImage {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly version: string;
}

export const DEFAULT_MARKETPLACE_IMAGES: readonly FakeMarketplaceImage[] = [
  { publisher: 'Canonical', offer: 'UbuntuServer', sku: '18.04-LTS', version: '18.04.202401161' },
  { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: '22.04.202401170' },
  { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: '0.20240111.1624' },
  { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2016-Datacenter', version: '14393.6614.240105' },
];

/** Regional limits the fake reports (`usages`) and enforces on virtual machines. */
export interface FakeAzureQuotas {
  /** Total Regional vCPUs. */
  cores: number;
  virtualMachines: number;
}

export const DEFAULT_QUOTAS: FakeAzureQuotas = { cores: 100, virtualMachines: 25000 };
