#!/usr/bin/env bash
# `fhtop recover errors` against moto through the harness proxy: N failed records (about 200
# bytes each, 1,000 a gzip object) re-sent into their stream, unpaced (--rate far above any
# quota: the figure is fhtop's and the server's, not AWS's pace). Reports the dry run's time,
# the send's time and records a second, PutRecordBatch calls, and the peak RSS of each run
# (objects are read one at a time: memory must not grow with N).
#
#   benches/recover.sh [N ...]     (default: 10000 100000; needs python3 with moto[server])
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/fhtop
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for n in "${sizes[@]}"; do
  (
    RECOVER_BENCH_RECORDS=$n . benches/moto.sh recover ap-northeast-1 >/dev/null
    # One run: wall seconds and peak RSS (KiB) of the child, its JSON on stdout.
    run() {
      python3 - "$@" <<'PY'
import json, os, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
doc = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
print(json.dumps({"code": p.returncode, "seconds": dt, "rss_kib": rss, "doc": doc}))
PY
    }
    common=(env -i HOME="$work" PATH="$PATH" AWS_SHARED_CREDENTIALS_FILE="$work/credentials"
      AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true FHTOP_STATE_DIR="$work/state"
      FHTOP_AUDIT_LOG="$work/audit.jsonl"
      "$bin" --endpoint-url "$proxy" --region ap-northeast-1 recover errors --stream r-bench --json)
    dry=$(run "${common[@]}" --dry-run)
    sent=$(run "${common[@]}" --yes --rate 1000000000000)
    python3 - "$n" "$dry" "$sent" <<'PY'
import json, sys
n = int(sys.argv[1]); dry = json.loads(sys.argv[2]); sent = json.loads(sys.argv[3])
acc = sent["doc"].get("sent", {}).get("accepted", 0)
calls = sent["doc"].get("sent", {}).get("calls", 0)
print(f"{n} records: dry run {dry['seconds']:.1f} s, RSS {dry['rss_kib']/1024:.0f} MiB; "
      f"send {sent['seconds']:.1f} s = {acc/max(sent['seconds'],1e-9):,.0f} records/s, "
      f"{acc} accepted in {calls} PutRecordBatch calls, exit {sent['code']}, "
      f"peak RSS {sent['rss_kib']/1024:.0f} MiB")
PY
  )
done
