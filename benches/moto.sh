# Sourced by the AWS benches: moto on a free loopback port, the harness proxy in front of it,
# the test credentials; sets $mp (moto port), $proxy (URL fhtop talks to), $work (temp dir,
# removed on exit) and seeds scenario $1 in region $2.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mp=$(free_port)
work=$(mktemp -d)
stop_servers() { kill "${moto_pid:-}" "${proxy_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap stop_servers EXIT
python3 tests/harness/motoserver.py -H 127.0.0.1 -p "$mp" >/dev/null 2>&1 & moto_pid=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$mp))" 2>/dev/null; do sleep 0.2; done
python3 tests/harness/awsproxy.py --upstream "http://127.0.0.1:$mp" > "$work/proxy.out" & proxy_pid=$!
until grep -q PORT "$work/proxy.out"; do sleep 0.1; done
proxy="http://127.0.0.1:$(awk '{print $2}' "$work/proxy.out")"
python3 tests/harness/seed.py --endpoint "http://127.0.0.1:$mp" --region "$2" --scenario "$1"
printf '[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n' > "$work/credentials"
