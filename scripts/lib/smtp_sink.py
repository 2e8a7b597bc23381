"""An SMTP sink for the tests: listens on 127.0.0.1:PORT and writes each message it accepts
as one JSON file into DIRECTORY (envelope, decoded headers and text, and the raw message).

    python smtp_sink.py PORT DIRECTORY

Prints "ready" once it accepts connections; stops on SIGTERM or SIGINT. Needs aiosmtpd
(scripts/smtp-requirements.txt; scripts/test.sh installs it and sets SMTP_SINK_PYTHON).
"""

import email
import email.policy
import json
import os
import signal
import sys
import threading
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "body": body.get_content() if body is not None else "",
            "raw": raw.decode("utf-8", "replace"),
        }
        name = uuid.uuid4().hex
        # Written aside, then renamed: a reader never sees half a message.
        partial = os.path.join(self.directory, f".{name}.tmp")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(partial, os.path.join(self.directory, f"{name}.json"))
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
