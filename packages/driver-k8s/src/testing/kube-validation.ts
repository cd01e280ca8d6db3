import type { StatusCause } from './k8s-status.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[munkMGTPE])?$/;

const field = (path: string, value: unknown, message: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
  field: path,
});

/** Namespaces, service accounts, containers: a lowercase RFC 1123 label. */
export function checkDns1123Label(path: string, value: string): StatusCause[] {
  if (value.length <= 63 && DNS1123_LABEL.test(value)) return [];
  return [
    field(
      path,
      value,
      value.length > 63
        ? 'must be no more than 63 characters'
        : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ),
  ];
}

/** Pods, secrets, roles: a lowercase RFC 1123 subdomain. */
export function checkDns1123Subdomain(path: string, value: string): StatusCause[] {
  if (value.length <= 253 && DNS1123_SUBDOMAIN.test(value)) return [];
  return [
    field(
      path,
      value,
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ),
  ];
}

/** `metadata.labels`: qualified names and label values. */
export function checkLabels(path: string, labels: unknown): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [field(path, labels, 'must be a map of strings')];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name) || (slash >= 0 && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))) {
      causes.push(field(path, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(field(`${path}`, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    }
  }
  return causes;
}

/** `metadata.annotations`: string values. */
export function checkAnnotations(path: string, annotations: unknown): StatusCause[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations) || Object.values(annotations).some((value) => typeof value !== 'string')) {
    return [field(path, annotations, 'must be a map of strings')];
  }
  return [];
}

/** A resource quantity (`2`, `500m`, `512Mi`, `1.00`); JSON numbers are accepted too, as the API server does. */
export function checkQuantity(path: string, value: unknown): StatusCause[] {
  if (typeof value === 'number' && Number.isFinite(value)) return [];
  if (typeof value === 'string' && QUANTITY.test(value)) return [];
  return [{ reason: 'FieldValueInvalid', message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", field: path }];
}

/** A quantity as the API server writes it back: always a string. */
export function quantityText(value: unknown): string {
  return typeof value === 'number' ? String(value) : String(value);
}

export function required(path: string, what = 'Required value'): StatusCause {
  return { reason: 'FieldValueRequired', message: what, field: path };
}

export function unsupported(path: string, value: unknown, allowed: readonly string[]): StatusCause {
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((each) => `"${each}"`).join(', ')}`, field: path };
}

/** An RFC 3339 timestamp in whole seconds, as the API server writes them. */
export function timestamp(ms: number = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
