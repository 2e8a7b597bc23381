"""Promise 1: the database goes away and comes back.

db-outage:     under a steady mixed load, `pg_ctl stop -m fast`, ~4 s down, start again.
kill-backends: under the same load, pg_terminate_backend() every job-offers connection, a few
               times.
"""

from __future__ import annotations

import os
import time

from common import (
    MixedLoad,
    Outcome,
    Scenario,
    create_offers,
    env,
    error_body_problems,
    ms,
    percentile,
    pg_start,
    pg_stop_fast,
    psql,
    sign_in,
)

ALLOWED_STATUSES = {200, 201, 503}


def server_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def check_responses(s: Scenario, outcomes: list[Outcome]) -> None:
    """Every request ended with a response; only 2xx or 503; errors are clean JSON."""
    broken = [o for o in outcomes if o.kind != "response"]
    s.check(
        not broken,
        f"every request got an HTTP response (no reset/timeout/refused): {len(broken)} did not"
        + (f"; first: {broken[0].describe()}" if broken else ""),
    )
    odd = [o for o in outcomes if o.kind == "response" and o.status not in ALLOWED_STATUSES]
    s.check(
        not odd,
        f"only 200/201/503 answered (no 500, no 401): {len(odd)} others"
        + (f"; first: {odd[0].describe()}" if odd else ""),
    )
    bad_bodies = []
    for o in outcomes:
        if o.kind == "response" and o.status >= 400:
            bad_bodies += error_body_problems(o)
            if o.status == 503 and "retry-after" not in o.headers:
                bad_bodies.append(f"503 without Retry-After: {o.describe()}")
    s.check(
        not bad_bodies,
        f"error bodies are JSON with a message, nothing internal, 503 with Retry-After: "
        f"{len(bad_bodies)} problems" + (f"; first: {bad_bodies[0]}" if bad_bodies else ""),
    )


def check_acknowledged(s: Scenario, db: str, acknowledged: list[int]) -> None:
    rows = {int(line) for line in psql(db, "SELECT id FROM offers").split() if line}
    missing = sorted(set(acknowledged) - rows)
    s.figure("acknowledged_creates", len(acknowledged))
    s.figure("acknowledged_found_in_db", len(set(acknowledged) & rows))
    s.check(
        not missing,
        f"every create answered 201 is in the database: {len(missing)} missing"
        + (f" (ids {missing[:10]})" if missing else ""),
    )


def steady_from(outcomes: list[Outcome], since: float) -> float | None:
    """When the final all-2xx run of requests (by start time) began, among those ending after
    `since`: the moment from which the service answered normally again."""
    later = sorted((o for o in outcomes if o.t1 >= since), key=lambda o: o.t0)
    start = None
    for o in later:
        if o.ok:
            if start is None:
                start = o.t1
        else:
            start = None
    return start


def db_outage(s: Scenario) -> None:
    port = int(env("SERVER_PORT"))
    db = env("FAULTS_DB")
    pid = int(env("SERVER_PID"))
    acquire = int(env("ACQUIRE_TIMEOUT_MS", "2000")) / 1000
    outage_seconds = float(env("FAULTS_OUTAGE_SECONDS", "4"))

    user_id, token = sign_in(port, "faults_outage", "faults-outage-password")
    offers = create_offers(port, user_id, token, 20)
    load = MixedLoad(port, user_id, token, offers, readers=4, creators=2, max_seconds=45)
    load.start()
    try:
        time.sleep(2.0)
        t_stop = time.monotonic()
        pg_stop_fast()
        t_down = time.monotonic()
        time.sleep(outage_seconds)
        t_start = time.monotonic()
        start_attempts = pg_start()
        t_up = time.monotonic()  # pg_ctl -w returned: accepting connections
        # Wait (bounded) until requests succeed again, then keep the load 3 s more.
        deadline = t_up + 12
        while time.monotonic() < deadline:
            if any(o.ok and o.t0 >= t_up for o in load.snapshot()):
                break
            time.sleep(0.1)
        time.sleep(3.0)
    finally:
        load.stop()

    outcomes = load.snapshot()
    for crash in load.crashes:
        s.check(False, f"load generator: {crash.strip()}")
    s.figure("requests_total", len(outcomes))
    s.figure("pg_stop_took_ms", ms(t_down - t_stop))
    s.figure("pg_down_ms", ms(t_up - t_down))
    s.figure("pg_start_took_ms", ms(t_up - t_start))
    if start_attempts > 1:
        s.note(f"Postgres needed {start_attempts} start attempts (its port was briefly taken)")

    during = [o for o in outcomes if o.t1 >= t_stop and o.t0 <= t_up]
    unavailable = [o for o in during if o.kind == "response" and o.status == 503]
    latencies = [o.latency for o in during]
    max_latency = max(latencies, default=0.0)
    s.figure("requests_during_outage", len(during))
    s.figure("503_during_outage", len(unavailable))
    s.figure("2xx_during_outage", sum(1 for o in during if o.ok))
    s.figure("max_latency_during_outage_ms", ms(max_latency))
    s.figure("p50_latency_during_outage_ms", ms(percentile(latencies, 50)))
    s.check(len(unavailable) >= 5, f"the outage was felt: {len(unavailable)} requests got 503")
    fully_down = [o for o in outcomes if o.t0 >= t_down and o.t1 <= t_start]
    s.figure("requests_while_pg_fully_down", len(fully_down))
    s.check(
        all(o.kind == "response" and o.status == 503 for o in fully_down),
        f"every request made while Postgres was fully down got 503: "
        f"{sum(o.status == 503 for o in fully_down)}/{len(fully_down)}",
    )
    s.check(
        max_latency <= acquire + 1.0,
        f"no hang: max latency during the outage {ms(max_latency)} ms <= acquire timeout "
        f"{ms(acquire)} ms + 1 s",
    )
    check_responses(s, outcomes)

    ok_after = sorted((o.t1 for o in outcomes if o.ok and o.t1 >= t_up))
    first_ok = ok_after[0] - t_up if ok_after else None
    steady = steady_from(outcomes, t_up)
    s.figure("first_2xx_after_pg_back_ms", ms(first_ok) if first_ok is not None else "never")
    s.figure(
        "all_2xx_from_ms_after_pg_back",
        ms(steady - t_up) if steady is not None else "never",
    )
    s.check(
        steady is not None and steady - t_up <= 5.0,
        "within 5 s of Postgres accepting connections every request succeeds again, "
        "without restarting the server",
    )
    s.figure("2xx_after_recovery", sum(1 for o in outcomes if o.ok and steady and o.t0 >= steady))
    s.check(server_alive(pid), f"the server process {pid} is the same one, still running")
    check_acknowledged(s, db, load.acknowledged)


def kill_backends(s: Scenario) -> None:
    port = int(env("SERVER_PORT"))
    db = env("FAULTS_DB")
    rounds = int(env("FAULTS_KILL_ROUNDS", "3"))

    user_id, token = sign_in(port, "faults_kill", "faults-kill-password")
    offers = create_offers(port, user_id, token, 20)
    load = MixedLoad(port, user_id, token, offers, readers=4, creators=2, max_seconds=40)
    load.start()
    killed = []
    try:
        time.sleep(1.5)
        for _ in range(rounds):
            count = psql(
                db,
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) AS killed "
                "FROM pg_stat_activity WHERE application_name = 'job-offers' "
                "AND datname = current_database() AND pid <> pg_backend_pid()) k WHERE killed",
            )
            killed.append(int(count))
            time.sleep(1.5)
        time.sleep(1.0)
    finally:
        load.stop()

    outcomes = load.snapshot()
    for crash in load.crashes:
        s.check(False, f"load generator: {crash.strip()}")
    failures = [o for o in outcomes if not o.ok]
    s.figure("requests_total", len(outcomes))
    s.figure("connections_killed_per_round", killed)
    s.figure("connections_killed", sum(killed))
    s.figure("failed_requests", len(failures))
    s.figure("failed_by_status", _by_status(failures))
    s.check(sum(killed) >= rounds, f"connections were killed ({sum(killed)} in {rounds} rounds)")
    s.check(
        len(failures) <= sum(killed),
        f"at most one failed request per killed connection: {len(failures)} failures for "
        f"{sum(killed)} killed connections",
    )
    check_responses(s, outcomes)
    last = max((o.t1 for o in outcomes), default=0.0)
    tail = [o for o in outcomes if o.t0 >= last - 0.8]
    s.check(
        bool(tail) and all(o.ok for o in tail),
        f"the last requests all succeed ({sum(o.ok for o in tail)}/{len(tail)} in the final 0.8 s)",
    )
    check_acknowledged(s, db, load.acknowledged)


def _by_status(outcomes: list[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        key = str(o.status) if o.kind == "response" else o.kind
        counts[key] = counts.get(key, 0) + 1
    return counts


SCENARIOS = {"db-outage": db_outage, "kill-backends": kill_backends}

if __name__ == "__main__":  # pragma: no cover - run through run.py
    raise SystemExit(f"run through run.py, e.g. python3 {os.path.dirname(__file__)}/run.py db-outage")
