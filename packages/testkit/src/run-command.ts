import { execFile } from 'node:child_process';

/** What a finished command printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** A command that could not be run or exited with a non-zero status; its output is kept for the message. */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(`\`${command}\` ${exitCode === null ? 'could not be run' : `exited with code ${exitCode}`}${output ? `:\n${tail(output, 20)}` : ''}`, options);
  }
}

/**
 * Runs a command to completion without a shell and resolves with its output.
 *
 * @throws CommandError when it cannot be started (e.g. not installed) or exits non-zero.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<CommandOutput> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        // A string code (ENOENT, ...) means it never ran; the error says why.
        const code = typeof error.code === 'number' ? error.code : null;
        const output = code === null ? error.message : `${stdout}${stderr}`.trim();
        reject(new CommandError(command, code, output, { cause: error }));
      },
    );
    child.stdin?.end(options.input);
  });
}

/** The last `lines` lines of `text`. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
