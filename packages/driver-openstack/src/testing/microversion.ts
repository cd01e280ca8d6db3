import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './http-kit.js';

/** A microversion as [major, minor]. */
export type Microversion = readonly [number, number];

export function parseMicroversion(text: string): Microversion | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function compareMicroversions(a: Microversion, b: Microversion): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function formatMicroversion(version: Microversion): string {
  return `${version[0]}.${version[1]}`;
}

/**
 * The microversion a request asks for, as Nova and Cinder read it: `OpenStack-API-Version:
 * <service> X.Y` (or the service's legacy header), `latest` meaning the newest; the oldest when
 * none is asked for. Outside the range: 406, as the services answer.
 */
export function requestedMicroversion(
  headers: IncomingHttpHeaders,
  options: { service: string; legacyHeader: string; min: Microversion; max: Microversion },
): Microversion {
  const pick = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(',') : value);
  let asked: string | undefined;
  const modern = pick(headers['openstack-api-version']);
  if (modern !== undefined) {
    for (const entry of modern.split(',')) {
      const [service, version] = entry.trim().split(/\s+/);
      if (service?.toLowerCase() === options.service && version !== undefined) asked = version;
    }
  }
  asked ??= pick(headers[options.legacyHeader]);
  if (asked === undefined) return options.min;
  if (asked.trim().toLowerCase() === 'latest') return options.max;
  const version = parseMicroversion(asked);
  if (!version) throw new ApiError(400, `Invalid format for API version: ${asked}`);
  if (compareMicroversions(version, options.min) < 0 || compareMicroversions(version, options.max) > 0) {
    throw new ApiError(406, `Version ${asked} is not supported by the API. Minimum is ${formatMicroversion(options.min)} and maximum is ${formatMicroversion(options.max)}.`);
  }
  return version;
}

/** The headers an answer carries to say which microversion it is. */
export function microversionHeaders(service: string, legacyHeader: string | undefined, version: Microversion): Record<string, string> {
  const text = formatMicroversion(version);
  return {
    'OpenStack-API-Version': `${service} ${text}`,
    ...(legacyHeader ? { [legacyHeader]: text } : {}),
    Vary: legacyHeader ? `OpenStack-API-Version, ${legacyHeader}` : 'OpenStack-API-Version',
  };
}
