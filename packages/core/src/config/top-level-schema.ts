import { minReadyScheduleSchema } from './min-ready-schedule.js';
import { any, anyList, anyMapping, bool, float, int, list, loadOnly, mapOf, mapping, required, str } from './schema.js';

const label = mapping({
  name: str,
  'min-ready': int,
  'max-ready-age': int,
  // Ours, as an opt-in (docs/compatibility.md): a 9.0.0 configuration never sets it.
  'min-ready-schedule': minReadyScheduleSchema,
});

const diskimage = mapping({
  name: required(str),
  abstract: bool,
  'build-timeout': int,
  'dib-cmd': str,
  elements: list(str),
  'env-vars': mapOf(str),
  formats: list(str),
  parent: str,
  pause: bool,
  'python-path': str,
  'rebuild-age': int,
  release: any(str, int),
  username: str,
  metadata: anyMapping,
  // Documented and read by 9.0.0's builder, yet missing from its validator.
  'shell-type': loadOnly(str),
});

/**
 * The top level of nodepool.yaml (Configuration docs). Providers are checked one by one
 * against their driver's schema afterwards.
 */
export const topLevelSchema = mapping({
  webapp: mapping({ port: int, listen_address: str }),
  'elements-dir': str,
  'images-dir': str,
  'build-log-dir': str,
  'build-log-retention': int,
  'zookeeper-servers': list(mapping({ host: str, port: int, chroot: str })),
  // Differs from the docs, as the original validator does: these three are checked as strings
  // but none is required.
  'zookeeper-tls': mapping({ cert: str, key: str, ca: str }),
  // As the original validator: a decimal number; `zookeeper-timeout: 10` is refused.
  'zookeeper-timeout': float,
  providers: anyList,
  labels: list(label),
  diskimages: list(diskimage),
  'max-hold-age': int,
  'tenant-resource-limits': list(
    mapping(
      {
        // Optional to the original validator (its loader then fails: a load error here).
        'tenant-name': str,
        'max-cores': int,
        'max-ram': int,
        'max-servers': int,
      },
      // Any other resource a provider counts (max-volumes, a quota code, a custom resource).
      { extra: int },
    ),
  ),
});
