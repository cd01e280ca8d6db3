import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The Java client's side of `npm run bench -- zk`: the same pipelined workload as zk.ts
 * (creates, then setData, of 1 KiB znodes with a fixed window of requests in flight), a
 * warm-up round and then `rounds` measured ones in one JVM, medians printed as one JSON line.
 */
public class ZkBench {
  public static void main(String[] args) throws Exception {
    String servers = args[0];
    String root = args[1];
    int count = Integer.parseInt(args[2]);
    int window = Integer.parseInt(args[3]);
    byte[] data = new byte[1024];
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(servers, 10000, event -> {
      if (event.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    });
    connected.await();
    int rounds = Integer.parseInt(args[4]);
    java.util.List<Double> creates = new java.util.ArrayList<>();
    java.util.List<Double> sets = new java.util.ArrayList<>();
    // Round 0 warms up the JIT in this JVM; it is not reported.
    for (int round = 0; round <= rounds; round++) {
      String base = root + "-" + round;
      zk.create(base, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      double c = run(count, window, (i, done) ->
          zk.create(base + "/n" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
              (rc, path, ctx, name) -> done.accept(rc), null));
      double s = run(count, window, (i, done) ->
          zk.setData(base + "/n" + i, data, -1, (rc, path, ctx, stat) -> done.accept(rc), null));
      org.apache.zookeeper.ZKUtil.deleteRecursive(zk, base);
      if (round > 0) {
        creates.add(c);
        sets.add(s);
      }
    }
    zk.close();
    System.out.printf("{\"createsPerSecond\":%.0f,\"setDataPerSecond\":%.0f}%n", median(creates), median(sets));
  }

  static double median(java.util.List<Double> values) {
    java.util.List<Double> sorted = new java.util.ArrayList<>(values);
    java.util.Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  interface Op {
    void start(int i, java.util.function.IntConsumer done);
  }

  static double run(int count, int window, Op op) throws InterruptedException {
    Semaphore slots = new Semaphore(window);
    CountDownLatch finished = new CountDownLatch(count);
    AtomicInteger failures = new AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      slots.acquire();
      op.start(i, rc -> {
        if (rc != 0) failures.incrementAndGet();
        slots.release();
        finished.countDown();
      });
    }
    finished.await();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (failures.get() > 0) throw new IllegalStateException(failures.get() + " requests failed");
    return count / seconds;
  }
}
