#!/usr/bin/env python3
"""Parses every .swift file given (or found under the given directories) with tree-sitter-swift and
fails on any ERROR or MISSING node, printing file:line:column (swift/check.sh step d).

Compiler-control lines (`#if`, `#elseif`, `#else`, `#endif`) are checked for balance here and then
blanked (replaced by spaces, so lines and columns stay put) before parsing: tree-sitter-swift treats
them as "extras" and reports an ERROR for valid code such as UniFFI's

    #if swift(>=5.8)
    @_documentation(visibility: private)
    #endif
    public struct FfiConverterTypeClient ...

where an attribute sits inside an `#if`. Every branch's code is still parsed.

Usage: parse_swift.py PATH... (directories are searched for *.swift, skipping .build and .tools)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Parser

DIRECTIVE = re.compile(rb"(?m)^[ \t]*#(if|elseif|else|endif)\b[^\n]*")
SKIP = {".build", ".tools", ".swiftpm"}


def swift_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.swift") if not SKIP & set(p.relative_to(path).parts))
        else:
            files.append(path)
    return files


def line_of(source: bytes, offset: int) -> int:
    return source.count(b"\n", 0, offset) + 1


def check_directives(path: Path, source: bytes) -> list[str]:
    problems, depth = [], []
    for match in DIRECTIVE.finditer(source):
        keyword, line = match.group(1), line_of(source, match.start())
        if keyword == b"if":
            depth.append(line)
        elif not depth:
            problems.append(f"{path}:{line}: #{keyword.decode()} without #if")
        elif keyword == b"endif":
            depth.pop()
        if keyword in (b"if", b"elseif") and not match.group(0).split(maxsplit=1)[1:]:
            problems.append(f"{path}:{line}: #{keyword.decode()} without a condition")
    problems += [f"{path}:{line}: #if without #endif" for line in depth]
    return problems


def parse_problems(parser: Parser, path: Path, source: bytes) -> list[str]:
    blanked = DIRECTIVE.sub(lambda m: b" " * len(m.group(0)), source)
    tree = parser.parse(blanked)
    problems: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, column = node.start_point
            kind = f"MISSING {node.type}" if node.is_missing else "ERROR"
            text = blanked[node.start_byte : node.end_byte][:60].decode("utf-8", "replace").replace("\n", "\\n")
            problems.append(f"{path}:{row + 1}:{column + 1}: {kind} near `{text}`")
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(problems, key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p)])


def main() -> None:
    files = swift_files(sys.argv[1:])
    if not files:
        print("FAIL: no .swift files found", file=sys.stderr)
        sys.exit(1)
    parser = Parser(Language(tree_sitter_swift.language()))
    problems: list[str] = []
    lines = 0
    for path in files:
        source = path.read_bytes()
        lines += source.count(b"\n")
        problems += check_directives(path, source) + parse_problems(parser, path, source)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"FAIL: {len(problems)} syntax problems in {len(files)} Swift files", file=sys.stderr)
        sys.exit(1)
    print(f"{len(files)} Swift files ({lines} lines) parse without ERROR or MISSING nodes")


if __name__ == "__main__":
    main()
