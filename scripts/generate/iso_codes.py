#!/usr/bin/env python3
"""Writes the ISO 3166-1 country and ISO 4217 currency lists the offers are checked against.

The source is Debian's maintained `iso-codes` package (apt-get install iso-codes), so nothing
is typed by hand. Two outputs from the one source, kept equal by a test:
  - src/domain/iso.rs: the lists the API and the pages parse with (codes and display names);
  - migrations/20261202000007_iso_codes.sql: the same codes as immutable SQL functions that
    the offers' CHECK constraints use.
A later update of iso-codes goes into a new migration that replaces the functions (a released
migration never changes), and this script's output paths are then changed with it. The
functions are written in PL/pgSQL, as migration 20 made them: a SQL function's literal list is
built again in every INSERT that checks it, a PL/pgSQL one once per connection.

Usage: python3 scripts/generate/iso_codes.py [ISO_CODES_JSON_DIR]
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/iso-codes/json")
RUST = ROOT / "src/domain/iso.rs"
SQL = ROOT / "migrations/20261202000007_iso_codes.sql"

# ISO 4217 codes that are not money anyone is paid in: precious metals, bond-market units,
# special drawing rights, the testing code and "no currency".
NOT_PAY = {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}


def version() -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "iso-codes"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def rust_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> None:
    countries = sorted(
        (entry["alpha_2"], entry.get("common_name", entry["name"]))
        for entry in json.loads((SOURCE / "iso_3166-1.json").read_text())["3166-1"]
    )
    currencies = sorted(
        (entry["alpha_3"], entry["name"])
        for entry in json.loads((SOURCE / "iso_4217.json").read_text())["4217"]
        if entry["alpha_3"] not in NOT_PAY
    )
    origin = f"Debian iso-codes {version()}"
    rust = [
        f"//! ISO 3166-1 countries and ISO 4217 currencies, generated from {origin} by",
        "//! `scripts/generate/iso_codes.py` (do not edit; the migration `iso_codes` holds the same",
        "//! codes for the database's checks). Sorted by code, for binary search.",
        "",
        "/// ISO 3166-1 alpha-2 code and English short name of every country.",
        "pub const COUNTRIES: &[(&str, &str)] = &[",
        *[f"    ({rust_string(code)}, {rust_string(name)})," for code, name in countries],
        "];",
        "",
        "/// ISO 4217 code and English name of every currency one is paid in.",
        "pub const CURRENCIES: &[(&str, &str)] = &[",
        *[f"    ({rust_string(code)}, {rust_string(name)})," for code, name in currencies],
        "];",
        "",
    ]
    RUST.write_text("\n".join(rust))

    def sql_array(codes):
        return "ARRAY[" + ", ".join(f"'{code}'" for code in codes) + "]"

    def plpgsql_function(name, array):
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS text[]",
            "    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE",
            "AS $$",
            "BEGIN",
            f"    RETURN {array};",
            "END",
            "$$;",
            "",
        ]

    sql = [
        f"-- ISO 3166-1 alpha-2 countries and ISO 4217 currencies, generated from {origin} by",
        "-- scripts/generate/iso_codes.py (src/domain/iso.rs holds the same lists). Immutable",
        "-- functions, so CHECK constraints can use them; a newer list replaces them in a new",
        "-- migration.",
        "",
        *plpgsql_function("iso_country_codes", sql_array(code for code, _ in countries)),
        *plpgsql_function("iso_currency_codes", sql_array(code for code, _ in currencies)),
    ]
    SQL.write_text("\n".join(sql))
    print(f"{len(countries)} countries, {len(currencies)} currencies from {origin}")


if __name__ == "__main__":
    main()
