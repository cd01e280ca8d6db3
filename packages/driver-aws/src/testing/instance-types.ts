/** An EC2 instance type as the fake knows it (`DescribeInstanceTypes` and quota arithmetic). */
export interface FakeInstanceType {
  /** e.g. `t3.medium`. */
  readonly name: string;
  /** `VCpuInfo.DefaultVCpus`: what vCPU quotas count. */
  readonly vcpus: number;
  /** `VCpuInfo.DefaultCores`. */
  readonly cores: number;
  /** `MemoryInfo.SizeInMiB`. */
  readonly memoryMiB: number;
  readonly architecture: 'x86_64' | 'arm64';
  /**
   * vCPUs of a dedicated host of this type's family; a host takes `hostVcpus / vcpus` instances
   * of the type. Default 96.
   */
  readonly hostVcpus?: number;
}

const type = (name: string, vcpus: number, cores: number, memoryMiB: number, architecture: 'x86_64' | 'arm64' = 'x86_64', hostVcpus?: number): FakeInstanceType =>
  hostVcpus === undefined ? { name, vcpus, cores, memoryMiB, architecture } : { name, vcpus, cores, memoryMiB, architecture, hostVcpus };

/**
 * The instance types a fake AWS offers unless told otherwise: a few of each quota family the
 * original adapter's quota-code table distinguishes (standard, G, P, Inf, X, high memory, DL, F,
 * Trn, HPC), plus Graviton and Mac types. Figures are those of the real types.
 */
export const DEFAULT_INSTANCE_TYPES: readonly FakeInstanceType[] = [
  type('t3.micro', 2, 1, 1024),
  type('t3.small', 2, 1, 2048),
  type('t3.medium', 2, 1, 4096),
  type('t3.large', 2, 1, 8192),
  type('t3.xlarge', 4, 2, 16384),
  type('m5.large', 2, 1, 8192),
  type('m5.xlarge', 4, 2, 16384),
  type('m5.2xlarge', 8, 4, 32768),
  type('c5.large', 2, 1, 4096),
  type('c5.xlarge', 4, 2, 8192),
  type('r5.large', 2, 1, 16384),
  type('a1.large', 2, 2, 4096, 'arm64', 16),
  type('m6g.large', 2, 2, 8192, 'arm64', 64),
  type('g4dn.xlarge', 4, 2, 16384),
  type('p3.2xlarge', 8, 4, 62464),
  type('inf1.xlarge', 4, 2, 8192),
  type('x1.16xlarge', 64, 32, 999424, 'x86_64', 128),
  type('u-6tb1.metal', 448, 224, 6291456, 'x86_64', 448),
  type('dl1.24xlarge', 96, 48, 786432),
  type('f1.2xlarge', 8, 4, 124928),
  type('trn1.2xlarge', 8, 4, 32768),
  type('hpc6a.48xlarge', 96, 96, 393216),
  type('mac1.metal', 12, 6, 32768, 'x86_64', 12),
];
