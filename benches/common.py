"""What the benchmark drivers share: keep-alive clients against one server."""

import http.client
import random
import statistics
import threading
import time


def load(host, port, paths, headers, clients, seconds):
    """`clients` keep-alive clients GET one of `paths` after another (each its own random
    sequence) for `seconds`; returns the requests, median and p99 latency (ms), requests per
    second and the answers that were not 200 with a body."""
    latencies, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        while time.monotonic() < stop:
            path = rnd.choice(paths)
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            mine.append(time.perf_counter() - t0)
            if r.status != 200 or not body:
                errors.append(r.status)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    if len(latencies) < 2:
        raise SystemExit(f"{paths[0][:60]}…: {len(latencies)} answers in {seconds} s")
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "rps": len(latencies) / wall,
        "errors": len(errors),
    }
