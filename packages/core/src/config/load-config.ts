import { readFile } from 'node:fs/promises';
import type { Driver } from '../driver/driver.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import type { DriverResolver } from '../discovery/driver-registry.js';
import { commonProviderKeys } from './common-keys.js';
import { getLogger } from '../log.js';
import { blocksLoading, ConfigError, formatIssue, formatPath, type ConfigIssue, type ConfigPath } from './issues.js';
import type { DiskImageConfig, LabelConfig, NodepoolConfig, TenantResourceLimit, ZooKeeperServerConfig } from './nodepool-config.js';
import { readMinReadySchedule } from './min-ready-schedule.js';
import { isMapping, mapping } from './schema.js';
import { topLevelSchema } from './top-level-schema.js';
import { substituteEnvironment, YamlSource } from './yaml-source.js';

export interface LoadConfigOptions {
  /** The secure file (`-s`): ZooKeeper servers and TLS, diskimage env-vars. */
  secureFile?: string | undefined;
  /** For `%(NODEPOOL_…)` substitution; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  drivers: DriverResolver;
  /** Reads a file's text; default: from disk (tests hand over text without touching disk). */
  readText?: (file: string) => Promise<string>;
}

export interface ConfigValidation {
  /**
   * Problems the original validator rejects a file for: any one makes the file invalid. Those
   * marked `validatorOnly` do not stop the daemons from loading it (nor did they the original's).
   */
  errors: ConfigIssue[];
  /**
   * Problems found while building the configuration (references to things that do not exist,
   * a bad secure file). The original's validator does not look for them, but its daemons
   * refuse to load such a file, and so do ours.
   */
  loadErrors: ConfigIssue[];
  /** Oddities that do not stop loading (a provider defined twice: the later one wins). */
  warnings: ConfigIssue[];
  /** The configuration, when there are no load errors and no errors but `validatorOnly` ones. */
  config?: NodepoolConfig;
}

const DEFAULT_DRIVER = 'openstack';

/** `tenant-resource-limits` keys whose resource goes by another name in quota accounting. */
const TENANT_RESOURCE_NAMES: Readonly<Record<string, string>> = { 'max-volumes': 'volumes', 'max-volume-gb': 'volume-gb' };

/**
 * Validates a configuration file as `nodepool config-validate` does, then builds it. Never
 * throws for bad input: every problem is in the result, located by file, line and key path.
 */
export async function validateConfig(file: string, options: LoadConfigOptions): Promise<ConfigValidation> {
  const env = options.env ?? process.env;
  const result: ConfigValidation = { errors: [], loadErrors: [], warnings: [] };
  const readText = options.readText ?? ((path: string) => readFile(path, 'utf8'));
  const source = await readSource(file, readText, env, result.errors);
  if (!source) return result;

  const drivers = new Map<number, Driver>();
  await checkSchemas(source, options.drivers, drivers, result.errors);
  if (blocksLoading(result.errors)) return result;
  crossCheck(source, drivers, result.errors);
  if (blocksLoading(result.errors)) return result;

  let secure: YamlSource | undefined;
  if (options.secureFile) {
    secure = await readSource(options.secureFile, readText, env, result.loadErrors);
    if (!secure) return result;
  }
  const config = buildConfig(source, secure, drivers, result);
  if (result.loadErrors.length === 0) result.config = config;
  return result;
}

/**
 * Loads a configuration for a daemon; throws ConfigError listing every problem. Problems only
 * the original's validator cares about are logged as warnings.
 */
export async function loadConfig(file: string, options: LoadConfigOptions): Promise<NodepoolConfig> {
  const result = await validateConfig(file, options);
  if (!result.config) throw new ConfigError([...result.errors, ...result.loadErrors]);
  warnValidatorOnly(result);
  return result.config;
}

/** Logs what `config-validate` rejects but a daemon loads anyway (see `ConfigIssue.validatorOnly`). */
export function warnValidatorOnly(result: ConfigValidation): void {
  const issues = result.errors.filter((issue) => issue.validatorOnly);
  if (issues.length === 0) return;
  getLogger('nodepool.config').warn('loaded, although `nodepool config-validate` rejects it, as Nodepool 9.0.0 does', {
    problems: issues.map(formatIssue),
  });
}

// ---- reading -------------------------------------------------------------------------------

async function readSource(
  file: string,
  readText: (file: string) => Promise<string>,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
): Promise<YamlSource | undefined> {
  let text: string;
  try {
    text = substituteEnvironment(await readText(file), env);
  } catch (error) {
    issues.push({ file, path: [], message: `cannot read the file: ${(error as Error).message}` });
    return undefined;
  }
  const source = YamlSource.parse(file, text);
  if (source.documentCount > 1) {
    issues.push({ file, path: [], message: 'expected a single YAML document, found several (separated by ---)' });
    return undefined;
  }
  if (source.syntaxErrors.length > 0) {
    for (const error of source.syntaxErrors) issues.push({ file, line: error.line, path: [], message: `YAML syntax error: ${error.message}` });
    return undefined;
  }
  return source;
}

/** Adds file and line to issues found in `source`. */
function locate(source: YamlSource, issues: ConfigIssue[], path: ConfigPath, message: string, validatorOnly?: boolean): void {
  issues.push({ file: source.file, line: source.lineOf(path), path, message, ...(validatorOnly ? { validatorOnly } : {}) });
}

// ---- validation (the original validator's verdict) -----------------------------------------

async function checkSchemas(source: YamlSource, resolver: DriverResolver, drivers: Map<number, Driver>, errors: ConfigIssue[]): Promise<void> {
  const found: ConfigIssue[] = [];
  const data = source.data;
  if (data === null || data === undefined) {
    locate(source, errors, [], 'the file is empty: expected a mapping of configuration sections');
    return;
  }
  topLevelSchema.check(data, [], found);
  const providers = isMapping(data) && Array.isArray(data.providers) ? data.providers : [];
  for (const [index, entry] of providers.entries()) {
    const path = ['providers', index];
    if (!isMapping(entry)) {
      found.push({ path, message: 'expected a mapping (a provider)' });
      continue;
    }
    const driverName = providerDriverName(entry);
    if (driverName === undefined) {
      found.push({ path: [...path, 'driver'], message: 'expected a string' });
      continue;
    }
    let driver: Driver;
    try {
      driver = await resolver.resolve(driverName, { what: providerLabel(path, entry), file: source.file });
    } catch (error) {
      found.push({ path: [...path, 'driver'], message: (error as Error).message });
      continue;
    }
    drivers.set(index, driver);
    driver.providerSchema.extend(commonProviderKeys).check(entry, path, found);
  }
  for (const issue of found) locate(source, errors, issue.path, issue.message, issue.validatorOnly);
}

/**
 * The driver a provider entry uses. As in the original, a missing `driver` means openstack,
 * and a provider whose name starts with `fake` always uses the `fake` driver (the original's
 * test driver, an openstack look-alike).
 */
function providerDriverName(entry: Record<string, unknown>): string | undefined {
  if (typeof entry.name === 'string' && entry.name.startsWith('fake')) return 'fake';
  if (entry.driver === undefined) return DEFAULT_DRIVER;
  return typeof entry.driver === 'string' ? entry.driver : undefined;
}

function providerLabel(path: ConfigPath, entry: Record<string, unknown>): string {
  return `${formatPath(path)}${typeof entry.name === 'string' ? ` (name: ${entry.name})` : ''}`;
}

/** The original validator's checks beyond the schemas, and nothing more (spec of its verdict). */
function crossCheck(source: YamlSource, drivers: Map<number, Driver>, errors: ConfigIssue[]): void {
  const data = source.data as Record<string, unknown>;
  const labels = asList(data.labels);
  const labelNames = new Set<string>();
  labels.forEach((label, index) => {
    const name = (label as Record<string, unknown>).name;
    if (typeof name !== 'string') locate(source, errors, ['labels', index, 'name'], 'required key not provided');
    else labelNames.add(name);
  });

  const diskimageNames = new Set((asList(data.diskimages) as Record<string, unknown>[]).map((image) => image.name));
  asList(data.providers).forEach((entry, providerIndex) => {
    if (drivers.get(providerIndex)?.name !== 'openstack') return;
    const provider = entry as Record<string, unknown>;
    const at = (...path: ConfigPath): ConfigPath => ['providers', providerIndex, ...path];
    asList(provider.diskimages).forEach((image, imageIndex) => {
      const name = (image as Record<string, unknown>).name;
      // The original's check reads the name without asking, and dies (exit 1) when there is none.
      if (name === undefined) locate(source, errors, at('diskimages', imageIndex, 'name'), 'required key not provided');
      else if (!diskimageNames.has(name)) locate(source, errors, at('diskimages', imageIndex, 'name'), `diskimage "${String(name)}" is not defined in the top-level diskimages`);
    });
    asList(provider.pools).forEach((pool, poolIndex) => {
      asList((pool as Record<string, unknown>).labels).forEach((label, labelIndex) => {
        const { name, diskimage } = label as Record<string, unknown>;
        if (!labelNames.has(name as string)) {
          locate(source, errors, at('pools', poolIndex, 'labels', labelIndex, 'name'), `label "${String(name)}" is not defined in the top-level labels`);
        }
        if (diskimage && !diskimageNames.has(diskimage)) {
          locate(source, errors, at('pools', poolIndex, 'labels', labelIndex, 'diskimage'), `diskimage "${String(diskimage)}" is not defined in the top-level diskimages`);
        }
      });
    });
  });

  const diskimages = asList(data.diskimages) as Record<string, unknown>[];
  const seen = new Set<string>();
  diskimages.forEach((image, index) => {
    const name = image.name as string;
    if (seen.has(name)) locate(source, errors, ['diskimages', index, 'name'], `diskimage "${name}" is already defined`);
    seen.add(name);
  });
  diskimages.forEach((image, index) => {
    if (typeof image.parent === 'string' && image.parent !== '' && !seen.has(image.parent)) {
      locate(source, errors, ['diskimages', index, 'parent'], `diskimage "${String(image.name)}" has a parent that does not exist: ${image.parent}`);
    }
  });
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

// ---- building ------------------------------------------------------------------------------

/** Checked YAML data with integers as plain numbers and dates as ISO strings. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

function buildConfig(source: YamlSource, secure: YamlSource | undefined, drivers: Map<number, Driver>, result: ConfigValidation): NodepoolConfig {
  const data = plain(source.data) as Record<string, unknown>;
  const get = <T>(key: string): T | undefined => data[key] as T | undefined;

  const webapp = get<Record<string, unknown>>('webapp') ?? {};
  const maxHoldAge = get<number>('max-hold-age');

  const labels = new Map<string, LabelConfig>();
  for (const label of asList(data.labels) as Record<string, unknown>[]) {
    labels.set(label.name as string, {
      name: label.name as string,
      minReady: (label['min-ready'] as number | undefined) ?? 0,
      maxReadyAge: (label['max-ready-age'] as number | undefined) ?? 0,
      ...(label['min-ready-schedule'] === undefined ? {} : { minReadySchedule: readMinReadySchedule(label['min-ready-schedule']) }),
    });
  }

  const diskimages = buildDiskImages(asList(data.diskimages) as Record<string, unknown>[]);
  const tenantResourceLimits = new Map<string, TenantResourceLimit>();
  (asList(data['tenant-resource-limits']) as Record<string, unknown>[]).forEach((limit, index) => {
    if (limit['tenant-name'] === undefined) {
      locate(source, result.loadErrors, ['tenant-resource-limits', index, 'tenant-name'], 'required key not provided');
      return;
    }
    const { 'tenant-name': tenantName, 'max-cores': maxCores, 'max-ram': maxRam, 'max-servers': maxServers, ...others } = limit;
    const resources = Object.fromEntries(
      Object.entries(others).map(([key, value]) => [TENANT_RESOURCE_NAMES[key] ?? key, Number(value)]),
    );
    tenantResourceLimits.set(tenantName as string, {
      tenantName: tenantName as string,
      maxCores: (maxCores as number | undefined) ?? Infinity,
      maxRam: (maxRam as number | undefined) ?? Infinity,
      maxServers: (maxServers as number | undefined) ?? Infinity,
      resources,
    });
  });

  let zookeeperServers = zooKeeperServers(source, asList(data['zookeeper-servers']), result.loadErrors, 'zookeeper-servers');
  let zookeeperTls = get<NodepoolConfig['zookeeperTls']>('zookeeper-tls');
  if (secure) {
    const applied = applySecure(secure, diskimages, result.loadErrors);
    if (applied.zookeeperServers) zookeeperServers = applied.zookeeperServers;
    if (applied.zookeeperTls) zookeeperTls = applied.zookeeperTls;
  }

  const providers = new Map<string, ProviderConfig>();
  (asList(data.providers) as Record<string, unknown>[]).forEach((entry, index) => {
    const driver = drivers.get(index)!;
    const path: ConfigPath = ['providers', index];
    const context = {
      labels,
      diskimages,
      path,
      report: (relative: ConfigPath, message: string) => locate(source, result.loadErrors, [...path, ...relative], message),
    };
    const provider = driver.parseConfig(entry, context);
    if (providers.has(provider.name)) {
      locate(source, result.warnings, [...path, 'name'], `provider "${provider.name}" is defined more than once; this later definition is used`);
    }
    providers.set(provider.name, provider);
    checkProviderReferences(source, provider, path, labels, diskimages, result.loadErrors);
  });

  return {
    file: source.file,
    webapp: {
      port: (webapp.port as number | undefined) ?? 8005,
      listenAddress: (webapp.listen_address as string | undefined) ?? '0.0.0.0',
    },
    elementsDir: get<string>('elements-dir'),
    imagesDir: get<string>('images-dir'),
    buildLogDir: get<string>('build-log-dir'),
    buildLogRetention: get<number>('build-log-retention') ?? 7,
    maxHoldAge: maxHoldAge === undefined || maxHoldAge <= 0 ? Infinity : maxHoldAge,
    zookeeperServers,
    zookeeperTls,
    zookeeperTimeout: get<number>('zookeeper-timeout') ?? 10,
    labels,
    diskimages,
    tenantResourceLimits,
    providers,
  };
}

function zooKeeperServers(source: YamlSource, servers: unknown[], issues: ConfigIssue[], key: string): ZooKeeperServerConfig[] {
  return servers.flatMap((server, index) => {
    const entry = plain(server) as Record<string, unknown>;
    if (typeof entry.host !== 'string') {
      locate(source, issues, [key, index, 'host'], 'required key not provided');
      return [];
    }
    return [{ host: entry.host, port: (entry.port as number | undefined) ?? 2281, chroot: entry.chroot as string | undefined }];
  });
}

/** Pool labels must be top-level labels, and uploaded diskimages must exist (the original's load). */
function checkProviderReferences(
  source: YamlSource,
  provider: ProviderConfig,
  path: ConfigPath,
  labels: ReadonlyMap<string, LabelConfig>,
  diskimages: ReadonlyMap<string, DiskImageConfig>,
  issues: ConfigIssue[],
): void {
  [...provider.pools.values()].forEach((pool, poolIndex) => {
    for (const label of pool.labels.keys()) {
      if (!labels.has(label)) locate(source, issues, [...path, 'pools', poolIndex], `label "${label}" is not defined in the top-level labels`);
    }
  });
  for (const image of provider.diskimages) {
    if (!diskimages.has(image)) locate(source, issues, [...path, 'diskimages'], `diskimage "${image}" is not defined in the top-level diskimages`);
  }
}

/**
 * Diskimages with `parent` inheritance applied; abstract ones only serve as parents. As in the
 * original, `elements` accumulate, `env-vars` merge, and other settings override only when set
 * to something truthy.
 */
function buildDiskImages(entries: Record<string, unknown>[]): Map<string, DiskImageConfig> {
  const byName = new Map(entries.map((entry) => [entry.name as string, entry]));
  const resolve = (entry: Record<string, unknown>, seen: Set<string>): Record<string, unknown> => {
    const parentName = entry.parent as string | undefined;
    const base = parentName && byName.has(parentName) && !seen.has(parentName) ? resolve(byName.get(parentName)!, new Set([...seen, parentName])) : {};
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'elements') merged.elements = [...((base.elements as string[] | undefined) ?? []), ...(value as string[])];
      else if (key === 'env-vars') merged['env-vars'] = { ...((base['env-vars'] as object | undefined) ?? {}), ...(value as object) };
      else if (value) merged[key] = value;
    }
    return merged;
  };
  const images = new Map<string, DiskImageConfig>();
  for (const entry of entries) {
    if (entry.abstract === true) continue;
    const image = resolve(entry, new Set([entry.name as string]));
    images.set(entry.name as string, {
      name: entry.name as string,
      buildTimeout: (image['build-timeout'] as number | undefined) ?? 8 * 3600,
      dibCmd: (image['dib-cmd'] as string | undefined) ?? 'disk-image-create',
      elements: (image.elements as string[] | undefined) ?? [],
      envVars: { ...((image['env-vars'] as Record<string, string> | undefined) ?? {}) },
      formats: (image.formats as string[] | undefined) ?? [],
      parent: entry.parent as string | undefined,
      pause: image.pause === true,
      pythonPath: (image['python-path'] as string | undefined) ?? 'auto',
      rebuildAge: (image['rebuild-age'] as number | undefined) ?? 86400,
      release: image.release === undefined ? '' : String(image.release),
      shellType: (image['shell-type'] as string | undefined) ?? null,
      username: (image.username as string | undefined) ?? 'zuul',
      metadata: { ...((entry.metadata as Record<string, unknown> | undefined) ?? {}) },
    });
  }
  return images;
}

const secureSchema = mapping(
  {
    'zookeeper-servers': topLevelSchema.keys['zookeeper-servers']!.schema,
    'zookeeper-tls': topLevelSchema.keys['zookeeper-tls']!.schema,
    diskimages: topLevelSchema.keys.diskimages!.schema,
  },
  { extra: 'allow' },
);

/** The secure file: servers replace, TLS overrides, diskimage env-vars merge in. */
function applySecure(
  secure: YamlSource,
  diskimages: Map<string, DiskImageConfig>,
  issues: ConfigIssue[],
): { zookeeperServers?: ZooKeeperServerConfig[]; zookeeperTls?: NodepoolConfig['zookeeperTls'] } {
  if (secure.data === null || secure.data === undefined) return {};
  const found: ConfigIssue[] = [];
  if (!secureSchema.check(secure.data, [], found)) {
    for (const issue of found) locate(secure, issues, issue.path, issue.message, issue.validatorOnly);
    return {};
  }
  const data = plain(secure.data) as Record<string, unknown>;
  (asList(data.diskimages) as Record<string, unknown>[]).forEach((entry, index) => {
    const image = diskimages.get(entry.name as string);
    if (!image) {
      locate(secure, issues, ['diskimages', index, 'name'], `unknown diskimage ${String(entry.name)}`);
      return;
    }
    diskimages.set(image.name, { ...image, envVars: { ...image.envVars, ...((entry['env-vars'] as Record<string, string> | undefined) ?? {}) } });
  });
  const servers = asList(data['zookeeper-servers']);
  return {
    ...(servers.length > 0 ? { zookeeperServers: zooKeeperServers(secure, servers, issues, 'zookeeper-servers') } : {}),
    ...(data['zookeeper-tls'] ? { zookeeperTls: data['zookeeper-tls'] as NodepoolConfig['zookeeperTls'] } : {}),
  };
}
