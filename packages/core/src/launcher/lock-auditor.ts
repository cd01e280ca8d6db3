import type { LauncherContext } from './launcher-context.js';
import { Periodic } from './periodic.js';

/**
 * Runs the lock audit (NodepoolZooKeeper.auditLocks) after every resumed session — when a lost
 * reply may have left a contender nobody knows — and at the cleanup worker's pace. Strays are
 * deleted on their second sighting, so an audit that saw suspects is followed by another soon.
 *
 * Differs from Nodepool: the original has no such check; a stray contender of a live session
 * locks its node or request until the launcher restarts.
 */
export class LockAuditor {
  private readonly periodic: Periodic;
  private followUp: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly onResumed = (): void => this.periodic.trigger();

  constructor(private readonly context: LauncherContext) {
    this.periodic = new Periodic(context.timings.cleanupIntervalMs, () => this.audit(), (error) =>
      context.log.error('lock audit failed', { error: String(error) }),
    );
  }

  start(): void {
    this.context.zk.client.on('reconnected', this.onResumed);
    this.periodic.start(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.context.zk.client.off('reconnected', this.onResumed);
    clearTimeout(this.followUp);
    await this.periodic.stop();
  }

  private async audit(): Promise<void> {
    const report = await this.context.zk.auditLocks();
    if (report.suspects.length === 0 || this.stopped) return;
    clearTimeout(this.followUp);
    this.followUp = setTimeout(() => this.periodic.trigger(), this.context.timings.lockAuditFollowUpMs);
  }
}
