#!/usr/bin/env bash
# The whole test suite, on a fresh machine: install what the tests need, then run them all.
#   tests/run.sh [extra cargo test args]
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)    # end-to-end tests drive the real binary in tmux
command -v pgrep >/dev/null 2>&1 || need+=(procps) # ...and find its pid to send it signals
command -v node >/dev/null 2>&1 || need+=(nodejs npm) # the IAM reference simulator (src/judge/iam/diff/)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "tests/run.sh: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The AWS-compatible server the backend tests run against (moto) and the harness's CBOR
# adapter's dependencies, pinned.
python3 -c 'import moto, cbor2' 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1' 'cbor2==6.3.0'
# The independent IAM simulator the local evaluator is checked against, pinned by its lock file.
[ -d tests/iamsim/node_modules ] \
  || npm ci --prefix tests/iamsim --silent --no-audit --no-fund >/dev/null
# End-to-end tests drive the release binary, as a user would run it.
cargo build --release --locked --quiet
export FHTOP_BIN="$PWD/target/release/fhtop"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --no-fail-fast "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$rc"
