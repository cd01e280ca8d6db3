import type { Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';

/** Where a fake cloud's HTTP server listens. */
export interface FakeCloudAddress {
  /** `http://host:port` (`https` for a TLS server), an IPv6 host in brackets. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/**
 * Starts `server` listening on `host` (default loopback) and `port` (default 0: a free one), for
 * a fake cloud kept with a driver. Rejects if the address is taken. `scheme` is the URL's
 * (`https` for a TLS server).
 */
export async function listenOnLoopback(
  server: NetServer,
  options: { host?: string | undefined; port?: number | undefined; scheme?: 'http' | 'https' } = {},
): Promise<FakeCloudAddress> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { url: `${options.scheme ?? 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`, host, port };
}

/**
 * Stops `server`: closes every connection to it (kept-alive ones too) and resolves once it is
 * closed; stopping it again resolves too.
 */
export function closeServer(server: Pick<Server, 'close' | 'closeAllConnections'>): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Thrown by a fake cloud command's option reader: printed with the usage, exit code 2. */
export class FakeCloudUsageError extends Error {
  override readonly name = 'FakeCloudUsageError';
}

/** What a fake cloud's command (`nodepool-sim-cloud`, `nodepool-fake-aws`) is made of. */
export interface FakeCloudCommand<Options, Handle extends { stop(): Promise<void> }> {
  /** The `--help` text. */
  readonly usage: string;
  /** What it is, for the stop message: "the simulated cloud". */
  readonly what: string;
  /** The options from the command line, or 'help'; throws FakeCloudUsageError for bad ones. */
  readOptions(argv: string[]): Options | 'help';
  start(options: Options): Promise<Handle>;
  /** The banner printed once it listens. */
  describe(handle: Handle): string;
}

/**
 * Runs a fake cloud in the foreground until SIGINT or SIGTERM, then exits: 0 after a clean
 * stop, 2 for bad options (printed with the usage), 1 for anything else.
 */
export function runFakeCloudCommand<Options, Handle extends { stop(): Promise<void> }>(
  command: FakeCloudCommand<Options, Handle>,
  argv: string[] = process.argv.slice(2),
): void {
  exitWith(serve(command, argv));
}

async function serve<Options, Handle extends { stop(): Promise<void> }>(command: FakeCloudCommand<Options, Handle>, argv: string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = command.readOptions(argv);
  } catch (error) {
    if (!(error instanceof FakeCloudUsageError)) throw error;
    console.error(`${error.message}\n\n${command.usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(command.usage);
    return 0;
  }
  const handle = await command.start(options);
  console.log(command.describe(handle));
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      console.log(`\n${signal}: stopping ${command.what}`);
      handle.stop().then(
        () => resolve(0),
        (error: unknown) => {
          console.error(error);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function exitWith(code: Promise<number>): void {
  code.then(
    (value) => process.exit(value),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

/** The control client of a fake whose handle offers `Methods`: each of them over HTTP, answering a promise. */
export type RemoteControl<Methods> = {
  [K in keyof Methods]: Methods[K] extends (...args: infer Args) => infer Result ? (...args: Args) => Promise<Awaited<Result>> : never;
};

/** One call to a fake cloud's control API: JSON in, JSON out. */
export type ControlApiCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * Calls the control API under `<url>/<prefix>/` of a fake cloud named `what` ("fake AWS"). A
 * failure throws an Error with the method, path, HTTP status and the body's `error.message`.
 */
export function controlApiCaller(url: string, prefix: string, what: string): ControlApiCall {
  const base = url.replace(/\/+$/, '');
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/${prefix}/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const message = (data as { error?: { message?: string } } | undefined)?.error?.message ?? text;
      throw new Error(`${what} ${method} /${prefix}/${path} failed with HTTP ${response.status}: ${message}`);
    }
    return data as T;
  };
}
