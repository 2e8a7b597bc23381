"""receivers-down: the SMTP server and a webhook receiver are down while a burst of applications
arrives. Every application must be stored (201), and once the receivers are back every message
and every delivery must arrive exactly once, the deliveries correctly signed: no loss, no
duplicate.

The SMTP server is the tests' aiosmtpd sink (scripts/lib/smtp_sink.py, run by the Python of
.venv-smtp that scripts/faults.sh prepares); the webhook receiver is a standard-library HTTP
server here. Both start only after the burst."""

from __future__ import annotations

import collections
import glob
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import threading
import time
import uuid
from typing import Any

from common import Client, Scenario, env, log, psql, sign_in

BURST = 40
# One in four submits is sent twice with the same Idempotency-Key, as a client retrying after
# a lost answer would: it must make no second application and no second message.
RETRIED_EVERY = 4
EMPLOYER_ADDRESS = "jobs@hiring.example"


def apply_all(port: int, offer: int) -> list[tuple[str, int, Any]]:
    """The burst: BURST applications from 8 threads; (e-mail, status, body) of each submit."""
    results: list[tuple[str, int, Any]] = []
    lock = threading.Lock()
    todo = list(range(BURST))

    def worker() -> None:
        client = Client(port, timeout=20.0)
        while True:
            with lock:
                if not todo:
                    break
                n = todo.pop()
            address = f"candidate{n}@example.com"
            body = {"name": f"Candidate {n}", "email": address, "consent": True}
            key = uuid.uuid4().hex
            for _ in range(2 if n % RETRIED_EVERY == 0 else 1):
                out = client.request(
                    "POST", f"/api/v1/offers/{offer}/applications", body=body,
                    label="apply", headers={"Idempotency-Key": key},
                )  # fmt: skip
                with lock:
                    results.append((address, out.status or 0, out.json() if out.ok else out.describe()))
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def delivered_mail(directory: str) -> list[dict[str, Any]]:
    messages = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as handle:
            messages.append(json.load(handle))
    return messages


class HookReceiver:
    """Records every delivery POSTed to it, with whether its signature holds, and answers 204."""

    def __init__(self, port: int, secret: str):
        self.deliveries: list[dict[str, Any]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = self.headers.get("X-Timestamp", "")
                expected = "sha256=" + hmac.new(
                    secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                ).hexdigest()
                event = json.loads(body)
                receiver.deliveries.append({
                    "id": event.get("id"), "type": event.get("type"),
                    "signed": hmac.compare_digest(expected, self.headers.get("X-Signature", "")),
                    "fresh": abs(time.time() - int(timestamp or 0)) < 300,
                })  # fmt: skip
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "HookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def receivers_down(s: Scenario) -> None:
    port = int(env("SERVER_PORT"))
    db = env("FAULTS_DB")
    smtp_port = int(env("FAULTS_SMTP_PORT"))
    user_id, token = sign_in(port, "receivers", "correct horse battery staple")
    created = Client(port).request(
        "POST", f"/api/v1/users/{user_id}/offers/", token=token,
        body={"title": "Fault drill: applications", "description": "Receivers down.",
              "apply_native": True, "apply_email": EMPLOYER_ADDRESS},
    )  # fmt: skip
    if not s.check(created.status == 201, f"the offer is created ({created.describe()})"):
        return
    offer = created.json()["id"]
    hook_port = int(env("FAULTS_HOOK_PORT"))
    hook = Client(port).request(
        "POST", f"/api/v1/users/{user_id}/webhooks", token=token,
        body={"url": f"http://127.0.0.1:{hook_port}/hook", "events": ["application.created"]},
    )  # fmt: skip
    if not s.check(hook.status == 201, f"the webhook is registered ({hook.describe()})"):
        return
    secret = hook.json()["secret"]

    started = time.monotonic()
    results = apply_all(port, offer)
    s.figure("burst_seconds", round(time.monotonic() - started, 2))
    statuses = collections.Counter(status for _, status, _ in results)
    s.figure("submit_statuses", dict(statuses))
    s.check(set(statuses) == {201}, "every submit, first or retried, is answered 201")
    ids_by_address: dict[str, set[int]] = collections.defaultdict(set)
    for address, status, body in results:
        if status == 201:
            ids_by_address[address].add(body["id"])
    s.check(
        all(len(ids) == 1 for ids in ids_by_address.values()),
        "a retried submit answers the first application again",
    )
    stored = int(psql(db, f"SELECT count(*) FROM applications WHERE offer_id = {offer}"))
    s.figure("applications_stored", stored)
    s.check(stored == BURST, f"all {BURST} applications are stored, none twice")

    # The SMTP server is down: the messages wait, with failed attempts, none lost.
    time.sleep(3)
    pending = psql(db, "SELECT count(*), coalesce(min(attempts), 0) FROM outbox "
                       "WHERE channel = 'email' AND sent_at IS NULL AND failed_at IS NULL")  # fmt: skip
    waiting, fewest_attempts = (int(x) for x in pending.split("|"))
    s.figure("mail_waiting_while_down", waiting)
    s.check(waiting == 2 * BURST, "a receipt and an employer notice wait for each application")
    s.check(fewest_attempts >= 1, "each waiting message has been tried already")
    hooks = psql(db, "SELECT count(*), coalesce(min(attempts), 0) FROM outbox "
                     "WHERE channel = 'webhook' AND sent_at IS NULL AND failed_at IS NULL")  # fmt: skip
    hooks_waiting, fewest_hook_attempts = (int(x) for x in hooks.split("|"))
    s.figure("deliveries_waiting_while_down", hooks_waiting)
    s.check(hooks_waiting == BURST + 1, "a delivery per application, and the ping, wait")
    s.check(fewest_hook_attempts >= 1, "each waiting delivery has been tried already")

    sink_dir = os.path.join(env("FAULTS_OUT"), "smtp-sink")
    sink = subprocess.Popen(
        [env("SMTP_SINK_PYTHON"), "scripts/lib/smtp_sink.py", str(smtp_port), sink_dir],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        ready = sink.stdout.readline().strip() if sink.stdout else ""
        if not s.check(ready == "ready", "the SMTP sink starts"):
            return
        with HookReceiver(hook_port, secret) as receiver:
            back = time.monotonic()
            deadline = back + 60
            while time.monotonic() < deadline and (
                len(delivered_mail(sink_dir)) < 2 * BURST or len(receiver.deliveries) < BURST + 1
            ):
                time.sleep(0.25)
            s.figure("delivery_seconds_after_return", round(time.monotonic() - back, 2))
            time.sleep(3)  # anything sent twice would arrive by now
            mail = delivered_mail(sink_dir)
            deliveries = list(receiver.deliveries)
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    s.figure("mail_delivered", len(mail))
    per_recipient = collections.Counter(tuple(m["rcpt_tos"]) for m in mail)
    receipts = {r[0]: n for r, n in per_recipient.items() if r[0] != EMPLOYER_ADDRESS}
    s.check(
        sorted(receipts) == sorted(ids_by_address) and set(receipts.values()) == {1},
        "every candidate got exactly one receipt",
    )
    s.check(
        per_recipient.get((EMPLOYER_ADDRESS,), 0) == BURST,
        f"the employer got exactly {BURST} notices",
    )
    message_ids = [m["message_id"] for m in mail]
    s.check(len(set(message_ids)) == len(message_ids), "no message was delivered twice")
    s.figure("webhook_deliveries", len(deliveries))
    kinds = collections.Counter(d["type"] for d in deliveries)
    s.check(
        kinds == {"ping": 1, "application.created": BURST},
        f"the ping and {BURST} application.created deliveries arrived ({dict(kinds)})",
    )
    event_ids = [d["id"] for d in deliveries]
    s.check(len(set(event_ids)) == len(event_ids), "no event was delivered twice")
    s.check(all(d["signed"] for d in deliveries), "every delivery's X-Signature verifies")
    s.check(all(d["fresh"] for d in deliveries), "every X-Timestamp is the time of its attempt")
    disabled = psql(db, "SELECT count(*) FROM webhooks WHERE disabled_at IS NOT NULL")
    s.check(disabled == "0", "a short outage does not disable the endpoint")
    left = int(psql(db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))
    s.check(left == 0, "the outbox has nothing left to send")
    log(f"receivers-down: {len(mail)} messages delivered")


SCENARIOS = {"receivers-down": receivers_down}
