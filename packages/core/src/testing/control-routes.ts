import { jsonReply, type FakeHttpReply } from './fake-http.js';

/**
 * A fake cloud's control API (`/_fake/…`, JSON, no authentication) as a table: `METHOD /path`
 * (no trailing slash) to what it answers, given the request's JSON body (`undefined` when empty).
 */
export type ControlRoutes = Readonly<Record<string, (input: unknown) => FakeHttpReply>>;

/** What every fake keeps and its control API offers: counters, settings, state, reset. */
export interface ControlledFake {
  calls(): unknown;
  resetCalls(): unknown;
  callLog(): unknown;
  settings(): unknown;
  configure(patch: unknown): unknown;
  state(): unknown;
  reset(): void;
}

/**
 * The routes every fake's control API has, under `prefix` (`/_fake`): `GET calls`, `DELETE calls`
 * (answers what they were), `GET calls/log`, `GET` and `POST settings`, `GET state`, `POST reset`.
 */
export function commonControlRoutes(prefix: string, fake: ControlledFake): ControlRoutes {
  return {
    [`GET ${prefix}/calls`]: () => jsonReply(fake.calls()),
    [`DELETE ${prefix}/calls`]: () => jsonReply(fake.resetCalls()),
    [`GET ${prefix}/calls/log`]: () => jsonReply(fake.callLog()),
    [`GET ${prefix}/settings`]: () => jsonReply(fake.settings()),
    [`POST ${prefix}/settings`]: (input) => jsonReply(fake.configure(input ?? {})),
    [`GET ${prefix}/state`]: () => jsonReply(fake.state()),
    [`POST ${prefix}/reset`]: () => {
      fake.reset();
      return { status: 204 };
    },
  };
}

/**
 * Answers a control request from `routes`: 400 for a body that is not JSON, 404 for an unknown
 * route, and 400 with `{error: {code, message}}` for an error `badRequest` names (a bad rule, a
 * request the cloud's own rules refuse); any other error is thrown.
 */
export function answerControl(
  method: string,
  pathname: string,
  body: Buffer,
  routes: ControlRoutes,
  badRequest: (error: unknown) => { code: string; message: string } | undefined,
): FakeHttpReply {
  let input: unknown;
  if (body.length > 0) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return jsonReply({ error: { code: 'BadRequest', message: 'the request body is not valid JSON' } }, 400);
    }
  }
  const route = `${method} ${pathname.replace(/\/+$/, '')}`;
  const answer = Object.hasOwn(routes, route) ? routes[route] : undefined;
  if (!answer) return jsonReply({ error: { code: 'UnknownRoute', message: `no such control route: ${route}` } }, 404);
  try {
    return answer(input);
  } catch (error) {
    const refusal = badRequest(error);
    if (refusal) return jsonReply({ error: refusal }, 400);
    throw error;
  }
}
