#!/usr/bin/env bash
# The whole test suite, on a fresh machine: install what the tests need, then run them all.
#   tests/run.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)    # end-to-end tests drive the real binary in tmux
command -v pgrep >/dev/null 2>&1 || need+=(procps) # ...and find its pid to send it signals
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "tests/run.sh: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
exec cargo test --locked "$@"
