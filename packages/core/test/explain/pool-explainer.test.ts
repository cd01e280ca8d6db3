import test from 'ava';
import { declineCode, EXPLAIN_CODES, ExplainBoard, PoolExplainer, type ExplainCode } from '@nodepool/core';

const pool = { id: 'nl01-PoolWorker.cloud-main-1', providerName: 'cloud', poolName: 'main' };
const NOW = 1_800_000_000_000;

test('each decline reason the pool worker writes has its code', (t) => {
  t.is(declineCode('node type(s) [ubuntu,debian] not available'), 'declined.no-such-label');
  t.is(declineCode('images are not available'), 'declined.image-not-ready');
  t.is(declineCode('it would exceed quota'), 'declined.exceeds-pool-limits');
  t.is(declineCode('provider cannot satisfy min-ready'), 'declined.min-ready-unsatisfiable');
  t.is(declineCode('nodes failed to launch'), 'declined.launch-failed');
  t.is(declineCode('error while handling: Error: boom'), 'declined.error');
  t.is(declineCode('this pool only hands out existing nodes'), 'declined.by-driver');
});

test('every reason code is worded with its figures', (t) => {
  const board = new ExplainBoard({ clock: () => NOW });
  const explainer = new PoolExplainer(board, pool);
  const breaker = { provider: 'cloud', state: 'open' as const, consecutiveFailures: 5, threshold: 5, nextProbeAt: NOW + 30_000, probeIntervalMs: 30_000, timesOpened: 1 };
  const cases: [string, () => void, ExplainCode, string][] = [
    ['r01', () => explainer.notServed('r01', ['ubuntu', 'ubuntu']), 'not-served.no-such-label', 'not served here: pool main has no label ubuntu; left to pools that have'],
    ['r02', () => explainer.notServed('r02', [], 'pool other/main (priority 1)'), 'not-served.other-pool-preferred', 'left to pool other/main (priority 1), which comes first'],
    ['r03', () => explainer.declined('r03', ['node type(s) [gpu] not available']), 'declined.no-such-label', 'declined: node type(s) [gpu] not available'],
    ['r04', () => explainer.declined('r04', ['images are not available']), 'declined.image-not-ready', 'declined: images are not available'],
    ['r05', () => explainer.declined('r05', ['it would exceed quota']), 'declined.exceeds-pool-limits', 'declined: it would exceed quota'],
    ['r06', () => explainer.declined('r06', ['provider cannot satisfy min-ready']), 'declined.min-ready-unsatisfiable', 'declined: provider cannot satisfy min-ready'],
    ['r07', () => explainer.declined('r07', ['no AZ has room']), 'declined.by-driver', 'declined: no AZ has room'],
    ['r08', () => explainer.declined('r08', ['nodes failed to launch']), 'declined.launch-failed', 'declined: nodes failed to launch'],
    ['r09', () => explainer.declined('r09', ['error while handling: Error: boom']), 'declined.error', 'declined: error while handling: Error: boom'],
    ['r10', () => explainer.atQuota('r10', 'small', 'pool main (max-servers 10)', '10/10 servers, 48/48 cores'), 'waiting.at-quota', 'waiting for quota for a small node: pool main (max-servers 10) at 10/10 servers, 48/48 cores'],
    ['r11', () => explainer.tenantQuota('r11', 'acme'), 'waiting.tenant-quota', 'waiting: tenant acme is at its resource limits'],
    ['r12', () => explainer.pausedBehind(['r10', 'r12'], 'r10'), 'waiting.paused-behind', 'waiting: the pool is paused behind request r10'],
    ['r13', () => explainer.maxConcurrency(['r13'], 4, 4), 'waiting.max-concurrency', 'waiting: max-concurrency reached, 4 of 4 requests in progress in provider cloud'],
    ['r14', () => explainer.providerUnhealthy(['r14'], breaker, NOW), 'waiting.provider-unhealthy', 'waiting: provider cloud is unhealthy (circuit breaker open after 5 failures in a row; next probe in 30 s); other providers may take it'],
    ['r15', () => explainer.freeNode('r15', 'localhost'), 'waiting.free-node', 'waiting for a free localhost node'],
    ['r16', () => explainer.launching('r16', '0000000042', 'small', { attempt: 2, attempts: 3, state: 'waiting for server' }), 'launching.node', 'launching node 0000000042 (small) (attempt 2 of 3, state "waiting for server")'],
    ['r17', () => explainer.reused('r17', '0000000007', 'small'), 'launching.reused', 'took ready node 0000000007 (small)'],
    ['r18', () => explainer.fulfilled('r18', ['0000000042', '0000000043']), 'fulfilled', 'fulfilled with nodes 0000000042, 0000000043'],
  ];
  for (const [id, act, code, text] of cases) {
    act();
    t.like(board.decisions(id)[0], { code, text }, id);
  }
  t.is(board.decisions('r10')[0]!.code, 'waiting.at-quota', 'the blocker is not paused behind itself');
  t.deepEqual(new Set(cases.map(([, , code]) => code)), new Set(EXPLAIN_CODES), 'every code is covered');
  explainer.stop();
  t.deepEqual(board.requestIds(), []);
});

test('without a board the explainer does nothing', (t) => {
  t.notThrows(() => new PoolExplainer(undefined, pool).atQuota('r1', 'small', 'pool main', '1/1 servers'));
});
