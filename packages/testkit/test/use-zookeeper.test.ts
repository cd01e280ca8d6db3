import test from 'ava';
import { fourLetterWord } from '../src/four-letter-word.js';
import { useZooKeeper } from '../src/use-zookeeper.js';

const zk = useZooKeeper(test, { tickTimeMs: 200, maxSessionTimeoutMs: 1000 });
const early = (() => {
  try {
    zk();
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
})();

test('starts the server before the tests run', async (t) => {
  t.is(await fourLetterWord(zk().port, 'ruok'), 'imok');
  t.regex(await fourLetterWord(zk().port, 'conf'), /^maxSessionTimeout=1000$/m);
});

test('the getter explains itself when called before the server is started', (t) => {
  t.regex(early, /not started/);
});
