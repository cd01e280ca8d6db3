import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { YamlSource } from '@nodepool/core';
import { CloudConfigError } from './openstack-errors.js';

/** How the cloud authenticates with Keystone v3. */
export type CloudAuthType = 'password' | 'application-credential';

/** Keystone v3 credentials of a cloud, as clouds.yaml's `auth:` gives them. */
export interface CloudAuth {
  readonly authUrl: string;
  readonly username: string | null;
  readonly userId: string | null;
  readonly password: string | null;
  readonly projectName: string | null;
  readonly projectId: string | null;
  readonly userDomainName: string | null;
  readonly userDomainId: string | null;
  readonly projectDomainName: string | null;
  readonly projectDomainId: string | null;
  readonly applicationCredentialId: string | null;
  readonly applicationCredentialName: string | null;
  readonly applicationCredentialSecret: string | null;
}

/** One cloud of clouds.yaml, in the region Nodepool uses it, as the driver needs it. */
export interface CloudConfig {
  /** The clouds.yaml name (`cloud:` in nodepool.yaml). */
  readonly name: string;
  /** The region used; null when clouds.yaml names none (the catalog's first endpoint is taken). */
  readonly regionName: string | null;
  readonly authType: CloudAuthType;
  readonly auth: CloudAuth;
  /** The catalog interface to use: `public` (default), `internal` or `admin`. */
  readonly interface: string;
  /** `<service>_endpoint_override` values by service type (`compute`, `block-storage`, …). */
  readonly endpointOverrides: Readonly<Record<string, string>>;
  /** `image_format`: what nodepool-builder builds for this cloud (default qcow2). */
  readonly imageFormat: string;
  /** `private`: servers are reached on their private address and get no floating IP. */
  readonly private: boolean;
  /** `floating_ip_source`; null when floating IPs are off (`none`). */
  readonly floatingIpSource: string | null;
  /** `force_ipv4` (or `client.force_ipv4`): IPv6 addresses are not used. */
  readonly forceIpv4: boolean;
  /** `api_timeout` in ms; null: the driver's default. */
  readonly apiTimeoutMs: number | null;
  /** `cacert`, for the warning that it must be given to Node.js another way. */
  readonly cacert: string | null;
  /** `verify` (default true). */
  readonly verify: boolean;
  /** The clouds.yaml the cloud came from. */
  readonly file: string;
}

/** Where to look, as openstacksdk does: the environment, the working directory and home. */
export interface CloudConfigSources {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly home?: string;
}

const SUFFIXES = ['.yaml', '.yml', '.json'];

/**
 * The directories openstacksdk searches, in its order: the working directory, the user's
 * config directory (`$XDG_CONFIG_HOME/openstack`, else `~/.config/openstack`), the site config
 * directory (`/etc/xdg/openstack`) and `/etc/openstack`.
 */
export function configDirectories(sources: CloudConfigSources = {}): string[] {
  const env = sources.env ?? process.env;
  const home = sources.home ?? homedir();
  const userConfig = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'openstack') : join(home, '.config', 'openstack');
  const siteConfig = join((env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':')[0] || '/etc/xdg', 'openstack');
  return [...new Set([sources.cwd ?? process.cwd(), userConfig, join(home, '.config', 'openstack'), siteConfig, '/etc/openstack'])];
}

/** The files tried for `base` (`clouds` or `secure`), the override variable's file first. */
export function candidateFiles(base: 'clouds' | 'secure', sources: CloudConfigSources = {}): string[] {
  const env = sources.env ?? process.env;
  const override = env[base === 'clouds' ? 'OS_CLIENT_CONFIG_FILE' : 'OS_CLIENT_SECURE_FILE'];
  const files = configDirectories(sources).flatMap((dir) => SUFFIXES.map((suffix) => join(dir, `${base}${suffix}`)));
  return override ? [override, ...files] : files;
}

/**
 * The cloud `name` of the first clouds.yaml found (secure.yaml merged over it), in `regionName`
 * (which must be one of the cloud's regions, when it lists any; default its first), as
 * openstacksdk's loader reads it: keys with `-` read as `_`, `tenant_*` as `project_*`, the
 * region's `values` over the cloud's. Throws `CloudConfigError` naming what is wrong.
 */
export function loadCloudConfig(name: string, regionName: string | null, sources: CloudConfigSources = {}): CloudConfig {
  const found = readFirst(candidateFiles('clouds', sources));
  if (!found) throw new CloudConfigError(`no clouds.yaml found (looked at ${candidateFiles('clouds', sources).join(', ')})`);
  const secure = readFirst(candidateFiles('secure', sources));
  const data = secure ? mergeDeep(found.data, secure.data) : found.data;
  const clouds = record(record(data).clouds);
  const entry = clouds[name];
  if (entry === undefined) throw new CloudConfigError(`cloud ${name} is not in ${found.file} (it has: ${Object.keys(clouds).join(', ') || 'none'})`);
  // Cloud names stay as written; the settings inside read `-` as `_`.
  let cloud = normalizeKeys(record(entry));
  if (cloud.profile !== undefined) throw new CloudConfigError(`cloud ${name} in ${found.file} uses a vendor profile (${String(cloud.profile)}), which this driver does not read; write its settings out`);

  const regions = knownRegions(cloud);
  let region: { name: string; values: Record<string, unknown> } | undefined;
  if (regions.length > 0) {
    region = regionName ? regions.find((candidate) => candidate.name === regionName) : regions[0];
    if (!region) throw new CloudConfigError(`region ${regionName ?? ''} is not a region of cloud ${name} (its regions: ${regions.map((candidate) => candidate.name).join(', ')})`);
    cloud = mergeDeep(cloud, normalizeKeys(region.values));
  }
  const client = normalizeKeys(record(record(data).client));

  const auth = record(cloud.auth);
  const text = (value: unknown): string | null => (value === undefined || value === null || value === '' ? null : String(value));
  const authUrl = text(auth.auth_url);
  if (!authUrl) throw new CloudConfigError(`cloud ${name} in ${found.file} has no auth.auth_url`);
  const identityVersion = text(cloud.identity_api_version);
  if (identityVersion !== null && !identityVersion.startsWith('3')) throw new CloudConfigError(`cloud ${name}: identity_api_version ${identityVersion} is not supported (Keystone v3 only)`);

  const declared = (text(cloud.auth_type) ?? '').toLowerCase().replace(/[-_]/g, '');
  let authType: CloudAuthType;
  if (['password', 'v3password', ''].includes(declared)) authType = declared === '' && auth.application_credential_secret !== undefined ? 'application-credential' : 'password';
  else if (['v3applicationcredential', 'applicationcredential'].includes(declared)) authType = 'application-credential';
  else throw new CloudConfigError(`cloud ${name}: auth_type ${String(cloud.auth_type)} is not supported (password or v3applicationcredential)`);

  const domainName = text(auth.default_domain_name) ?? text(auth.domain_name);
  const domainId = text(auth.default_domain_id) ?? text(auth.domain_id);
  const iface = (text(cloud.interface) ?? text(cloud.endpoint_type) ?? 'public').replace(/URL$/, '').toLowerCase();
  const overrides: Record<string, string> = {};
  for (const [key, value] of Object.entries(cloud)) {
    const match = /^(.+)_endpoint_override$/.exec(key);
    if (match && typeof value === 'string') overrides[match[1]!.replace(/_/g, '-')] = value;
  }
  const source = text(cloud.floating_ip_source) ?? 'neutron';
  const timeout = cloud.api_timeout === undefined || cloud.api_timeout === null ? null : Number(cloud.api_timeout) * 1000;
  return {
    name,
    regionName: region?.name ?? (regionName || null),
    authType,
    auth: {
      authUrl,
      username: text(auth.username),
      userId: text(auth.user_id),
      password: text(auth.password),
      projectName: text(auth.project_name) ?? text(auth.tenant_name),
      projectId: text(auth.project_id) ?? text(auth.tenant_id),
      userDomainName: text(auth.user_domain_name) ?? (text(auth.user_domain_id) ? null : domainName),
      userDomainId: text(auth.user_domain_id) ?? (text(auth.user_domain_name) ? null : domainId),
      projectDomainName: text(auth.project_domain_name) ?? (text(auth.project_domain_id) ? null : domainName),
      projectDomainId: text(auth.project_domain_id) ?? (text(auth.project_domain_name) ? null : domainId),
      applicationCredentialId: text(auth.application_credential_id),
      applicationCredentialName: text(auth.application_credential_name),
      applicationCredentialSecret: text(auth.application_credential_secret),
    },
    interface: iface,
    endpointOverrides: overrides,
    imageFormat: text(cloud.image_format) ?? 'qcow2',
    private: truthy(cloud.private),
    floatingIpSource: source.toLowerCase() === 'none' ? null : source.toLowerCase(),
    forceIpv4: truthy(cloud.force_ipv4) || truthy(client.force_ipv4) || truthy(client.broken_ipv6) || client.prefer_ipv6 === false,
    apiTimeoutMs: timeout !== null && Number.isFinite(timeout) && timeout > 0 ? timeout : null,
    cacert: text(cloud.cacert),
    verify: cloud.verify === undefined ? !truthy(cloud.insecure) : truthy(cloud.verify),
    file: found.file,
  };
}

function readFirst(files: string[]): { file: string; data: unknown } | undefined {
  for (const file of files) {
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      // As openstacksdk: a file we may not read is skipped, the next one tried.
      if ((error as NodeJS.ErrnoException).code === 'EACCES') continue;
      throw error;
    }
    if (file.endsWith('.json')) {
      try {
        return { file, data: JSON.parse(text) as unknown };
      } catch (error) {
        throw new CloudConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
      }
    }
    const source = YamlSource.parse(file, text);
    const problem = source.syntaxErrors[0];
    if (problem) throw new CloudConfigError(`${file}:${problem.line} is not valid YAML: ${problem.message}`);
    return { file, data: plain(source.data) };
  }
  return undefined;
}

/** YAML data with its integers (bigint, as core's reader keeps them) as numbers. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Keys with `-` read as `_`, at every level (openstacksdk's `normalize_keys`). */
function normalizeKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key.replace(/-/g, '_'), item !== null && typeof item === 'object' && !Array.isArray(item) ? normalizeKeys(item as Record<string, unknown>) : item]),
  );
}

/** `b` over `a`, mappings merged at every level (openstacksdk's `merge_clouds`). */
function mergeDeep(a: unknown, b: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = { ...record(a) };
  for (const [key, value] of Object.entries(record(b))) {
    const existing = result[key];
    result[key] = value !== null && typeof value === 'object' && !Array.isArray(value) && existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? mergeDeep(existing, value) : value;
  }
  return result;
}

/** `regions:` (names or `{name, values}`), else `region_name` (a list, or comma-separated). */
function knownRegions(cloud: Record<string, unknown>): { name: string; values: Record<string, unknown> }[] {
  if (Array.isArray(cloud.regions)) {
    return cloud.regions.map((region: unknown) => {
      if (typeof region === 'string') return { name: region, values: {} };
      const entry = record(region);
      if (typeof entry.name !== 'string') throw new CloudConfigError(`invalid region entry: ${JSON.stringify(region)}`);
      return { name: entry.name, values: record(entry.values) };
    });
  }
  const names = Array.isArray(cloud.region_name) ? cloud.region_name.map(String) : typeof cloud.region_name === 'string' ? cloud.region_name.split(',') : [];
  return names.filter((regionName) => regionName !== '').map((regionName) => ({ name: regionName, values: {} }));
}

function truthy(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}
