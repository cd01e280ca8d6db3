import { readdirSync } from 'node:fs';
import { zooKeeperJar } from './ensure-zookeeper-installed.js';

const javaDir = '/usr/share/java';

/**
 * How the server's JVM is tuned: `small` starts fast and stays small (tests); `server` runs
 * as a deployment would (full JIT, default collector), for benchmarks.
 */
export type ZooKeeperJvm = 'small' | 'server';

/**
 * The `java` arguments that run a ZooKeeper server with the given `zoo.cfg`.
 *
 * The class path is Debian's layout: zookeeper.jar (whose manifest Class-Path brings in its other
 * dependencies), slf4j-simple for logging, and every Netty jar, which the manifest does not list
 * completely and which the Netty connection factory (needed for TLS) requires.
 */
export function zooKeeperJavaArgs(configFile: string, jvm: ZooKeeperJvm = 'small'): string[] {
  const netty = readdirSync(javaDir)
    .filter((name) => name.startsWith('netty-') && name.endsWith('.jar'))
    .map((name) => `${javaDir}/${name}`);
  return [
    // A small test server: these cut JVM start-up and memory, not throughput we need. A
    // benchmark wants the JVM as a real deployment runs it (full JIT, default collector).
    ...(jvm === 'small' ? ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'] : ['-Xmx1g']),
    '-XX:-UsePerfData',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
    '-cp',
    [zooKeeperJar, `${javaDir}/slf4j-simple.jar`, ...netty].join(':'),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    configFile,
  ];
}
