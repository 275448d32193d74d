"""Generates persona/_cffi_abi.py, cffi's out-of-line ABI-mode description of libpersona's C ABI,
from the header itself (bindings/ffi/include/persona.h, which cbindgen generates from the Rust
source): every declaration comes from there, none is typed by hand. Importing the generated module
parses no C at run time.

    python3 python/tools/gen_cffi.py           # rewrite
    python3 python/tools/gen_cffi.py --check   # exit 1 if the committed copy differs

The header's test-only block (`PERSONA_TEST_HOOKS`) is left out: no shipped library has it.
"""

import pathlib
import sys
import tempfile

import cffi

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "ffi"))
import c_header  # noqa: E402  (the one reader of persona.h, shared with the Kotlin generator)

TARGET = ROOT / "python" / "persona" / "_cffi_abi.py"


def generate(path: pathlib.Path) -> None:
    ffi = cffi.FFI()
    ffi.cdef(c_header.declarations(client=False))
    ffi.set_source("persona._cffi_abi", None)
    ffi.emit_python_code(str(path))


def main() -> int:
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp) / TARGET.name
            generate(fresh)
            # `_version` names the cffi release that generated the file; any compatible one works.
            strip = lambda text: [line for line in text.splitlines() if "_version" not in line]  # noqa: E731
            if strip(fresh.read_text()) != strip(TARGET.read_text()):
                print(f"{TARGET} is stale: run python3 python/tools/gen_cffi.py", file=sys.stderr)
                return 1
        return 0
    generate(TARGET)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
