"""Shared pieces of the fault-injection scenarios: HTTP calls that tell failure modes apart,
a bounded mixed load generator, PostgreSQL control (psql, pg_ctl), and scenario results.

Standard library only. Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import select
import socket
import subprocess
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
# Words that must never appear in an error body: they mean internals leaked.
LEAK_MARKERS = (
    "sqlx",
    "postgres",
    "error returned from database",
    "pool timed out",
    "sqlstate",
    "panicked",
    "backtrace",
    "connection refused",
    "os error",
)


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise SystemExit(f"faults: environment variable {name} is required")
    return value


def log(message: str) -> None:
    print(f"[faults] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Outcome:
    """One request: when it ran, and how it ended.

    kind: "response" (an HTTP response was read completely), "refused" (the TCP connect was
    refused: nothing was sent), "connect-error" (other failure before anything was sent),
    "reset" (the connection was reset or closed after the request was (partly) sent, before
    a complete response), "timeout" (no complete response within the client timeout).
    """

    label: str
    t0: float  # request started (monotonic)
    t1: float = 0.0  # outcome known
    t_sent: float = 0.0  # request fully written (0 if never)
    kind: str = "response"
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""

    @property
    def latency(self) -> float:
        return self.t1 - self.t0

    @property
    def ok(self) -> bool:
        return self.kind == "response" and 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def describe(self) -> str:
        if self.kind == "response":
            text = self.body[:200].decode("utf-8", "replace")
            return f"{self.label}: {self.status} in {self.latency * 1000:.0f} ms {text}"
        return f"{self.label}: {self.kind} ({self.error}) after {self.latency * 1000:.0f} ms"


class Client:
    """One HTTP/1.1 connection to the server, reused while it lasts (keep-alive) unless
    `fresh` asks for a new connection per request."""

    def __init__(self, port: int, timeout: float = 15.0, fresh: bool = False):
        self.port = port
        self.timeout = timeout
        self.fresh = fresh
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        label: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Outcome:
        headers = {"Accept": "application/json", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"JWT {token}"
        if self.fresh:
            headers["Connection"] = "close"
        out = Outcome(label or f"{method} {path}", time.monotonic())
        if self.fresh:
            self.close()
        if self.conn is None:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                conn.connect()
            except ConnectionRefusedError as error:
                return self._fail(out, "refused", error)
            except socket.timeout as error:
                return self._fail(out, "connect-error", error)
            except OSError as error:
                return self._fail(out, "connect-error", error)
            self.conn = conn
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            out.t_sent = time.monotonic()
            response = self.conn.getresponse()
            data = response.read()
        except socket.timeout as error:
            return self._fail(out, "timeout", error)
        except (
            ConnectionError,
            http.client.RemoteDisconnected,
            http.client.IncompleteRead,
            http.client.BadStatusLine,
            OSError,
        ) as error:
            return self._fail(out, "reset", error)
        out.t1 = time.monotonic()
        out.status = response.status
        out.headers = {k.lower(): v for k, v in response.getheaders()}
        out.body = data
        if self.fresh or response.will_close:
            self.close()
        return out

    def _fail(self, out: Outcome, kind: str, error: BaseException) -> Outcome:
        out.t1 = time.monotonic()
        out.kind = kind
        out.error = f"{type(error).__name__}: {error}"
        self.close()
        return out


def one_request(port: int, method: str, path: str, **kwargs: Any) -> Outcome:
    timeout = kwargs.pop("timeout", 15.0)
    return Client(port, timeout=timeout, fresh=True).request(method, path, **kwargs)


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def sign_in(port: int, username: str, password: str) -> tuple[int, str]:
    """Registers the user when needed and logs in: (user id, token)."""
    credentials = {"username": username, "password": password}
    registered = one_request(port, "POST", "/api/v1/users/register", body=credentials)
    if registered.status not in (201, 409):
        raise RuntimeError(f"registration failed: {registered.describe()}")
    login = one_request(port, "POST", "/api/v1/users/login", body=credentials)
    if login.status != 200:
        raise RuntimeError(f"login failed: {login.describe()}")
    data = login.json()
    return int(data["id"]), str(data["token"])


def offer_body(n: int) -> dict[str, Any]:
    return {
        "title": f"Fault drill {n}",
        "description": "An offer written by the fault-injection suite.",
        "skills_list": ["resilience", "postgres"],
    }


def create_offers(port: int, user_id: int, token: str, count: int) -> list[int]:
    client = Client(port)
    ids = []
    for n in range(count):
        out = client.request("POST", f"/api/v1/users/{user_id}/offers/", body=offer_body(n), token=token)
        if out.status != 201:
            raise RuntimeError(f"seeding an offer failed: {out.describe()}")
        ids.append(int(out.json()["id"]))
    client.close()
    return ids


def error_body_problems(out: Outcome) -> list[str]:
    """What is wrong with a non-2xx response body: not JSON, no message, or leaked internals."""
    problems = []
    data = out.json()
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        problems.append(f"body is not JSON with a \"message\": {out.body[:200]!r}")
    lowered = out.body.decode("utf-8", "replace").lower()
    for marker in LEAK_MARKERS:
        if marker in lowered:
            problems.append(f"body leaks {marker!r}: {out.body[:200]!r}")
    content_type = out.headers.get("content-type", "")
    if "json" not in content_type:
        problems.append(f"content-type is {content_type!r}, not JSON")
    return problems


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


# ---------------------------------------------------------------------------------------------
# A steady mixed load: reads of existing offers and creates, each thread on its own keep-alive
# connection (reconnecting after a failure), bounded in time and in requests.


class MixedLoad:
    def __init__(
        self,
        port: int,
        user_id: int,
        token: str,
        offer_ids: list[int],
        readers: int = 4,
        creators: int = 2,
        pause: float = 0.02,
        max_seconds: float = 60.0,
        max_requests_per_thread: int = 5000,
        timeout: float = 15.0,
    ):
        self.port = port
        self.user_id = user_id
        self.token = token
        self.offer_ids = offer_ids
        self.readers = readers
        self.creators = creators
        self.pause = pause
        self.max_seconds = max_seconds
        self.max_requests = max_requests_per_thread
        self.timeout = timeout
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: list[Outcome] = []
        self.acknowledged: list[int] = []
        self.threads: list[threading.Thread] = []
        self.crashes: list[str] = []

    def start(self) -> None:
        for n in range(self.readers):
            self.threads.append(threading.Thread(target=self._run, args=("read", n), daemon=True))
        for n in range(self.creators):
            self.threads.append(threading.Thread(target=self._run, args=("create", n), daemon=True))
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(self.timeout + 5)

    def snapshot(self) -> list[Outcome]:
        with self.lock:
            return list(self.outcomes)

    def _run(self, role: str, n: int) -> None:
        try:
            client = Client(self.port, timeout=self.timeout)
            deadline = time.monotonic() + self.max_seconds
            for i in range(self.max_requests):
                if self.stop_event.is_set() or time.monotonic() > deadline:
                    break
                if role == "read":
                    offer = self.offer_ids[(n + i) % len(self.offer_ids)]
                    out = client.request(
                        "GET", f"/api/v1/users/{self.user_id}/offers/{offer}", token=self.token, label="read"
                    )
                else:
                    out = client.request(
                        "POST",
                        f"/api/v1/users/{self.user_id}/offers/",
                        body=offer_body(i),
                        token=self.token,
                        label="create",
                    )
                with self.lock:
                    self.outcomes.append(out)
                    if out.kind == "response" and out.status == 201:
                        data = out.json()
                        if isinstance(data, dict) and isinstance(data.get("id"), int):
                            self.acknowledged.append(data["id"])
                        else:
                            self.crashes.append(f"a 201 without an id: {out.body[:200]!r}")
                self.stop_event.wait(self.pause)
            client.close()
        except Exception:  # noqa: BLE001 - reported as a scenario failure
            with self.lock:
                self.crashes.append(traceback.format_exc())


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def pg_bin(tool: str) -> str:
    return os.path.join(env("PG_BIN"), tool)


def psql_args(db: str) -> list[str]:
    return [
        pg_bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
        "-h", HOST, "-p", env("PG_PORT"), "-U", "job_offers", "-d", db,
    ]  # fmt: skip


def psql(db: str, sql: str, timeout: float = 20.0) -> str:
    done = subprocess.run(
        psql_args(db) + ["-c", sql], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"psql failed ({done.returncode}): {sql}\n{done.stderr.strip()}")
    return done.stdout.strip()


def pg_ctl(*args: str, timeout: float = 90.0) -> subprocess.CompletedProcess:
    command = [pg_bin("pg_ctl"), "-D", env("PG_DATADIR"), *args]
    owner = os.environ.get("PG_RUNAS", "")
    if owner:
        command = ["runuser", "-u", owner, "--"] + command
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done


def pg_stop_fast() -> None:
    pg_ctl("-m", "fast", "-w", "-t", "60", "stop")


def pg_start(retry_seconds: float = 60.0) -> int:
    """Starts the cluster again; returns the attempts it took. The port lies in Linux's
    ephemeral range, so while Postgres is down some client socket (ours or another program's)
    may hold it for a while (TIME_WAIT lasts 60 s): retry rather than fail at once."""
    deadline = time.monotonic() + retry_seconds
    attempts = 0
    while True:
        attempts += 1
        try:
            pg_ctl("-w", "-t", "60", "-l", os.path.join(env("PG_DATADIR"), "server.log"),
                   "-o", env("PG_START_OPTS"), "start")  # fmt: skip
            return attempts
        except RuntimeError as error:
            if time.monotonic() > deadline:
                raise
            log(f"PostgreSQL did not start (attempt {attempts}), retrying: {str(error)[-200:]}")
            time.sleep(2.0)


class LockSession:
    """A psql session holding `LOCK TABLE ... IN ACCESS EXCLUSIVE MODE` in an open transaction
    until release(). If this process dies, psql sees EOF and the transaction rolls back."""

    def __init__(self, db: str, table: str = "offers"):
        self.proc = subprocess.Popen(
            psql_args(db),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(
            f"BEGIN;\nLOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n"
        )
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline().strip() if ready else ""
        if line != "locked":
            self.proc.kill()
            raise RuntimeError(f"could not lock {table}: {line!r} {self.proc.stderr.read()[:500]}")

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write("COMMIT;\n\\q\n")
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_for_lock_waiters(db: str, count: int, seconds: float = 8.0) -> int:
    """Waits until `count` job-offers backends wait on a lock; returns how many do."""
    deadline = time.monotonic() + seconds
    waiting = 0
    while time.monotonic() < deadline:
        waiting = int(
            psql(
                db,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'job-offers' "
                "AND datname = current_database() AND wait_event_type = 'Lock'",
            )
        )
        if waiting >= count:
            break
        time.sleep(0.1)
    return waiting


# ---------------------------------------------------------------------------------------------
# Results


class Scenario:
    """Collects a scenario's figures and failed checks, and writes them for the summary."""

    def __init__(self, name: str):
        self.name = name
        self.figures: dict[str, Any] = {}
        self.failures: list[str] = []
        self.notes: list[str] = []

    def figure(self, key: str, value: Any) -> None:
        self.figures[key] = value
        log(f"{self.name}: {key} = {value}")

    def check(self, condition: bool, message: str) -> bool:
        if condition:
            log(f"{self.name}: ok   - {message}")
        else:
            log(f"{self.name}: FAIL - {message}")
            self.failures.append(message)
        return condition

    def note(self, message: str) -> None:
        log(f"{self.name}: note - {message}")
        self.notes.append(message)

    def write(self) -> None:
        out_dir = env("FAULTS_OUT")
        with open(os.path.join(out_dir, f"{self.name}.json"), "w") as handle:
            json.dump(
                {
                    "name": self.name,
                    "passed": not self.failures,
                    "figures": self.figures,
                    "failures": self.failures,
                    "notes": self.notes,
                },
                handle,
                indent=2,
            )


def ms(seconds: float) -> int:
    return int(round(seconds * 1000))
