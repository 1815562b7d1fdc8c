#!/usr/bin/env bash
# The portable release binary for Linux: starts on glibc 2.17 and newer (CentOS 7: 2.17, Amazon
# Linux 2: 2.26), for the machine's architecture — x86_64 here, aarch64 when run on an arm64
# (Graviton) build machine. One command:
#
#   scripts/portable.sh          install the pinned tools if missing, build
#                                dist/fhtop-<version>-<target>-glibc2.17 and its .sha256, then
#                                prove it: no symbol version above GLIBC_2.17 (glibc-floor.py),
#                                `--version` and `snapshot --demo` run
#   scripts/portable.sh --verify the cheap part (seconds, no build): the pins are exact, the README
#                                names the same ones, the glibc checker passes its self-test
#
# The toolchain has only the host's Rust std and cannot download another target, so this links
# against glibc 2.17's symbol versions with cargo-zigbuild and Zig, both from PyPI (prebuilt
# binaries in wheels), pinned. TLS is rustls with aws-lc-rs and ring, compiled from C by `zig cc`
# and linked statically; nothing but glibc and libgcc_s is linked dynamically (the check fails on
# anything else).
#
# Cold on the 2-core CI machine (empty target/, empty Zig cache, run under `nice -n 19` beside
# another build): see "Install" in the README for the measured time.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pins. ziglang 0.16.0's `zig ar` cannot create an archive, which ring and aws-lc-sys need.
CARGO_ZIGBUILD_VERSION=0.24.1
ZIGLANG_VERSION=0.14.1
GLIBC_FLOOR=2.17

say() { echo "portable: $*" >&2; }
die() {
  say "$*"
  exit 1
}

verify() {
  local ok=1
  for pin in "$CARGO_ZIGBUILD_VERSION" "$ZIGLANG_VERSION" "$GLIBC_FLOOR"; do
    [[ $pin =~ ^[0-9]+(\.[0-9]+)+$ ]] || {
      say "pin '$pin' is not an exact version"
      ok=0
    }
  done
  for doc in "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" "ziglang==$ZIGLANG_VERSION" \
    "glibc$GLIBC_FLOOR" "scripts/portable.sh"; do
    grep -qF -- "$doc" README.md || {
      say "README.md does not name $doc (the pins here and there differ)"
      ok=0
    }
  done
  bash -n "$0" || ok=0
  python3 scripts/glibc-floor.py --self-test >&2 || ok=0
  [ "$ok" = 1 ] || die "--verify failed"
  say "verified: cargo-zigbuild $CARGO_ZIGBUILD_VERSION, ziglang $ZIGLANG_VERSION, glibc floor $GLIBC_FLOOR"
}

pip_install() {
  say "installing $*"
  python3 -m pip install --quiet --disable-pip-version-check "$@" >&2
}

# The pinned cargo-zigbuild and zig, installed from PyPI when missing or of another version.
# Both are named by path, so another zig on the PATH is never used.
tools() {
  local bindir
  bindir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
  ZIGBUILD="$bindir/cargo-zigbuild"
  if [ "$("$ZIGBUILD" --version 2>/dev/null)" != "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ]; then
    pip_install "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
  fi
  [ "$("$ZIGBUILD" --version)" = "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ] \
    || die "$ZIGBUILD is not cargo-zigbuild $CARGO_ZIGBUILD_VERSION"
  local zigpath='import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))'
  ZIG=$(python3 -c "$zigpath" 2>/dev/null || true)
  if [ -z "$ZIG" ] || [ "$("$ZIG" version 2>/dev/null)" != "$ZIGLANG_VERSION" ]; then
    pip_install "ziglang==$ZIGLANG_VERSION"
    ZIG=$(python3 -c "$zigpath")
  fi
  [ "$("$ZIG" version)" = "$ZIGLANG_VERSION" ] || die "$ZIG is not zig $ZIGLANG_VERSION"
}

build() {
  local host version name out
  host=$(rustc -vV | sed -n 's/^host: //p')
  case "$host" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu) ;;
    *) die "builds for x86_64 or aarch64 Linux (glibc) hosts, not $host" ;;
  esac
  version=$(cargo pkgid --quiet | sed 's/.*[#@]//')
  name="fhtop-$version-$host-glibc$GLIBC_FLOOR"
  tools
  say "building $name (cargo-zigbuild $CARGO_ZIGBUILD_VERSION, zig $ZIGLANG_VERSION)"
  # FHTOP_GLIBC_FLOOR: build.rs adds "glibc 2.17+" to --version. No debug info: a release
  # binary to copy to a bastion (panics still name file:line; symbols stay for backtraces).
  FHTOP_GLIBC_FLOOR="$GLIBC_FLOOR" \
    CARGO_ZIGBUILD_ZIG_PATH="$ZIG" \
    CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=debuginfo \
    "$ZIGBUILD" zigbuild --release --locked --bin fhtop --target "$host.$GLIBC_FLOOR"
  out="${CARGO_TARGET_DIR:-target}/$host/release/fhtop"
  mkdir -p dist
  rm -f "dist/$name" "dist/$name.sha256"
  install -m 0755 "$out" "dist/$name"
  (cd dist && sha256sum "$name" >"$name.sha256" && sha256sum -c --quiet "$name.sha256")

  # Proof, not hope.
  python3 scripts/glibc-floor.py "dist/$name" --floor "$GLIBC_FLOOR"
  local v
  v=$("dist/$name" --version)
  echo "$v"
  [[ $v == "fhtop $version ("*", $host, glibc $GLIBC_FLOOR+)" ]] \
    || die "--version does not name $version, $host and glibc $GLIBC_FLOOR+: $v"
  local frame
  frame=$(XDG_CONFIG_HOME=/nonexistent "dist/$name" snapshot --demo --width 120 --height 30)
  [ "$(printf '%s\n' "$frame" | wc -l)" = 30 ] && grep -q 'DEMO' <<<"$frame" \
    || die "snapshot --demo did not draw a 120x30 demo frame: $frame"
  printf '%s\n' "$frame" | head -4
  say "ok: dist/$name ($(stat -c %s "dist/$name") bytes), dist/$name.sha256"
  cat "dist/$name.sha256"
}

case "${1:-}" in
  "") build ;;
  --verify) verify ;;
  *) die "usage: scripts/portable.sh [--verify]" ;;
esac
