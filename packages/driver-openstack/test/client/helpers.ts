import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLogger, type RateLimiter } from '@nodepool/core';
import { loadCloudConfig, OpenStackClient } from '@nodepool/driver-openstack';
import { fakeCloudsYaml, type FakeCloudAuth, type FakeOpenStackHandle } from '@nodepool/driver-openstack/testing';

/** A limiter that lets every call through at once and records what it is told. */
export class RecordingLimiter implements RateLimiter {
  calls = 0;
  readonly backOffs: number[] = [];

  run<T>(call: () => Promise<T>): Promise<T> {
    this.calls++;
    return call();
  }

  backOff(ms = 1000): void {
    this.backOffs.push(ms);
  }
}

/**
 * A client of `fake` through a clouds.yaml of its own (cloud `fake`; `extra` lines go into its
 * entry, `edit` may change the text), with recording limiters.
 */
export function clientOf(fake: FakeOpenStackHandle, options: { auth?: FakeCloudAuth; region?: string; interface?: string; extra?: string; edit?: (text: string) => string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'openstack-client-'));
  const file = join(dir, 'clouds.yaml');
  const text = fakeCloudsYaml('fake', fake.url, { ...(options.auth ? { auth: options.auth } : {}), ...(options.interface ? { interface: options.interface } : {}), ...(options.region ? { region: options.region } : {}), ...(options.extra ? { extra: options.extra } : {}) });
  writeFileSync(file, options.edit ? options.edit(text) : text);
  const cloud = loadCloudConfig('fake', options.region ?? null, { env: { OS_CLIENT_CONFIG_FILE: file }, cwd: dir, home: dir });
  const limits = { mutating: new RecordingLimiter(), readOnly: new RecordingLimiter() };
  const client = new OpenStackClient(cloud, { rateLimits: limits, log: getLogger('test.openstack-client'), provider: 'p' });
  return { client, limits, cloud };
}
