#!/usr/bin/env python3
"""The Swift layer's ABI against the built library, without a Swift compiler (swift/check.sh step c).

1. Lists every function declared in the PersonaFFI module's headers (UniFFI's PersonaFFI.h and
   libpersona's persona.h) twice, independently: from clang's AST (`-ast-dump=json`,
   authoritative) and from the header text (a regex). The two must agree, so a declaration style
   the regex misses, or a header clang reads differently, fails loudly.
2. Every FFI function the generated Swift references (`uniffi_persona_*` / `ffi_persona_*`) must be
   declared in the header: the Swift compiler would reject anything else, and we have no Swift compiler.
   Every C ABI call the idiomatic layer makes (`persona_*(...)` under --layer) must name a function
   persona.h declares, with as many arguments as it has parameters.
3. Writes a C program that takes the address of EVERY declared function and compiles and links it
   against libpersona (a missing symbol is a link error), then runs it. At run time it also calls
   the contract-version function and every API checksum function and compares them with the values
   baked into the generated Swift: exactly the checks the Swift bindings make when they load, so a
   Swift file generated from a different library version fails here.

Usage: ffi_check.py --header H [--header H2] --swift S [--layer DIR] --lib-dir D --work W [--cc clang]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

LIB_NAME = "persona"


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def functions_from_text(header: str) -> list[str]:
    """Function declarations found in the header's text (comments and preprocessor lines removed,
    and the test-only block, which clang skips too, since PERSONA_TEST_HOOKS is not defined)."""
    header = re.sub(r"#if defined\(PERSONA_TEST_HOOKS\).*?#endif", " ", header, flags=re.S)
    text = re.sub(r"/\*.*?\*/", " ", header, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"(?m)^[ \t]*#[^\n]*", " ", text)
    pattern = re.compile(
        r"(?m)^[ \t]*(?!typedef\b)([A-Za-z_][\w \t\n*]*?[\s*])([A-Za-z_]\w*)\s*\(([^;{}]*?)\)\s*;"
    )
    return [m.group(2) for m in pattern.finditer(text)]


def clang_declarations(cc: str, header: Path) -> list:
    """The top-level declarations of clang's AST of the header (`-ast-dump=json`), parsed once."""
    result = subprocess.run(
        [cc, "-x", "c", "-std=c11", "-fsyntax-only", "-Xclang", "-ast-dump=json", str(header)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        fail(f"clang could not parse {header}:\n{result.stderr}")
    return json.loads(result.stdout).get("inner", [])


def functions_from_clang(nodes: list) -> list[str]:
    """Function declarations in the AST. The header includes only <stdbool.h>, <stddef.h> and
    <stdint.h>, which declare no functions, so every FunctionDecl is the header's own."""
    return [node["name"] for node in nodes if node.get("kind") == "FunctionDecl" and not node.get("isImplicit")]


def parameter_counts(nodes: list) -> dict:
    """Each function's number of parameters, and each struct's number of fields (what Swift's
    memberwise initializer of an imported C struct takes)."""
    counts = {}
    for node in nodes:
        inner = node.get("inner", [])
        if node.get("kind") == "FunctionDecl" and not node.get("isImplicit"):
            counts[node["name"]] = sum(1 for item in inner if item.get("kind") == "ParmVarDecl")
        elif node.get("kind") == "RecordDecl" and node.get("name") and inner:
            counts[node["name"]] = sum(1 for item in inner if item.get("kind") == "FieldDecl")
    return counts


def calls_in_swift(source: str) -> list:
    """(function, argument count) for every `persona_*(` call in Swift source, counting the commas
    at the call's own nesting level (strings and nested brackets skipped)."""
    calls = []
    for match in re.finditer(r"\b(persona_\w+)\(", source):
        depth, index, arguments, seen = 0, match.end(), 0, False
        in_string = False
        while index < len(source):
            char = source[index]
            if in_string:
                if char == "\\":
                    index += 2
                    continue
                if char == '"':
                    in_string = False
            elif char == '"':
                in_string, seen = True, True
            elif char in "([{":
                depth, seen = depth + 1, True
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                arguments += 1
            elif not char.isspace():
                seen = True
            index += 1
        calls.append((match.group(1), arguments + 1 if seen else 0))
    return calls


def exported_symbols(library: Path) -> set[str]:
    result = subprocess.run(["nm", "-D", "--defined-only", str(library)], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"nm failed on {library}:\n{result.stderr}")
    return {line.split()[-1] for line in result.stdout.splitlines() if line.strip()}


C_PROGRAM = """\
/* Generated by swift/scripts/ffi_check.py: references every function declared in the PersonaFFI
 * module's headers, links against libpersona, and checks the contract version and API checksums
 * that the generated Swift (PersonaBindings.swift) expects. */
%(includes)s
#include <stdio.h>

/* void (*)(void) is the generic function pointer type; the casts only take addresses. */
typedef void (*any_function)(void);

static const any_function functions[] = {
%(functions)s
};
static const char *const function_names[] = {
%(names)s
};
struct checksum {
    const char *name;
    uint16_t (*get)(void);
    uint16_t expected;
};
static const struct checksum checksums[] = {
%(checksums)s
};

int main(void) {
    size_t count = sizeof functions / sizeof functions[0];
    size_t checksum_count = sizeof checksums / sizeof checksums[0];
    int failures = 0;
    for (size_t i = 0; i < count; i++) {
        if (functions[i] == NULL) {
            fprintf(stderr, "FAIL: %%s resolved to NULL\\n", function_names[i]);
            failures++;
        }
    }
    uint32_t contract = ffi_persona_uniffi_contract_version();
    if (contract != %(contract)dU) {
        fprintf(stderr, "FAIL: libpersona has UniFFI contract version %%u, the Swift bindings expect %(contract)d\\n",
                (unsigned)contract);
        failures++;
    }
    for (size_t i = 0; i < checksum_count; i++) {
        uint16_t actual = checksums[i].get();
        if (actual != checksums[i].expected) {
            fprintf(stderr, "FAIL: %%s() is %%u in libpersona, %%u in PersonaBindings.swift\\n",
                    checksums[i].name, (unsigned)actual, (unsigned)checksums[i].expected);
            failures++;
        }
    }
    if (failures) {
        return 1;
    }
    printf("linked and ran: %%zu function addresses resolved in libpersona, contract version %%u, "
           "%%zu/%%zu API checksums match PersonaBindings.swift\\n",
           count, (unsigned)contract, checksum_count, checksum_count);
    return 0;
}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--header", type=Path, required=True, action="append")
    parser.add_argument("--swift", type=Path, required=True)
    parser.add_argument("--layer", type=Path, help="the idiomatic Swift sources that call persona_* directly")
    parser.add_argument("--lib-dir", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--cc", default="clang")
    args = parser.parse_args()
    library = args.lib_dir / f"lib{LIB_NAME}.so"
    if not library.exists():
        fail(f"{library} not found (run `cargo build` first)")

    # 1. The headers' functions, two ways each.
    declared: set = set()
    parameters: dict = {}
    for header in args.header:
        from_text = functions_from_text(header.read_text())
        nodes = clang_declarations(args.cc, header)
        from_clang = functions_from_clang(nodes)
        if not from_clang:
            fail(f"clang found no function declarations in {header.name}")
        if len(set(from_clang)) != len(from_clang) or declared & set(from_clang):
            fail(f"{header.name} declares a function twice, or one another header declares")
        if sorted(from_text) != sorted(from_clang):
            only_clang = sorted(set(from_clang) - set(from_text))
            only_text = sorted(set(from_text) - set(from_clang))
            fail(f"{header.name}: parsers disagree: only in clang's AST {only_clang}, only in the text {only_text}")
        declared |= set(from_clang)
        parameters.update(parameter_counts(nodes))
        print(f"{len(from_clang)} functions declared in {header.name} (clang's AST and the text agree)")

    # A diagnostic naming what is missing; the link below is the proof, so it still runs.
    exported = exported_symbols(library)
    missing = sorted(declared - exported)
    if missing:
        print(f"{len(missing)} declared functions are not exported by {library}: {missing}", file=sys.stderr)
    else:
        print(f"all {len(declared)} are exported by {library}")

    # 2. What the generated Swift calls, and the values it checks at load time.
    swift = args.swift.read_text()
    called = set(re.findall(r"\b((?:uniffi|ffi)_persona_\w+)", swift))
    undeclared = sorted(called - declared)
    if undeclared:
        fail(f"{args.swift.name} references functions the header does not declare: {undeclared}")
    print(f"{len(called)} distinct FFI functions referenced by {args.swift.name}, all declared in the header")
    if args.layer:
        calls = [call for path in sorted(args.layer.rglob("*.swift")) for call in calls_in_swift(path.read_text())]
        wrong = [
            f"{name} ({count} arguments, {parameters.get(name, 'not declared')} parameters)"
            for name, count in calls
            if parameters.get(name) != count
        ]
        if not calls:
            fail(f"no persona_* calls found under {args.layer}")
        if wrong:
            fail(f"C ABI calls under {args.layer} that do not match persona.h: {wrong}")
        print(f"{len(calls)} C ABI calls and struct initializers under {args.layer}, each matching persona.h's arity")
    checksums = re.findall(r"\b(uniffi_persona_checksum_\w+)\(\)\s*!=\s*(\d+)", swift)
    checksum_functions = sorted(name for name in declared if name.startswith("uniffi_persona_checksum_"))
    if sorted(name for name, _ in checksums) != checksum_functions:
        fail(
            "the Swift file's checksum checks do not cover exactly the header's checksum functions: "
            f"{sorted(set(checksum_functions) ^ {name for name, _ in checksums})}"
        )
    contract = re.search(r"let bindings_contract_version = (\d+)", swift)
    if not contract:
        fail(f"no bindings_contract_version in {args.swift.name}")

    # 3. The C program: every address, the contract version, every checksum.
    ordered = sorted(declared)
    source = C_PROGRAM % {
        "functions": "\n".join(f"    (any_function)&{name}," for name in ordered),
        "names": "\n".join(f'    "{name}",' for name in ordered),
        "checksums": "\n".join(f'    {{"{name}", {name}, {value}}},' for name, value in checksums),
        "contract": int(contract.group(1)),
        "includes": "\n".join(f'#include "{header.name}"' for header in args.header),
    }
    args.work.mkdir(parents=True, exist_ok=True)
    c_file = args.work / "ffi_references.c"
    exe = args.work / "ffi_references"
    c_file.write_text(source)
    compile_command = [
        args.cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(args.header[0].parent), str(c_file),
        "-o", str(exe), "-L", str(args.lib_dir), f"-l{LIB_NAME}",
        # Any reference the library does not define is an error (the default for executables; said
        # explicitly), and libpersona stays linked even though it is only referenced by address.
        "-Wl,-z,defs", "-Wl,--no-as-needed",
    ]
    result = subprocess.run(compile_command, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"compiling/linking {c_file} against {library} failed:\n{result.stderr}")
    env = dict(os.environ, LD_LIBRARY_PATH=str(args.lib_dir.resolve()))
    run = subprocess.run([str(exe)], capture_output=True, text=True, env=env)
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        fail(f"{exe} exited with {run.returncode}")
    print(run.stdout.strip())
    if missing:
        fail(f"{len(missing)} declared functions are not exported by {library}")


if __name__ == "__main__":
    main()
