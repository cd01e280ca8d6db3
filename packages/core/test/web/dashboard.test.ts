import test from 'ava';
import { access, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import {
  CachedStatusSource,
  DriverRegistry,
  ExplainBoard,
  getLogger,
  HealthBoard,
  ImageBuild,
  ImageUpload,
  Launcher,
  LauncherReportPublisher,
  NodepoolZooKeeper,
  readLauncherReports,
  WebApp,
  zooKeeperExplainSource,
  zooKeeperHealthSource,
  type WebAppOptions,
} from '@nodepool/core';
import { createFakeDriver, fastTimings, launcherCluster, submitRequest } from '@nodepool/core/testing';
import { connect } from '../zk/helpers.js';

const zk = useZooKeeper(test);

/** Git-ignored (`test-artifacts/` in .gitignore): what a failed run leaves to look at. */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
/** The README's screenshot; replaced when missing or when NODEPOOL_UPDATE_SCREENSHOTS=1. */
const DOCS_SCREENSHOT = new URL('../../../../docs/dashboard.png', import.meta.url);
/** Debian's package, installed by scripts/ensure-tools.sh; playwright never downloads one. */
const CHROMIUM = '/usr/bin/chromium';

/** The little of the browser's globals the page functions below use (tests compile without the DOM library). */
interface PageGlobals {
  document: { querySelector(selector: string): { textContent: string | null } | null };
  sameDocument?: boolean;
}

const cell = (table: string, key: string, column: string): string => `#${table}-table tr[data-key="${key}"] td[data-col="${column}"]`;

/** Waits (generously, for a loaded machine) until the cell's text is `text`; fails with what it showed instead. */
async function cellText(page: Page, selector: string, text: string | RegExp): Promise<void> {
  try {
    await page.waitForFunction(
      ([selector, source, flags]) => {
        const content = (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent ?? '';
        return flags === null ? content === source : new RegExp(source, flags).test(content);
      },
      [selector, typeof text === 'string' ? text : text.source, typeof text === 'string' ? null : text.flags] as const,
      { timeout: 20_000 },
    );
  } catch (error) {
    const shown = await page.evaluate((selector) => (globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent ?? '(no such cell)', selector);
    throw new Error(`${selector} shows ${JSON.stringify(shown)}, not ${String(text)}`, { cause: error });
  }
}

test('the dashboard follows a node from request to deletion, live, without reloading', async (t) => {
  const { driver, cloud } = createFakeDriver();
  // Launches wait for the test, so the page can be seen showing a node that is building.
  cloud.holdLaunches = true;
  const cluster = await launcherCluster(t, zk(), [driver]);
  const file = join(cluster.dir, 'nodepool.yaml');
  await writeFile(
    file,
    cluster.configText(`
labels:
  - name: small
  - name: large
    min-ready: 1
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 4
        labels:
          - name: small
          - name: large
  - name: cloud-b
    driver: fakecloud
    pools:
      - name: main
        max-servers: 2
        labels:
          - name: small
`),
  );
  const launcher = new Launcher({ configFile: file, drivers: DriverRegistry.of(driver), hostname: 'nl01.example.org', timings: fastTimings, env: {}, webapp: { port: 0, listenAddress: '127.0.0.1' } });
  t.teardown(() => launcher.stop());
  await launcher.start();
  const url = `http://127.0.0.1:${launcher.webApp!.port}/`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await mkdir(ARTIFACTS, { recursive: true });
  // Teardowns run last-registered first: this one before the browser closes, pass or fail.
  t.teardown(() => page.screenshot({ path: new URL('dashboard-last.png', ARTIFACTS).pathname, fullPage: true }).catch(() => undefined));
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A Content-Security-Policy violation is reported as a console error.
  page.on('console', (message) => void (message.type() === 'error' && problems.push(`console: ${message.text()}`)));
  let navigations = 0;
  page.on('framenavigated', (frame) => void (frame === page.mainFrame() && navigations++));

  await page.goto(url);
  await cellText(page, '#connection', 'Live');
  // Survives only as long as the document does: a reload would lose it.
  await page.evaluate(() => void ((globalThis as unknown as PageGlobals).sameDocument = true));
  await cellText(page, '#pools-table tbody tr:nth-child(2) td[data-col="provider"]', 'cloud-b');
  t.regex((await page.textContent('#launchers-table td[data-col="hostname"]')) ?? '', /^nl01\.example\.org$/);

  // Zuul asks for a node; the request shows, then its node, building.
  const zuul = new ZuulClient(await cluster.client());
  const request = await zuul.requestNodes(['small']);
  await cellText(page, cell('requests', request.id, 'state'), /^(requested|pending)$/);
  const store = await cluster.store();
  const nodes = await store.nodeCache();
  await waitFor(() => [...nodes.values()].some((node) => node.allocatedTo === request.id), { timeoutMs: 20_000 });
  const nodeId = [...nodes.values()].find((node) => node.allocatedTo === request.id)!.id;
  await cellText(page, cell('nodes', nodeId, 'state'), 'building');
  await cellText(page, cell('nodes', nodeId, 'label'), 'small');

  // The cloud finishes: ready, and the request fulfilled.
  cloud.releaseLaunches();
  await cellText(page, cell('nodes', nodeId, 'state'), 'ready');
  await cellText(page, cell('requests', request.id, 'state'), 'fulfilled');

  // Zuul takes the node (the request goes) and runs a job on it.
  const nodeSet = await zuul.acceptNodes(request);
  await page.waitForSelector(`#requests-table tr[data-key="${request.id}"]`, { state: 'detached', timeout: 20_000 });
  await zuul.useNodes(nodeSet, { projectName: 'example.org/acme/app' });
  await cellText(page, cell('nodes', nodeId, 'state'), 'in-use');
  await cellText(page, cell('nodes', nodeId, 'locked'), 'locked');

  // A builder's records: a build, and its upload to cloud-a finishing.
  const build = Object.assign(new ImageBuild(), { image: 'debian-bookworm', builder: 'nb01.example.org', formats: ['qcow2', 'raw'] });
  build.setState('ready');
  await store.storeBuild(build);
  const upload = Object.assign(new ImageUpload(), { image: build.image, buildId: build.id, provider: 'cloud-a', format: 'qcow2' });
  upload.setState('uploading');
  await store.storeUpload(upload);
  const uploadKey = `${upload.image}/${upload.buildId}/${upload.provider}/${upload.id}`;
  await cellText(page, cell('uploads', uploadKey, 'state'), 'uploading');
  Object.assign(upload, { externalId: 'img-0a1b2c', externalName: 'debian-bookworm-1700000000' });
  upload.setState('ready');
  await store.storeUpload(upload);
  await cellText(page, cell('uploads', uploadKey, 'state'), 'ready');
  await cellText(page, cell('uploads', uploadKey, 'external_id'), 'img-0a1b2c');
  await cellText(page, cell('images', build.image, 'paused'), 'no');

  // A request no pool can serve: declined by both, named as provider/pool.
  const refused = await zuul.requestNodes(['gpu']);
  await cellText(page, cell('requests', refused.id, 'state'), 'failed');
  await cellText(page, cell('requests', refused.id, 'declined_by'), 'cloud-a/main, cloud-b/main');
  await cellText(page, '#state-totals', /in-use 1/);

  const screenshot = new URL('dashboard.png', ARTIFACTS);
  await page.screenshot({ path: screenshot.pathname, fullPage: true });
  if (process.env.NODEPOOL_UPDATE_SCREENSHOTS === '1' || !(await access(DOCS_SCREENSHOT).then(() => true, () => false))) {
    await copyFile(screenshot, DOCS_SCREENSHOT);
  }

  // The job ends: the node is returned, deleted by the launcher, and leaves the page.
  await zuul.cancel(refused);
  await zuul.returnNodes(nodeSet);
  await page.waitForSelector(`#nodes-table tr[data-key="${nodeId}"]`, { state: 'detached', timeout: 20_000 });
  await page.waitForSelector(`#requests-table tr[data-key="${refused.id}"]`, { state: 'detached', timeout: 20_000 });

  t.true(await page.evaluate(() => (globalThis as unknown as PageGlobals).sameDocument === true), 'the page was not reloaded');
  t.is(navigations, 1, 'one navigation: the first');
  t.deepEqual(problems, []);
});

test('the last hour is drawn as charts from what the launcher served: nodes, requests waiting, request wait, launches per provider', async (t) => {
  const { driver, cloud } = createFakeDriver();
  const cluster = await launcherCluster(t, zk(), [driver]);
  const file = join(cluster.dir, 'nodepool.yaml');
  await writeFile(
    file,
    cluster.configText(`
labels:
  - name: small
  - name: other
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 4
        labels:
          - name: small
  - name: cloud-b
    driver: fakecloud
    pools:
      - name: main
        max-servers: 2
        labels:
          - name: other
`),
  );
  const launcher = new Launcher({ configFile: file, drivers: DriverRegistry.of(driver), hostname: 'nl01.example.org', timings: fastTimings, env: {}, webapp: { port: 0, listenAddress: '127.0.0.1' } });
  t.teardown(() => launcher.stop());
  await launcher.start();
  const history = launcher.webApp!.history!;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await mkdir(ARTIFACTS, { recursive: true });
  t.teardown(() => page.screenshot({ path: new URL('dashboard-history-last.png', ARTIFACTS).pathname, fullPage: true }).catch(() => undefined));
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => void (message.type() === 'error' && problems.push(`console: ${message.text()}`)));
  await page.goto(`http://127.0.0.1:${launcher.webApp!.port}/`);
  await cellText(page, '#connection', 'Live');
  // The sample taken at start: no launches yet.
  await cellText(page, '#history-launches', 'No launches in the last hour.');
  await cellText(page, '#history-wait li[data-series="p50"]', 'p50 –');

  // Zuul gets two nodes from cloud-a and runs a job on them; a job on cloud-b fails, its launch
  // failing (NODE_FAILURE).
  const completed = new Set<string>();
  history.on('completed', (request) => void completed.add(request.id));
  const zuul = new ZuulClient(await cluster.client());
  const request = await zuul.requestNodes(['small', 'small']);
  await zuul.waitForRequest(request, { timeoutMs: 60_000 });
  const nodeSet = await zuul.acceptNodes(request);
  await zuul.useNodes(nodeSet, { projectName: 'example.org/acme/app' });
  cloud.failNextLaunch();
  const failed = await zuul.runJob(['other'], { timeoutMs: 60_000 });
  t.is(failed.result, 'NODE_FAILURE');
  await waitFor(() => completed.has(request.id) && completed.has(failed.requestId), { timeoutMs: 20_000 });
  const nodes = await launcher.zooKeeper.nodeCache();
  await waitFor(() => [...nodes.values()].filter((node) => node.state === 'in-use').length === 2, { timeoutMs: 20_000 });
  // Without waiting ten seconds for the timer: the page gets this sample as it is taken.
  history.sample();

  await cellText(page, '#history-launches figure[data-provider="cloud-a"] li[data-series="launched"]', 'launched 2');
  await cellText(page, '#history-launches figure[data-provider="cloud-a"] li[data-series="failed"]', 'failed 0');
  await cellText(page, '#history-launches figure[data-provider="cloud-b"] li[data-series="launched"]', 'launched 0');
  await cellText(page, '#history-launches figure[data-provider="cloud-b"] li[data-series="failed"]', 'failed 1');
  await cellText(page, '#history-wait li[data-series="p50"]', /^p50 \d+(\.\d)? s$/);
  await cellText(page, '#history-wait figcaption', 'Request wait (2 requests done)');
  // Lines with points: the wait of this sample, every sample's node counts.
  await page.waitForSelector('#history-wait path[data-series="p50"]:not([data-points="0"])', { state: 'attached', timeout: 20_000 });
  await page.waitForSelector('#history-wait path[data-series="p95"]:not([data-points="0"])', { state: 'attached', timeout: 20_000 });
  await cellText(page, '#history-nodes li[data-series="in-use"]', 'in-use 2');
  // A point per sample: the one at start (none in use) and this one at least.
  t.true(Number(await page.getAttribute('#history-nodes path[data-series="in-use"]', 'data-points')) >= 2);
  await cellText(page, '#history-requests li[data-series="requests"]', 'waiting 0');
  t.true(Number(await page.getAttribute('#history-launches figure[data-provider="cloud-a"] path[data-series="launched"]', 'data-points')) >= 2);
  t.true((await page.isVisible('#history-nodes svg')) && (await page.isVisible('#history-launches svg')));
  await page.screenshot({ path: new URL('dashboard-history.png', ARTIFACTS).pathname, fullPage: true });
  await zuul.returnNodes(nodeSet);
  t.deepEqual(problems, []);
});

test('a request row expands to why it waits, from the launchers’ reports, and the provider health panel shows every breaker, the open ones first', async (t) => {
  const client = await connect(t, zk().connectString);
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  // A launcher's boards, published as the launcher publishes them.
  const explain = new ExplainBoard();
  const health = new HealthBoard();
  health.configure('cloud-a', { name: 'cloud-a', 'circuit-breaker': { failures: 1n, 'probe-interval': 600 } });
  health.configure('cloud-b', { name: 'cloud-b', 'circuit-breaker': { failures: 3n } });
  const publisher = new LauncherReportPublisher(client, { hostname: 'nl01.example.org', explain, health, log: getLogger('test'), intervalMs: 20 });
  publisher.start();
  t.teardown(() => publisher.stop());
  const status = await CachedStatusSource.of(store);
  const webApp = async (options: Partial<WebAppOptions>): Promise<string> => {
    const app = new WebApp({ port: 0, listenAddress: '127.0.0.1', source: status, ready: () => true, ...options });
    await app.start();
    t.teardown(() => app.stop());
    return `http://127.0.0.1:${app.port}/`;
  };
  const url = await webApp({
    explain: zooKeeperExplainSource(client, { request: (id) => store.getNodeRequest(id), poolComponents: () => status.poolComponents() }),
    health: zooKeeperHealthSource(client),
  });
  const plainUrl = await webApp({});
  const noBreakersUrl = await webApp({ health: { providerHealth: () => Promise.resolve([]) } });

  const id = await submitRequest(store, ['small'], { requestor: 'zuul-scheduler' });
  const cloudA = { id: 'nl01.example.org-PoolWorker.cloud-a-main-1a2b', providerName: 'cloud-a', poolName: 'main' };
  const cloudB = { id: 'nl01.example.org-PoolWorker.cloud-b-main-3c4d', providerName: 'cloud-b', poolName: 'main' };
  explain.note(cloudA, id, 'waiting.at-quota', 'at quota: 2/2 servers');
  health.recordLaunch('cloud-a', { ok: false, error: 'instance went to ERROR: no valid host' });
  explain.note(cloudA, id, 'waiting.provider-unhealthy', 'provider cloud-a is unhealthy: circuit breaker open');
  explain.note(cloudB, id, 'launching.node', 'launching node 0000000007, attempt 1 of 3, state "waiting for server"');
  await waitFor(async () => (await readLauncherReports(client))[0]?.requests[id]?.length === 2, { timeoutMs: 20_000 });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await mkdir(ARTIFACTS, { recursive: true });
  t.teardown(() => page.screenshot({ path: new URL('dashboard-explain-last.png', ARTIFACTS).pathname, fullPage: true }).catch(() => undefined));
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => void (message.type() === 'error' && problems.push(`console: ${message.text()}`)));
  await page.goto(url);
  await cellText(page, '#connection', 'Live');

  // The open breaker first and set apart, with its wait and its error; the closed one quietly.
  const open = '#provider-health-list li.unhealthy[data-provider="cloud-a"]';
  await cellText(page, open, /^cloud-a \(launcher nl01\.example\.org\): circuit breaker open for (\d+m )?\d+s, next probe in \d+m \d\ds, 1\/1 failures in a row, opened 1 time; last error: instance went to ERROR: no valid host$/);
  await cellText(page, '#provider-health-list li.quiet[data-provider="cloud-b"]', 'cloud-b (launcher nl01.example.org): circuit breaker closed, 0/3 failures in a row, opened 0 times');
  await cellText(page, '#provider-health-count', '(1 of 2 not closed)');
  t.true(await page.isVisible('#provider-health'));
  t.is(await page.getAttribute('#provider-health-list li:first-child', 'data-provider'), 'cloud-a', 'the open breaker is listed first');

  // From the keyboard: the row's button expands the explanation under the row.
  const button = `#requests-table tr[data-key="${id}"] button.why`;
  await page.focus(button);
  await page.keyboard.press('Enter');
  t.is(await page.getAttribute(button, 'aria-expanded'), 'true');
  const region = `#explain-${id}`;
  await cellText(page, `${region} [data-pool-worker="${cloudA.id}"]`, /^cloud-a\/main \(launcher nl01\.example\.org\): waiting waiting\.provider-unhealthy since \d\d:\d\d:\d\d, for (\d+m )?\d+s\s*provider cloud-a is unhealthy: circuit breaker open\s*\d\d:\d\d:\d\d waiting\.at-quota: at quota: 2\/2 servers$/);
  await cellText(page, `${region} [data-pool-worker="${cloudB.id}"]`, /^cloud-b\/main \(launcher nl01\.example\.org\): launching launching\.node since .*launching node 0000000007, attempt 1 of 3, state "waiting for server"$/);
  await cellText(page, region, /cloud-a \(launcher nl01\.example\.org\): circuit breaker open for (\d+m )?\d+s, next probe in/);
  t.is(await page.getAttribute(`#requests-table tr[data-key="${id}"] + tr.explanation`, 'data-detail-for'), id, 'right under its row');
  await page.screenshot({ path: new URL('dashboard-explain.png', ARTIFACTS).pathname, fullPage: true });

  // The same key again (the button kept the focus) collapses it.
  await page.keyboard.press('Enter');
  await page.waitForSelector(region, { state: 'detached', timeout: 20_000 });
  t.is(await page.getAttribute(button, 'aria-expanded'), 'false');

  // A web API without the sources: no button, no panel.
  await page.goto(plainUrl);
  await cellText(page, '#connection', 'Live');
  await cellText(page, cell('requests', id, 'state'), 'requested');
  t.is(await page.$(`#requests-table button.why`), null);
  t.false(await page.isVisible('#provider-health'));

  // Health offered, but no provider has a breaker (every 9.0.0 configuration): one line says so.
  await page.goto(noBreakersUrl);
  await cellText(page, '#provider-health-list', 'No provider has a circuit breaker.');
  t.true(await page.isVisible('#provider-health'));
  t.deepEqual(problems, []);
});
