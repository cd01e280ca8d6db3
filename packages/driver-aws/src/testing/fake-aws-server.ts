import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { answerControl, commonControlRoutes, jsonReply, readRequestBody, sendReply, type ControlRoutes } from '@nodepool/core/testing';
import { AwsApiError } from './aws-api-error.js';
import { EC2_NAMESPACE, ec2RateClass, runEc2Action } from './ec2-api.js';
import type { FakeAws, FakeAwsRateClass } from './fake-aws.js';
import { FakeAwsUsageError } from './fake-aws-settings.js';
import { QueryParams, parseQueryTree } from './query-params.js';
import { QUOTAS_TARGET_PREFIX, runQuotasOperation } from './quotas-api.js';
import { runS3Operation, s3ErrorReply, s3Operation, type HttpReply } from './s3-api.js';
import { readSigV4, type SigV4Result } from './sigv4.js';
import { buildXml } from './xml.js';

/** Bodies beyond this are refused (S3's own single-PUT limit is 5 GiB; the fake keeps bytes in memory). */
const MAX_BODY_BYTES = 2 * 1024 ** 3;

/** How one protocol answers: its error format, its throttling error, its signing name. */
interface Protocol {
  readonly signingName: string;
  readonly throttled: () => AwsApiError;
  readonly errorReply: (error: AwsApiError, requestId: string) => HttpReply;
  /** The error for a request that is unsigned, badly signed, or signed for another scope. */
  readonly authError: (reason: string, missing: boolean) => AwsApiError;
}

const EC2: Protocol = {
  signingName: 'ec2',
  throttled: () => new AwsApiError('RequestLimitExceeded', 'Request limit exceeded.', 503),
  errorReply: (error, requestId) => ({
    status: error.status,
    headers: { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': requestId },
    body: buildXml('Response', { Errors: { Error: { Code: error.code, Message: error.message } }, RequestID: requestId }),
  }),
  authError: (reason) => new AwsApiError('AuthFailure', `AWS was not able to validate the provided access credentials (${reason}).`, 401),
};

const QUOTAS: Protocol = {
  signingName: 'servicequotas',
  throttled: () => new AwsApiError('ThrottlingException', 'Rate exceeded'),
  errorReply: (error, requestId) => ({
    status: error.status,
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  }),
  authError: (reason, missing) =>
    missing ? new AwsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403) : new AwsApiError('InvalidSignatureException', `The request signature is not valid: ${reason}.`, 403),
};

function s3Protocol(method: string, resource: string): Protocol {
  return {
    signingName: 's3',
    throttled: () => new AwsApiError('SlowDown', 'Please reduce your request rate.', 503),
    errorReply: (error, requestId) => s3ErrorReply(error, method, resource, requestId),
    authError: (reason, missing) => (missing ? new AwsApiError('AccessDenied', 'Access Denied', 403) : new AwsApiError('AuthorizationHeaderMalformed', `The authorization header is malformed; ${reason}.`, 400)),
  };
}

/**
 * An HTTP server (not yet listening) answering EC2 (query protocol), S3 (REST, path style) and
 * Service Quotas (JSON 1.1) from `fake`, and the fake's control plane under `/_fake` (JSON).
 * A request is told apart by its shape: an `X-Amz-Target` header is Service Quotas, a
 * form-encoded `POST /` is EC2, anything else is S3.
 */
export function createFakeAwsServer(fake: FakeAws): Server {
  const routes = controlRoutes(fake);
  return createServer((request, response) => {
    handle(fake, routes, request).then(
      (reply) => sendReply(response, reply),
      (error: unknown) => sendReply(response, { status: 500, headers: { 'Content-Type': 'text/plain' }, body: `fake AWS failed: ${String(error)}` }),
    );
  });
}

async function handle(fake: FakeAws, routes: ControlRoutes, request: IncomingMessage): Promise<HttpReply> {
  // Read first, whatever the outcome, so the connection stays usable for the next request.
  const { body, tooLarge } = await readRequestBody(request, MAX_BODY_BYTES);
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://fake-aws');
  if (url.pathname === '/_fake' || url.pathname.startsWith('/_fake/')) return answerControl(method, url.pathname, body, routes, badControlRequest);
  const auth = readSigV4(request.headers, url.searchParams);
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.startsWith(QUOTAS_TARGET_PREFIX) ? target.slice(QUOTAS_TARGET_PREFIX.length) : target;
    return serve(fake, QUOTAS, operation, 'quotas', auth, () => {
      if (!target.startsWith(QUOTAS_TARGET_PREFIX)) throw new AwsApiError('UnknownOperationException', `Unknown target ${target}`);
      let input: unknown = {};
      if (body.length > 0) {
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AwsApiError('SerializationException', 'The request body is not valid JSON.');
        }
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new AwsApiError('SerializationException', 'The request body must be a JSON object.');
      const output = runQuotasOperation(operation, input as Record<string, unknown>, fake.settings());
      return { status: 200, headers: { 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify(output) };
    });
  }
  const contentType = request.headers['content-type'] ?? '';
  if (method === 'POST' && url.pathname === '/' && contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = new QueryParams(parseQueryTree(body.toString('utf8')));
    const action = params.string('Action');
    if (action === undefined) return EC2.errorReply(new AwsApiError('MissingAction', 'The request must contain the parameter Action'), randomUUID());
    return serve(fake, EC2, action, ec2RateClass(action), auth, (requestId) => {
      const version = params.string('Version');
      if (version !== undefined && version !== '2016-11-15') throw new AwsApiError('InvalidParameterValue', `Invalid API version '${version}'; this fake speaks 2016-11-15.`);
      const settings = fake.settings();
      const result = runEc2Action(action, params, { model: fake.ec2, settings });
      return {
        status: 200,
        headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
        body: buildXml(`${action}Response`, { '@_xmlns': EC2_NAMESPACE, requestId, ...result }),
      };
    });
  }
  const op = s3Operation(method, url.pathname, url.searchParams);
  return serve(fake, s3Protocol(method, url.pathname), op.name, 's3', auth, () => {
    if (tooLarge) throw new AwsApiError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size of this fake.', 400);
    return runS3Operation(op, { method, query: url.searchParams, headers: request.headers, body }, fake.s3, fake.settings());
  });
}

/** The path every API call takes: signature scope, throttle and counter, latency, injected failure, the call. */
async function serve(fake: FakeAws, protocol: Protocol, action: string, rateClass: FakeAwsRateClass, auth: SigV4Result, run: (requestId: string) => HttpReply): Promise<HttpReply> {
  const requestId = randomUUID();
  const answer = (reply: HttpReply): HttpReply => ({ ...reply, headers: { 'x-amzn-RequestId': requestId, 'x-amz-request-id': requestId, ...reply.headers } });
  const { region } = fake.settings();
  let authError: AwsApiError | undefined;
  if (!auth.ok) authError = protocol.authError(auth.reason, auth.missing);
  else if (auth.scope.region !== region) authError = protocol.authError(`the region '${auth.scope.region}' is wrong; expecting '${region}'`, false);
  else if (auth.scope.service !== protocol.signingName) authError = protocol.authError(`the service '${auth.scope.service}' is wrong; expecting '${protocol.signingName}'`, false);
  if (authError) {
    fake.countFailure(action);
    return answer(protocol.errorReply(authError, requestId));
  }
  if (!fake.admit(action, rateClass)) return answer(protocol.errorReply(protocol.throttled(), requestId));
  const latency = fake.latencyFor(action);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  try {
    const injected = fake.takeInjectedFailure(action);
    if (injected) throw injected;
    return answer(run(requestId));
  } catch (error) {
    fake.countFailure(action);
    const failure = error instanceof AwsApiError ? error : new AwsApiError('InternalError', `The fake failed: ${error instanceof Error ? error.stack : String(error)}`, 500);
    return answer(protocol.errorReply(failure, requestId));
  }
}

// ---- control plane ------------------------------------------------------------------------------

function controlRoutes(fake: FakeAws): ControlRoutes {
  return {
    'GET /_fake': () => jsonReply({ name: 'nodepool-fake-aws', about: 'A fake AWS (EC2, S3, Service Quotas) for Nodepool tests and benchmarks. Not AWS.', settings: fake.settings() }),
    ...commonControlRoutes('/_fake', fake),
    'GET /_fake/failures': () => jsonReply(fake.failures()),
    'POST /_fake/failures': (input) => jsonReply(fake.injectFailure(input as never), 201),
    'DELETE /_fake/failures': () => {
      fake.clearFailures();
      return { status: 204 };
    },
    'POST /_fake/instances': (input) => jsonReply(fake.addInstance((input ?? {}) as never), 201),
    'POST /_fake/volumes': (input) => jsonReply(fake.addVolume((input ?? {}) as never), 201),
    'POST /_fake/images': (input) => jsonReply(fake.addImage(input as never), 201),
    'POST /_fake/snapshots': (input) => jsonReply(fake.addSnapshot((input ?? {}) as never), 201),
    'POST /_fake/hosts': (input) => jsonReply(fake.addHost(input as never), 201),
    'POST /_fake/objects': (input) => {
      const request = (input ?? {}) as { bodyBase64?: unknown; body?: unknown };
      if (request.bodyBase64 !== undefined && typeof request.bodyBase64 !== 'string') throw new FakeAwsUsageError('bodyBase64 must be a string');
      const bytes = typeof request.bodyBase64 === 'string' ? Buffer.from(request.bodyBase64, 'base64') : request.body;
      return jsonReply(fake.addObject({ ...(input as object), body: bytes } as never), 201);
    },
    'POST /_fake/terminate': (input) => {
      const request = (input ?? {}) as { instanceIds?: unknown; reason?: unknown };
      if (!Array.isArray(request.instanceIds) || !request.instanceIds.every((id) => typeof id === 'string')) throw new FakeAwsUsageError('instanceIds must be a list of instance IDs');
      return jsonReply(fake.terminateInstances(request.instanceIds as string[], request.reason as never));
    },
  };
}

/** Why a control request is refused with 400, if it is. */
function badControlRequest(error: unknown): { code: string; message: string } | undefined {
  // A direct request can break the cloud's own rules too (a bucket name S3 would refuse).
  if (error instanceof AwsApiError) return { code: error.code, message: error.message };
  if (error instanceof FakeAwsUsageError || error instanceof TypeError) return { code: 'BadRequest', message: error.message };
  return undefined;
}
