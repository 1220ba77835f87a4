#!/usr/bin/env bash
# The lnav format in docs/lnav reads the node logs of tests/fixtures/logs as fields: its SQL
# table exists and counts what jq counts, the files merge by ts, and errors are lnav errors.
# Skipped (exit 77) when lnav is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
command -v lnav >/dev/null || { echo "lnav is not installed: skipped"; exit 77; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_CONFIG_HOME=$home/.config
logs=("$here"/tests/fixtures/logs/node-1.log "$here"/tests/fixtures/logs/node-2.log)
lnav -i "$here/docs/lnav/lamport_bank_log.json" >/dev/null 2>&1
query() { lnav -n -c ";$1" "${logs[@]}" | tail -n +2 | tr -d ' '; }
fail=0
check() {  # name, got, want
  if [[ "$2" == "$3" ]]; then echo "ok: $1"; else echo "FAILED: $1: got '$2', want '$3'"; fail=1; fi
}
check "every line is read by the format" "$(query "SELECT count(*) FROM lamport_bank_log")" "$(cat "${logs[@]}" | wc -l)"
check "commits as rows" "$(query "SELECT count(*) FROM lamport_bank_log WHERE event = 'commit'")" \
  "$(jq -s 'map(select(.event == "commit")) | length' "${logs[@]}")"
check "amounts as numbers" "$(query "SELECT sum(amount) FROM lamport_bank_log WHERE event = 'commit'")" \
  "$(jq -s 'map(select(.event == "commit") | .amount) | add' "${logs[@]}")"
check "error lines are errors" "$(query "SELECT count(*) FROM lamport_bank_log WHERE log_level = 'error'")" \
  "$(jq -s 'map(select(.event == "error")) | length' "${logs[@]}")"
check "both nodes' lines merged in ts order" \
  "$(query "SELECT count(*) FROM lamport_bank_log a JOIN lamport_bank_log b ON b.log_line = a.log_line + 1 WHERE b.log_time < a.log_time")" "0"
check "both nodes present" "$(query "SELECT count(DISTINCT node) FROM lamport_bank_log")" "2"
exit $fail
