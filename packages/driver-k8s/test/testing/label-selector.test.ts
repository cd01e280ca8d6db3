import test from 'ava';
import { matchesLabels, parseLabelSelector } from '../../src/testing/label-selector.js';

const selects = (selector: string, labels: Record<string, string>) => matchesLabels(parseLabelSelector(selector), labels);

test('equality, inequality and existence requirements match as the API server matches them', (t) => {
  t.true(selects('app=web', { app: 'web' }));
  t.true(selects('app==web', { app: 'web', tier: 'x' }));
  t.false(selects('app=web', { app: 'db' }));
  t.false(selects('app=web', {}));
  t.true(selects('app!=web', {}), 'an absent key is not equal');
  t.false(selects('app!=web', { app: 'web' }));
  t.true(selects('app', { app: '' }));
  t.false(selects('!app', { app: 'web' }));
  t.true(selects('', { anything: 'goes' }), 'an empty selector selects everything');
});

test('set requirements, several at once, and prefixed keys', (t) => {
  t.true(selects('tier in (front, back)', { tier: 'back' }));
  t.false(selects('tier in (front,back)', {}));
  t.true(selects('tier notin (front)', {}));
  t.true(selects('app in (web,db),tier!=front,nodepool.example/owner', { app: 'db', 'nodepool.example/owner': 'me' }));
  t.false(selects('app in (web,db),tier!=front', { app: 'web', tier: 'front' }));
  t.true(selects('replicas>2', { replicas: '3' }));
  t.false(selects('replicas<2', { replicas: 'x' }));
});

test('a malformed selector is a 400 BadRequest', (t) => {
  for (const bad of ['app in (web', 'app web', 'Bad Key=1', 'a=b c', 'app=-web-', 'n>x']) {
    const error = t.throws(() => parseLabelSelector(bad), undefined, bad) as { code?: number; reason?: string };
    t.is(error.code, 400, bad);
    t.is(error.reason, 'BadRequest', bad);
  }
});
