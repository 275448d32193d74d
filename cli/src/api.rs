//! `persona inquiries …` and `persona accounts …`: the client from the shell, JSON out.

use clap::{Args, Subcommand};
use persona::client::{Client, ListParams, Paginator, RequestOptions};
use serde_json::{Value, json};

use super::{CommandResult, Failure};

#[derive(Args, Clone)]
pub(crate) struct Connection {
    /// API base URL (e.g. the sandbox's `http://127.0.0.1:PORT/api/v1`); default: PERSONA_BASE_URL,
    /// else Persona's production API.
    #[arg(long, global = true)]
    base_url: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum InquiriesCommand {
    /// Create an inquiry.
    Create {
        #[command(flatten)]
        connection: Connection,
        /// Inquiry template id (itmpl_…).
        #[arg(long)]
        template_id: String,
        /// Your reference for the person.
        #[arg(long)]
        reference_id: Option<String>,
        /// Extra attributes as a JSON object.
        #[arg(long)]
        attributes: Option<String>,
        /// Idempotency-Key (default: a fresh UUID).
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Retrieve an inquiry.
    Get {
        #[command(flatten)]
        connection: Connection,
        /// Inquiry id.
        id: String,
    },
    /// List inquiries (every page).
    List {
        #[command(flatten)]
        connection: Connection,
        /// Page size.
        #[arg(long)]
        page_size: Option<u32>,
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
    },
    /// Run Persona's inquiry status actions in a sandbox (start_inquiry, complete_inquiry,
    /// fail_inquiry, expire_inquiry, mark_for_review_inquiry, approve_inquiry, decline_inquiry).
    Simulate {
        #[command(flatten)]
        connection: Connection,
        /// Inquiry id.
        id: String,
        /// Actions, in order.
        #[arg(required = true)]
        actions: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AccountsCommand {
    /// Create an account.
    Create {
        #[command(flatten)]
        connection: Connection,
        /// Your reference for the person.
        #[arg(long)]
        reference_id: Option<String>,
    },
    /// Retrieve an account.
    Get {
        #[command(flatten)]
        connection: Connection,
        /// Account id.
        id: String,
    },
    /// List accounts (every page).
    List {
        #[command(flatten)]
        connection: Connection,
        /// Page size.
        #[arg(long)]
        page_size: Option<u32>,
    },
}

fn client(connection: &Connection) -> Result<Client, Failure> {
    let mut builder = Client::builder().credentials_from_env()?.binding("cli");
    if let Some(base) = connection
        .base_url
        .clone()
        .or_else(|| std::env::var("PERSONA_BASE_URL").ok())
    {
        builder = builder.base_url(base);
    }
    Ok(builder.build()?)
}

fn print(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn block<T>(
    future: impl std::future::Future<Output = Result<T, persona::PersonaError>>,
) -> Result<T, Failure> {
    Ok(persona::runtime::runtime()?.block_on(future)?)
}

/// Prints every item of a list as one JSON array, fetching pages as needed.
fn print_all<T>(mut pages: Paginator<T>, to_json: impl Fn(&T) -> Value) -> CommandResult {
    let all = block(async move {
        let mut all = Vec::new();
        while let Some(item) = pages.next().await {
            all.push(to_json(&item?));
        }
        Ok(all)
    })?;
    print(&Value::Array(all));
    Ok(())
}

pub(crate) fn inquiries(command: InquiriesCommand) -> CommandResult {
    match command {
        InquiriesCommand::Create {
            connection,
            template_id,
            reference_id,
            attributes,
            idempotency_key,
        } => {
            let client = client(&connection)?;
            let mut attrs = match attributes {
                Some(text) => serde_json::from_str::<Value>(&text)
                    .ok()
                    .filter(Value::is_object)
                    .ok_or_else(|| Failure::Usage("--attributes must be a JSON object".into()))?,
                None => json!({}),
            };
            attrs["inquiry-template-id"] = json!(template_id);
            if let Some(reference) = reference_id {
                attrs["reference-id"] = json!(reference);
            }
            let options = RequestOptions {
                idempotency_key,
                ..RequestOptions::default()
            };
            let inquiry = block(client.inquiries().create(attrs, Some(options)))?;
            print(&inquiry.resource.to_json());
        }
        InquiriesCommand::Get { connection, id } => {
            let client = client(&connection)?;
            print(&block(client.inquiries().retrieve(&id))?.resource.to_json());
        }
        InquiriesCommand::List {
            connection,
            page_size,
            status,
        } => {
            let client = client(&connection)?;
            let mut params = ListParams {
                page_size,
                ..ListParams::default()
            };
            if let Some(status) = status {
                params.filters.push(("filter[status]".into(), status));
            }
            print_all(client.inquiries().list(params), |i| i.resource.to_json())?;
        }
        InquiriesCommand::Simulate {
            connection,
            id,
            actions,
        } => {
            let client = client(&connection)?;
            let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
            print(
                &block(client.inquiries().simulate(&id, &actions))?
                    .resource
                    .to_json(),
            );
        }
    }
    Ok(())
}

pub(crate) fn accounts(command: AccountsCommand) -> CommandResult {
    match command {
        AccountsCommand::Create {
            connection,
            reference_id,
        } => {
            let client = client(&connection)?;
            let attrs = reference_id.map_or_else(|| json!({}), |r| json!({ "reference-id": r }));
            print(
                &block(client.accounts().create(attrs, None))?
                    .resource
                    .to_json(),
            );
        }
        AccountsCommand::Get { connection, id } => {
            let client = client(&connection)?;
            print(&block(client.accounts().retrieve(&id))?.resource.to_json());
        }
        AccountsCommand::List {
            connection,
            page_size,
        } => {
            let client = client(&connection)?;
            let params = ListParams {
                page_size,
                ..ListParams::default()
            };
            print_all(client.accounts().list(params), |a| a.resource.to_json())?;
        }
    }
    Ok(())
}
