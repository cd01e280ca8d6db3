import type { UsageErrorClass } from './count-rules.js';
import type { CountedFakeMethods } from './counted-fake.js';

/**
 * A fake's control API as calls of its handle: `METHOD path` (below `/_fake/`) to what answers
 * it, given the request's JSON body. An answer of `undefined` is sent as 204.
 */
export type ControlCalls = Readonly<Record<string, (body: unknown) => unknown>>;

/** The control calls of `CountedFakeMethods`, and `GET state`. */
export function countedFakeControlCalls<Settings, Patch, Fault, BootFailure>(handle: CountedFakeMethods<Settings, Patch, Fault, BootFailure> & { state(): unknown }): ControlCalls {
  return {
    'GET calls': () => handle.calls(),
    'DELETE calls': () => handle.resetCalls(),
    'GET calls/log': () => handle.callLog(),
    'GET settings': () => handle.settings(),
    'POST settings': (body) => handle.configure(body as Patch),
    'POST faults': (body) => handle.injectFault(body as Fault),
    'POST boot-failures': (body) => handle.failBoots(body as BootFailure),
    'DELETE faults': () => handle.clearFaults(),
    'GET state': () => handle.state(),
    'POST reset': () => handle.reset(),
  };
}

/** Answers `METHOD path` from `calls`; an unknown one throws `usageError` (the control API's 400). */
export function callControl(calls: ControlCalls, method: string, path: string, body: unknown, usageError: UsageErrorClass): unknown {
  const route = `${method} ${path}`;
  const call = Object.hasOwn(calls, route) ? calls[route] : undefined;
  if (!call) throw new usageError(`no control endpoint ${route}`);
  return call(body);
}
