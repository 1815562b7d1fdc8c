#!/usr/bin/env python3
"""Does a Linux binary start on an old glibc? Reads the ELF's version needs (.gnu.version_r, the
list the dynamic loader checks at start: "version `GLIBC_2.28' not found") and fails when any
GLIBC_x.y is newer than the floor.

    scripts/glibc-floor.py BINARY [--floor 2.17]   exit 0 ok, 1 a need above the floor, 2 unreadable
    scripts/glibc-floor.py --self-test             prove the checker itself (cheap; CI runs it)

Besides the glibc floor it fails on GLIBC_PRIVATE (no promise across glibc releases), on a
libgcc_s need newer than GCC_4.8.0 (CentOS 7's libgcc_s, the oldest the floor implies), and on a
shared library outside glibc and libgcc_s (a system OpenSSL, say, which the bastion may not
have). Standard library only: no binutils needed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

SHT_DYNAMIC = 6
SHT_GNU_VERNEED = 0x6FFFFFFE
DT_NEEDED = 1

# Libraries every glibc system has (glibc's own and GCC's unwinder); anything else must be
# linked in statically.
BASE_LIBS = re.compile(
    r"^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1"
    r"|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$"
)
GCC_FLOOR = "4.8.0"


def version_key(v: str) -> tuple[int, ...]:
    """'2.17' -> (2, 17): numeric, so 2.9 < 2.17."""
    return tuple(int(p) for p in v.split("."))


class Elf:
    """The parts of an ELF file this check needs: DT_NEEDED and the version needs."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF":
            raise ValueError(f"{path}: not an ELF file")
        cls, enc = d[4], d[5]
        if cls not in (1, 2) or enc not in (1, 2):
            raise ValueError(f"{path}: unknown ELF class {cls} / data encoding {enc}")
        self.is64 = cls == 2
        self.end = "<" if enc == 1 else ">"
        if self.is64:
            shoff, = self.unpack("Q", 0x28)
            shentsize, shnum = self.unpack("HH", 0x3A)
        else:
            shoff, = self.unpack("I", 0x20)
            shentsize, shnum = self.unpack("HH", 0x2E)
        self.sections = [self.section(shoff + i * shentsize) for i in range(shnum)]

    def unpack(self, fmt: str, off: int) -> tuple:
        return struct.unpack_from(self.end + fmt, self.data, off)

    def section(self, off: int) -> dict:
        if self.is64:
            _name, typ, _fl, _addr, offset, size, link, info, _al, entsize = self.unpack(
                "IIQQQQIIQQ", off
            )
        else:
            _name, typ, _fl, _addr, offset, size, link, info, _al, entsize = self.unpack(
                "IIIIIIIIII", off
            )
        return dict(type=typ, offset=offset, size=size, link=link, info=info, entsize=entsize)

    def string(self, strtab: dict, off: int) -> str:
        start = strtab["offset"] + off
        end = self.data.index(b"\0", start)
        return self.data[start:end].decode("ascii", "replace")

    def needed(self) -> list[str]:
        """DT_NEEDED: the shared libraries the loader must find."""
        out = []
        for s in self.sections:
            if s["type"] != SHT_DYNAMIC:
                continue
            strtab = self.sections[s["link"]]
            fmt, size = ("qQ", 16) if self.is64 else ("iI", 8)
            for off in range(s["offset"], s["offset"] + s["size"], size):
                tag, val = self.unpack(fmt, off)
                if tag == 0:
                    break
                if tag == DT_NEEDED:
                    out.append(self.string(strtab, val))
        return out

    def version_needs(self) -> list[tuple[str, str]]:
        """(library, version name) for every entry of .gnu.version_r (Elf_Verneed/Elf_Vernaux,
        the same layout in ELF32 and ELF64)."""
        out = []
        for s in self.sections:
            if s["type"] != SHT_GNU_VERNEED:
                continue
            strtab = self.sections[s["link"]]
            off = s["offset"]
            for _ in range(s["info"]):
                _ver, cnt, file_, aux, nxt = self.unpack("HHIII", off)
                lib = self.string(strtab, file_)
                a = off + aux
                for _ in range(cnt):
                    _hash, _flags, _other, name, anext = self.unpack("IHHII", a)
                    out.append((lib, self.string(strtab, name)))
                    if anext == 0:
                        break
                    a += anext
                if nxt == 0:
                    break
                off += nxt
        return out


def check(path: str, floor: str, quiet: bool = False, allow_libs: frozenset = frozenset()) -> int:
    """Print what `path` needs; return 0 when it starts on glibc `floor`, 1 when not.
    `allow_libs`: shared libraries allowed besides glibc's and libgcc_s."""
    try:
        elf = Elf(path)
        needs = elf.version_needs()
        libs = elf.needed()
    except (OSError, ValueError, struct.error, IndexError) as e:
        print(f"glibc-floor: cannot read {path}: {e}", file=sys.stderr)
        return 2
    say = (lambda *a: None) if quiet else print
    problems = []
    glibc = sorted(
        {v[len("GLIBC_"):] for _, v in needs if re.fullmatch(r"GLIBC_\d+(\.\d+)+", v)},
        key=version_key,
    )
    gcc = sorted(
        {v[len("GCC_"):] for _, v in needs if re.fullmatch(r"GCC_\d+(\.\d+)+", v)},
        key=version_key,
    )
    for v in glibc:
        if version_key(v) > version_key(floor):
            syms = sorted({lib for lib, n in needs if n == f"GLIBC_{v}"})
            problems.append(f"GLIBC_{v} (from {', '.join(syms)}) is newer than glibc {floor}")
    for lib, v in needs:
        if v == "GLIBC_PRIVATE":
            problems.append(f"GLIBC_PRIVATE from {lib}: glibc's internals, no compatibility")
    for v in gcc:
        if version_key(v) > version_key(GCC_FLOOR):
            problems.append(f"GCC_{v} (libgcc_s) is newer than GCC_{GCC_FLOOR}")
    for lib in libs:
        if not BASE_LIBS.match(lib) and lib not in allow_libs:
            problems.append(f"{lib} is not part of glibc or libgcc_s: it may be missing")
    if not glibc:
        problems.append("no GLIBC_ version needs at all: not a dynamically linked glibc binary?")
    say(f"{path}")
    say(f"  shared libraries: {', '.join(libs) or '(none)'}")
    say(f"  GLIBC versions needed: {', '.join(glibc) or '(none)'}")
    if gcc:
        say(f"  GCC (libgcc_s) versions needed: {', '.join(gcc)}")
    say(f"  highest GLIBC needed: {('GLIBC_' + glibc[-1]) if glibc else '(none)'}")
    if problems:
        for p in problems:
            say(f"  FAIL: {p}")
        say(f"  => does NOT start on glibc {floor}")
        return 1
    say(f"  => ok: starts on glibc {floor} and newer")
    return 0


def readelf_needs(path: str) -> set[tuple[str, str]] | None:
    """The same list from binutils' readelf, when it is installed (a cross-check)."""
    if not shutil.which("readelf"):
        return None
    out = subprocess.run(
        ["readelf", "-V", "--wide", path], capture_output=True, text=True, check=True
    ).stdout
    section = out.split("Version needs section", 1)
    if len(section) < 2:
        return set()
    needs, lib = set(), None
    for line in section[1].splitlines():
        m = re.search(r"File: (\S+)", line)
        if m:
            lib = m.group(1)
        m = re.search(r"Name: (\S+)", line)
        if m and lib:
            needs.add((lib, m.group(1)))
    return needs


def self_test() -> int:
    """The checker on this machine's own binaries: it reads what readelf reads, it passes a
    binary at its own level, and it fails a binary that needs a glibc newer than the floor."""
    ok = True

    def expect(cond: bool, what: str) -> None:
        nonlocal ok
        print(f"  {'ok' if cond else 'FAIL'}: {what}")
        ok = ok and cond

    print("glibc-floor self-test")
    expect(version_key("2.9") < version_key("2.17") < version_key("2.34"), "2.9 < 2.17 < 2.34")
    expect(version_key("2.2.5") < version_key("2.3"), "2.2.5 < 2.3")
    real = shutil.which("ls") or "/bin/ls"
    elf = Elf(real)
    needs = elf.version_needs()
    glibc = sorted(
        {v[6:] for _, v in needs if re.fullmatch(r"GLIBC_\d+(\.\d+)+", v)}, key=version_key
    )
    expect(bool(glibc), f"{real} has GLIBC version needs ({', '.join(glibc)})")
    if not glibc:
        return 1
    theirs = readelf_needs(real)
    if theirs is not None:
        expect(set(needs) == theirs, f"the same {len(theirs)} version needs as readelf -V")
    highest = glibc[-1]
    # ls may link more than glibc (libselinux): those are allowed here, the floor is the test.
    own = frozenset(elf.needed())
    expect(
        check(real, highest, quiet=True, allow_libs=own) == 0,
        f"{real} passes at its own GLIBC_{highest}",
    )
    if version_key(highest) > version_key("2.17"):
        expect(
            check(real, "2.17", quiet=True, allow_libs=own) == 1,
            f"{real} (this machine's glibc, needs GLIBC_{highest}) fails the 2.17 floor",
        )
    # Machine-independent: the same binary with its GLIBC_2.2.5 needs renamed GLIBC_2.999 (the
    # same length, so every offset holds) must fail the floor and name that version.
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "needs-glibc-2.999")
        with open(real, "rb") as f:
            data = f.read()
        expect(b"GLIBC_2.2.5\0" in data, f"{real} names GLIBC_2.2.5")
        with open(bad, "wb") as f:
            f.write(data.replace(b"GLIBC_2.2.5\0", b"GLIBC_2.999\0"))
        out = subprocess.run(
            [sys.executable, __file__, bad, "--floor", "2.17"]
            + [f"--allow-lib={lib}" for lib in sorted(own)],
            capture_output=True,
            text=True,
        )
        expect(
            out.returncode == 1 and "highest GLIBC needed: GLIBC_2.999" in out.stdout,
            "a binary needing GLIBC_2.999 fails with exit 1 and names it",
        )
        expect(
            check(bad, "2.999", quiet=True, allow_libs=own) == 0, "...and passes a 2.999 floor"
        )
        extra = sorted(lib for lib in own if not BASE_LIBS.match(lib))
        if extra:
            expect(
                check(bad, "2.999", quiet=True) == 1,
                f"{extra[0]} (not glibc's, not libgcc_s) fails unless allowed",
            )
    print(f"glibc-floor self-test: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--floor", default="2.17", help="oldest glibc the binary must start on")
    ap.add_argument(
        "--allow-lib", action="append", default=[], help="a shared library allowed besides glibc's"
    )
    ap.add_argument("--self-test", action="store_true", help="prove the checker itself")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.binary:
        ap.error("a binary to check, or --self-test")
    return check(a.binary, a.floor, allow_libs=frozenset(a.allow_lib))


if __name__ == "__main__":
    sys.exit(main())
