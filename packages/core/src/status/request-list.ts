import { columns, row, type StatusListing } from './status-listing.js';
import type { StatusSource } from './status-source.js';

export const REQUEST_LIST_COLUMNS = columns(
  ['id', 'Request ID'],
  ['relative_priority', 'Priority'],
  ['state', 'State'],
  ['requestor', 'Requestor'],
  ['node_types', 'Node Types'],
  ['nodes', 'Nodes'],
  ['declined_by', 'Declined By'],
  ['event_id', 'Event ID'],
);

/** Node requests, sorted by ID. */
export async function requestList(source: StatusSource): Promise<StatusListing> {
  const requests = await source.requests();
  requests.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    columns: REQUEST_LIST_COLUMNS,
    rows: requests.map((request) =>
      row(REQUEST_LIST_COLUMNS, [
        request.id,
        request.relativePriority,
        request.state,
        request.requestor,
        request.nodeTypes,
        request.nodes,
        request.declinedBy,
        request.eventId,
      ]),
    ),
  };
}
