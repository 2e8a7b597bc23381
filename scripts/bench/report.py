#!/usr/bin/env python3
"""Writes the Markdown report of scripts/bench.sh from its results (one JSON object a line).

Exit status: 0, or 3 when a run that must be clean was not (a non-2xx answer or a socket error
outside the login floods; a time-out, an answer other than 200/503, or a 503 without
Retry-After in a login flood). Targets that are missed are reported, not turned into failures.
"""

import argparse
import json
import os
import platform
import re
import statistics
import sys
from collections import defaultdict

TUNING_PLACEHOLDER = "_(to be filled: what was changed, and the figures before and after)_"

# The HTTP scenarios, their labels, and the pgbench script that runs the same SQL.
SCENARIOS = [
    ("get_offer", "`GET /users/{u}/offers/{id}`", "get_offer"),
    ("list_offers", "`GET /users/{u}/offers/` (100 offers)", "list_offers"),
    ("create_offer", "`POST /users/{u}/offers/`", "create_offer"),
    ("update_offer", "`PUT /users/{u}/offers/{id}`", None),
    ("mixed", "mixed: 90% GET, 5% PUT, 5% POST", "mixed"),
    ("healthz", "`GET /healthz` (no database)", None),
    ("login", "`POST /users/login` (Argon2id) ¹", None),
]
PGBENCH_LABELS = {
    "get_offer": "credentials check + single-offer SELECT, one statement",
    "list_offers": "list SELECT (100 rows)",
    "create_offer": "creation count + INSERT",
    "mixed": "18 SELECT : 1 UPDATE : 1 INSERT",
}
GROWTH_TOLERANCE = 0.80  # "the same rate": the larger data set keeps at least 80%
# The targets for the board's API queries on one connection (medians): the newest page
# of 20 without a filter, any single filter, and two or three filters together (several words
# or skills count as several); and how much slower at the largest data set than at the
# smallest a query's median may be.
BOARD_API = "/api/v1/offers"
BOARD_LIMIT_NEWEST_MS = 3
BOARD_LIMIT_SINGLE_MS = 10
BOARD_LIMIT_COMBINED_MS = 20
BOARD_FLATNESS = 2.0
# A create's PostgreSQL time (pg_stat_statements, the INSERT's mean) and the server's start on
# a seeded database.
CREATE_PG_LIMIT_MS = 2
STARTUP_LIMIT_MS = 10_000


def board_filters(path):
    """How many filters a board API path applies (None: not a board listing). `currency` goes
    with `salary_min` as one filter; every further word of `q` or skill of `skills` counts."""
    base, _, query = path.partition("?")
    if base != BOARD_API:
        return None
    filters = 0
    for pair in filter(None, query.split("&")):
        name, _, value = pair.partition("=")
        if name == "currency" and "salary_min=" in query:
            continue
        if name == "q":
            filters += len(value.replace("%20", " ").replace("+", " ").split())
        elif name == "skills":
            filters += len([v for v in value.split(",") if v])
        else:
            filters += 1
    return filters


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("results", "output", "mode", "commit", "started", "finished", "load-start",
                 "load-end", "conns", "growth", "pg-version", "wrk-version", "fsync"):
        p.add_argument("--" + name, required=True)
    for name in ("cores", "duration", "reps", "main-offers", "growth-conns", "flood-conns", "ref-conns",
                 "login-conns", "pool-size", "final-hwm-kb", "writers", "per-user"):
        p.add_argument("--" + name, required=True, type=int)
    return p.parse_args()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# --- one run's figures --------------------------------------------------------------------

def wrk_rate(result):
    return result["requests"] / result["duration_us"] * 1e6 if result and result["duration_us"] else None


def statuses(result):
    return {int(k): v for k, v in (result or {}).get("statuses", {}).items()}


def non_2xx(result):
    if result and result.get("statuses_counted") is False:
        return result["status_errors"]  # wrk's own count of statuses >= 400
    return sum(n for status, n in statuses(result).items() if not 200 <= status < 300)


def socket_errors(result):
    if not result:
        return 0
    return (result["connect_errors"] + result["read_errors"] + result["write_errors"]
            + result["timeouts"])


def cpu_per_request(run, key):
    """CPU microseconds per completed request, from the ticks measured around a run."""
    result = run.get("result")
    if not result or not result["requests"] or key not in run:
        return None
    return run[key] / run["clk_tck"] * 1e6 / result["requests"]


class Results:
    def __init__(self, path):
        self.runs = []
        with open(path) as f:
            for line in f:
                if line.strip():
                    self.runs.append(json.loads(line))
        self.index = defaultdict(list)
        for run in self.runs:
            key = (run["tool"], run["phase"], run["scenario"], run["dataset"], run["conns"])
            self.index[key].append(run)

    def get(self, tool, phase, scenario, dataset, conns):
        return sorted(self.index.get((tool, phase, scenario, dataset, conns), []),
                      key=lambda r: r["rep"])

    def scenarios(self, tool, phase):
        seen = []
        for run in self.runs:
            if run["tool"] == tool and run["phase"] == phase and run["scenario"] not in seen:
                seen.append(run["scenario"])
        return seen


class Summary:
    """Medians over the repetitions of one HTTP (wrk) run."""

    def __init__(self, runs):
        self.runs = runs
        results = [r.get("result") for r in runs]
        self.missing = sum(1 for r in results if not r)
        ok = [r for r in results if r]
        self.rate = median([wrk_rate(r) for r in ok])
        rates = [wrk_rate(r) for r in ok]
        self.spread = (max(rates) - min(rates)) / self.rate if len(rates) > 1 and self.rate else None
        self.p50 = median([r["p50_us"] / 1000 for r in ok])
        self.p99 = median([r["p99_us"] / 1000 for r in ok])
        self.non_2xx = sum(non_2xx(r) for r in ok)
        self.socket = sum(socket_errors(r) for r in ok)
        self.timeouts = sum(r["timeouts"] for r in ok)
        self.no_retry_after = sum(r.get("missing_retry_after", 0) for r in ok)
        self.requests = sum(r["requests"] for r in ok)
        self.statuses = defaultdict(int)
        for r in ok:
            for status, n in statuses(r).items():
                self.statuses[status] += n
        self.server_cpu_us = median([cpu_per_request(r, "server_cpu_ticks") for r in runs])
        self.pg_cpu_us = median([cpu_per_request(r, "pg_cpu_ticks") for r in runs])
        rss = [r.get("rss_peak_kb") for r in runs if r.get("rss_peak_kb")]
        self.rss_mib = max(rss) / 1024 if rss else None
        self.rate_by_rep = {r["rep"]: wrk_rate(r.get("result")) for r in runs if r.get("result")}
        self.p99_by_rep = {r["rep"]: r["result"]["p99_us"] / 1000 for r in runs if r.get("result")}


class PgSummary:
    def __init__(self, runs):
        ok = [r["result"] for r in runs if r.get("result")]
        self.missing = len(runs) - len(ok)
        self.tps = median([r["tps"] for r in ok])
        self.p50 = median([r["p50_us"] / 1000 for r in ok])
        self.p99 = median([r["p99_us"] / 1000 for r in ok])
        self.failed = sum(r["failed"] for r in ok)
        self.tps_by_rep = {r["rep"]: r["result"]["tps"] for r in runs if r.get("result")}


def rep_ratio(http, pg):
    """The median over repetitions of HTTP rate / pgbench rate, each pair measured together."""
    ratios = [http.rate_by_rep[rep] / pg.tps_by_rep[rep]
              for rep in http.rate_by_rep if rep in pg.tps_by_rep and pg.tps_by_rep[rep]]
    return median(ratios)


# --- formatting ---------------------------------------------------------------------------

def num(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ")


def ms(value):
    return "—" if value is None else (f"{value:.2f}" if value < 10 else f"{value:.1f}")


def pct(value):
    return "—" if value is None else f"{value * 100:.0f}%"


def spread(value):
    """(max - min) / median of the repetitions' rates."""
    return "—" if value is None else f"±{value * 50:.0f}%"


def verdict(ok):
    return "**pass**" if ok else "**FAIL**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine():
    model, mem_kb = "unknown", 0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    return model, mem_kb / 1024 / 1024


def old_tuning_log(path):
    """The "Tuning log" section of the previous report, kept across runs."""
    try:
        text = open(path).read()
    except OSError:
        return None
    match = re.search(r"^## Tuning log\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1).strip() if match and match.group(1).strip() else None


# --- the report ---------------------------------------------------------------------------

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] (\w+):\s+(.*)$")


def logged_plans(path):
    """The auto_explain entries of a slice of PostgreSQL's log: each plan with its query."""
    plans, current = [], None
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return plans
    for line in lines:
        m = LOG_LINE.match(line)
        if m:
            current = None
            if m.group(1) == "LOG" and m.group(2).startswith("duration:") and "plan:" in m.group(2):
                current = [m.group(2)]
                plans.append(current)
        elif current is not None:
            current.append(line.replace("\t", "    "))
    return ["\n".join(plan) for plan in plans]


def board_at_size(w, res, sizes, problems):
    """The board's queries alone on one connection on each data set, and their plans; returns
    the targets: the issue's page of 20 without a filter, searching one word and filtering on
    one skill in single-digit milliseconds at the median, as flat from the smallest data set
    to the largest as BOARD_FLATNESS allows."""
    paths = res.scenarios("wrk", "size")
    if not paths or not sizes:
        return []
    small, large = min(sizes), max(sizes)
    w("## The board at size\n")
    w("Each board query alone on **one connection** (so the figures are its latency, not the "
      "machine's throughput), on every data set, before any write: the newest page of 20, each "
      "filter alone, then two or three together, with and without search words, and the HTML "
      "board searching. The newest page and a single ordered filter (workplace, pay, posting "
      "age, employer, one employment type) run one statement that counts the matches (capped at 10 000) "
      "and walks the page from that filter's newest-first index. Every other listing runs one "
      "statement that counts its matches and takes the page from them, and a second one that "
      "walks the newest offers for the page when there are more than 10 000 "
      "(src/repo/board.rs); a search (words or skills) also counts against the client's limit "
      "first. The plans below are PostgreSQL's own (auto_explain with ANALYZE and BUFFERS on "
      "the server's connections), for a request after one warm-up request.\n")
    rows, targets = [], []
    by_path = {}
    for path in paths:
        for size in sizes:
            s = Summary(res.get("wrk", "size", path, size, 1))
            by_path[(path, size)] = s
            if s.non_2xx or s.socket or s.missing:
                problems.append(f"board at size {path[6:]} on {size}: {s.non_2xx} non-2xx, "
                                f"{s.socket} socket errors, {s.missing} runs without a result")
        a_s, b_s = by_path[(path, small)], by_path[(path, large)]
        growth = b_s.p50 / a_s.p50 if a_s.p50 and b_s.p50 else None
        rows.append([f"`GET {path[6:]}`"]
                    + [ms(by_path[(path, size)].p50) for size in sizes]
                    + [ms(by_path[(path, size)].p99) for size in sizes]
                    + [f"{growth:.2f}×" if growth else "—",
                       num(b_s.rate), num(b_s.server_cpu_us), num(b_s.pg_cpu_us)])
        filters = board_filters(path[6:])
        if filters is not None:
            limit = (BOARD_LIMIT_NEWEST_MS if filters == 0 else BOARD_LIMIT_SINGLE_MS
                     if filters == 1 else BOARD_LIMIT_COMBINED_MS)
            for size in sizes:
                p50 = by_path[(path, size)].p50
                if p50 is not None:
                    targets.append((f"board `{path[6:]}`: median ≤ {limit} ms at {size:,} "
                                    "offers (one connection)", f"{ms(p50)} ms",
                                    verdict(p50 <= limit)))
        if growth is not None and not path[6:].startswith(BOARD_API + "/"):
            targets.append((f"board `{path[6:]}`: median at {large:,} offers ≤ "
                            f"{BOARD_FLATNESS:g}× at {small:,}", f"{growth:.2f}× "
                            f"({ms(a_s.p50)} → {ms(b_s.p50)} ms)",
                            verdict(growth <= BOARD_FLATNESS)))
    sizes_label = [f"{size:,}".replace(",", " ") for size in sizes]
    w(table(["query"] + [f"p50 ms, {l} offers" for l in sizes_label]
            + [f"p99 ms, {l} offers" for l in sizes_label]
            + [f"p50 {sizes_label[-1]} ÷ {sizes_label[0]}", f"req/s at {sizes_label[-1]}",
               "server CPU µs/req", "PostgreSQL CPU µs/req"], rows))
    w("")
    seeds = [(r["dataset"], r["seconds"]) for r in res.runs if r["tool"] == "seed"]
    starts = {r["dataset"]: r["ms"] for r in res.runs if r["tool"] == "startup"}
    if seeds or starts:
        w(table(["offers", "seeded in (scripts/bench/seed.sql)",
                 "server start on it (launch to first healthy answer, migrations checked)"],
                [[f"{size:,}".replace(",", " "), f"{seconds} s",
                  f"{starts[size]} ms" if size in starts else "—"]
                 for size, seconds in sorted(seeds)]))
        w("")
        for size, started in sorted(starts.items()):
            if size == small:
                targets.append((f"start-up on an existing {size:,}-offer database ≤ "
                                f"{STARTUP_LIMIT_MS // 1000} s (no backfill at start)",
                                f"{started} ms", verdict(started <= STARTUP_LIMIT_MS)))
    w("### Plans\n")
    for size in sizes:
        for path in paths:
            runs = res.get("explain", "size", path, size, 0)
            plans = logged_plans(runs[-1]["file"]) if runs else []
            w(f"<details><summary><code>GET {path[6:]}</code> on {size:,} offers: "
              f"{len(plans)} statement(s)</summary>\n")
            w("```")
            w("\n\n".join(plans) if plans else "(no plan captured)")
            w("```\n")
            w("</details>\n")
    return targets


def main():
    a = parse_args()
    res = Results(a.results)
    conns_list = [int(c) for c in a.conns.split()]
    growth_sizes = [int(s) for s in a.growth.split()]
    main_ds = a.main_offers
    problems = []  # runs that had to be clean and were not
    flood_problems = []  # login runs with time-outs, unexpected statuses, 503 without Retry-After
    targets = []  # (target, measured, verdict)
    out = []
    w = out.append

    model, mem_gib = machine()
    title = "Benchmarks" if a.mode == "full" else "Benchmarks (quick smoke run: indicative only)"
    w(f"# {title}\n")
    w("Written by `scripts/bench.sh`" + (" --quick" if a.mode == "quick" else "")
      + "; regenerate with the same command (the Tuning log section is kept).\n")
    w(table(["", "this run"], [
        ["commit", f"`{a.commit}`"],
        ["date (UTC)", f"{a.started} → {a.finished}"],
        ["machine", f"{a.cores} cores ({model}), {mem_gib:.1f} GiB RAM, "
                    f"Linux {platform.release()}"],
        ["load average (1/5/15 min) at start / end",
         f"{' '.join(a.load_start.split()[:3])} / {' '.join(a.load_end.split()[:3])}"],
        ["software", f"{a.pg_version.strip()} (fsync={a.fsync}); {a.wrk_version}; "
                     "release build of `job-offers`"],
        ["server", "`ROCKET_PROFILE=release`, log level off, access log off, "
                   f"{a.cores} async workers (Rocket's default), pool of {a.pool_size} "
                   "connections, on 127.0.0.1"],
        ["data set", f"{main_ds // a.per_user:,} employers × {a.per_user} offers = "
                     f"{main_ds:,} offers, 3–8 skills and ~500-character descriptions each; "
                     "one real Argon2id hash shared by all users"],
        ["method", f"wrk ({a.cores} threads, time-out 5 s) and pgbench `-M prepared` over "
                   f"loopback on the same machine (they compete with the server for its "
                   f"{a.cores} cores); {a.duration} s per run, {a.reps} repetition(s), "
                   "medians reported; each HTTP run is next to its pgbench run and ratios "
                   "are medians of per-repetition ratios; the board endpoints and the "
                   f"mixed pgbench reference at {a.ref_conns} connections "
                   "only, besides the board at size on one connection"],
    ]))
    w("")
    w("Every authenticated request checks its token's credentials in the database "
      "(src/auth/guard.rs) on the one pooled connection the request's handler then uses "
      "(`db_pool_acquires_total`: one per request). The single-offer GET folds that check "
      "into its own SELECT (`find_visible_checked`), and its pgbench reference runs that "
      "statement; the other signed-in endpoints run the check as a statement of its own, "
      "which their pgbench references leave out.\n")

    # --- throughput by endpoint ---
    w("## Throughput and latency by endpoint\n")
    rows = []
    boards = [s for s in res.scenarios("wrk", "main") if s.startswith("board:")]
    scenarios = SCENARIOS[:6] + [(b, f"`GET {b[6:]}` (board)", b) for b in boards] + SCENARIOS[6:]
    summaries = {}
    for scenario, label, pg_script in scenarios:
        for conns in conns_list:
            runs = res.get("wrk", "main", scenario, main_ds, conns)
            if not runs:
                continue
            s = Summary(runs)
            summaries[(scenario, conns)] = s
            pg = PgSummary(res.get("pgbench", "main", pg_script, main_ds, conns)) if pg_script else None
            ratio = rep_ratio(s, pg) if pg else None
            if scenario != "login" and (s.non_2xx or s.socket or s.missing):
                problems.append(f"{scenario} at {conns} connections: {s.non_2xx} non-2xx, "
                                f"{s.socket} socket errors, {s.missing} runs without a result")
            rows.append([label, conns, num(s.rate), spread(s.spread), ms(s.p50), ms(s.p99), s.non_2xx, s.socket,
                         num(pg.tps) if pg else "—", pct(ratio),
                         num(s.server_cpu_us), num(s.pg_cpu_us), num(s.rss_mib, 1)])
    w(table(["endpoint", "conns", "req/s", "spread", "p50 ms", "p99 ms", "non-2xx", "socket errors",
             "pgbench tps (same SQL)", "ratio", "server CPU µs/req", "PostgreSQL CPU µs/req",
             "peak RSS MiB"], rows))
    w("")
    w("CPU per request: user + system time of the server process, and of every PostgreSQL "
      "process, over the run, divided by the requests completed (wrk's own share of the "
      "cores is the rest). With both cores busy, `2 000 000 ÷ (server + PostgreSQL + wrk µs)` "
      "bounds the rate. Spread: half the range of the repetitions' rates, relative to "
      "their median.\n")
    w("¹ Login is a flood by design at every connection count: 503 (with `Retry-After`) is "
      "its expected answer once the hashing slots stay busy for the server's wait (2 s); "
      "see the login table.\n")

    # --- pgbench references ---
    w("### The limit: pgbench on the same statements\n")
    rows = []
    for script in ["get_offer", "list_offers", "create_offer", "mixed"] + boards:
        for conns in conns_list:
            runs = res.get("pgbench", "main", script, main_ds, conns)
            if not runs:
                continue
            pg = PgSummary(runs)
            if pg.failed or pg.missing:
                problems.append(f"pgbench {script} at {conns}: {pg.failed} failed transactions, "
                                f"{pg.missing} runs without a result")
            rows.append([PGBENCH_LABELS.get(script, f"`{script}` (scripts/bench/pg_board_*.sql)"), conns, num(pg.tps), ms(pg.p50), ms(pg.p99),
                         pg.failed])
    w(table(["pgbench script (scripts/bench/pg_*.sql)", "clients", "tps", "p50 ms",
             "p99 ms", "failed"], rows))
    w("")

    # --- login ---
    w("### Login (Argon2id, OWASP parameters)\n")
    rows = []
    for conns in conns_list:
        s = summaries.get(("login", conns))
        if not s:
            continue
        ok = s.statuses.get(200, 0)
        busy = s.statuses.get(503, 0)
        other = sum(n for st, n in s.statuses.items() if st not in (200, 503))
        seconds = sum(r["seconds"] for r in s.runs)
        if s.socket or other or s.no_retry_after:
            flood_problems.append(f"login at {conns}: {s.socket} socket errors/time-outs, {other} "
                            f"answers other than 200/503, {s.no_retry_after} 503 without "
                            "Retry-After")
        rows.append([conns, num(ok / seconds, 1) if seconds else "—", ms(s.p50), ms(s.p99),
                     ok, busy, other, s.timeouts, s.socket - s.timeouts, s.no_retry_after])
    w(table(["conns", "200/s", "p50 ms", "p99 ms", "200", "503", "other", "time-outs",
             "other socket errors", "503 without Retry-After"], rows))
    w("")

    # --- login flood ---
    w(f"## Reads under a login flood\n")
    w(f"Single-offer GET at {a.flood_conns} connections alone, then again while "
      f"{a.login_conns} more connections log in continuously (Argon2id on every request).\n")
    unloaded = Summary(res.get("wrk", "flood", "get_unloaded", main_ds, a.flood_conns))
    flooded = Summary(res.get("wrk", "flood", "get_flooded", main_ds, a.flood_conns))
    login = Summary(res.get("wrk", "flood", "login_flood", main_ds, a.login_conns))
    rate_ratios, p99_ratios = [], []
    for rep, rate in flooded.rate_by_rep.items():
        if unloaded.rate_by_rep.get(rep):
            rate_ratios.append(rate / unloaded.rate_by_rep[rep])
            p99_ratios.append(flooded.p99_by_rep[rep] / unloaded.p99_by_rep[rep])
    rate_ratio, p99_ratio = median(rate_ratios), median(p99_ratios)
    for label, s in (("GET alone", unloaded), ("GET under the flood", flooded)):
        if s.non_2xx or s.socket or s.missing:
            problems.append(f"{label}: {s.non_2xx} non-2xx, {s.socket} socket errors")
    w(table(["run", "req/s", "p50 ms", "p99 ms", "non-2xx", "socket errors"], [
        [f"GET alone ({a.flood_conns} conns)", num(unloaded.rate), ms(unloaded.p50),
         ms(unloaded.p99), unloaded.non_2xx, unloaded.socket],
        [f"GET under the flood ({a.flood_conns} conns)", num(flooded.rate), ms(flooded.p50),
         ms(flooded.p99), flooded.non_2xx, flooded.socket],
        ["ratio (median of per-repetition ratios)", pct(rate_ratio), "",
         "—" if p99_ratio is None else f"{p99_ratio:.2f}×", "", ""],
    ]))
    w("")
    login_ok = login.statuses.get(200, 0)
    login_busy = login.statuses.get(503, 0)
    login_other = sum(n for st, n in login.statuses.items() if st not in (200, 503))
    login_seconds = sum(r["seconds"] for r in login.runs) or None
    w(table(["login flood", "value"], [
        ["connections", a.login_conns],
        ["200 (signed in)", f"{login_ok} ({num(login_ok / login_seconds, 1) if login_seconds else '—'}/s)"],
        ["503 with Retry-After", login_busy - login.no_retry_after],
        ["503 without Retry-After", login.no_retry_after],
        ["other statuses", login_other],
        ["time-outs (5 s)", login.timeouts],
        ["other socket errors", login.socket - login.timeouts],
        ["login p50 / p99 ms", f"{ms(login.p50)} / {ms(login.p99)}"],
    ]))
    w("")
    if login.socket or login_other or login.no_retry_after or login.missing:
        flood_problems.append(f"login flood: {login.timeouts} time-outs, {login_other} other "
                        f"statuses, {login.no_retry_after} 503 without Retry-After")

    # --- memory ---
    hwm_mib = a.final_hwm_kb / 1024
    w("## Memory\n")
    w(f"Peak resident set of the main server over every run above (`VmHWM`): "
      f"**{hwm_mib:.1f} MiB**. The per-run peaks (sampled `VmRSS`, 10 Hz) are in the "
      "endpoint table.\n")

    # --- growth ---
    w("## Cost as work grows\n")
    w(f"The same reads, at {a.growth_conns} connections, on data sets of growing size (each "
      f"user owns {a.per_user} offers), before any write; runs interleaved across data sets.\n")
    rows, growth = [], {}
    for size in growth_sizes:
        g = Summary(res.get("wrk", "growth", "get_offer", size, a.growth_conns))
        l = Summary(res.get("wrk", "growth", "list_offers", size, a.growth_conns))
        growth[size] = (g, l)
        for label, s in (("get", g), ("list", l)):
            if s.non_2xx or s.socket or s.missing:
                problems.append(f"growth {label} on {size}: {s.non_2xx} non-2xx, "
                                f"{s.socket} socket errors")
        rows.append([f"{size:,}".replace(",", " "), num(g.rate), ms(g.p50), ms(g.p99),
                     num(l.rate), ms(l.p50), ms(l.p99)])
    growth_ratios = {}
    if len(growth_sizes) >= 2:
        small, large = min(growth_sizes), max(growth_sizes)
        for i, name in enumerate(("get", "list")):
            a_rate, b_rate = growth[small][i].rate, growth[large][i].rate
            growth_ratios[name] = b_rate / a_rate if a_rate and b_rate else None
        rows.append([f"{large:,} ÷ {small:,}".replace(",", " "), pct(growth_ratios["get"]), "", "",
                     pct(growth_ratios["list"]), "", ""])
    w(table(["offers", "single GET req/s", "p50 ms", "p99 ms", "list of 100 req/s", "p50 ms",
             "p99 ms"], rows))
    w("")

    # --- the board at size ---
    board_targets = board_at_size(w, res, growth_sizes, problems)

    # --- a create's PostgreSQL time ---
    cost_runs = res.get("pgss", "cost", "create_offer", main_ds, 1)
    if cost_runs:
        w("## A create's PostgreSQL time\n")
        w(f"`POST /users/{{u}}/offers/` on one connection ({main_ds:,} offers), "
          "pg_stat_statements reset before each run: each statement's mean execution time "
          "(the executor's, planning excluded) and the PostgreSQL CPU the run cost per request "
          "(every PostgreSQL process, /proc).\n")
        rows = []
        for statement, label in (("auth", "auth guard `SELECT EXISTS`"),
                                 ("limit", "creation count `INSERT INTO attempt_limits`"),
                                 ("insert", "`INSERT INTO offers` (src/repo/offers.rs `insert`)")):
            values = [r["result"][statement]["mean_ms"] for r in cost_runs
                      if r.get("result") and statement in r["result"]]
            calls = sum(r["result"][statement]["calls"] for r in cost_runs
                        if r.get("result") and statement in r["result"])
            rows.append([label, calls, f"{median(values):.3f}" if values else "—"])
        cpu = Summary(res.get("wrk", "cost", "create_offer", main_ds, 1))
        rows.append(["PostgreSQL CPU per create, all statements (/proc)", cpu.requests,
                     f"{cpu.pg_cpu_us / 1000:.3f}" if cpu.pg_cpu_us is not None else "—"])
        w(table(["statement", "calls", "mean ms"], rows))
        w("")

    # --- targets ---
    w("## Targets\n")

    def best_ratio(scenario):
        best = None
        for conns in conns_list:
            s = summaries.get((scenario, conns))
            pg = PgSummary(res.get("pgbench", "main", scenario, main_ds, conns))
            r = rep_ratio(s, pg) if s else None
            if r is not None and (best is None or r > best[0]):
                best = (r, conns, s.rate, pg.tps)
        return best

    for scenario, goal, label in (("get_offer", 0.35, "single-offer GET"),
                                  ("list_offers", 0.50, "list of 100 offers")):
        best = best_ratio(scenario)
        if best:
            r, conns, rate, tps = best
            targets.append((f"{label} ≥ {goal:.0%} of pgbench's rate for its SQL "
                            "(best connection count)",
                            f"{r:.1%} at {conns} conns ({num(rate)} req/s vs {num(tps)} tps); "
                            f"{'+' if r >= goal else ''}{(r - goal) * 100:.1f} points",
                            verdict(r >= goal)))
        else:
            targets.append((f"{label} ≥ {goal:.0%} of pgbench", "not measured", "—"))
    # The create against pgbench running its statements, at 16 connections (where writes
    # are not yet waiting on each other's locks).
    create16 = summaries.get(("create_offer", 16))
    create_pg = PgSummary(res.get("pgbench", "main", "create_offer", main_ds, 16))
    create_ratio = rep_ratio(create16, create_pg) if create16 else None
    if create_ratio is not None:
        targets.append(("create ≥ 35% of pgbench's rate for its SQL at 16 connections",
                        f"{create_ratio:.1%} ({num(create16.rate)} req/s vs "
                        f"{num(create_pg.tps)} tps)", verdict(create_ratio >= 0.35)))
    else:
        targets.append(("create ≥ 35% of pgbench at 16 connections", "not measured", "—"))
    s64 = summaries.get(("get_offer", 64))
    health64 = summaries.get(("healthz", 64))
    if s64 and health64 and health64.rate:
        ratio = s64.rate / health64.rate
        targets.append(("single-offer GET ≥ 45% of the server's /healthz rate at 64 connections",
                        f"{ratio:.1%} ({num(s64.rate)} vs {num(health64.rate)} req/s)",
                        verdict(ratio >= 0.45)))
    if s64 and s64.p99 is not None:
        targets.append(("single-offer GET p99 ≤ 10 ms at 64 connections",
                        f"{ms(s64.p99)} ms", verdict(s64.p99 <= 10)))
    else:
        targets.append(("single-offer GET p99 ≤ 10 ms at 64 connections",
                        "not measured (no 64-connection run)", "—"))
    targets.append(("server RSS ≤ 64 MiB under all of the above", f"{hwm_mib:.1f} MiB (VmHWM)",
                    verdict(hwm_mib <= 64)))
    if rate_ratio is not None:
        targets.append((f"login flood ({a.login_conns} conns): GET keeps ≥ 50% of its "
                        "unloaded rate", pct(rate_ratio), verdict(rate_ratio >= 0.5)))
        targets.append(("login flood: GET p99 ≤ 3× unloaded", f"{p99_ratio:.2f}×",
                        verdict(p99_ratio <= 3)))
    flood_clean = not flood_problems
    targets.append(("login flood: excess logins wait or get 503 + Retry-After, never a time-out",
                    f"{login_ok} × 200, {login_busy} × 503, {login.timeouts} time-outs, "
                    f"{login_other} other", verdict(flood_clean)))
    targets.append(("zero non-2xx and zero socket errors in every non-flood run",
                    "none" if not problems else f"{len(problems)} problem(s), below",
                    verdict(not problems)))
    for name, label in (("get", "single-offer GET"), ("list", "list of 100")):
        r = growth_ratios.get(name)
        if r is not None:
            targets.append((f"{label}: same rate from {min(growth_sizes):,} to "
                            f"{max(growth_sizes):,} offers (≥ {GROWTH_TOLERANCE:.0%})",
                            pct(r), verdict(r >= GROWTH_TOLERANCE)))
    targets.extend(board_targets)
    board_main = [(b, summaries[(b, a.ref_conns)]) for b in boards
                  if (b, a.ref_conns) in summaries]
    if board_main:
        bad = sum(s.non_2xx + s.socket + s.missing for _, s in board_main)
        targets.append((f"every board query at {a.ref_conns} connections on {main_ds:,} offers: "
                        "zero non-2xx", f"{len(board_main)} queries, {bad} non-2xx/socket "
                        "errors/missing runs", verdict(bad == 0)))
    inserts = [r["result"]["insert"]["mean_ms"] for r in res.get("pgss", "cost", "create_offer",
                                                                    main_ds, 1)
               if r.get("result") and "insert" in r["result"]]
    if inserts:
        targets.append((f"a create's PostgreSQL time ≤ {CREATE_PG_LIMIT_MS} ms (the INSERT's "
                        "mean execution, pg_stat_statements, one connection)",
                        f"{median(inserts):.2f} ms", verdict(median(inserts) <= CREATE_PG_LIMIT_MS)))
    w(table(["target", "measured", "verdict"], targets))
    w("")
    if problems or flood_problems:
        w("Problems:\n")
        for p in problems + flood_problems:
            w(f"- {p}")
        w("")
    if a.mode == "quick":
        w("_Quick mode: small data set, one connection count, short runs; the figures are a "
          "smoke test, not a measurement._\n")

    # --- tuning log ---
    w("## Tuning log\n")
    w(old_tuning_log(a.output) or TUNING_PLACEHOLDER)
    w("")

    with open(a.output + ".tmp", "w") as f:
        f.write("\n".join(out))
    os.replace(a.output + ".tmp", a.output)

    print(f"targets: {sum(1 for t in targets if t[2] == '**pass**')} pass, "
          f"{sum(1 for t in targets if t[2] == '**FAIL**')} fail", file=sys.stderr)
    for p in problems + flood_problems:
        print(f"problem: {p}", file=sys.stderr)
    return 3 if problems or flood_problems else 0


if __name__ == "__main__":
    sys.exit(main())
