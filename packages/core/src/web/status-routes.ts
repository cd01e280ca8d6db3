import { dibImageList } from '../status/dib-image-list.js';
import { imageList } from '../status/image-list.js';
import { imageStatus } from '../status/image-status.js';
import { labelList } from '../status/label-list.js';
import { nodeList } from '../status/node-list.js';
import { requestList } from '../status/request-list.js';
import type { StatusListing } from '../status/status-listing.js';
import type { StatusSource } from '../status/status-source.js';

/** A query parameter value the endpoint cannot use (answered with 400). */
export class BadQueryError extends Error {
  override name = 'BadQueryError';
}

/** The last value of each query parameter, as the original (WebOb) reads `params.get`. */
export type QueryParams = ReadonlyMap<string, string>;

/** A listing endpoint; `now` (epoch s) is what ages are measured to. */
type Listing = (source: StatusSource, params: QueryParams, now: number) => Promise<StatusListing>;

/** Node IDs are sequence numbers: ten digits, or a negative number once the counter wrapped. */
const NODE_ID = /^-?\d{1,10}$/;

/** The listing endpoints, by exact path. */
export const STATUS_ROUTES: ReadonlyMap<string, Listing> = new Map<string, Listing>([
  ['/image-list', (source) => imageList(source)],
  ['/dib-image-list', (source) => dibImageList(source)],
  ['/image-status', (source) => imageStatus(source)],
  [
    '/node-list',
    (source, params, now) => {
      const nodeId = params.get('node_id');
      if (nodeId && !NODE_ID.test(nodeId)) throw new BadQueryError(`node_id ${JSON.stringify(nodeId)} is not a node ID (a sequence number such as 0000000042)`);
      return nodeList(source, { nodeId: nodeId || undefined, now });
    },
  ],
  ['/request-list', (source) => requestList(source)],
  ['/label-list', (source) => labelList(source)],
]);
