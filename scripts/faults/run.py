"""Runs one fault scenario by name and records its result for the summary:
    python3 scripts/faults/run.py SCENARIO
Configuration comes from the environment that scripts/faults.sh sets (SERVER_PORT, SERVER_PID,
FAULTS_DB, FAULTS_OUT, PG_BIN, PG_PORT, PG_DATADIR, PG_RUNAS, PG_START_OPTS, ...).
Exit status: 0 passed, 1 failed."""

from __future__ import annotations

import sys
import time
import traceback

import exhaustion
import outage
import receivers
import shutdown
from common import Scenario, log

SCENARIOS = {
    **outage.SCENARIOS,
    **exhaustion.SCENARIOS,
    **shutdown.SCENARIOS,
    **receivers.SCENARIOS,
}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in SCENARIOS:
        print(f"usage: run.py {{{'|'.join(SCENARIOS)}}}", file=sys.stderr)
        return 2
    scenario = Scenario(argv[1])
    started = time.monotonic()
    log(f"=== {scenario.name} ===")
    try:
        SCENARIOS[scenario.name](scenario)
    except Exception as error:  # noqa: BLE001 - a crashed scenario is a failed one
        traceback.print_exc()
        scenario.failures.append(f"the scenario crashed: {type(error).__name__}: {error}")
    scenario.figures["scenario_seconds"] = round(time.monotonic() - started, 1)
    scenario.write()
    log(f"=== {scenario.name}: {'passed' if not scenario.failures else 'FAILED'} ===")
    return 0 if not scenario.failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
