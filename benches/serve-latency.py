#!/usr/bin/env python3
"""Save-to-reload latency of `specsite serve`.

Copies a corpus (default: ../shared/corpora/nova-specs) to a temporary
directory, starts `specsite serve` on it, listens to the reload stream
(Server-Sent Events at /__specsite/events) and, N times, edits one spec and
measures the time from the write to the `reload` event. Reports the median
and the 90th percentile; the target is under 100 ms median.

    python3 benches/serve-latency.py [--bin target/release/specsite] [--corpus DIR] [--runs 30]

Loopback only; everything it writes is in its own temporary directory.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read_until(sock, buffer, wanted, timeout):
    deadline = time.monotonic() + timeout
    while wanted not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no %r within %.1f s" % (wanted, timeout))
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("event stream closed")
        buffer += chunk
    index = buffer.index(wanted) + len(wanted)
    return buffer[index:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "specsite"))
    parser.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "corpora", "nova-specs"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits")
    args = parser.parse_args()
    if not os.path.exists(args.bin):
        sys.exit("no binary at %s: run cargo build --release first" % args.bin)

    work = tempfile.mkdtemp(prefix="specsite-latency-")
    root = os.path.join(work, os.path.basename(os.path.normpath(args.corpus)))
    server = None
    try:
        shutil.copytree(args.corpus, root, symlinks=True)
        specs = sorted(
            os.path.join(dirpath, name)
            for dirpath, _, names in os.walk(os.path.join(root, "specs"))
            for name in names
            if name.endswith(".rst") and "template" not in name
        )
        target = specs[len(specs) // 2]
        original = open(target, encoding="utf-8").read()

        server = subprocess.Popen([args.bin, "-q", "serve", root, "--port", "0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = server.stdout.readline()
        url = line.strip().rsplit(" ", 1)[-1]
        port = int(url.split(":")[2].split("/")[0])
        print("serving %d specs at %s; editing %s" % (len(specs), url, os.path.relpath(target, root)))

        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(("GET /__specsite/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                      "Accept: text/event-stream\r\n\r\n" % port).encode())
        buffer = read_until(sock, b"", b"event: hello", 30)

        latencies = []
        for run in range(args.runs):
            text = original + "\n\nLatency probe paragraph number %d.\n" % run
            started = time.perf_counter()
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            buffer = read_until(sock, buffer, b"event: reload", 10)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(args.pause)
        sock.close()

        latencies.sort()
        p90 = latencies[min(len(latencies) - 1, int(round(0.9 * len(latencies))) - 1)]
        print("runs: %d" % len(latencies))
        print("save-to-reload median: %.1f ms" % statistics.median(latencies))
        print("save-to-reload p90:    %.1f ms" % p90)
        print("min %.1f ms, max %.1f ms" % (latencies[0], latencies[-1]))
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
