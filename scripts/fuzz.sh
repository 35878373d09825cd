#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for a set time each.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 30 s, all)
# Builds the asan preset (clang, ASan + UBSan, coverage) into ./build-asan if
# needed. Seeds each target from the repository's own examples and, when it
# exists, ../shared/fixtures; what a run discovers stays in
# build-asan/fuzz-corpus/<target> for the next run. A crash leaves its input
# in build-asan/fuzz-artifacts/ and fails the script (replay it with
# build-asan/fuzz/<target> <file>; then add a regression test).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
if [ ! -f build-asan/build.ninja ]; then
  cmake --preset asan >/dev/null
fi
cmake --build build-asan -j "${HERALD_JOBS:-2}" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(cloudevents_fuzz definitions_fuzz template_render_fuzz entity_path_fuzz config_fuzz
           sendgrid_webhook_fuzz twilio_webhook_fuzz http_request_fuzz)
fi
fixtures=../shared/fixtures
corpus=build-asan/fuzz-corpus
artifacts=build-asan/fuzz-artifacts
mkdir -p "$artifacts"

# seed TARGET NAME PREFIX FILE: a seed made of PREFIX (printf format) and FILE's bytes.
seed() {
  mkdir -p "$corpus/$1"
  local format="${3//%/%%}"  # a '%' in a seed is a byte, not a printf conversion
  { printf "$format"; if [ -n "${4:-}" ]; then cat "$4"; fi; } > "$corpus/$1/seed-$2"
}

examples=examples/training
for f in "$examples"/workflows/*.json; do seed definitions_fuzz "wf-$(basename "$f")" 'booking\0' "$f"; done
for f in "$examples"/templates/*.json; do
  seed definitions_fuzz "tpl-$(basename "$f")" 't\0' "$f"
  seed template_render_fuzz "$(basename "$f")" '' "$f"
  printf '\0<b>Dana & "Co"</b>' >> "$corpus/template_render_fuzz/seed-$(basename "$f")"
done
seed config_fuzz herald.json '' "$examples/herald.json"
head -c 4000 "$examples/data/training.ndjson" > "$corpus/.ndjson" 2>/dev/null || true
seed cloudevents_fuzz ndjson '\002' "$corpus/.ndjson"
seed entity_path_fuzz record '{"label":"Dana","fields":{"Status":"Booked","Start":"2026-12-01"},"links":{"Course":"Course/c-1"},"contact":{"email":"dana@example.com"}}\0Course.Status\0[{"field":"Status","op":"in","values":["Booked"]},{"any":[{"field":"Start","op":"lt","value":"2027-01-01"}]}]' ""
seed entity_path_fuzz duration 'null\0P1DT2H\0[]' ""
seed http_request_fuzz get 'GET /v1/log?limit=10&q=Dana%20Smith&from=2026-11-01T00:00:00Z HTTP/1.1\r\nHost: h\r\n\r\n' ""
seed http_request_fuzz post 'POST /v1/events HTTP/1.1\r\nHost: h\r\nContent-Type: application/cloudevents-batch+json\r\nContent-Length: 2\r\n\r\n[]' ""
seed sendgrid_webhook_fuzz plain '1700000000\0MEUCIQ==\0[{"email":"a@b.c","event":"delivered","sg_message_id":"m.1","herald_attempt":"c-1.1"}]' ""
seed twilio_webhook_fuzz plain 'herald_attempt=c-1.1\0abc=\0MessageSid=SM1&MessageStatus=delivered&To=%2B15551234567' ""

if [ -d "$fixtures" ]; then
  for f in "$fixtures"/cloudevents/*.json "$fixtures"/cloudevents/conformance/*.json; do
    seed cloudevents_fuzz "single-$(basename "$f")" '\000' "$f"
    seed cloudevents_fuzz "batch-$(basename "$f")" '\001' "$f"
  done
  for f in "$fixtures"/sendgrid/event_webhook_*.json; do
    seed sendgrid_webhook_fuzz "$(basename "$f")" '1700000000\0MEUCIQ==\0' "$f"
  done
  seed sendgrid_webhook_fuzz signed-body '1700000000\0MEUCIQ==\0' "$fixtures/sendgrid/event_webhook_signed_body.bin"
  for f in "$fixtures"/twilio/*.form; do seed twilio_webhook_fuzz "$(basename "$f")" 'herald_attempt=c-1.1\0sig\0' "$f"; done
  seed twilio_webhook_fuzz answer '\0\0' "$fixtures/twilio/create_message_response_201.json"
fi
rm -f "$corpus/.ndjson"

failed=()
for t in "${targets[@]}"; do
  mkdir -p "$corpus/$t"
  log="$artifacts/$t.log"
  if build-asan/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$t-" "$corpus/$t" >"$log" 2>&1; then
    runs=$(grep -a "stat::number_of_executed_units" "$log" | awk '{print $2}')
    cov=$(grep -a "cov: " "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    echo "fuzz $t: ${seconds}s, ${runs:-?} runs, coverage ${cov:-?}, no crash"
  else
    echo "fuzz $t: FAILED (see $log)"
    tail -30 "$log"
    failed+=("$t")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz targets with findings: ${failed[*]}"; exit 1; }
