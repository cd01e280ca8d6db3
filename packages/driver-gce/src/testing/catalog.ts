/** A machine type the fake offers in every zone. */
export interface FakeMachineType {
  readonly name: string;
  readonly guestCpus: number;
  readonly memoryMb: number;
  readonly isSharedCpu?: boolean;
  readonly description: string;
}

/** A public or project image. */
export interface FakeImageSpec {
  readonly project: string;
  readonly name: string;
  readonly family?: string;
  /** DEPRECATED, OBSOLETE or DELETED images are not a family's newest. */
  readonly deprecated?: 'DEPRECATED' | 'OBSOLETE' | 'DELETED';
  readonly diskSizeGb?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export const DEFAULT_MACHINE_TYPES: readonly FakeMachineType[] = [
  { name: 'f1-micro', guestCpus: 1, memoryMb: 614, isSharedCpu: true, description: '1 vCPU (shared physical core) and 0.6 GB RAM' },
  { name: 'e2-micro', guestCpus: 2, memoryMb: 1024, isSharedCpu: true, description: 'Efficient Instance, 2 vCPU (1/8 shared physical core) and 1 GB RAM' },
  { name: 'e2-small', guestCpus: 2, memoryMb: 2048, isSharedCpu: true, description: 'Efficient Instance, 2 vCPU (1/4 shared physical core) and 2 GB RAM' },
  { name: 'e2-medium', guestCpus: 2, memoryMb: 4096, isSharedCpu: true, description: 'Efficient Instance, 2 vCPU (1/2 shared physical core) and 4 GB RAM' },
  { name: 'n1-standard-1', guestCpus: 1, memoryMb: 3840, description: '1 vCPU, 3.75 GB RAM' },
  { name: 'n1-standard-2', guestCpus: 2, memoryMb: 7680, description: '2 vCPUs, 7.5 GB RAM' },
  { name: 'n1-standard-4', guestCpus: 4, memoryMb: 15360, description: '4 vCPUs, 15 GB RAM' },
  { name: 'n2-standard-2', guestCpus: 2, memoryMb: 8192, description: '2 vCPUs, 8 GB RAM' },
  { name: 'n2-standard-8', guestCpus: 8, memoryMb: 32768, description: '8 vCPUs, 32 GB RAM' },
];

export const DEFAULT_IMAGES: readonly FakeImageSpec[] = [
  { project: 'debian-cloud', name: 'debian-11-bullseye-v20231010', family: 'debian-11', deprecated: 'DEPRECATED' },
  { project: 'debian-cloud', name: 'debian-11-bullseye-v20240110', family: 'debian-11' },
  { project: 'debian-cloud', name: 'debian-12-bookworm-v20231010', family: 'debian-12', deprecated: 'DEPRECATED' },
  { project: 'debian-cloud', name: 'debian-12-bookworm-v20240110', family: 'debian-12' },
  { project: 'ubuntu-os-cloud', name: 'ubuntu-2204-jammy-v20240112', family: 'ubuntu-2204-lts' },
];

/** Region quotas the fake reports and enforces (Compute's metric names). */
export const QUOTA_METRICS = ['CPUS', 'INSTANCES', 'DISKS_TOTAL_GB', 'IN_USE_ADDRESSES'] as const;
export type FakeQuotaMetric = (typeof QUOTA_METRICS)[number];

export const DEFAULT_QUOTAS: Readonly<Record<FakeQuotaMetric, number>> = { CPUS: 96, INSTANCES: 1000, DISKS_TOTAL_GB: 40960, IN_USE_ADDRESSES: 1000 };
