import { AwsApiError } from './aws-api-error.js';
import type { FakeAwsSettings } from './fake-aws-settings.js';
import { QUOTA_DEFINITIONS, type FakeQuotaDefinition } from './quota-catalog.js';

/** The `X-Amz-Target` prefix of Service Quotas operations. */
export const QUOTAS_TARGET_PREFIX = 'ServiceQuotasV20190624.';

const SERVICE_NAMES: Readonly<Record<string, string>> = {
  ec2: 'Amazon Elastic Compute Cloud (Amazon EC2)',
  ebs: 'Amazon Elastic Block Store (Amazon EBS)',
};

interface QuotaJson {
  ServiceCode: string;
  ServiceName: string;
  QuotaArn: string;
  QuotaCode: string;
  QuotaName: string;
  Value: number;
  Unit: string;
  Adjustable: boolean;
  GlobalQuota: boolean;
  QuotaAppliedAtLevel: string;
}

/** The quotas served: the catalog's, plus any extra code a test configured (as an ec2 quota). */
function quotaDefinitions(settings: FakeAwsSettings): FakeQuotaDefinition[] {
  const known = QUOTA_DEFINITIONS.filter((quota) => settings.quotas[quota.code] !== undefined);
  const extra = Object.keys(settings.quotas)
    .filter((code) => !QUOTA_DEFINITIONS.some((quota) => quota.code === code))
    .map((code) => ({ code, serviceCode: 'ec2' as const, name: `Quota ${code}`, defaultValue: settings.quotas[code]! }));
  return [...known, ...extra];
}

function quotaJson(quota: FakeQuotaDefinition, value: number, settings: FakeAwsSettings): QuotaJson {
  return {
    ServiceCode: quota.serviceCode,
    ServiceName: SERVICE_NAMES[quota.serviceCode] ?? quota.serviceCode,
    QuotaArn: `arn:aws:servicequotas:${settings.region}:${settings.accountId}:${quota.serviceCode}/${quota.code}`,
    QuotaCode: quota.code,
    QuotaName: quota.name,
    Value: value,
    Unit: 'None',
    Adjustable: true,
    GlobalQuota: false,
    QuotaAppliedAtLevel: 'ACCOUNT',
  };
}

function stringField(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new AwsApiError('ValidationException', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'string') throw new AwsApiError('SerializationException', `${name} must be a string`);
  return value;
}

function service(body: Record<string, unknown>): 'ec2' | 'ebs' {
  const code = stringField(body, 'ServiceCode', true)!;
  if (code !== 'ec2' && code !== 'ebs') throw new AwsApiError('NoSuchResourceException', 'The request failed because the specified service does not exist.');
  return code;
}

function page<T>(list: T[], body: Record<string, unknown>): { items: T[]; nextToken: string | undefined } {
  const maxResults = body.MaxResults ?? 100;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw new AwsApiError('IllegalArgumentException', 'MaxResults must be an integer from 1 to 100.');
  }
  let offset = 0;
  const token = stringField(body, 'NextToken', false);
  if (token !== undefined) {
    offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new AwsApiError('InvalidPaginationTokenException', 'Invalid input: the NextToken is not valid.');
  }
  const items = list.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return { items, nextToken: next < list.length ? Buffer.from(String(next)).toString('base64url') : undefined };
}

/** Runs one Service Quotas operation (`GetServiceQuota`, `ListServiceQuotas`, …); the JSON answer. */
export function runQuotasOperation(operation: string, body: Record<string, unknown>, settings: FakeAwsSettings): unknown {
  switch (operation) {
    case 'GetServiceQuota':
    case 'GetAWSDefaultServiceQuota': {
      const serviceCode = service(body);
      const code = stringField(body, 'QuotaCode', true)!;
      const quota = quotaDefinitions(settings).find((candidate) => candidate.code === code && candidate.serviceCode === serviceCode);
      if (!quota) throw new AwsApiError('NoSuchResourceException', 'The request failed because the specified service quota does not exist.');
      const value = operation === 'GetServiceQuota' ? settings.quotas[code]! : quota.defaultValue;
      return { Quota: quotaJson(quota, value, settings) };
    }
    case 'ListServiceQuotas':
    case 'ListAWSDefaultServiceQuotas': {
      const serviceCode = service(body);
      const code = stringField(body, 'QuotaCode', false);
      const quotas = quotaDefinitions(settings).filter((quota) => quota.serviceCode === serviceCode && (code === undefined || quota.code === code));
      const { items, nextToken } = page(quotas, body);
      return {
        Quotas: items.map((quota) => quotaJson(quota, operation === 'ListServiceQuotas' ? settings.quotas[quota.code]! : quota.defaultValue, settings)),
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      };
    }
    case 'ListServices': {
      const { items, nextToken } = page(Object.entries(SERVICE_NAMES), body);
      return { Services: items.map(([ServiceCode, ServiceName]) => ({ ServiceCode, ServiceName })), ...(nextToken === undefined ? {} : { NextToken: nextToken }) };
    }
    default:
      throw new AwsApiError('UnknownOperationException', `Operation ${operation} is not supported by this fake.`);
  }
}

/** The operations the fake's Service Quotas answers. */
export const QUOTAS_OPERATIONS: readonly string[] = ['GetServiceQuota', 'GetAWSDefaultServiceQuota', 'ListServiceQuotas', 'ListAWSDefaultServiceQuotas', 'ListServices'];
