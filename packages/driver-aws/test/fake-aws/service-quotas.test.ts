import test from 'ava';
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ListServiceQuotasCommand, paginateListServiceQuotas, type ServiceQuota } from '@aws-sdk/client-service-quotas';
import { INSTANCE_QUOTA_CODES, VOLUME_QUOTA_CODES } from '@nodepool/driver-aws/testing';
import { useFake } from './helpers.js';

test('serves a configured quota value with its real name', async (t) => {
  const { quotas } = await useFake(t, { quotas: { 'L-1216C47A': 128, 'L-34B43A08': 32 } });
  const onDemand = await quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' }));
  t.like(onDemand.Quota, {
    ServiceCode: 'ec2',
    QuotaCode: 'L-1216C47A',
    QuotaName: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
    Value: 128,
    QuotaArn: 'arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A',
  });
  const spot = await quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-34B43A08' }));
  t.is(spot.Quota?.Value, 32);
  const defaults = await quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' }));
  t.is(defaults.Quota?.Value, 640);
});

test('lists every ec2 and ebs quota code the original adapter uses, page by page', async (t) => {
  const { quotas, fake } = await useFake(t, { quotas: { 'L-DB2E81BA': 16 } });
  const list = async (ServiceCode: string, PageSize?: number): Promise<ServiceQuota[]> => {
    const found: ServiceQuota[] = [];
    for await (const page of paginateListServiceQuotas({ client: quotas, pageSize: PageSize }, { ServiceCode })) found.push(...(page.Quotas ?? []));
    return found;
  };
  const ec2 = await list('ec2', 5);
  const ec2Codes = new Set(ec2.map((quota) => quota.QuotaCode));
  for (const [family, codes] of Object.entries(INSTANCE_QUOTA_CODES)) {
    for (const code of codes) if (code !== null) t.true(ec2Codes.has(code), `${family}: ${code}`);
  }
  t.is(ec2.find((quota) => quota.QuotaCode === 'L-DB2E81BA')?.Value, 16);
  t.true(fake.calls().ListServiceQuotas! > 1);
  const ebs = await list('ebs');
  const ebsCodes = new Set(ebs.map((quota) => quota.QuotaCode));
  for (const codes of Object.values(VOLUME_QUOTA_CODES)) {
    t.true(ebsCodes.has(codes.storage));
    if (codes.iops) t.true(ebsCodes.has(codes.iops));
  }
  t.is(ebs.find((quota) => quota.QuotaCode === 'L-D18FCD1D')?.QuotaName, 'Storage for General Purpose SSD (gp2) volumes, in TiB');
});

test('an unknown service or quota code is NoSuchResourceException', async (t) => {
  const { quotas, fake } = await useFake(t);
  await t.throwsAsync(quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-00000000' })), {
    name: 'NoSuchResourceException',
    message: 'The request failed because the specified service quota does not exist.',
  });
  await t.throwsAsync(quotas.send(new ListServiceQuotasCommand({ ServiceCode: 'lambda' })), { name: 'NoSuchResourceException' });
  // A code taken out of the settings is unknown from then on.
  fake.configure({ quotas: { 'L-1216C47A': null } });
  await t.throwsAsync(quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' })), { name: 'NoSuchResourceException' });
  await t.throwsAsync(quotas.send(new ListServiceQuotasCommand({ ServiceCode: 'ec2', MaxResults: 500 })), { name: 'IllegalArgumentException' });
});
