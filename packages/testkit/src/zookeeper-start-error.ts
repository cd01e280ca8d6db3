/** A local ZooKeeper server that did not come up; the message ends with the tail of its log. */
export class ZooKeeperStartError extends Error {
  override readonly name = 'ZooKeeperStartError';

  constructor(
    message: string,
    /** The server's log file, kept for a closer look. */
    readonly logFile: string,
    /** The last lines of that log. */
    readonly logTail: string,
    options?: ErrorOptions,
  ) {
    super(`${message}\nLast lines of ${logFile}:\n${logTail || '(empty)'}`, options);
  }

  /** Whether the server failed because a port was taken (worth retrying with other ports). */
  get portInUse(): boolean {
    return /Address already in use|BindException/.test(this.logTail);
  }
}
