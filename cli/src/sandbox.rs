//! `persona sandbox`.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use clap::Args;
use persona_sandbox::{self as sandbox, SandboxConfig};

use super::{CommandResult, Failure};

#[derive(Args)]
pub(crate) struct SandboxArgs {
    /// Address to listen on (loopback by default; another one needs --allow-non-loopback).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Allow a --host that is not loopback (the sandbox serves test data and fault injection).
    #[arg(long)]
    allow_non_loopback: bool,
    /// Port (0 picks a free one; the first stdout line says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// POST every webhook event here, signed with PERSONA_WEBHOOK_SECRET (`--forward-to` as in
    /// the stripe CLI: point it at your app's webhook route, then `persona trigger <event>`).
    #[arg(long, visible_alias = "forward-to")]
    webhook_url: Option<String>,
    /// Requests per minute before 429, as Persona counts them (300 is Persona's default);
    /// 0 turns the limit and its RateLimit-* headers off.
    #[arg(long, default_value_t = sandbox::PERSONA_RATE_LIMIT)]
    rate_limit: u32,
}

/// Serves until SIGINT/SIGTERM. Credentials: PERSONA_API_KEY and/or PERSONA_API_KEY_ID +
/// PERSONA_API_KEY_SECRET (the accepted ones). The admin routes' token is
/// PERSONA_SANDBOX_ADMIN_TOKEN, or a random one printed on the second line (it guards only this
/// process's test data, and whoever started it needs it).
pub(crate) fn run(args: &SandboxArgs) -> CommandResult {
    let mut config = SandboxConfig::from_env()?;
    config.bind = Some(SocketAddr::new(args.host, args.port));
    config.webhook_url = args.webhook_url.clone();
    config.rate_limit = Some(args.rate_limit).filter(|&limit| limit > 0);
    config.allow_non_loopback = args.allow_non_loopback;
    let print_admin_token = config.admin_token.is_none();
    let runtime = persona::runtime::runtime()?;
    runtime.block_on(async {
        let handle = sandbox::start(config).await?;
        println!("listening on {}", handle.origin());
        if print_admin_token {
            println!("admin token: {}", handle.admin_token().expose());
        }
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
