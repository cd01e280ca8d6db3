import type { Logger } from '../log.js';
import { pythonStr } from '../status/python-format.js';
import { pythonFormat } from '../status/python-str-format.js';
import type { NodeRequest } from '../zk/index.js';

/**
 * What a node's request offers label templates (`dynamic-tags`,
 * `dynamic-instance-properties`, …) as `{request.<name>}`: the original's
 * `NodeRequest.getSafeAttributes()`.
 */
export function requestAttributes(request: NodeRequest): Record<string, unknown> {
  return {
    id: request.id,
    labels: request.nodeTypes,
    requestor: request.requestor,
    requestor_data: request.requestorData,
    relative_priority: request.relativePriority,
    event_id: request.eventId,
    created_time: request.createdTime,
    tenant_name: request.tenantName,
  };
}

/**
 * A label's templated cloud metadata formatted from the request with Python's `str.format`, as
 * 9.0.0 does for `dynamic-tags` and `dynamic-instance-properties`. A template that does not
 * format is logged and left out, as the original does, rather than failing the launch. `what`
 * names an entry in that log line ("dynamic tag", "dynamic instance property").
 */
export function formatRequestTemplates(
  templates: Readonly<Record<string, unknown>>,
  request: NodeRequest,
  log: Logger,
  what = 'dynamic tag',
): Record<string, string> {
  const formatted: Record<string, string> = {};
  const names = { request: requestAttributes(request) };
  for (const [key, template] of Object.entries(templates)) {
    try {
      formatted[key] = pythonFormat(pythonStr(template), names);
    } catch (error) {
      log.warn(`could not format a ${what}; leaving it out`, { key, template, error: String(error) });
    }
  }
  return formatted;
}
