#!/usr/bin/env python3
"""Checks what a built libpersona exports: the C ABI the header declares and UniFFI's symbols,
and nothing else — in particular no test hook (those exist only in `test-hooks` builds).

    python3 bindings/ffi/check-exports.py target/release/libpersona.so [more libraries...]
    python3 bindings/ffi/check-exports.py --wheel <the wheel's libpersona.so> [more...]
    python3 bindings/ffi/check-exports.py --core <a core build's libpersona.so> [more...]

A library named after `--wheel` is the Python wheel's build (feature `python`): it must also
export the CPython module entry point `PyInit__speedups`, which no other build may export.

The C ABI is read from bindings/ffi/include/persona.h with the `PERSONA_TEST_HOOKS` blocks left
out, so a shipped library that exports a test hook fails, and so does one that misses a declared
function. Exits 1 with the offending symbols listed.
"""

import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import c_header  # noqa: E402  (the one reader of persona.h)

HEADER = c_header.HEADER
# What UniFFI's scaffolding exports for the `persona` namespace (functions, checksums, the
# contract version, RustBuffer and future helpers, and the metadata library mode reads).
UNIFFI = re.compile(r"^(uniffi_persona_\w+|ffi_persona_\w+|UNIFFI_META_\w*PERSONA\w*)$")
# The wheel's library is also the CPython extension module `persona._speedups`.
PYTHON_EXTENSION = {"PyInit__speedups"}


def declared_c_abi(client: bool = True) -> set:
    """Function names the header declares outside its test-only block (and, for the core build,
    outside the API client's blocks)."""
    return {function.name for function in c_header.functions(c_header.declarations(client=client))}


def exported(library: str) -> set:
    out = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    c_abi = declared_c_abi()
    core_abi = declared_c_abi(client=False)
    if not c_abi:
        print(f"no persona_* declarations found in {HEADER}", file=sys.stderr)
        return 1
    failed = False
    wheel = core = False
    for library in sys.argv[1:]:
        if library == "--wheel":
            wheel = True
            continue
        if library == "--core":
            core = True
            continue
        declared = core_abi if core else c_abi
        expected = declared | PYTHON_EXTENSION if wheel else declared
        symbols = exported(library)
        unexpected = sorted(s for s in symbols if s not in expected and not UNIFFI.match(s))
        missing = sorted(expected - symbols)
        for name in unexpected:
            print(f"{library}: exports {name}, which is neither the C ABI of persona.h nor UniFFI's", file=sys.stderr)
        for name in missing:
            print(f"{library}: does not export {name}, which persona.h (or the wheel's build) declares", file=sys.stderr)
        failed |= bool(unexpected or missing)
        if not unexpected and not missing:
            uniffi = sum(1 for s in symbols if UNIFFI.match(s))
            extension = " + the CPython module entry point" if wheel else ""
            print(f"{library}: {len(declared)} C ABI functions + {uniffi} UniFFI symbols{extension}, nothing else")
        wheel = core = False
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
