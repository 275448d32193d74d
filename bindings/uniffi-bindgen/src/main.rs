//! UniFFI's bindgen, then one pass over the Python module it wrote (maturin runs this binary with
//! `generate --language python --out-dir DIR ...`): the first use of `persona.Client` imports that
//! module, and as generated it imports `asyncio`, `dataclasses` (with `inspect` and `ast`),
//! `typing`, `enum`, `datetime`, `traceback` and `platform` — 50 of its 66 ms in a fresh
//! interpreter (issue 14 item 2, target ≤ 30 ms). None is needed to load it:
//! - `asyncio` only by async calls: imported inside the one function that reaches for it;
//! - `dataclass` decorates classes that declare no fields and define their own `__init__` and
//!   `__eq__`: a small stand-in adds what it added then (`__match_args__`, and the `Name()` repr
//!   where a class has none), and refuses a class that declares fields;
//! - `typing` only in annotations (strings under `from __future__ import annotations`) and as the
//!   `typing.Protocol` base of three protocol classes, which are documentation: dropped;
//! - `enum`, `datetime`, `traceback`, `platform`: unused.
//!
//! Every edit must match exactly as often as expected, or this fails the build: a UniFFI upgrade
//! that changes the template cannot silently bring the cost back (or break the module).
//! `python/tests/test_import_cost.py` checks the result: no such module is loaded by a client's
//! first use, and none of these names is read at run time.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    uniffi::uniffi_bindgen_main();
    let Some(out_dir) = python_out_dir(&args) else {
        return ExitCode::SUCCESS;
    };
    let module = out_dir.join("persona.py");
    if let Err(problem) = trim_python_module(&module) {
        eprintln!("uniffi-bindgen: {}: {problem}", module.display());
        return ExitCode::FAILURE;
    }
    // maturin packages the very file it passed here (its own copy, under target/maturin): strip
    // its local symbols now that the bindings are read from it (issue 14 item 6).
    if let Some(library) = flag_value(&args, "--library") {
        match strip_local_symbols(Path::new(&library)) {
            Ok(()) => {}
            Err(problem) => {
                eprintln!("uniffi-bindgen: {library}: {problem}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// `strip -x` (GNU's `--discard-all`; the same flag on macOS): the local symbols go (~20% of the
/// file); the global ones stay — the exported C ABI, `PyInit__speedups` and UniFFI's
/// `UNIFFI_META_*` metadata — so bindings can still be generated from the shipped file.
/// bindings/ffi/strip-library.sh does the same for the jar and the C release. A machine without
/// `strip` (or a Windows DLL) builds an unstripped wheel, with a warning: it works, only larger
/// (tests/core/run.sh fails CI on an unstripped wheel).
fn strip_local_symbols(library: &Path) -> Result<(), String> {
    let name = library.to_string_lossy();
    if !(name.ends_with(".so") || name.ends_with(".dylib")) {
        return Ok(());
    }
    match std::process::Command::new("strip")
        .arg("-x")
        .arg(library)
        .status()
    {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`strip -x` failed: {status}")),
        Err(err) => {
            eprintln!(
                "uniffi-bindgen: warning: cannot run `strip` ({err}); the library ships unstripped"
            );
            Ok(())
        }
    }
}

fn flag_value(args: &[String], flag: &str) -> Option<String> {
    args.iter().enumerate().find_map(|(index, arg)| {
        if arg == flag {
            args.get(index + 1).cloned()
        } else {
            arg.strip_prefix(&format!("{flag}=")).map(str::to_owned)
        }
    })
}

/// The output directory of a `generate --language python` run; `None` for anything else.
fn python_out_dir(args: &[String]) -> Option<PathBuf> {
    let value = |flag: &str| flag_value(args, flag);
    let generating = args.get(1).is_some_and(|command| command == "generate");
    let python = value("--language")
        .or_else(|| value("-l"))
        .is_some_and(|language| language == "python");
    if !(generating && python) {
        return None;
    }
    value("--out-dir")
        .or_else(|| value("-o"))
        .map(PathBuf::from)
}

const DATACLASS_STAND_IN: &str = r#"def dataclass(cls):
    # persona (bindings/uniffi-bindgen): what `dataclasses.dataclass` did to these classes, which
    # declare no fields and define their own __init__ and __eq__, without importing dataclasses.
    if cls.__dict__.get("__annotations__"):
        raise TypeError(f"{cls.__qualname__} declares fields: the dataclass stand-in cannot serve it")
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = lambda self: type(self).__qualname__ + "()"
    cls.__match_args__ = ()
    return cls
"#;

fn trim_python_module(path: &Path) -> Result<(), String> {
    let mut text = std::fs::read_to_string(path).map_err(|err| err.to_string())?;
    if text.contains("persona (bindings/uniffi-bindgen)") {
        return Ok(()); // already trimmed (a second run over the same directory)
    }
    // A module without async calls (the core build's) imports no asyncio: each edit applies
    // where its import is there, and then must match exactly.
    if text.contains("\nimport asyncio\n") {
        replace(&mut text, "\nimport asyncio\n", "\n", 1)?;
        replace(
            &mut text,
            "        return asyncio.get_running_loop()\n",
            "        import asyncio  # persona: loaded by async calls only\n        return asyncio.get_running_loop()\n",
            1,
        )?;
    }
    if text.contains("\nfrom dataclasses import dataclass\n") {
        replace(
            &mut text,
            "\nfrom dataclasses import dataclass\n",
            &format!("\n{DATACLASS_STAND_IN}"),
            1,
        )?;
    }
    if text.contains("\nimport typing\n") {
        replace(&mut text, "\nimport typing\n", "\n", 1)?;
        let protocols = text.matches("(typing.Protocol):").count();
        replace(&mut text, "(typing.Protocol):", ":", protocols)?;
    }
    for unused in ["enum", "datetime", "traceback", "platform"] {
        let import = format!("\nimport {unused}\n");
        if text.contains(&import) {
            replace(&mut text, &import, "\n", 1)?;
        }
    }
    std::fs::write(path, text).map_err(|err| err.to_string())
}

fn replace(text: &mut String, from: &str, to: &str, expected: usize) -> Result<(), String> {
    let found = text.matches(from).count();
    if found != expected {
        return Err(format!(
            "expected {expected} of {from:?} in the generated module, found {found}: has UniFFI's template changed?"
        ));
    }
    *text = text.replace(from, to);
    Ok(())
}
