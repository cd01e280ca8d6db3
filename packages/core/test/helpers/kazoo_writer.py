"""Writes znodes with kazoo, the client Zuul and the original Nodepool use, for tests.

Usage: kazoo_writer.py HOSTS < ops.json, where ops.json is a list of
{"path", "data" (a JSON value, dumped with Python's json.dumps, or null for empty),
 "sequence", "makepath"}. Prints the list of created paths as JSON.
Run with Debian's /usr/bin/python3 (python3-kazoo).
"""
import json
import sys

from kazoo.client import KazooClient


def main():
    ops = json.load(sys.stdin)
    zk = KazooClient(hosts=sys.argv[1], timeout=10)
    zk.start(timeout=15)
    created = []
    try:
        for op in ops:
            data = op.get("data")
            value = b"" if data is None else json.dumps(data).encode("utf8")
            created.append(zk.create(op["path"], value, sequence=op.get("sequence", False),
                                     makepath=op.get("makepath", True)))
    finally:
        zk.stop()
        zk.close()
    json.dump(created, sys.stdout)


if __name__ == "__main__":
    main()
