"""Generates persona/_cffi_hot.py: cffi's out-of-line ABI-mode description of the two hot C ABI
calls (webhook verify, request sign). Importing the generated module parses no C at run time.

    python3 python/tools/gen_cffi.py           # rewrite
    python3 python/tools/gen_cffi.py --check   # exit 1 if the committed copy differs
"""

import pathlib
import sys
import tempfile

import cffi

# Must match bindings/c/persona.h (persona_result is an int-sized enum).
CDEF = """
int persona_webhook_verifier_verify(const void *verifier, const char *header,
                                    const uint8_t *body, size_t body_len, const int64_t *now);
int persona_webhook_verifier_verify_at(const void *verifier, const char *header,
                                       const uint8_t *body, size_t body_len, int64_t now);
int persona_request_signer_sign_headers(const void *signer, const char *method, const char *url,
                                        const uint8_t *body, size_t body_len, const int64_t *timestamp,
                                        const char *nonce, char *buf, size_t buf_len);
"""

TARGET = pathlib.Path(__file__).resolve().parents[1] / "persona" / "_cffi_hot.py"


def generate(path: pathlib.Path) -> None:
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("persona._cffi_hot", None)
    ffi.emit_python_code(str(path))


def main() -> int:
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp) / "_cffi_hot.py"
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
