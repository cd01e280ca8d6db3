import { SIM_OPERATIONS, type SimCloudSettingsPatch, type SimFlavor, type SimThrottleRule } from './api-types.js';
import { badRequest } from './sim-cloud-error.js';
import { optionalNumber, optionalString, requireObject, requireString, type JsonObject } from './validate.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const KEYS: readonly (keyof SimCloudSettingsPatch)[] = [
  'bootDelayMs',
  'deleteDelayMs',
  'failureRate',
  'seed',
  'rateLimit',
  'throttles',
  'maxInstances',
  'maxCores',
  'maxRam',
  'address',
  'privateAddress',
  'sshPort',
  'region',
  'zones',
  'flavors',
  'holdUploads',
];

/**
 * Checks a partial settings object (the body of `POST /_sim/config`, or what a test passes to
 * `configure`) and returns it typed. A rate limit of 0 means none. Throws a `BadRequest` for
 * an unknown key or a bad value.
 */
export function parseSettingsPatch(value: unknown): SimCloudSettingsPatch {
  const body = requireObject(value, 'the settings');
  for (const key of Object.keys(body)) {
    if (!(KEYS as readonly string[]).includes(key)) throw badRequest(`unknown setting ${key} (known: ${KEYS.join(', ')})`);
  }
  const patch: Mutable<SimCloudSettingsPatch> = {};
  const set = <K extends keyof SimCloudSettingsPatch>(key: K, item: SimCloudSettingsPatch[K] | undefined): void => {
    if (item !== undefined) patch[key] = item;
  };
  set('bootDelayMs', optionalNumber(body, 'bootDelayMs') ?? undefined);
  set('deleteDelayMs', optionalNumber(body, 'deleteDelayMs') ?? undefined);
  set('failureRate', optionalNumber(body, 'failureRate', { max: 1 }) ?? undefined);
  set('seed', optionalNumber(body, 'seed', { min: -(2 ** 31), integer: true }) ?? undefined);
  const rateLimit = optionalNumber(body, 'rateLimit', { nullable: true });
  set('rateLimit', rateLimit === 0 ? null : rateLimit);
  if (body.throttles !== undefined) patch.throttles = parseThrottles(body.throttles);
  set('maxInstances', optionalNumber(body, 'maxInstances', { integer: true, nullable: true }));
  set('maxCores', optionalNumber(body, 'maxCores', { integer: true, nullable: true }));
  set('maxRam', optionalNumber(body, 'maxRam', { integer: true, nullable: true }));
  set('address', optionalString(body, 'address'));
  if (body.privateAddress === null) patch.privateAddress = null;
  else set('privateAddress', optionalString(body, 'privateAddress'));
  set('sshPort', optionalNumber(body, 'sshPort', { min: 1, max: 65535, integer: true }) ?? undefined);
  set('region', optionalString(body, 'region'));
  if (body.zones !== undefined) patch.zones = parseZones(body.zones);
  if (body.flavors !== undefined) patch.flavors = parseFlavors(body.flavors);
  if (body.holdUploads !== undefined) {
    if (typeof body.holdUploads !== 'boolean') throw badRequest('holdUploads must be true or false');
    patch.holdUploads = body.holdUploads;
  }
  return patch;
}

function parseThrottles(value: unknown): Record<string, SimThrottleRule | null> {
  const rules = requireObject(value, 'throttles');
  const parsed: Record<string, SimThrottleRule | null> = {};
  for (const [operation, item] of Object.entries(rules)) {
    if (operation !== '*' && !(SIM_OPERATIONS as readonly string[]).includes(operation)) {
      throw badRequest(`throttles: unknown operation ${operation} (known: *, ${SIM_OPERATIONS.join(', ')})`);
    }
    if (item === null) {
      parsed[operation] = null;
      continue;
    }
    const rule = requireObject(item, `throttles.${operation}`);
    for (const key of Object.keys(rule)) {
      if (!['first', 'every', 'retryAfterMs'].includes(key)) throw badRequest(`throttles.${operation}: unknown key ${key} (known: first, every, retryAfterMs)`);
    }
    // Checked under their full names, so a message says which rule is wrong.
    const field = (key: string, options: Parameters<typeof optionalNumber>[2]) => optionalNumber({ [`throttles.${operation}.${key}`]: rule[key] }, `throttles.${operation}.${key}`, options) ?? undefined;
    const first = field('first', { integer: true });
    const every = field('every', { min: 1, integer: true });
    const retryAfterMs = field('retryAfterMs', {});
    if (!first && every === undefined) throw badRequest(`throttles.${operation} throttles nothing: give first (at least 1) or every`);
    parsed[operation] = { ...(first ? { first } : {}), ...(every === undefined ? {} : { every }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return parsed;
}

function parseZones(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((zone) => typeof zone === 'string' && zone !== '')) {
    throw badRequest('zones must be a non-empty list of names');
  }
  if (new Set(value).size !== value.length) throw badRequest('zones must not repeat a name');
  return [...(value as string[])];
}

function parseFlavors(value: unknown): SimFlavor[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest('flavors must be a non-empty list');
  const flavors = value.map((item: unknown, index) => {
    const flavor: JsonObject = requireObject(item, `flavors[${index}]`);
    return {
      name: requireString(flavor, 'name'),
      cores: optionalNumber(flavor, 'cores', { min: 1, integer: true }) ?? 1,
      ram: optionalNumber(flavor, 'ram', { min: 1, integer: true }) ?? 1024,
    };
  });
  if (new Set(flavors.map((flavor) => flavor.name)).size !== flavors.length) throw badRequest('flavors must not repeat a name');
  return flavors;
}
