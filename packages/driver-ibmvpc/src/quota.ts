import { QuotaInformation } from '@nodepool/core';
import type { InstanceProfile, ProfileFigure } from './client/vpc-models.js';

/** MiB per GiB: profiles state memory in GiB, Nodepool counts RAM in MiB. */
const MIB_PER_GIB = 1024;

function figure(value: ProfileFigure | undefined): number | undefined {
  return value?.value ?? value?.default;
}

/**
 * What one instance of a profile uses: its vCPUs as cores, its memory as RAM, one instance; an
 * unknown profile counts as one instance. Differs from Nodepool: 9.0.0 counts the memory's
 * figure as it stands (GiB) against `quota.ram`, which its docs give in MiB; we count MiB.
 */
export function quotaFromProfile(profile: InstanceProfile | undefined): QuotaInformation {
  const cores = figure(profile?.vcpu_count) ?? 0;
  const memory = figure(profile?.memory);
  return new QuotaInformation({ cores, instances: 1, ram: memory === undefined ? 0 : memory * MIB_PER_GIB });
}
