#!/usr/bin/env bash
# Audits the dependency graph (Cargo.lock) with cargo-deny and deny.toml:
#   advisories  RustSec advisories from the offline snapshot of the advisory database, never
#               fetched; a stale snapshot is accepted and its date printed. Every advisory fails
#               the run unless deny.toml explains it (vulnerable, unmaintained or unsound).
#   licenses    every crate's license within deny.toml's allow-list
#   bans        banned crates (OpenSSL), wildcard requirements; duplicates are warnings
#   sources     crates.io only
#
#   scripts/audit.sh                      # all four
#   scripts/audit.sh advisories           # some of them: advisories licenses bans sources
#
# cargo-deny (pinned below) is compiled from crates.io into target/tools/ when it is missing or
# of another version: about 5 minutes on 2 busy cores, then nothing on later runs. The advisory
# database is read from ../shared/advisory-db beside the repository and never written: its
# advisories are copied on every run to target/advisory-dbs/ (deny.toml's db-path), where
# cargo-deny keeps its lock file. The crates themselves are fetched from crates.io when missing
# (`cargo fetch --locked`), since cargo-deny runs offline.
#
# Environment:
#   ADVISORY_DB      the advisory database snapshot (default: <repo>/../shared/advisory-db)
#   AUDIT_TOOLS_DIR  where cargo-deny is installed (default: <repo>/target/tools)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

CARGO_DENY_VERSION=0.20.2
# The directory cargo-deny $CARGO_DENY_VERSION opens under db-path for deny.toml's db-urls
# entry (the URL's last segment and a hash of it). If a new pin looks elsewhere, its error names
# the directory it wanted.
DB_DIR_NAME=advisory-db-3157b0e258782691
DB_ROOT="$REPO_ROOT/target/advisory-dbs" # deny.toml: db-path = "target/advisory-dbs"

ADVISORY_DB="${ADVISORY_DB:-$REPO_ROOT/../shared/advisory-db}"
TOOLS_DIR="${AUDIT_TOOLS_DIR:-$REPO_ROOT/target/tools}"
DENY="$TOOLS_DIR/bin/cargo-deny"

log() { printf '[audit] %s\n' "$*" >&2; }
die() {
  printf 'audit: %s\n' "$*" >&2
  exit 2
}

checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(advisories licenses bans sources)
for check in "${checks[@]}"; do
  case "$check" in
    advisories | licenses | bans | sources) ;;
    *) die "unknown check '$check' (advisories, licenses, bans, sources)" ;;
  esac
done

# --- cargo-deny, pinned ------------------------------------------------------------------------
if [ "$("$DENY" --version 2>/dev/null || true)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
  log "installing cargo-deny $CARGO_DENY_VERSION into $TOOLS_DIR (compiled from crates.io)"
  start=$SECONDS
  # cargo-deny's release profile asks for fat LTO and one codegen unit, a long single-threaded
  # last step (about 15% more CPU time in all) of no use to a run that takes seconds: a plain
  # optimised build instead. In cargo's own temporary target directory, not the project's
  # (CARGO_TARGET_DIR may point there).
  env -u CARGO_TARGET_DIR \
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked --force --quiet --root "$TOOLS_DIR" "cargo-deny@$CARGO_DENY_VERSION"
  log "cargo-deny installed in $((SECONDS - start)) s"
fi
log "$("$DENY" --version)"

# --- the advisory database: a writable copy of the read-only snapshot ---------------------------
if printf '%s\n' "${checks[@]}" | grep -qx advisories; then
  [ -d "$ADVISORY_DB/crates" ] ||
    die "no advisory database at $ADVISORY_DB (expected its crates/ directory; set ADVISORY_DB)"
  # The snapshot's date: SNAPSHOT.md says "commit <sha> of YYYY-MM-DD"; without it, the newest
  # advisory's date stands in (the snapshot is at least that recent).
  snapshot_date=$(grep -ohE '\bof [0-9]{4}-[0-9]{2}-[0-9]{2}\b' "$ADVISORY_DB/SNAPSHOT.md" 2>/dev/null |
    head -n1 | cut -c4- || true)
  date_source="SNAPSHOT.md"
  if [ -z "$snapshot_date" ]; then
    snapshot_date=$(grep -rhoE '^date = "[0-9]{4}-[0-9]{2}-[0-9]{2}"' "$ADVISORY_DB/crates" |
      cut -d'"' -f2 | sort | tail -n1)
    date_source="newest advisory"
  fi
  age_days=$((($(date -u +%s) - $(date -u -d "$snapshot_date" +%s)) / 86400))
  count=$(find "$ADVISORY_DB/crates" -name 'RUSTSEC-*.md' | wc -l)
  log "advisory database: $ADVISORY_DB, $count advisories, of $snapshot_date ($date_source), $age_days days old"
  if [ "$age_days" -gt 90 ]; then
    log "warning: the snapshot is over 90 days old; advisories published since are not checked"
  fi

  # cargo-deny opens <db-path>/<name>/ and takes the database's age from .git/FETCH_HEAD: the
  # advisories are copied there (the snapshot may be read-only, and cargo-deny locks and may
  # write beside it) and FETCH_HEAD is dated as the snapshot, so its age is reported truthfully
  # (deny.toml's maximum-db-staleness accepts it). Nothing is fetched: cargo-deny runs --offline.
  db_dir="$DB_ROOT/$DB_DIR_NAME"
  rm -rf "$DB_ROOT"
  mkdir -p "$db_dir/.git"
  cp -R "$ADVISORY_DB/crates" "$db_dir/crates"
  chmod -R u+w "$db_dir"
  touch -d "$snapshot_date" "$db_dir/.git/FETCH_HEAD"

  # .cargo/audit.toml (for cargo-audit users) must explain the same advisories as deny.toml.
  if [ -f .cargo/audit.toml ]; then
    deny_ids=$(grep -oE '^[[:space:]]*\{ *id *= *"RUSTSEC-[0-9]{4}-[0-9]{4}"' deny.toml |
      grep -oE 'RUSTSEC-[0-9]{4}-[0-9]{4}' | sort -u)
    audit_ids=$(grep -oE '^[[:space:]]*"RUSTSEC-[0-9]{4}-[0-9]{4}"' .cargo/audit.toml |
      grep -oE 'RUSTSEC-[0-9]{4}-[0-9]{4}' | sort -u)
    if [ "$deny_ids" != "$audit_ids" ]; then
      log "deny.toml explains:          $(tr '\n' ' ' <<<"$deny_ids")"
      log ".cargo/audit.toml explains:  $(tr '\n' ' ' <<<"$audit_ids")"
      die "deny.toml and .cargo/audit.toml explain different advisories; keep them equal"
    fi
  fi
fi

# --- the crates, then the checks (offline) ------------------------------------------------------
# cargo-deny reads every package of Cargo.lock (all platforms) through `cargo metadata
# --offline`: download what the registry cache lacks. --locked: Cargo.lock is audited as is.
cargo fetch --locked --quiet

# Advisories with the inclusion graph (who pulls the affected crate in); the other checks
# without, or the two dozen known duplicate versions (bans' warnings) would fill pages. Both
# runs always happen, so one failure does not hide the other; the exit status is the worse.
status=0
others=()
for check in "${checks[@]}"; do
  [ "$check" = advisories ] || others+=("$check")
done
if [ ${#others[@]} -lt ${#checks[@]} ]; then
  log "cargo deny check advisories"
  "$DENY" --offline --locked check --show-stats advisories || status=$?
fi
if [ ${#others[@]} -gt 0 ]; then
  log "cargo deny check ${others[*]} (inclusion graphs: rerun cargo-deny without --hide-inclusion-graph)"
  "$DENY" --offline --locked check --show-stats --hide-inclusion-graph "${others[@]}" || status=$?
fi
if [ "$status" -ne 0 ]; then
  log "FAILED: fix, or explain in deny.toml (see its comments), what is reported as an error above"
fi
exit "$status"
