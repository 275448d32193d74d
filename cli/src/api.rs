//! `persona <group> <operation> …`: every operation of Persona's API from the shell, built at run
//! time from the core's operation table (generated from Persona's OpenAPI document — no list of
//! operations here), and `persona api METHOD PATH` for anything else. JSON documents are printed
//! whole; files (the `print` PDFs) go to `--output`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use persona::client::{Call, Client, Method, Operation, Reply, RequestOptions, next_cursor};
use serde_json::Value;

use super::input::read_body;
use super::{CommandResult, Failure};

fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// The operation groups (`inquiries`, `inquiry-sessions`, ...), in the table's order.
fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for operation in Operation::all() {
        if !groups.contains(&operation.group) {
            groups.push(operation.group);
        }
    }
    groups
}

/// Whether `name` is a command this module runs.
pub(crate) fn handles(name: &str) -> bool {
    name == "api" || groups().iter().any(|group| kebab(group) == name)
}

fn base_url_arg() -> Arg {
    Arg::new("base-url").long("base-url").value_name("URL").help(
        "API base URL (e.g. the sandbox's http://127.0.0.1:PORT/api/v1); default: PERSONA_BASE_URL, \
         else Persona's production API",
    )
}

fn repeated(name: &'static str, value_name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .value_name(value_name)
        .action(ArgAction::Append)
        .help(help)
}

fn body_args(command: Command) -> Command {
    command
        .arg(
            Arg::new("body")
                .long("body")
                .value_name("JSON")
                .help("The JSON body"),
        )
        .arg(
            Arg::new("body-file")
                .long("body-file")
                .value_name("PATH")
                .value_parser(clap::value_parser!(PathBuf))
                .conflicts_with("body")
                .help("Read the JSON body from a file (`-`: standard input)"),
        )
}

fn operation_command(operation: &'static Operation) -> Command {
    use persona::client::operation::{BodyKind, ResponseKind};
    let mut command = Command::new(kebab(operation.name))
        .about(format!(
            "{} {} ({})",
            operation.method.as_reqwest(),
            operation.path,
            operation.id
        ))
        .arg(base_url_arg());
    for parameter in operation.path_params {
        command = command.arg(
            Arg::new(*parameter)
                .value_name(parameter.to_uppercase().replace('-', "_"))
                .required(true)
                .help(format!("`{parameter}`")),
        );
    }
    if operation.include {
        command = command.arg(
            Arg::new("include")
                .long("include")
                .value_name("NAMES")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help("Related resources to include (comma-separated)"),
        );
    }
    if operation.fields {
        command = command.arg(repeated(
            "fields",
            "TYPE=NAMES",
            "Attributes to return for a resource type, e.g. inquiry=status,reference-id (repeatable)",
        ));
    }
    if !operation.filters.is_empty() {
        command = command.arg(
            repeated(
                "filter",
                "NAME=VALUE",
                "A filter, by Persona's name (repeatable)",
            )
            .long_help(format!(
                "A filter, by Persona's name (repeatable); this operation's: {}",
                operation.filters.join(", ")
            )),
        );
    }
    if operation.paginated {
        command = command
            .arg(
                Arg::new("page-size")
                    .long("page-size")
                    .value_name("N")
                    .value_parser(clap::value_parser!(u32))
                    .help("`page[size]`"),
            )
            .arg(
                Arg::new("page-after")
                    .long("page-after")
                    .value_name("CURSOR")
                    .help("`page[after]`: the page after this id"),
            )
            .arg(
                Arg::new("page-before")
                    .long("page-before")
                    .value_name("CURSOR")
                    .help("`page[before]`: the page before this id"),
            )
            .arg(
                Arg::new("all")
                    .long("all")
                    .action(ArgAction::SetTrue)
                    .help("Follow `links.next` and print every item as one JSON array"),
            );
    }
    match operation.body {
        BodyKind::Json => command = body_args(command),
        BodyKind::Form => {
            command = command.arg(repeated("form", "NAME=VALUE", "A form field (repeatable)"));
        }
        BodyKind::None => {}
    }
    if operation.response == ResponseKind::Pdf {
        command = command.arg(
            Arg::new("output")
                .long("output")
                .value_name("PATH")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help("Where to write the file (`-`: standard output)"),
        );
    }
    command
        .arg(
            Arg::new("idempotency-key")
                .long("idempotency-key")
                .value_name("KEY")
                .help("Idempotency-Key (POST; default: a fresh UUID, reused by retries)"),
        )
        .arg(
            Arg::new("persona-version")
                .long("persona-version")
                .value_name("VERSION")
                .help("Persona-Version for this call"),
        )
}

/// Adds the API commands to the CLI.
pub(crate) fn augment(mut cli: Command) -> Command {
    for group in groups() {
        let mut command = Command::new(kebab(group))
            .about(format!("Persona's `{group}` operations (JSON out)"))
            .subcommand_required(true);
        for operation in Operation::all().iter().filter(|o| o.group == group) {
            command = command.subcommand(operation_command(operation));
        }
        cli = cli.subcommand(command);
    }
    cli.subcommand(
        body_args(
            Command::new("api")
                .about("Any endpoint: METHOD PATH, relative to the base URL (JSON out)")
                .arg(Arg::new("method").required(true).value_name("METHOD"))
                .arg(Arg::new("path").required(true).value_name("PATH"))
                .arg(repeated(
                    "query",
                    "NAME=VALUE",
                    "A query parameter (repeatable)",
                ))
                .arg(
                    Arg::new("idempotency-key")
                        .long("idempotency-key")
                        .value_name("KEY"),
                ),
        )
        .arg(base_url_arg()),
    )
}

fn client(matches: &ArgMatches) -> Result<Client, Failure> {
    let mut builder = Client::builder().credentials_from_env()?.binding("cli");
    if let Some(base) = matches
        .get_one::<String>("base-url")
        .cloned()
        .or_else(|| std::env::var("PERSONA_BASE_URL").ok())
    {
        builder = builder.base_url(base);
    }
    Ok(builder.build()?)
}

fn block<T>(
    future: impl std::future::Future<Output = Result<T, persona::PersonaError>>,
) -> Result<T, Failure> {
    Ok(persona::runtime::runtime()?.block_on(future)?)
}

fn pair(text: &str, flag: &str) -> Result<(String, String), Failure> {
    text.split_once('=')
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .ok_or_else(|| Failure::Usage(format!("--{flag} takes NAME=VALUE, got `{text}`")))
}

fn pairs(matches: &ArgMatches, flag: &str) -> Result<Vec<(String, String)>, Failure> {
    matches
        .get_many::<String>(flag)
        .into_iter()
        .flatten()
        .map(|text| pair(text, flag))
        .collect()
}

fn body(matches: &ArgMatches) -> Result<Option<Value>, Failure> {
    let text = match (
        matches.try_get_one::<String>("body").ok().flatten(),
        matches.try_get_one::<PathBuf>("body-file").ok().flatten(),
    ) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(path)) => read_body(Some(path))?,
        (None, None) => return Ok(None),
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|_| Failure::Usage("the body is not JSON".into()))
}

/// Writes `bytes` to standard output; a closed pipe (`| head`) ends the output quietly.
fn emit(bytes: &[u8]) -> CommandResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Usage(format!("cannot write the output: {err}")))
        }
        _ => Ok(()),
    }
}

fn emit_json(value: &Value) -> CommandResult {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    emit(text.as_bytes())
}

fn call_of(operation: &Operation, matches: &ArgMatches) -> Result<Call, Failure> {
    let mut call = Call::new();
    for parameter in operation.path_params {
        if let Some(value) = matches.get_one::<String>(parameter) {
            call = call.path(*parameter, value.clone());
        }
    }
    if let Ok(Some(names)) = matches.try_get_many::<String>("include") {
        call = call.include(names.cloned());
    }
    if operation.fields {
        for (kind, names) in pairs(matches, "fields")? {
            call = call.fields(kind, names.split(',').map(str::to_owned));
        }
    }
    if !operation.filters.is_empty() {
        for (name, value) in pairs(matches, "filter")? {
            call = call.filter(name, value);
        }
    }
    if operation.paginated {
        call.page_size = matches.get_one::<u32>("page-size").copied();
        call.page_after = matches.get_one::<String>("page-after").cloned();
        call.page_before = matches.get_one::<String>("page-before").cloned();
    }
    if matches.try_get_one::<String>("body").is_ok() {
        call.body = body(matches)?;
    }
    if matches.try_get_many::<String>("form").is_ok() {
        call.form = pairs(matches, "form")?;
    }
    call.options.idempotency_key = matches.get_one::<String>("idempotency-key").cloned();
    call.options.persona_version = matches.get_one::<String>("persona-version").cloned();
    Ok(call)
}

fn run_operation(operation: &'static Operation, matches: &ArgMatches) -> CommandResult {
    let client = client(matches)?;
    let mut call = call_of(operation, matches)?;
    let all = matches.try_get_one::<bool>("all").ok().flatten() == Some(&true);
    if all {
        let mut items = Vec::new();
        loop {
            let reply = block(client.call(operation, &call))?;
            let Reply::Json(response) = reply else {
                return Err(Failure::Invalid("a list answered a file".into()));
            };
            if let Some(data) = response.body.get("data").and_then(Value::as_array) {
                items.extend(data.iter().cloned());
            }
            match next_cursor(&response.body) {
                Some(cursor) if Some(&cursor) != call.page_after.as_ref() => {
                    call.page_after = Some(cursor);
                }
                _ => break,
            }
        }
        return emit_json(&Value::Array(items));
    }
    match block(client.call(operation, &call))? {
        Reply::Json(response) => emit_json(&response.body),
        Reply::Binary(file) => {
            let path = matches
                .get_one::<PathBuf>("output")
                .cloned()
                .unwrap_or_default();
            if path.as_os_str() == "-" {
                emit(&file.bytes)
            } else {
                std::fs::write(&path, &file.bytes).map_err(|err| {
                    Failure::Usage(format!("cannot write {}: {err}", path.display()))
                })
            }
        }
    }
}

fn run_raw(matches: &ArgMatches) -> CommandResult {
    let client = client(matches)?;
    let method_text = matches
        .get_one::<String>("method")
        .cloned()
        .unwrap_or_default();
    let method = Method::from_bytes(method_text.to_ascii_uppercase().as_bytes())
        .map_err(|_| Failure::Usage(format!("`{method_text}` is not an HTTP method")))?;
    let path = matches
        .get_one::<String>("path")
        .cloned()
        .unwrap_or_default();
    let query = pairs(matches, "query")?;
    let body = body(matches)?;
    let options = RequestOptions {
        idempotency_key: matches.get_one::<String>("idempotency-key").cloned(),
        ..RequestOptions::default()
    };
    let response = block(client.request(method, &path, &query, body.as_ref(), &options))?;
    emit_json(&response.body)
}

/// Runs the API command `name` (a group, or `api`).
pub(crate) fn run(name: &str, matches: &ArgMatches) -> CommandResult {
    if name == "api" {
        return run_raw(matches);
    }
    let Some((operation_name, operation_matches)) = matches.subcommand() else {
        return Err(Failure::Usage(format!(
            "`persona {name}` needs an operation"
        )));
    };
    let operation = Operation::all()
        .iter()
        .find(|o| kebab(o.group) == name && kebab(o.name) == operation_name)
        .ok_or_else(|| Failure::Usage(format!("no operation `{name} {operation_name}`")))?;
    run_operation(operation, operation_matches)
}
