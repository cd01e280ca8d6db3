/** One quota the fake's Service Quotas knows, with the value a fresh fake starts with. */
export interface FakeQuotaDefinition {
  readonly code: string;
  readonly serviceCode: 'ec2' | 'ebs';
  readonly name: string;
  readonly defaultValue: number;
}

export type MarketType = 'on-demand' | 'spot';

/**
 * Instance family (the letters before the first digit of the type name) → [on-demand, spot]
 * vCPU quota codes: Nodepool 9.0.0's `QUOTA_CODES` table in `driver/aws/adapter.py`.
 */
export const INSTANCE_QUOTA_CODES: Readonly<Record<string, readonly [string, string | null]>> = {
  a: ['L-1216C47A', 'L-34B43A08'],
  c: ['L-1216C47A', 'L-34B43A08'],
  d: ['L-1216C47A', 'L-34B43A08'],
  h: ['L-1216C47A', 'L-34B43A08'],
  i: ['L-1216C47A', 'L-34B43A08'],
  m: ['L-1216C47A', 'L-34B43A08'],
  r: ['L-1216C47A', 'L-34B43A08'],
  t: ['L-1216C47A', 'L-34B43A08'],
  z: ['L-1216C47A', 'L-34B43A08'],
  dl: ['L-6E869C2A', 'L-85EED4F7'],
  f: ['L-74FC7D96', 'L-88CF9481'],
  g: ['L-DB2E81BA', 'L-3819A6DF'],
  vt: ['L-DB2E81BA', 'L-3819A6DF'],
  'u-': ['L-43DA4232', null],
  inf: ['L-1945791B', 'L-B5D1601B'],
  p: ['L-417A185B', 'L-7212CCBC'],
  x: ['L-7295265B', 'L-E3A00192'],
  trn: ['L-2C3B7624', 'L-6B0D517C'],
  hpc: ['L-F7808C92', null],
};

/** Dedicated-host quota codes (`Running Dedicated <family> Hosts`) of the families the fake models. */
export const HOST_QUOTA_CODES: Readonly<Record<string, string>> = {
  a1: 'L-949445B0',
  c5: 'L-81657574',
  g4dn: 'L-CAE24619',
  m5: 'L-8B7BF662',
  m6g: 'L-D50A37FA',
  mac1: 'L-A8448DC5',
  p3: 'L-A0A19F79',
  r5: 'L-EA4FD6CF',
  t3: 'L-1586174D',
};

/** EBS quota codes per volume type: storage in TiB, and IOPS where provisioned. */
export const VOLUME_QUOTA_CODES: Readonly<Record<string, { readonly storage: string; readonly iops?: string }>> = {
  io1: { iops: 'L-B3A130E6', storage: 'L-FD252861' },
  io2: { iops: 'L-8D977E7E', storage: 'L-09BD8365' },
  sc1: { storage: 'L-17AF77E8' },
  gp2: { storage: 'L-D18FCD1D' },
  gp3: { storage: 'L-7A658B76' },
  standard: { storage: 'L-9CF3C2EB' },
  st1: { storage: 'L-82ACEF56' },
};

const STANDARD = '(A, C, D, H, I, M, R, T, Z)';

/** Every quota the fake serves, with its real name; defaults are generous but finite. */
export const QUOTA_DEFINITIONS: readonly FakeQuotaDefinition[] = [
  { code: 'L-1216C47A', serviceCode: 'ec2', name: `Running On-Demand Standard ${STANDARD} instances`, defaultValue: 640 },
  { code: 'L-34B43A08', serviceCode: 'ec2', name: `All Standard ${STANDARD} Spot Instance Requests`, defaultValue: 640 },
  { code: 'L-6E869C2A', serviceCode: 'ec2', name: 'Running On-Demand DL instances', defaultValue: 96 },
  { code: 'L-85EED4F7', serviceCode: 'ec2', name: 'All DL Spot Instance Requests', defaultValue: 96 },
  { code: 'L-74FC7D96', serviceCode: 'ec2', name: 'Running On-Demand F instances', defaultValue: 64 },
  { code: 'L-88CF9481', serviceCode: 'ec2', name: 'All F Spot Instance Requests', defaultValue: 64 },
  { code: 'L-DB2E81BA', serviceCode: 'ec2', name: 'Running On-Demand G and VT instances', defaultValue: 64 },
  { code: 'L-3819A6DF', serviceCode: 'ec2', name: 'All G and VT Spot Instance Requests', defaultValue: 64 },
  { code: 'L-43DA4232', serviceCode: 'ec2', name: 'Running On-Demand High Memory instances', defaultValue: 448 },
  { code: 'L-1945791B', serviceCode: 'ec2', name: 'Running On-Demand Inf instances', defaultValue: 64 },
  { code: 'L-B5D1601B', serviceCode: 'ec2', name: 'All Inf Spot Instance Requests', defaultValue: 64 },
  { code: 'L-417A185B', serviceCode: 'ec2', name: 'Running On-Demand P instances', defaultValue: 64 },
  { code: 'L-7212CCBC', serviceCode: 'ec2', name: 'All P Spot Instance Requests', defaultValue: 64 },
  { code: 'L-7295265B', serviceCode: 'ec2', name: 'Running On-Demand X instances', defaultValue: 128 },
  { code: 'L-E3A00192', serviceCode: 'ec2', name: 'All X Spot Instance Requests', defaultValue: 128 },
  { code: 'L-2C3B7624', serviceCode: 'ec2', name: 'Running On-Demand Trn instances', defaultValue: 64 },
  { code: 'L-6B0D517C', serviceCode: 'ec2', name: 'All Trn Spot Instance Requests', defaultValue: 64 },
  { code: 'L-F7808C92', serviceCode: 'ec2', name: 'Running On-Demand HPC instances', defaultValue: 192 },
  ...Object.entries(HOST_QUOTA_CODES).map(([family, code]) => ({ code, serviceCode: 'ec2' as const, name: `Running Dedicated ${family} Hosts`, defaultValue: 2 })),
  { code: 'L-D18FCD1D', serviceCode: 'ebs', name: 'Storage for General Purpose SSD (gp2) volumes, in TiB', defaultValue: 50 },
  { code: 'L-7A658B76', serviceCode: 'ebs', name: 'Storage for General Purpose SSD (gp3) volumes, in TiB', defaultValue: 50 },
  { code: 'L-FD252861', serviceCode: 'ebs', name: 'Storage for Provisioned IOPS SSD (io1) volumes, in TiB', defaultValue: 50 },
  { code: 'L-B3A130E6', serviceCode: 'ebs', name: 'IOPS for Provisioned IOPS SSD (io1) volumes', defaultValue: 300000 },
  { code: 'L-09BD8365', serviceCode: 'ebs', name: 'Storage for Provisioned IOPS SSD (io2) volumes, in TiB', defaultValue: 50 },
  { code: 'L-8D977E7E', serviceCode: 'ebs', name: 'IOPS for Provisioned IOPS SSD (io2) volumes', defaultValue: 100000 },
  { code: 'L-17AF77E8', serviceCode: 'ebs', name: 'Storage for Cold HDD (sc1) volumes, in TiB', defaultValue: 50 },
  { code: 'L-9CF3C2EB', serviceCode: 'ebs', name: 'Storage for Magnetic (standard) volumes, in TiB', defaultValue: 50 },
  { code: 'L-82ACEF56', serviceCode: 'ebs', name: 'Storage for Throughput Optimized HDD (st1) volumes, in TiB', defaultValue: 50 },
];

/** Every quota code → its default value. */
export const DEFAULT_QUOTAS: Readonly<Record<string, number>> = Object.fromEntries(QUOTA_DEFINITIONS.map((quota) => [quota.code, quota.defaultValue]));

const FAMILY = /^([a-z-]+)\d/;

/**
 * The vCPU quota code an instance type counts against, as the original adapter derives it:
 * the letters before the first digit (`g4dn.xlarge` → `g`, `u-6tb1.metal` → `u-`). Null for a
 * family without such a quota (`mac1`), or without a spot quota.
 */
export function instanceQuotaCode(instanceType: string, market: MarketType): string | null {
  const key = FAMILY.exec(instanceType)?.[1];
  const codes = key === undefined ? undefined : INSTANCE_QUOTA_CODES[key];
  if (!codes) return null;
  return market === 'spot' ? codes[1] : codes[0];
}

/** The dedicated-host quota code of a type or family (`m5.large` or `m5`), if modelled. */
export function hostQuotaCode(instanceTypeOrFamily: string): string | null {
  return HOST_QUOTA_CODES[instanceTypeOrFamily.split('.')[0]!] ?? null;
}
