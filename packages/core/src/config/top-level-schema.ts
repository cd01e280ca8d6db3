import { any, anyList, bool, int, list, mapOf, mapping, number, required, str } from './schema.js';

const label = mapping({
  name: str,
  'min-ready': int,
  'max-ready-age': int,
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
  'shell-type': str,
  username: str,
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
  // Differs from Nodepool (uncertain): accepted as an integer or a decimal number.
  'zookeeper-timeout': number,
  providers: anyList,
  labels: list(label),
  diskimages: list(diskimage),
  'max-hold-age': int,
  'tenant-resource-limits': list(
    mapping({
      'tenant-name': required(str),
      'max-cores': int,
      'max-ram': int,
      'max-servers': int,
    }),
  ),
});
