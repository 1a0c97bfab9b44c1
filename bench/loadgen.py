"""Stdlib HTTP load generator: N keep-alive connections, a fixed request count, latencies."""

import http.client
import math
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

PATH = "/track/exception"
SOCKET_TIMEOUT = 15.0


@dataclass
class LoadResult:
    """What one phase of load produced."""

    sent: int
    elapsed: float
    latencies: list[float] = field(default_factory=list)  # seconds, 2xx requests only
    statuses: Counter = field(default_factory=Counter)
    client_cpu: float = 0.0  # seconds of this process's CPU: is the generator the bottleneck?
    timed_out: bool = False

    @property
    def accepted(self) -> int:
        """Requests answered with a 2xx."""
        return sum(n for status, n in self.statuses.items() if str(status).startswith("2"))

    @property
    def rate(self) -> float:
        """Accepted requests per second of wall time."""
        return self.accepted / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000

    def summary(self) -> dict:
        """Plain figures for printing and JSON."""
        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "elapsed_s": round(self.elapsed, 3),
            "rate": round(self.rate, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p99_ms": round(self.percentile(99), 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
            "client_cpu_s": round(self.client_cpu, 3),
            "timed_out": self.timed_out,
        }


def run_load(
    port: int,
    requests: list[tuple],
    concurrency: int = 8,
    timeout: float = 300.0,
    path: str = PATH,
) -> LoadResult:
    """Post every (body, user agent[, extra headers]) once to 127.0.0.1:port at `path` with
    `concurrency` workers."""
    lock = threading.Lock()
    cursor = iter(range(len(requests)))
    deadline = time.monotonic() + timeout
    latencies: list[float] = []
    statuses: Counter = Counter()
    flags = {"timed_out": False}

    def next_index() -> int | None:
        with lock:
            if time.monotonic() > deadline:
                flags["timed_out"] = True
                return None
            return next(cursor, None)

    def worker() -> None:
        own_latencies, own_statuses = [], Counter()
        # One persistent connection per worker, like a browser fleet behind keep-alive.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=SOCKET_TIMEOUT)
        while (index := next_index()) is not None:
            body, agent, *extra = requests[index]
            headers = {"Content-Type": "text/plain", "User-Agent": agent}
            if extra:
                headers.update(extra[0])
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()  # http.client reconnects on the next request
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                conn.close()
            elapsed = time.perf_counter() - start
            own_statuses[status] += 1
            if isinstance(status, int) and 200 <= status < 300:
                own_latencies.append(elapsed)
        conn.close()
        with lock:
            latencies.extend(own_latencies)
            statuses.update(own_statuses)

    cpu_before = _own_cpu()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A hung server must not hang the benchmark: workers are daemons, we stop waiting.
        thread.join(max(0.0, deadline - time.monotonic()) + SOCKET_TIMEOUT + 1)
    elapsed = time.perf_counter() - started
    with lock:
        result = LoadResult(
            sent=sum(statuses.values()),
            elapsed=elapsed,
            latencies=list(latencies),
            statuses=Counter(statuses),
            client_cpu=_own_cpu() - cpu_before,
            timed_out=flags["timed_out"] or any(t.is_alive() for t in threads),
        )
    return result


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system
