//! `persona trigger <event>`: makes a running sandbox send one of Persona's webhook events by
//! doing, through the API, what makes Persona send it (the stripe CLI's `stripe trigger`): an
//! inquiry created and simulated to the status the event announces, an account created and
//! tagged. With `persona sandbox --forward-to URL` running, the event reaches the app at URL.

use clap::Args;
use persona::client::{Call, Client, SimulateAction};
use serde_json::json;

use super::{CommandResult, Failure};

#[derive(Args)]
pub(crate) struct TriggerArgs {
    /// The event: one of Persona's webhook event names (`inquiry.completed`, `account.tag-added`, …).
    event: String,
    /// API base URL of the sandbox (e.g. http://127.0.0.1:PORT/api/v1); default: PERSONA_BASE_URL.
    #[arg(long)]
    base_url: Option<String>,
    /// The inquiry template an inquiry is created from.
    #[arg(long, default_value = "itmpl_sandbox_trigger")]
    inquiry_template_id: String,
}

/// What the sandbox is asked to do for an event.
enum Recipe {
    /// Create an inquiry, then run these simulate actions.
    Inquiry(Vec<SimulateAction>),
    /// Create an account, then tag it (`tag-added`), and untag it (`tag-removed`).
    Account { tag: bool, untag: bool },
}

fn recipe(event: &str) -> Option<Recipe> {
    use SimulateAction::*;
    let verification = |passed: bool| {
        let verification_template_id = "vtmpl_sandbox_trigger".to_owned();
        if passed {
            CreatePassedVerification {
                verification_template_id,
            }
        } else {
            CreateFailedVerification {
                verification_template_id,
            }
        }
    };
    Some(match event {
        "inquiry.created" => Recipe::Inquiry(vec![]),
        "inquiry.started" => Recipe::Inquiry(vec![StartInquiry]),
        "inquiry.completed" => Recipe::Inquiry(vec![StartInquiry, CompleteInquiry]),
        "inquiry.failed" => Recipe::Inquiry(vec![StartInquiry, FailInquiry]),
        "inquiry.expired" => Recipe::Inquiry(vec![StartInquiry, ExpireInquiry]),
        "inquiry.marked-for-review" => {
            Recipe::Inquiry(vec![StartInquiry, CompleteInquiry, MarkForReviewInquiry])
        }
        "inquiry.approved" => Recipe::Inquiry(vec![StartInquiry, CompleteInquiry, ApproveInquiry]),
        "inquiry.declined" => Recipe::Inquiry(vec![StartInquiry, CompleteInquiry, DeclineInquiry]),
        "verification.passed" => Recipe::Inquiry(vec![StartInquiry, verification(true)]),
        "verification.failed" => Recipe::Inquiry(vec![StartInquiry, verification(false)]),
        "account.created" => Recipe::Account {
            tag: false,
            untag: false,
        },
        "account.tag-added" => Recipe::Account {
            tag: true,
            untag: false,
        },
        "account.tag-removed" => Recipe::Account {
            tag: true,
            untag: true,
        },
        _ => return None,
    })
}

/// The events `persona trigger` knows how to cause, for its error message and tests.
pub(crate) const TRIGGERABLE: &[&str] = &[
    "inquiry.created",
    "inquiry.started",
    "inquiry.completed",
    "inquiry.failed",
    "inquiry.expired",
    "inquiry.marked-for-review",
    "inquiry.approved",
    "inquiry.declined",
    "verification.passed",
    "verification.failed",
    "account.created",
    "account.tag-added",
    "account.tag-removed",
];

pub(crate) fn run(args: &TriggerArgs) -> CommandResult {
    let Some(recipe) = recipe(&args.event) else {
        return Err(Failure::Usage(format!(
            "persona trigger cannot cause {:?}; it can cause: {}",
            args.event,
            TRIGGERABLE.join(", ")
        )));
    };
    let mut builder = Client::builder().credentials_from_env()?.binding("cli");
    if let Some(base) = args
        .base_url
        .clone()
        .or_else(|| std::env::var("PERSONA_BASE_URL").ok())
    {
        builder = builder.base_url(base);
    }
    let client = builder.build()?;
    let api = client.api();
    let runtime = persona::runtime::runtime()?;
    runtime.block_on(async {
        let object = match recipe {
            Recipe::Inquiry(actions) => {
                let created = api
                    .inquiries()
                    .create(Call::new().body(json!({"data": {"attributes": {
                        "inquiry-template-id": args.inquiry_template_id,
                    }}})))
                    .await?;
                let id = created.id().unwrap_or_default().to_owned();
                if !actions.is_empty() {
                    api.inquiries().simulate(&id, &actions, Call::new()).await?;
                }
                id
            }
            Recipe::Account { tag, untag } => {
                let created = api.accounts().create(Call::new()).await?;
                let id = created.id().unwrap_or_default().to_owned();
                let tagging = || Call::new().body(json!({"meta": {"tag-name": "sandbox-trigger"}}));
                if tag {
                    api.accounts().add_tag(&id, tagging()).await?;
                }
                if untag {
                    api.accounts().remove_tag(&id, tagging()).await?;
                }
                id
            }
        };
        println!("triggered {} (object {object})", args.event);
        Ok::<(), Failure>(())
    })
}
