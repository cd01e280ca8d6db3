import type { FakeIbmVpc } from './fake-ibmvpc.js';
import { FakeRefusal } from './fake-ibmvpc.js';
import { isoSeconds, json, jsonBody, type ApiRequest, type HttpReply } from './http-kit.js';

/** A route of IAM, the Resource Manager or the Resource Controller. */
export interface PlatformRoute {
  readonly operation: string;
  /** IAM's token service takes no token. */
  readonly authenticated: boolean;
  handle(fake: FakeIbmVpc, request: ApiRequest): HttpReply;
}

/** The route of a platform call, or undefined when the path is none of theirs. */
export function platformRoute(method: string, segments: readonly string[]): PlatformRoute | undefined {
  const path = segments.join('/');
  if (path === 'identity/token' && method === 'POST') return { operation: 'iam.POST.token', authenticated: false, handle: token };
  if (path === 'v2/resource_groups' && method === 'GET') return { operation: 'resource_manager.GET.resource_groups', authenticated: true, handle: listGroups };
  if (path === 'v2/resource_groups' && method === 'POST') return { operation: 'resource_manager.POST.resource_groups', authenticated: true, handle: createGroup };
  if (path === 'v2/resource_instances' && method === 'GET') return { operation: 'resource_controller.GET.resource_instances', authenticated: true, handle: listServiceInstances };
  return undefined;
}

/** The error document of the platform services: `{message, status_code, error_code, transaction_id}`. */
export function platformErrorReply(status: number, code: string, message: string): HttpReply {
  return json({ message, status_code: status, error_code: code, transaction_id: `tx-${Date.now().toString(36)}` }, status);
}

function token(fake: FakeIbmVpc, request: ApiRequest): HttpReply {
  const form = new URLSearchParams(request.body.toString('utf8'));
  const { status, body } = fake.iam.token(form, fake.settings().tokenTtlMs);
  return json(body, status);
}

function groupView(fake: FakeIbmVpc, group: { id: string; crn: string; name: string; default: boolean; createdAt: number }): Record<string, unknown> {
  return {
    id: group.id,
    crn: group.crn,
    account_id: fake.accountId,
    name: group.name,
    state: 'ACTIVE',
    default: group.default,
    enable_reclamation: false,
    quota_id: 'a3d7b8d01e261c24677937c29ab33f3c',
    quota_url: '/v2/quota_definitions/a3d7b8d01e261c24677937c29ab33f3c',
    payment_methods_url: `/v2/resource_groups/${group.id}/payment_methods`,
    resource_linkages: [],
    teams_url: `/v2/resource_groups/${group.id}/teams`,
    created_at: isoSeconds(group.createdAt),
    updated_at: isoSeconds(group.createdAt),
  };
}

function listGroups(fake: FakeIbmVpc, request: ApiRequest): HttpReply {
  const account = request.query.get('account_id');
  const name = request.query.get('name');
  const groups = fake.resourceGroups.filter((group) => (account === null || account === fake.accountId) && (name === null || group.name === name));
  return json({ resources: groups.map((group) => groupView(fake, group)) });
}

function createGroup(fake: FakeIbmVpc, request: ApiRequest): HttpReply {
  let body: Record<string, unknown>;
  try {
    body = jsonBody(request);
  } catch {
    return platformErrorReply(400, 'RG-0400', 'The request body must be a JSON object.');
  }
  if (typeof body.name !== 'string' || body.name === '') return platformErrorReply(400, 'RG-0400', 'The name of the resource group is required.');
  if (body.account_id !== undefined && body.account_id !== fake.accountId) return platformErrorReply(403, 'RG-0403', 'The account is not yours.');
  try {
    const group = fake.createResourceGroup(body.name);
    return json({ id: group.id, crn: group.crn }, 201);
  } catch (error) {
    if (error instanceof FakeRefusal) return platformErrorReply(error.status, error.code, error.message);
    throw error;
  }
}

function listServiceInstances(fake: FakeIbmVpc, request: ApiRequest): HttpReply {
  const name = request.query.get('name');
  const type = request.query.get('type');
  const instances = fake.serviceInstances.filter((instance) => (name === null || instance.name === name) && (type === null || type === 'service_instance'));
  return json({
    rows_count: instances.length,
    next_url: null,
    resources: instances.map((instance) => ({
      id: instance.crn,
      guid: instance.guid,
      url: `/v2/resource_instances/${instance.guid}`,
      crn: instance.crn,
      name: instance.name,
      region_id: 'global',
      account_id: fake.accountId,
      resource_group_id: instance.resourceGroupId,
      resource_id: 'dff97f5c-bc5e-4455-b470-411c3edbe49c',
      state: 'active',
      type: 'service_instance',
      allow_cleanup: false,
      locked: false,
    })),
  });
}
