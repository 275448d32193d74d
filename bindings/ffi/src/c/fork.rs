//! The fork handler the core cannot register itself (it has no `unsafe`): in a forked child,
//! `persona_core::random::note_fork` makes every nonce generator reseed from the OS, so a
//! preforking server's workers (gunicorn, multiprocessing, a C server) never share the stream
//! they inherited. Registered once per process, before libpersona makes its first signer or
//! client (everything that draws nonces or Idempotency-Keys is made by one of those).

use std::sync::Once;

static REGISTER: Once = Once::new();

/// Runs in the child after `fork`: one atomic increment (async-signal-safe).
#[cfg(unix)]
extern "C" fn in_child() {
    persona_core::random::note_fork();
}

/// Registers the handler, once per process.
pub(crate) fn watch() {
    REGISTER.call_once(|| {
        // SAFETY: `in_child` is a plain `extern "C" fn()` touching only a static atomic; the
        // library is never unloaded by the bindings while mapped, so the pointer stays valid. A
        // failure (ENOMEM) leaves nothing registered: nonces then stay unique per process only
        // until a fork.
        #[cfg(unix)]
        let _ = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}
