import { readdirSync } from 'node:fs';
import { zooKeeperJar } from './ensure-zookeeper-installed.js';

const javaDir = '/usr/share/java';

/**
 * The `java` arguments that run a ZooKeeper server with the given `zoo.cfg`.
 *
 * The class path is Debian's layout: zookeeper.jar (whose manifest Class-Path brings in its other
 * dependencies), slf4j-simple for logging, and every Netty jar, which the manifest does not list
 * completely and which the Netty connection factory (needed for TLS) requires.
 */
export function zooKeeperJavaArgs(configFile: string): string[] {
  const netty = readdirSync(javaDir)
    .filter((name) => name.startsWith('netty-') && name.endsWith('.jar'))
    .map((name) => `${javaDir}/${name}`);
  return [
    // A small test server: these cut JVM start-up and memory, not throughput we need.
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
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
