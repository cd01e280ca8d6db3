"""A kazoo client driven over stdin, one JSON command per line, one JSON reply per line.

It stands in for Zuul and the original Nodepool in lock interoperability tests: it uses the
very Lock recipe they use. Run with Debian's /usr/bin/python3 (python3-kazoo).
"""
import json
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import LockTimeout, NodeExistsError


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    zk = KazooClient(hosts=sys.argv[1], timeout=10)
    zk.start(timeout=15)
    locks = {}
    reply({"ready": True})
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        path = command.get("path")
        try:
            if op == "acquire":
                lock = locks.setdefault(path, zk.Lock(path, command.get("identifier")))
                acquired = lock.acquire(
                    blocking=command.get("blocking", True),
                    timeout=command.get("timeout"),
                )
                reply({"acquired": acquired, "node": lock.node if acquired else None})
            elif op == "release":
                reply({"released": locks.pop(path).release()})
            elif op == "contenders":
                reply({"contenders": zk.Lock(path).contenders()})
            elif op == "children":
                reply({"children": sorted(zk.get_children(path))})
            elif op == "contend":
                # Rounds of: take the lock, claim a marker znode, give both back. Two holders
                # at once would find the other's marker in place.
                lock = zk.Lock(path)
                violations = 0
                for _ in range(command["rounds"]):
                    lock.acquire()
                    try:
                        zk.create(command["marker"], ephemeral=True)
                    except NodeExistsError:
                        violations += 1
                    else:
                        zk.delete(command["marker"])
                    lock.release()
                reply({"violations": violations})
            elif op == "quit":
                reply({"bye": True})
                break
            else:
                reply({"error": "unknown op %s" % op})
        except LockTimeout:
            reply({"acquired": False, "timeout": True})
        except Exception as error:  # reported to the test, which fails on it
            reply({"error": repr(error)})
    zk.stop()
    zk.close()


if __name__ == "__main__":
    main()
