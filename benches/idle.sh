#!/usr/bin/env bash
# Idle cost of the interactive demo: CPU (% of one core), RSS and bytes written to the tty,
# measured over a window while nobody touches a key, in a 160×48 tmux pane.
#
#   benches/idle.sh [SECONDS] [FHTOP ARGS...]   (default 10; needs tmux; builds the release binary)
#
# Extra arguments go to `fhtop --demo`: `benches/idle.sh 20 --region eu-west-1 --region
# us-east-1` measures two contexts (the demo account in two regions) against one.
#
# CPU comes from utime+stime in /proc/PID/stat (clock ticks), RSS from VmRSS/VmHWM in
# /proc/PID/status, tty bytes from tmux pipe-pane (everything fhtop writes to the pane).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
shift || true
extra="$*"
cargo build --release --quiet
bin=$PWD/target/release/fhtop
sock="fhtop-bench-$$"
out=$(mktemp)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -f "$out"' EXIT
tmux -L "$sock" -f /dev/null new-session -d -s b -x 160 -y 48 \
  "env TERM=xterm-256color XDG_CONFIG_HOME=/nonexistent $bin --demo $extra"
sleep 5 # first polls, first full frame
pid=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
tmux -L "$sock" pipe-pane -t b -o "cat > $out"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks); s1=$(date +%s.%N)
bytes=$(stat -c %s "$out")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v b="$bytes" -v rss="$rss" -v hwm="$hwm" 'BEGIN {
  el = s1 - s0
  printf "window          %.1f s\n", el
  printf "cpu             %.2f %% of one core (%d ticks at %d Hz)\n", 100 * (t1 - t0) / hz / el, t1 - t0, hz
  printf "rss             %.1f MB now, %.1f MB peak\n", rss / 1024, hwm / 1024
  printf "tty output      %d bytes, %.0f bytes/s\n", b, b / el
}'
