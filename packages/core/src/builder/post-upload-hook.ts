import { execFile } from 'node:child_process';

/**
 * Runs `post-upload-hook` as `<hook> <provider> <cloud image ID> <file>`. Resolves with its exit
 * code and output; rejects (output included) when it fails, which fails the upload.
 */
export function runPostUploadHook(hook: string, args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(hook, [...args], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const code = typeof error.code === 'number' ? error.code : String(error.code ?? error.message);
        reject(new Error(`post upload hook failed with exit code ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`, { cause: error }));
        return;
      }
      resolve({ exitCode: 0, stdout, stderr });
    });
  });
}
