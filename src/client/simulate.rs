//! `simulate`: Persona's sandbox simulate actions as a typed call on the inquiries group, built by
//! one rule ([`simulate_actions_body`]) that every language's `simulate` goes through.

use serde_json::{Value, json};

use super::api::{BlockingInquiries, Inquiries};
use super::http::ApiResponse;
use super::operation::Call;
pub use super::simulate_actions::SimulateAction;
use crate::error::PersonaError;

/// The body of `perform-simulate-actions` for `actions`, in order:
/// `{"meta": {"simulate-actions": [{"type": …}, …]}}` (Persona's OpenAPI document).
pub fn simulate_actions_body(actions: &[SimulateAction]) -> Value {
    let actions: Vec<Value> = actions.iter().map(SimulateAction::to_json).collect();
    json!({"meta": {"simulate-actions": actions}})
}

impl Inquiries<'_> {
    /// Runs sandbox simulate actions on an inquiry, in order (`perform-simulate-actions`), e.g.
    /// `[SimulateAction::StartInquiry, SimulateAction::CompleteInquiry]`; `call` carries the rest
    /// (an idempotency key, `include`, …). Persona takes them with a sandbox key only.
    pub async fn simulate(
        &self,
        inquiry_id: &str,
        actions: &[SimulateAction],
        call: Call,
    ) -> Result<ApiResponse, PersonaError> {
        let call = call.body(simulate_actions_body(actions));
        self.perform_simulate_actions(inquiry_id, call).await
    }
}

impl BlockingInquiries<'_> {
    /// [`Inquiries::simulate`], blocking.
    pub fn simulate(
        &self,
        inquiry_id: &str,
        actions: &[SimulateAction],
        call: Call,
    ) -> Result<ApiResponse, PersonaError> {
        let call = call.body(simulate_actions_body(actions));
        self.perform_simulate_actions(inquiry_id, call)
    }
}
