import { compareText } from './dib-image-list.js';
import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const LAUNCHER_LIST_COLUMNS = columns(['name', 'Name'], ['hostname', 'Hostname'], ['state', 'State'], ['version', 'Version']);

/**
 * Registered launchers (`/nodepool/components/launcher`), by hostname then znode name. The
 * name is the registration znode (`<hostname><seq10>`); the state is the component's
 * (`initializing`, `running`, …). Not a listing of the original, which has none.
 */
export async function launcherList(source: StatusSource): Promise<StatusListing> {
  const launchers = await source.launcherComponents();
  launchers.sort((a, b) => compareText(a.hostname, b.hostname) || compareText(a.name, b.name));
  const version = (content: Record<string, unknown>): unknown => content.version ?? null;
  return {
    columns: LAUNCHER_LIST_COLUMNS,
    rows: launchers.map((launcher) => row(LAUNCHER_LIST_COLUMNS, [launcher.name, launcher.hostname, launcher.state, version(launcher.content)])),
  };
}
