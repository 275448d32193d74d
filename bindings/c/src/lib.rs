//! C ABI (placeholder while the core builds)
