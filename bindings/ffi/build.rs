//! Link settings only: with feature `python` the library leaves CPython's symbols undefined, for
//! the interpreter that loads it to provide. ELF linkers allow that by default; macOS's refuses
//! unless told (the setting every CPython extension built for macOS uses).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let python = std::env::var_os("CARGO_FEATURE_PYTHON").is_some();
    let macos = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "macos");
    if python && macos {
        println!("cargo:rustc-cdylib-link-arg=-undefined");
        println!("cargo:rustc-cdylib-link-arg=dynamic_lookup");
    }
}
