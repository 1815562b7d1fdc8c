#!/usr/bin/env bash
# The 150-stream account on moto, through the counting proxy, with fhtop's default AWS settings
# (real pacing, default intervals): calls per operation for the first full load and for one
# steady-state minute, time to the first complete screen, and key response while AWS stalls.
#
#   benches/aws-scale.sh      (needs tmux, python3 with moto[server] and cbor2: tests/run.sh
#                              installs them; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/fhtop
sock="fhtop-scale-$$"
. benches/moto.sh scale eu-west-1
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; stop_servers; }
trap cleanup EXIT
ctl() { python3 -c "import sys,urllib.request; print(urllib.request.urlopen(urllib.request.Request('$proxy'+sys.argv[1], data=sys.argv[2].encode() if len(sys.argv)>2 else None)).read().decode())" "$@"; }
ctl /__reset '' >/dev/null
screen() { tmux -L "$sock" capture-pane -p -t b; }
now_ms() { date +%s%3N; }

t0=$(now_ms)
tmux -L "$sock" -f /dev/null new-session -d -s b -x 160 -y 48 \
  "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=$work AWS_SHARED_CREDENTIALS_FILE=$work/credentials AWS_CONFIG_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true XDG_CONFIG_HOME=$work $bin --region eu-west-1 --endpoint-url $proxy"
until screen | grep -q 'Pipelines (300)' && screen | head -1 | grep -Eq 'metrics [0-9]+s · alarms [0-9]+s · inventory [0-9]+s'; do
  sleep 0.05
  [ $(( $(now_ms) - t0 )) -lt 300000 ] || { echo "no complete screen in 5 minutes"; screen; exit 1; }
done
t1=$(now_ms)
first=$(ctl /__stats)
ctl /__reset '' >/dev/null
sleep 60
minute=$(ctl /__stats)

key_ms() { # press $1, wait for $2 on screen
  local s; s=$(now_ms); tmux -L "$sock" send-keys -t b "$1"
  until screen | grep -q "$2"; do sleep 0.005; done; echo $(( $(now_ms) - s ))
}
k1=$(key_ms 2 'Streams (150)'); k2=$(key_ms 1 'Pipelines (300)')
ctl /__fault '{"mode":"latency","seconds":8}' >/dev/null
tmux -L "$sock" send-keys -t b r; sleep 0.5
k3=$(key_ms 3 'Rules (300)'); k4=$(key_ms 1 'Pipelines (300)')
ctl /__fault '{"mode":"none"}' >/dev/null

python3 - "$first" "$minute" "$(( t1 - t0 ))" "$k1" "$k2" "$k3" "$k4" <<'PY'
import json, math, sys
first, minute = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ms, k = int(sys.argv[3]), sys.argv[4:]
ops = sorted(set(first) | set(minute))
print(f"{'operation':<28}{'first load':>12}{'per minute':>12}")
for op in ops:
    print(f"{op:<28}{first.get(op, 0):>12}{minute.get(op, 0):>12}")
print(f"{'total':<28}{sum(first.values()):>12}{sum(minute.values()):>12}")
print(f"time to first complete screen: {ms / 1000:.1f} s")
streams, rules = 150, 300
metrics = streams * 15 + rules * 6
print(f"metrics per cycle: {metrics}; GetMetricData calls per cycle: {math.ceil(metrics / 500)}"
      f" (the runbook's get-metric-statistics per metric per stream: {metrics} calls)")
print(f"key to screen (tmux capture, upper bound): {k[0]} ms, {k[1]} ms; while AWS stalls 8 s: {k[2]} ms, {k[3]} ms")
PY
