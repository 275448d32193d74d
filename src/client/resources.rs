//! Typed resources. Persona's enums are open and its objects grow: every model keeps the whole
//! JSON:API resource (unknown attributes included) and unknown enum values as `Other`.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::Client;
use super::http::RequestOptions;
use super::pagination::{ListParams, Page, Paginator, Parse};
use crate::error::PersonaError;

/// A JSON:API resource object: `{"type", "id", "attributes", "relationships"}`.
///
/// Prints its type and id only: attributes can hold personal data.
#[derive(Clone, PartialEq)]
pub struct Resource {
    /// `type`, e.g. `inquiry`.
    pub kind: String,
    /// `id`, e.g. `inq_…`.
    pub id: String,
    /// Every attribute, as sent (kebab-case keys).
    pub attributes: Map<String, Value>,
    /// `relationships`, if any.
    pub relationships: Option<Value>,
}

impl Resource {
    /// Reads a resource object.
    pub fn from_json(value: &Value) -> Result<Self, PersonaError> {
        let text = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    PersonaError::UnexpectedResponse(format!("resource without a string `{key}`"))
                })
        };
        Ok(Self {
            kind: text("type")?,
            id: text("id")?,
            attributes: value
                .get("attributes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            relationships: value.get("relationships").cloned(),
        })
    }

    /// The resource as JSON:API JSON.
    pub fn to_json(&self) -> Value {
        let mut object = json!({ "type": self.kind, "id": self.id, "attributes": self.attributes });
        if let Some(relationships) = &self.relationships {
            object["relationships"] = relationships.clone();
        }
        object
    }

    /// A string attribute.
    pub fn attribute_str(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }
}

/// One call whose answer is a single resource object in `data`, read with `parse`.
async fn fetch_one<T>(
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
    options: Option<RequestOptions>,
    parse: Parse<T>,
) -> Result<T, PersonaError> {
    let response = client
        .request(
            method,
            path,
            &[],
            body.as_ref(),
            &options.unwrap_or_default(),
        )
        .await?;
    parse(response.body.get("data").unwrap_or(&Value::Null))
}

/// An inquiry's status. Open: values Persona adds later arrive as `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InquiryStatus {
    /// `created`
    Created,
    /// `pending`
    Pending,
    /// `completed`
    Completed,
    /// `failed`
    Failed,
    /// `expired`
    Expired,
    /// `needs_review`
    NeedsReview,
    /// `approved`
    Approved,
    /// `declined`
    Declined,
    /// Any other value, kept verbatim.
    Other(String),
}

impl InquiryStatus {
    fn parse(text: &str) -> Self {
        match text {
            "created" => Self::Created,
            "pending" => Self::Pending,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "expired" => Self::Expired,
            "needs_review" => Self::NeedsReview,
            "approved" => Self::Approved,
            "declined" => Self::Declined,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Created => "created",
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::NeedsReview => "needs_review",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Other(text) => text,
        }
    }
}

/// An inquiry. Prints its id and status only.
#[derive(Clone, PartialEq)]
pub struct Inquiry {
    /// `inq_…`
    pub id: String,
    /// Status (open enum).
    pub status: InquiryStatus,
    /// Your reference id, if set.
    pub reference_id: Option<String>,
    /// `created-at`.
    pub created_at: Option<String>,
    /// The whole resource, unknown attributes included.
    pub resource: Resource,
}

impl Inquiry {
    fn from_resource(resource: Resource) -> Self {
        Self {
            id: resource.id.clone(),
            status: InquiryStatus::parse(resource.attribute_str("status").unwrap_or("")),
            reference_id: resource.attribute_str("reference-id").map(str::to_owned),
            created_at: resource.attribute_str("created-at").map(str::to_owned),
            resource,
        }
    }

    pub(crate) fn from_json(value: &Value) -> Result<Self, PersonaError> {
        Resource::from_json(value).map(Self::from_resource)
    }
}

/// An account. Prints its id only.
#[derive(Clone, PartialEq)]
pub struct Account {
    /// `act_…`
    pub id: String,
    /// Your reference id, if set.
    pub reference_id: Option<String>,
    /// The whole resource.
    pub resource: Resource,
}

impl Account {
    /// Reads an account resource object.
    pub fn from_json(value: &Value) -> Result<Self, PersonaError> {
        let resource = Resource::from_json(value)?;
        Ok(Self {
            id: resource.id.clone(),
            reference_id: resource.attribute_str("reference-id").map(str::to_owned),
            resource,
        })
    }
}

/// `Debug` for resources: the type's name and the named fields, never the attributes.
macro_rules! debug_type_and_id {
    ($type:ident, $($field:ident),+) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))+
                    .finish_non_exhaustive()
            }
        }
    };
}

debug_type_and_id!(Resource, kind, id);
debug_type_and_id!(Inquiry, id, status);
debug_type_and_id!(Account, id);

/// Object ids go into URL paths: refuse anything that could change the path.
fn check_id(id: &str) -> Result<&str, PersonaError> {
    if !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(id)
    } else {
        Err(PersonaError::Configuration(
            "object id must be 1-128 chars of [A-Za-z0-9_-]".into(),
        ))
    }
}

fn data(attributes: Value) -> Value {
    json!({ "data": { "attributes": attributes } })
}

/// A collection that can be created, retrieved, updated and listed (`/inquiries`, `/accounts`):
/// one implementation, typed by the resource it parses.
#[derive(Clone, Copy)]
struct Collection<'a, T> {
    client: &'a Client,
    path: &'static str,
    parse: Parse<T>,
}

impl<T> Collection<'_, T> {
    async fn call(
        &self,
        method: Method,
        path: String,
        body: Option<Value>,
        options: Option<RequestOptions>,
    ) -> Result<T, PersonaError> {
        fetch_one(self.client, method, &path, body, options, self.parse).await
    }

    fn object_path(&self, id: &str) -> Result<String, PersonaError> {
        Ok(format!("{}/{}", self.path, check_id(id)?))
    }

    async fn create(
        &self,
        attributes: Value,
        options: Option<RequestOptions>,
    ) -> Result<T, PersonaError> {
        self.call(
            Method::POST,
            self.path.into(),
            Some(data(attributes)),
            options,
        )
        .await
    }

    async fn retrieve(&self, id: &str) -> Result<T, PersonaError> {
        self.call(Method::GET, self.object_path(id)?, None, None)
            .await
    }

    async fn update(&self, id: &str, attributes: Value) -> Result<T, PersonaError> {
        self.call(
            Method::PATCH,
            self.object_path(id)?,
            Some(data(attributes)),
            None,
        )
        .await
    }

    async fn list_page(&self, params: &ListParams) -> Result<Page<T>, PersonaError> {
        Page::fetch(self.client, self.path, params, self.parse).await
    }

    fn list(&self, params: ListParams) -> Paginator<T> {
        Paginator::new(self.client.clone(), self.path, params, self.parse)
    }
}

/// `client.inquiries()`.
#[derive(Debug, Clone, Copy)]
pub struct Inquiries<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Inquiries<'a> {
    fn collection(&self) -> Collection<'a, Inquiry> {
        Collection {
            client: self.client,
            path: "/inquiries",
            parse: Inquiry::from_json,
        }
    }

    /// `POST /inquiries` with these attributes (e.g. `{"inquiry-template-id": "itmpl_…"}`).
    pub async fn create(
        &self,
        attributes: Value,
        options: Option<RequestOptions>,
    ) -> Result<Inquiry, PersonaError> {
        self.collection().create(attributes, options).await
    }

    /// `GET /inquiries/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Inquiry, PersonaError> {
        self.collection().retrieve(id).await
    }

    /// `PATCH /inquiries/{id}`.
    pub async fn update(&self, id: &str, attributes: Value) -> Result<Inquiry, PersonaError> {
        self.collection().update(id, attributes).await
    }

    /// One page of `GET /inquiries` (filters such as `filter[status]`).
    pub async fn list_page(&self, params: &ListParams) -> Result<Page<Inquiry>, PersonaError> {
        self.collection().list_page(params).await
    }

    /// Every inquiry matching `params`, fetched page by page as you iterate.
    pub fn list(&self, params: ListParams) -> Paginator<Inquiry> {
        self.collection().list(params)
    }

    /// `POST /inquiries/{id}/resume`: returns the session token to resume the flow.
    pub async fn resume(&self, id: &str) -> Result<String, PersonaError> {
        let response = self
            .client
            .request(
                Method::POST,
                &format!("{}/resume", self.collection().object_path(id)?),
                &[],
                None,
                &RequestOptions::default(),
            )
            .await?;
        response
            .body
            .pointer("/meta/session-token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                PersonaError::UnexpectedResponse("resume response has no meta.session-token".into())
            })
    }

    async fn action(&self, id: &str, action: &str) -> Result<Inquiry, PersonaError> {
        let collection = self.collection();
        let path = format!("{}/{action}", collection.object_path(id)?);
        collection.call(Method::POST, path, None, None).await
    }

    /// `POST /inquiries/{id}/expire`.
    pub async fn expire(&self, id: &str) -> Result<Inquiry, PersonaError> {
        self.action(id, "expire").await
    }

    /// `POST /inquiries/{id}/approve`.
    pub async fn approve(&self, id: &str) -> Result<Inquiry, PersonaError> {
        self.action(id, "approve").await
    }

    /// `POST /inquiries/{id}/decline`.
    pub async fn decline(&self, id: &str) -> Result<Inquiry, PersonaError> {
        self.action(id, "decline").await
    }

    /// `DELETE /inquiries/{id}`: redacts the inquiry's personal data.
    pub async fn redact(&self, id: &str) -> Result<Inquiry, PersonaError> {
        let collection = self.collection();
        let path = collection.object_path(id)?;
        collection.call(Method::DELETE, path, None, None).await
    }

    /// `POST /inquiries/{inquiry-id}/perform-simulate-actions` (sandbox environments only): runs
    /// Persona's inquiry status actions in order, named as Persona names them (the OpenAPI
    /// schema `inquiry-status-action`): `start_inquiry`, `complete_inquiry`, `fail_inquiry`,
    /// `expire_inquiry`, `mark_for_review_inquiry`, `approve_inquiry`, `decline_inquiry`.
    pub async fn simulate(&self, id: &str, actions: &[&str]) -> Result<Inquiry, PersonaError> {
        let actions: Vec<Value> = actions.iter().map(|a| json!({ "type": a })).collect();
        let collection = self.collection();
        let path = format!("{}/perform-simulate-actions", collection.object_path(id)?);
        let body = json!({ "meta": { "simulate-actions": actions } });
        collection.call(Method::POST, path, Some(body), None).await
    }
}

/// `client.accounts()`.
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Accounts<'a> {
    fn collection(&self) -> Collection<'a, Account> {
        Collection {
            client: self.client,
            path: "/accounts",
            parse: Account::from_json,
        }
    }

    /// `POST /accounts`.
    pub async fn create(
        &self,
        attributes: Value,
        options: Option<RequestOptions>,
    ) -> Result<Account, PersonaError> {
        self.collection().create(attributes, options).await
    }

    /// `GET /accounts/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<Account, PersonaError> {
        self.collection().retrieve(id).await
    }

    /// `PATCH /accounts/{id}`.
    pub async fn update(&self, id: &str, attributes: Value) -> Result<Account, PersonaError> {
        self.collection().update(id, attributes).await
    }

    /// One page of `GET /accounts`.
    pub async fn list_page(&self, params: &ListParams) -> Result<Page<Account>, PersonaError> {
        self.collection().list_page(params).await
    }

    /// Every account matching `params`.
    pub fn list(&self, params: ListParams) -> Paginator<Account> {
        self.collection().list(params)
    }
}

macro_rules! read_only_resource {
    ($(#[$doc:meta])* $name:ident, $path:literal, list: $list:tt) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            pub(crate) client: &'a Client,
        }

        impl $name<'_> {
            /// Retrieves one object by id.
            pub async fn retrieve(&self, id: &str) -> Result<Resource, PersonaError> {
                let path = format!(concat!($path, "/{}"), check_id(id)?);
                fetch_one(self.client, Method::GET, &path, None, None, Resource::from_json).await
            }
            read_only_resource!(@list $path, $list);
        }
    };
    (@list $path:literal, true) => {
        /// One page of objects matching `params`.
        pub async fn list_page(&self, params: &ListParams) -> Result<Page<Resource>, PersonaError> {
            Page::fetch(self.client, $path, params, Resource::from_json).await
        }

        /// Every object matching `params`.
        pub fn list(&self, params: ListParams) -> Paginator<Resource> {
            Paginator::new(self.client.clone(), $path, params, Resource::from_json)
        }
    };
    (@list $path:literal, false) => {};
}

read_only_resource!(
    /// `client.verifications()`.
    Verifications, "/verifications", list: false
);
read_only_resource!(
    /// `client.events()`.
    Events, "/events", list: true
);
read_only_resource!(
    /// `client.webhooks()`.
    Webhooks, "/webhooks", list: true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_print_type_and_id_never_attributes() {
        let value = json!({
            "type": "inquiry",
            "id": "inq_1",
            "attributes": {"status": "completed", "name-first": "Jane", "birthdate": "1990-01-01"},
        });
        let inquiry = Inquiry::from_json(&value).unwrap();
        let account = Account::from_json(&json!({"type": "account", "id": "act_1",
            "attributes": {"name-first": "Jane"}}))
        .unwrap();
        for text in [
            format!("{inquiry:?}"),
            format!("{:?}", inquiry.resource),
            format!("{account:?}"),
        ] {
            assert!(!text.contains("Jane") && !text.contains("1990"), "{text}");
        }
        assert!(format!("{inquiry:?}").contains("inq_1"));
    }
}
