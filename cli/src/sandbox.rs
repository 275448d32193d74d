//! `persona sandbox`.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use clap::Args;
use persona_sandbox::{self as sandbox, SandboxConfig};

use super::{CommandResult, Failure};

#[derive(Args)]
pub(crate) struct SandboxArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0 picks a free one; the first stdout line says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// POST lifecycle events here, signed with PERSONA_WEBHOOK_SECRET.
    #[arg(long)]
    webhook_url: Option<String>,
}

/// Serves until SIGINT/SIGTERM. Credentials: PERSONA_API_KEY and/or PERSONA_API_KEY_ID +
/// PERSONA_API_KEY_SECRET (the accepted ones).
pub(crate) fn run(args: &SandboxArgs) -> CommandResult {
    let mut config = SandboxConfig::from_env()?;
    config.bind = Some(SocketAddr::new(args.host, args.port));
    config.webhook_url = args.webhook_url.clone();
    let runtime = persona::runtime::runtime()?;
    runtime.block_on(async {
        let handle = sandbox::start(config).await?;
        println!("listening on {}", handle.origin());
        let _ = std::io::stdout().flush();
        wait_for_shutdown().await;
        handle.shutdown();
        eprintln!("sandbox stopped");
        Ok::<(), Failure>(())
    })
}

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
