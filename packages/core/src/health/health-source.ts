import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { readLauncherReports } from '../explain/request-explanation.js';
import type { BreakerSnapshot } from './provider-breaker.js';

/** A provider's breaker in one launcher (each launcher judges its providers by its own launches). */
export type ProviderHealth = BreakerSnapshot & { readonly launcher: string };

/** Where the web API and the dashboard read provider health from. */
export interface HealthSource {
  /** Every breaker of every launcher, by launcher then provider. */
  providerHealth(): Promise<ProviderHealth[]>;
}

/**
 * Reads every launcher's breakers from the reports launchers publish to ZooKeeper (see
 * `LauncherReportPublisher`), so any launcher's web API answers for all of them.
 */
export function zooKeeperHealthSource(client: ZooKeeperClient): HealthSource {
  return {
    async providerHealth() {
      const reports = await readLauncherReports(client);
      return reports
        .flatMap((report) => report.providers.map((breaker) => ({ ...breaker, launcher: report.hostname })))
        .sort((a, b) => a.launcher.localeCompare(b.launcher) || a.provider.localeCompare(b.provider));
    },
  };
}
