import test from 'ava';
import { EXPLAIN_CODES, ExplainBoard, phaseOf, QuotaInformation, quotaFigures } from '@nodepool/core';

const pool = { id: 'nl01-PoolWorker.cloud-main-1', providerName: 'cloud', poolName: 'main' };
const other = { id: 'nl01-PoolWorker.other-main-2', providerName: 'other', poolName: 'main' };

function fakeClock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

test('a pool worker’s latest decision is kept with the time of each change', (t) => {
  const clock = fakeClock();
  const board = new ExplainBoard({ clock: clock.now });
  board.note(pool, '200-0000000001', 'waiting.at-quota', 'at quota: 10/10 servers');
  clock.advance(1000);
  board.note(pool, '200-0000000001', 'waiting.at-quota', 'at quota: 10/10 servers');
  t.is(board.decisions('200-0000000001')[0]!.history.length, 1, 'the same decision again is no change');
  clock.advance(1000);
  board.note(pool, '200-0000000001', 'launching.node', 'launching node 0000000007 (attempt 1 of 3)');
  clock.advance(1000);
  board.note(pool, '200-0000000001', 'launching.node', 'launching node 0000000007 (attempt 2 of 3)');
  board.note(other, '200-0000000001', 'not-served.no-such-label', 'no label ubuntu here');
  const [first, second] = board.decisions('200-0000000001');
  t.like(first, { poolWorker: pool.id, provider: 'cloud', pool: 'main', code: 'launching.node', text: 'launching node 0000000007 (attempt 2 of 3)', since: clock.now() - 1000 });
  t.deepEqual(
    first!.history.map((change) => [change.code, change.at - 1_700_000_000_000]),
    [
      ['waiting.at-quota', 0],
      ['launching.node', 2000],
      ['launching.node', 3000],
    ],
  );
  t.like(second, { provider: 'other', code: 'not-served.no-such-label' });
});

test('decisions are bounded per pool and in history, and forgotten when the request goes', (t) => {
  const board = new ExplainBoard({ maxRequestsPerPool: 3, maxHistory: 2 });
  for (let i = 1; i <= 5; i++) board.note(pool, `200-000000000${i}`, 'waiting.free-node', 'waiting');
  t.deepEqual(board.requestIds(), ['200-0000000003', '200-0000000004', '200-0000000005']);
  for (const text of ['a', 'b', 'c']) board.note(pool, '200-0000000005', 'waiting.free-node', text);
  t.deepEqual(board.decisions('200-0000000005')[0]!.history.map((change) => change.text), ['b', 'c']);
  const revision = board.revision;
  board.forget('200-0000000005');
  board.prune((id) => id !== '200-0000000004');
  t.deepEqual(board.requestIds(), ['200-0000000003']);
  t.true(board.revision > revision);
  board.forgetPool(pool.id);
  t.deepEqual(board.requestIds(), []);
});

test('every code has its phase', (t) => {
  t.deepEqual([...new Set(EXPLAIN_CODES.map(phaseOf))], ['not-served', 'declined', 'waiting', 'launching', 'fulfilled']);
});

test('quota figures name what is used of each limit, the exceeded ones first', (t) => {
  const used = new QuotaInformation({ instances: 4, cores: 48, ram: 1024 });
  const needed = new QuotaInformation({ instances: 1, cores: 8, ram: 512 });
  const limits = new QuotaInformation({ instances: 10, cores: 48 }, Infinity);
  t.is(quotaFigures(used, needed, limits), '48/48 cores, 4/10 servers');
});
