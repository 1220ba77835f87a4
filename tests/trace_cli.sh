#!/usr/bin/env bash
# bank-trace from the outside: --check fails (exit 1, one line per violation and a summary)
# on the hand-made logs of tests/fixtures/trace/overlap and on a bank-sim run under the wrong
# entry rule, and passes (exit 0, "ok: N entries, M commits checked") on a good simulated run;
# bank-sim --trace writes the picture; a missing file, an unreadable line or a bad flag is
# exit 2 with a message naming it; a torn last line is skipped and said.
set -u
trace="$1"; sim="$2"; fixtures="$3"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "trace_cli: FAIL: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2"; failures=$((failures + 1)); }

# The hand-made overlap: every rule it breaks, in order, then the summary; no picture without -o.
out=$(cd "$work" && "$trace" --check "$fixtures/overlap" 2>"$work/err"); code=$?
[ "$code" -eq 1 ] || fail "overlap fixture: exit $code, expected 1" "$out"
for rule in overlap queue stamp order; do
  printf '%s\n' "$out" | grep -q "^$rule: " || fail "overlap fixture: no '$rule:' line" "$out"
done
[ "$(printf '%s\n' "$out" | tail -n 1)" = "4 violations (1 order, 1 overlap, 1 queue, 1 stamp) in 2 entries and 1 commits" ] ||
  fail "overlap fixture: the summary line" "$out"
[ ! -e "$work/trace.html" ] || fail "--check without -o drew a picture"
# --json: the same findings for scripts.
json=$("$trace" --check --json "$fixtures/overlap" 2>/dev/null)
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["check"]["ok"] is False and len(j["check"]["violations"]) == 4, j' "$json" ||
  fail "--check --json" "$json"

# A torn last line is skipped and counted; a bad line elsewhere is an error naming it.
cp -r "$fixtures/overlap" "$work/torn"
printf '{"ts":"2024-05-01T12:00:01.000400Z","node":1,"lam' >>"$work/torn/node-1.log"
"$trace" --check "$work/torn" >/dev/null 2>"$work/err"; code=$?
[ "$code" -eq 1 ] || fail "torn: exit $code, expected 1 (the overlap is still there)"
grep -q "skipped 1 torn last line" "$work/err" || fail "torn: not said" "$(cat "$work/err")"
cp -r "$fixtures/overlap" "$work/bad"
sed -i '3s/.*/this is no log line/' "$work/bad/node-2.log"
"$trace" "$work/bad" -o "$work/bad.html" >/dev/null 2>"$work/err"; code=$?
[ "$code" -eq 2 ] || fail "bad line: exit $code, expected 2"
grep -q "node-2.log:3: not a line of JSON" "$work/err" || fail "bad line: not named" "$(cat "$work/err")"
[ ! -e "$work/bad.html" ] || fail "bad line: a picture was drawn"
"$trace" "$work/none.log" >/dev/null 2>"$work/err"; code=$?
[ "$code" -eq 2 ] && grep -q "none.log: cannot be read" "$work/err" || fail "missing file: exit $code" "$(cat "$work/err")"
"$trace" --from soon "$fixtures/overlap" >/dev/null 2>"$work/err"; code=$?
[ "$code" -eq 2 ] && grep -q -- "--from soon is neither" "$work/err" || fail "bad --from: exit $code" "$(cat "$work/err")"
"$trace" >/dev/null 2>&1; code=$?
[ "$code" -eq 2 ] || fail "no logs named: exit $code, expected 2"

# bank-sim under the wrong entry rule (seed 7 lets two nodes in): its logs fail the check.
"$sim" --first 7 --count 1 --wrong-entry-rule --expect-violation --logs "$work/wrong" >/dev/null || fail "bank-sim --logs"
out=$("$trace" --check "$work/wrong" 2>/dev/null); code=$?
[ "$code" -eq 1 ] || fail "wrong entry rule: exit $code, expected 1" "$out"
printf '%s\n' "$out" | grep -q "^overlap: " || fail "wrong entry rule: no overlap found" "$out"
# A good seed's logs pass, and its picture is drawn (a seed with crashes and a partition).
"$sim" --first 21 --count 1 --logs "$work/good" --trace "$work/seed21.html" >"$work/sim_out" || fail "bank-sim --trace" "$(cat "$work/sim_out")"
grep -q "picture in $work/seed21.html" "$work/sim_out" || fail "bank-sim --trace said nothing" "$(cat "$work/sim_out")"
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$work/seed21.html" || fail "bank-sim --trace: no SVG"
out=$("$trace" --check "$work/good" 2>/dev/null); code=$?
[ "$code" -eq 0 ] || fail "good seed: exit $code, expected 0" "$out"
printf '%s\n' "$out" | grep -qE '^ok: [0-9]+ entries, [0-9]+ commits checked' || fail "good seed: no ok line" "$out"
"$sim" --first 1 --count 2 --trace "$work/two.html" >/dev/null 2>&1; code=$?
[ "$code" -eq 2 ] || fail "bank-sim --trace over two seeds: exit $code, expected 2"

# An SVG alone when asked for one.
"$trace" -o "$work/t.svg" "$work/good" 2>/dev/null
head -c 4 "$work/t.svg" | grep -q '<svg' || fail "-o FILE.svg is not an SVG"

if [ "$failures" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi
