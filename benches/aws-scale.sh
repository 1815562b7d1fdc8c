#!/usr/bin/env bash
# Accounts of N streams and 2N rules on moto, through the counting proxy, with fhtop's default
# AWS settings (real pacing, default intervals), cold (no cache) and warm (the cache of the
# cold run): time until every stream name is on screen, until metrics are on screen, until
# every row (stream and rule) has its triage metrics, until a large account's history behind
# its short first window is in, until every stream is described (DescribeDeliveryStream's 5
# calls a second take N/5 s); key latency (`?` to the help on screen, Esc to it gone); calls
# per operation for the first load and per steady-state minute (averaged over one rotation,
# 10 min, from when every stream is described); metrics requested per hour (GetMetricData
# queries counted at the proxy) and the list price; RSS.
#
#   benches/aws-scale.sh [N ...]      (default: 150 500 1000; 5000 takes about 35 minutes;
#                                      needs tmux, python3 with
#                                      moto[server] and cbor2: tests/run.sh installs them)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/fhtop
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(150 500 1000)
now_ms() { date +%s%3N; }

run_size() {
  local n=$1 sock="fhtop-scale-$$-$1"
  SCALE_STREAMS=$n . benches/moto.sh scale eu-west-1 >/dev/null
  cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; stop_servers; }
  trap cleanup EXIT
  ctl() { python3 -c "import sys,urllib.request; print(urllib.request.urlopen(urllib.request.Request('$proxy'+sys.argv[1], data=sys.argv[2].encode() if len(sys.argv)>2 else None)).read().decode())" "$@"; }
  screen() { tmux -L "$sock" capture-pane -p -t b; }
  # Milliseconds from $1 until each condition first holds on screen: every name (the Streams
  # pane counts every listed stream, described or being read), metrics on screen (their age in
  # the header, whole or compact), every row's triage metrics (metrics on screen and no
  # "triage metrics n/N rows" progress); and every stream described (no "described n/N"
  # progress, no cached rows) if that came first — else "" (DescribeDeliveryStream's quota
  # sets it: 5 a second, about N/5 s; the steady window below looks for it again). Meanwhile
  # a key every second: ms from `?` to the help on screen and from Esc to it gone
  # (keys_ms collects them).
  keys_ms=()
  # Every stream described: no "described n/N" short of N (the rules' count after it may
  # still run: idle rules are read over 30 minutes), nothing cached.
  described_state() { grep -q "Streams ($n)" <<<"$1" && ! grep -q "cached" <<<"$1" && { ! grep -Eq "described [0-9]+/" <<<"$1" || grep -q "described $n/$n" <<<"$1"; }; }
  key_probe() {
    local k0 s; k0=$(now_ms)
    tmux -L "$sock" send-keys -t b '?'
    until grep -q "Help j/k scroll" <<<"$(screen)"; do sleep 0.005; [ $(( $(now_ms) - k0 )) -lt 5000 ] || break; done
    keys_ms+=($(( $(now_ms) - k0 )))
    k0=$(now_ms)
    tmux -L "$sock" send-keys -t b Escape
    until ! grep -q "Help j/k scroll" <<<"$(screen)"; do sleep 0.005; [ $(( $(now_ms) - k0 )) -lt 5000 ] || break; done
    keys_ms+=($(( $(now_ms) - k0 )))
  }
  # A large account's short first window: the header counts its history loading
  # ("metrics: last 40 min, 3h history 19k/75k", compact "40 min; 3h 19k/75k").
  history_shown() { grep -Eq "[0-9]h history [0-9.]+k?/|; [0-9]+h [0-9.]+k?/" <<<"$1"; }
  measure() {
    local t0=$1 names="" described="" metrics="" triage="" history="" seen="" s last_key=0
    # Until the triage metrics are in, and then the history (or 10 s without one: no split).
    while [ -z "$names" ] || [ -z "$metrics" ] || [ -z "$triage" ] || { [ -z "$history" ] && { [ -n "$seen" ] || [ $(( $(now_ms) - t0 - triage )) -lt 10000 ]; }; }; do
      s=$(screen); local ms=$(( $(now_ms) - t0 ))
      if [ -z "$names" ] && grep -q "Streams ($n)" <<<"$s"; then names=$ms; fi
      if [ -z "$described" ] && described_state "$s"; then described=$ms; fi
      if [ -z "$metrics" ] && grep -Eq "age: metrics [0-9]+s|age m/a/i [0-9]+s/" <<<"$s"; then metrics=$ms; fi
      if [ -z "$triage" ] && grep -q "Streams ($n)" <<<"$s" && grep -Eq "age: metrics [0-9]+s|age m/a/i [0-9]+s/" <<<"$s" && ! grep -Eq "triage( metrics)? [0-9]+/" <<<"$s"; then triage=$ms; fi
      if history_shown "$s"; then seen=1; elif [ -n "$seen" ] && [ -z "$history" ]; then history=$ms; fi
      [ $ms -lt 1200000 ] || { echo "not complete in 20 minutes" >&2; screen >&2; exit 1; }
      if [ -n "$names" ] && [ $(( ms - last_key )) -ge 1000 ]; then key_probe; last_key=$(( $(now_ms) - t0 )); fi
      sleep 0.05
    done
    echo "$names ${described:--} $metrics $triage ${history:--}"
  }
  start() {
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 160 -y 48 \
      "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=$work AWS_SHARED_CREDENTIALS_FILE=$work/credentials AWS_CONFIG_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true XDG_CONFIG_HOME=$work XDG_CACHE_HOME=$work/cache $bin --region eu-west-1 --endpoint-url $proxy"
    tmux -L "$sock" send-keys -t b 2
  }
  for phase in cold warm; do
    keys_ms=(); rss_max=0
    ctl /__reset '' >/dev/null
    local t0; t0=$(now_ms)
    start
    local names described metrics triage history
    # Not in a subshell: the key probes' times are kept.
    measure "$t0" > "$work/measured"
    read -r names described metrics triage history < "$work/measured"
    local first; first=$(ctl /__stats)
    local rss; rss=$(ps -o rss= -p "$(pgrep -n -x fhtop)")
    if [ $phase = cold ]; then
      # Steady state, once every stream is described (DescribeDeliveryStream's 5 a second:
      # about N/5 s; each stream described starts its triage set anew, so the minutes before
      # are not the steady state), at most 30 minutes after the start; meanwhile RSS and keys.
      while [ "$described" = - ] && [ $(( $(now_ms) - t0 )) -lt 1800000 ]; do
        if described_state "$(screen)"; then described=$(( $(now_ms) - t0 )); fi
        local r; r=$(ps -o rss= -p "$(pgrep -n -x fhtop)" 2>/dev/null || echo 0)
        [ "${r:-0}" -le "${rss_max:-0}" ] || rss_max=$r
        if [ $(( ($(now_ms) - t0) / 1000 % 10 )) -eq 0 ]; then key_probe; fi
        sleep 1
      done
      # Counted, reported per minute (a single minute holds one poll or two, and the
      # rotation's share varies).
      ctl /__reset '' >/dev/null
      # One whole rotation of the metric plan (STEADY_MINUTES, 10 by default: every row once),
      # looking for every stream described once a second meanwhile, a key probe every ten
      # seconds.
      local w0 steady=${STEADY_MINUTES:-10} steady_rss=0; w0=$(now_ms)
      while [ $(( $(now_ms) - w0 )) -lt $(( steady * 60000 )) ]; do
        if [ "$described" = - ] && described_state "$(screen)"; then described=$(( $(now_ms) - t0 )); fi
        local r; r=$(ps -o rss= -p "$(pgrep -n -x fhtop)" 2>/dev/null || echo 0)
        [ "${r:-0}" -le "$steady_rss" ] || steady_rss=$r
        r=$(ps -o rss= -p "$(pgrep -n -x fhtop)" 2>/dev/null || echo 0)
        [ "${r:-0}" -le "${rss_max:-0}" ] || rss_max=$r
        if [ $(( ($(now_ms) - w0) / 1000 % 10 )) -eq 0 ]; then key_probe; fi
        sleep 1
      done
      local minute; minute=$(ctl /__stats | python3 -c "import json,sys; print(json.dumps({k: round(v / $steady) for k, v in json.load(sys.stdin).items()}))")
    fi
    tmux -L "$sock" kill-server
    python3 - "$n" "$phase" "$names" "$described" "$metrics" "$rss" "$first" "${minute:-{\}}" "$triage" "${keys_ms[*]}" "${rss_max:-0}" "$history" "${steady_rss:-0}" <<'PY'
import json, sys
n, phase, names, described, metrics, rss = sys.argv[1:7]
first, minute, triage = json.loads(sys.argv[7]), json.loads(sys.argv[8]), sys.argv[9]
rss_max, history, steady_rss = int(sys.argv[11]), sys.argv[12], int(sys.argv[13])
keys = sorted(int(k) for k in sys.argv[10].split())
print(f"== {n} streams / {2 * int(n)} rules, {phase} ==")
desc = "not within the measurement" if described == "-" else f"{int(described) / 1000:.1f} s"
print(f"every name on screen {int(names) / 1000:.1f} s · every stream described {desc}"
      f" · metrics on screen {int(metrics) / 1000:.1f} s · every row's triage metrics {int(triage) / 1000:.1f} s"
      + ("" if history == "-" else f" · the history behind the short first window {int(history) / 1000:.1f} s")
      + f" · RSS {int(rss) / 1024:.0f} MB"
      + (f" (highest until the steady window ends {rss_max / 1024:.0f} MB, within it {steady_rss / 1024:.0f} MB)" if rss_max else ""))
if keys:
    print(f"keys ({len(keys)} probes: `?` to help on screen, Esc to gone, tmux capture every 5 ms):"
          f" median {keys[len(keys) // 2]} ms, 99th percentile {keys[min(len(keys) - 1, len(keys) * 99 // 100)]} ms,"
          f" max {keys[-1]} ms; over 100 ms: {sum(k > 100 for k in keys)}")
if phase == "cold":
    ops = sorted(set(first) | set(minute))
    print(f"{'operation':<28}{'first load':>12}{'per minute':>12}")
    for op in ops:
        print(f"{op:<28}{first.get(op, 0):>12}{minute.get(op, 0):>12}")
    calls = lambda d: sum(v for k, v in d.items() if k != "metrics requested")
    print(f"{'total calls':<28}{calls(first):>12}{calls(minute):>12}")
    per_hour = minute.get("metrics requested", 0) * 60
    print(f"metrics requested per hour (steady minute × 60): {per_hour:,} ≈ ${per_hour / 1000 * 0.01:.2f}/hour at $0.01 per 1,000")
PY
  done
  cleanup
  trap - EXIT
}

for n in "${sizes[@]}"; do run_size "$n"; done
