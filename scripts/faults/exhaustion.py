"""Promise 2: a saturated pool answers 503 in bounded time, and slow clients starve nobody.

pool-exhaustion: a server with a 2-connection pool; a psql session locks `offers`, so two
                 offer reads block inside Postgres holding both connections; further requests
                 must get 503 + Retry-After after the acquire timeout, /healthz stays fast,
                 and everything recovers when the lock goes.
slow-clients:    200 raw connections (half sending headers a byte a second, half silent) while
                 another client's requests must still be served quickly.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time

from common import (
    HOST,
    Client,
    LockSession,
    Outcome,
    Scenario,
    create_offers,
    env,
    error_body_problems,
    ms,
    one_request,
    percentile,
    sign_in,
    wait_for_lock_waiters,
)


def pool_exhaustion(s: Scenario) -> None:
    port = int(env("SERVER_PORT"))
    db = env("FAULTS_DB")
    pool_size = int(env("FAULTS_POOL_SIZE", "2"))
    acquire = int(env("ACQUIRE_TIMEOUT_MS", "2000")) / 1000

    user_id, token = sign_in(port, "faults_pool", "faults-pool-password")
    offers = create_offers(port, user_id, token, 3)
    offer_path = f"/api/v1/users/{user_id}/offers/{offers[0]}"

    metrics = one_request(port, "GET", "/metrics", token=env("METRICS_TOKEN"))
    found = re.search(rb"^db_pool_max_connections (\d+)", metrics.body, re.M)
    configured = int(found.group(1)) if found else None
    s.figure("pool_max_connections", configured)
    s.check(
        configured == pool_size,
        f"ROCKET_DATABASES='{{offers={{max_connections={pool_size}}}}}' merged with DATABASE_URL "
        f"gives a {pool_size}-connection pool (db_pool_max_connections = {configured})",
    )

    lock = LockSession(db)
    holders: list[Outcome] = []
    holder_threads = []
    probes: list[Outcome] = []
    victims: list[Outcome] = []
    released = False
    try:
        for _ in range(pool_size):
            thread = threading.Thread(
                target=lambda: holders.append(
                    one_request(port, "GET", offer_path, token=token, timeout=30, label="holder")
                ),
                daemon=True,
            )
            thread.start()
            holder_threads.append(thread)
        waiting = wait_for_lock_waiters(db, pool_size)
        s.figure("requests_blocked_in_postgres", waiting)
        if not s.check(waiting >= pool_size, f"{pool_size} reads hold every pool connection"):
            return

        stop_probing = threading.Event()

        def probe() -> None:
            for _ in range(100):  # bounded; ~10 s at most
                if stop_probing.is_set():
                    break
                probes.append(one_request(port, "GET", "/healthz", timeout=5, label="healthz"))
                stop_probing.wait(0.1)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        for method, path, body in (
            ("GET", offer_path, None),
            ("POST", f"/api/v1/users/{user_id}/offers/", {"title": "t", "description": "d"}),
            ("GET", f"/api/v1/users/{user_id}/offers/", None),
        ):
            victims.append(
                one_request(port, method, path, body=body, token=token, timeout=15, label=f"{method} {path}")
            )
        stop_probing.set()
        prober.join(10)
    finally:
        lock.release()
        released = True
    t_release = time.monotonic()
    for thread in holder_threads:
        thread.join(15)

    for v in victims:
        s.figure(f"saturated {v.label}", f"{v.status or v.kind} after {ms(v.latency)} ms, "
                 f"Retry-After={v.headers.get('retry-after')}")
        s.check(
            v.kind == "response" and v.status == 503 and "retry-after" in v.headers,
            f"{v.label} with the pool exhausted gets 503 with Retry-After ({v.describe()})",
        )
        s.check(
            acquire - 0.5 <= v.latency <= acquire + 2.0,
            f"{v.label}: 503 after {ms(v.latency)} ms, between {ms(acquire - 0.5)} and "
            f"{ms(acquire + 2.0)} ms (the acquire timeout, not queued forever)",
        )
        if v.kind == "response" and v.status >= 400:
            problems = error_body_problems(v)
            s.check(not problems, f"{v.label}: clean JSON error body {problems}")
    latencies = [p.latency for p in probes]
    s.figure("healthz_probes_while_exhausted", len(probes))
    s.figure("healthz_max_ms_while_exhausted", ms(max(latencies, default=0)))
    s.figure("healthz_p50_ms_while_exhausted", ms(percentile(latencies, 50)))
    s.check(
        len(probes) >= 10 and all(p.status == 200 for p in probes),
        f"GET /healthz answered 200 throughout ({sum(p.status == 200 for p in probes)}/{len(probes)})",
    )
    s.check(
        max(latencies, default=9) < 0.2,
        f"GET /healthz stays responsive: max {ms(max(latencies, default=9))} ms < 200 ms",
    )
    s.check(
        released and len(holders) == pool_size and all(h.status == 200 for h in holders),
        "the reads that held the connections complete with 200 once the lock is released: "
        + "; ".join(h.describe()[:60] for h in holders),
    )
    client = Client(port)
    after = [client.request("GET", offer_path, token=token, label="after") for _ in range(10)]
    client.close()
    first_ok = next((o.t1 - t_release for o in after if o.ok), None)
    s.figure("first_read_after_release_ms", ms(first_ok) if first_ok is not None else "never")
    s.check(
        all(o.ok for o in after) and max(o.latency for o in after) < 1.0,
        f"after the lock is released reads succeed at once ({sum(o.ok for o in after)}/10 ok, "
        f"max {ms(max(o.latency for o in after))} ms)",
    )


# ---------------------------------------------------------------------------------------------


class RawConnections:
    """Slowloris and idle raw TCP connections, watched for the server closing them."""

    def __init__(self, port: int, slow: int, idle: int):
        self.port = port
        self.slow: list[socket.socket] = []
        self.idle: list[socket.socket] = []
        self.closed_at: dict[int, float] = {}  # fileno -> when the server closed it
        self.answered: dict[int, bytes] = {}  # fileno -> what the server sent, if anything
        self.open_failures = 0
        self.t0 = time.monotonic()
        for n in range(slow + idle):
            try:
                sock = socket.create_connection((HOST, port), timeout=5)
            except OSError:
                self.open_failures += 1
                continue
            sock.setblocking(False)
            if n < slow:
                sock.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                self.slow.append(sock)
            else:
                self.idle.append(sock)

    def _watch(self, sock: socket.socket) -> bool:
        """False once the server has closed `sock`."""
        key = sock.fileno()
        if key in self.closed_at:
            return False
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if data:
            self.answered[key] = self.answered.get(key, b"") + data
            return True
        self.closed_at[key] = time.monotonic() - self.t0
        return False

    def tick(self) -> None:
        """One header byte on every slow connection; notes closes on every connection."""
        for sock in self.slow:
            if self._watch(sock):
                try:
                    sock.send(b"a")
                except OSError:
                    self.closed_at.setdefault(sock.fileno(), time.monotonic() - self.t0)
        for sock in self.idle:
            self._watch(sock)

    def still_open(self, socks: list[socket.socket]) -> int:
        return sum(1 for sock in socks if sock.fileno() not in self.closed_at)

    def close(self) -> None:
        for sock in self.slow + self.idle:
            try:
                sock.close()
            except OSError:
                pass


def slow_clients(s: Scenario) -> None:
    port = int(env("SERVER_PORT"))
    pid = int(env("SERVER_PID"))
    n_slow = int(env("FAULTS_SLOW_CLIENTS", "100"))
    n_idle = int(env("FAULTS_IDLE_CLIENTS", "100"))
    seconds = float(env("FAULTS_SLOW_SECONDS", "8"))

    user_id, token = sign_in(port, "faults_slow", "faults-slow-password")
    offers = create_offers(port, user_id, token, 5)
    threads_before = _threads(pid)

    raw = RawConnections(port, n_slow, n_idle)
    s.figure("slow_connections_opened", len(raw.slow))
    s.figure("idle_connections_opened", len(raw.idle))
    stop = threading.Event()

    def trickle() -> None:
        for _ in range(int(seconds) + 30):  # bounded
            if stop.is_set():
                break
            raw.tick()
            stop.wait(1.0)

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    victims: list[Outcome] = []
    keepalive = Client(port, timeout=5)
    try:
        deadline = time.monotonic() + seconds
        # 50 health checks and 50 offer reads, each on a fresh connection, plus the same again
        # on one kept-alive connection; sequential, spread over the whole slow-client period.
        for n in range(50):
            if time.monotonic() > deadline + 5:
                break
            victims.append(one_request(port, "GET", "/healthz", timeout=5, label="healthz (new conn)"))
            victims.append(
                one_request(
                    port, "GET", f"/api/v1/users/{user_id}/offers/{offers[n % len(offers)]}",
                    token=token, timeout=5, label="read (new conn)",
                )  # fmt: skip
            )
            victims.append(keepalive.request("GET", "/healthz", label="healthz (keep-alive)"))
            victims.append(
                keepalive.request(
                    "GET", f"/api/v1/users/{user_id}/offers/{offers[n % len(offers)]}",
                    token=token, label="read (keep-alive)",
                )  # fmt: skip
            )
            time.sleep(max(0.0, min(0.2, (deadline - time.monotonic()) / max(1, 50 - n))))
        while time.monotonic() < deadline:
            time.sleep(0.1)
        raw.tick()
        threads_during = _threads(pid)
        fds_during = _fds(pid)
    finally:
        stop.set()
        trickler.join(5)
        keepalive.close()
    slow_open = raw.still_open(raw.slow)
    idle_open = raw.still_open(raw.idle)
    answered = {bytes(v[:12]) for v in raw.answered.values()}
    raw.close()

    latencies = [v.latency for v in victims]
    statuses = {}
    for v in victims:
        key = str(v.status) if v.kind == "response" else v.kind
        statuses[key] = statuses.get(key, 0) + 1
    s.figure("victim_requests", len(victims))
    s.figure("victim_statuses", statuses)
    s.figure("victim_p50_ms", ms(percentile(latencies, 50)))
    s.figure("victim_p99_ms", ms(percentile(latencies, 99)))
    s.figure("victim_max_ms", ms(max(latencies, default=0)))
    s.figure("slow_connections_still_open_after_s", f"{slow_open}/{len(raw.slow)} after {seconds:g} s")
    s.figure("idle_connections_still_open_after_s", f"{idle_open}/{len(raw.idle)} after {seconds:g} s")
    if raw.closed_at:
        s.figure("server_closed_first_after_s", round(min(raw.closed_at.values()), 1))
    if answered:
        s.figure("server_answered_slow_clients_with", sorted(a.decode("latin-1") for a in answered))
    s.figure("server_threads_before_during", f"{threads_before} / {threads_during}")
    s.figure("server_open_fds_during", fds_during)
    s.figure("server_fd_limit", _fd_limit(pid))
    s.check(raw.open_failures == 0, f"all raw connections opened ({raw.open_failures} refused)")
    s.check(
        all(v.status == 200 for v in victims) and len(victims) >= 100,
        f"another client's requests are all served with 200 ({statuses})",
    )
    s.check(
        percentile(latencies, 99) < 0.5,
        f"another client's p99 latency {ms(percentile(latencies, 99))} ms < 500 ms",
    )
    if slow_open:
        s.note(
            f"{slow_open} of {len(raw.slow)} connections sending one header byte a second were "
            f"still open after {seconds:g} s, and {idle_open} of {len(raw.idle)} silent ones: the "
            "server (Rocket 0.5.1 on hyper 0.14) sets no header-read or idle timeout, so each "
            "costs only a file descriptor and a parked task - no worker thread is held - but "
            "their number is bounded only by the process's fd limit"
        )
    after = one_request(port, "GET", "/healthz", timeout=5)
    s.check(after.status == 200, f"the server is healthy afterwards ({after.describe()})")


def _threads(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return None


def _fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def _fd_limit(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/limits") as handle:
            for line in handle:
                if line.startswith("Max open files"):
                    return line.split()[3]
    except OSError:
        return None
    return None


SCENARIOS = {"pool-exhaustion": pool_exhaustion, "slow-clients": slow_clients}
