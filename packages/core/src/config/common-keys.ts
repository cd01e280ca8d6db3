import { breakerSettingsSchema } from '../health/breaker-settings.js';
import { anyMapping, int, required, str, type KeySpec, type Schema } from './schema.js';

/** Keys every provider entry may have, whatever its driver (added by core). */
export const commonProviderKeys: Record<string, Schema | KeySpec> = {
  name: required(str),
  driver: str,
  'max-concurrency': int,
  priority: int,
  // Ours, as an opt-in (docs/compatibility.md): a 9.0.0 configuration never sets it.
  'circuit-breaker': breakerSettingsSchema,
};

/** Keys every pool may have; drivers spread them into their pool schemas. */
export const commonPoolKeys: Record<string, Schema | KeySpec> = {
  'max-servers': int,
  'node-attributes': anyMapping,
  priority: int,
};
