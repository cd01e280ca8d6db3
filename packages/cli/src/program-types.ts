import { createInterface } from 'node:readline/promises';

/** What the program prints and where, and how it asks; swapped in tests. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** Asks a question on the terminal and resolves with the answer (empty at end of input). */
  ask?(question: string): Promise<string>;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  ask: async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await new Promise<string>((resolve) => {
        prompt.once('close', () => resolve(''));
        void prompt.question(question).then(resolve, () => resolve(''));
      });
    } finally {
      prompt.close();
    }
  },
};

/** Global options, as the original's argparse defines them. */
export interface GlobalOptions {
  config: string;
  secure?: string;
  logconfig?: string;
  debug?: boolean;
}

/** A failure to report as one line, without a stack trace. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
