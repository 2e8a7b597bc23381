"""Prints the figures and verdicts of every scenario, then `N passed, M failed`.
    python3 scripts/faults/summary.py OUT_DIR SCENARIO...
A scenario without a result file (its run never got that far) counts as failed."""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    out_dir, names = argv[1], argv[2:]
    passed = failed = 0
    print("\n================ fault-injection summary ================")
    for name in names:
        path = os.path.join(out_dir, f"{name}.json")
        try:
            with open(path) as handle:
                result = json.load(handle)
        except (OSError, ValueError):
            result = {"passed": False, "figures": {}, "failures": ["no result: the scenario did not run"], "notes": []}
        extra = os.path.join(out_dir, f"{name}.exit")
        if os.path.exists(extra):
            with open(extra) as handle:
                result.setdefault("figures", {})["server_exit_status"] = handle.read().strip()
        lines = os.path.join(out_dir, f"{name}.log-lines")
        if os.path.exists(lines):
            with open(lines) as handle:
                for line in handle.read().splitlines():
                    result.setdefault("notes", []).append(f"server log: {line.strip()[:300]}")
        ok = bool(result.get("passed"))
        passed += ok
        failed += not ok
        print(f"\n{'PASS' if ok else 'FAIL'}  {name}")
        for key, value in result.get("figures", {}).items():
            print(f"    {key}: {value}")
        for note in result.get("notes", []):
            print(f"    note: {note}")
        for failure in result.get("failures", []):
            print(f"    FAILED: {failure}")
    print()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
