import { K8sLaunchError, KubeApiError } from './errors.js';
import type { WatchEvent } from './client/kube-client.js';

/** How to follow one object: read it, and (if the API allows) watch it. */
export interface ObjectSource<T> {
  /** Reads the object; rejects with a 404 KubeApiError when it does not exist. */
  read(): Promise<T>;
  /**
   * Watches the object from `resourceVersion` for up to `timeoutS`; resolves when the watch ends.
   * Absent: the object is polled.
   */
  watch?(resourceVersion: string | undefined, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal, timeoutS: number): Promise<void>;
  resourceVersion(object: T): string | undefined;
}

export interface WaitOptions<T> {
  /** The object as last seen (a create call's answer), to start from without reading it. */
  readonly initial?: T;
  /** Done when this says so; `undefined` is the object gone. Throw to give up (a failed pod). */
  until(object: T | undefined): boolean;
  readonly timeoutMs: number;
  /** Polling interval when the object cannot be watched; default 1 s (9.0.0's). */
  readonly pollMs?: number;
  readonly signal: AbortSignal;
  /** The error when time runs out, given the object as last seen. */
  timeoutError(object: T | undefined): Error;
}

/**
 * Waits for an object to reach a state (or to be gone): one read, then a watch from that read's
 * resourceVersion, so the change is seen as it happens with one API call instead of one per
 * second. A watch the server ends early is resumed after a fresh read; one the API refuses
 * (forbidden, not served, 410) falls back to polling, as 9.0.0 always does.
 */
export async function waitForObject<T>(source: ObjectSource<T>, options: WaitOptions<T>): Promise<T | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  const readOrGone = async (): Promise<T | undefined> => {
    try {
      return await source.read();
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return undefined;
      throw error;
    }
  };
  let current = 'initial' in options && options.initial !== undefined ? options.initial : await readOrGone();
  if (options.until(current)) return current;
  let watching = source.watch !== undefined;
  while (Date.now() < deadline) {
    options.signal.throwIfAborted();
    if (watching && current !== undefined) {
      try {
        const outcome = await watchOnce(source, current, options, deadline);
        if (outcome.done) return outcome.object;
      } catch (error) {
        if (error instanceof K8sLaunchError || options.signal.aborted) throw error;
        // 410: the history moved on; read again and watch from there. Anything else (forbidden,
        // not served): poll instead, as 9.0.0 always does.
        if (!(error instanceof KubeApiError && error.code === 410)) watching = false;
      }
    } else {
      await sleep(Math.min(options.pollMs ?? 1_000, Math.max(0, deadline - Date.now())), options.signal);
    }
    current = await readOrGone();
    if (options.until(current)) return current;
  }
  throw options.timeoutError(current);
}

async function watchOnce<T>(source: ObjectSource<T>, from: T, options: WaitOptions<T>, deadline: number): Promise<{ done: boolean; object?: T | undefined }> {
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  let done = false;
  let object: T | undefined;
  let failure: unknown;
  const timer = setTimeout(() => stop.abort(), Math.max(0, deadline - Date.now()));
  try {
    await source.watch!(
      source.resourceVersion(from),
      (event) => {
        if (done || failure) return;
        if (event.type === 'ERROR') {
          failure = new KubeApiError((event.object as { code?: number }).code ?? 500, undefined, 'the watch failed');
          stop.abort();
          return;
        }
        if (event.type === 'BOOKMARK') return;
        const seen = event.type === 'DELETED' ? undefined : event.object;
        try {
          if (options.until(seen)) {
            done = true;
            object = seen;
            stop.abort();
          }
        } catch (error) {
          failure = error;
          stop.abort();
        }
      },
      signal,
      Math.max(1, Math.ceil((deadline - Date.now()) / 1000)),
    );
  } finally {
    clearTimeout(timer);
  }
  if (failure) throw failure;
  return { done, object };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
