//! Partners and their customers: `POST /v2/users/customer`, `PUT /v2/users/{id}/inherit` and
//! `PUT /v2/user/transfer_resources` (API.md §4). Making someone a partner is with the user's
//! other writes (`users.rs`).

use super::envelope::{One, Resource};
use super::extract::JsonBody;
use super::organizations::{organization_resource, OrganizationBody};
use super::users::{new_user_schema, user_resource, NewUserBody};
use crate::domain::organization::OrganizationAttributes;
use crate::domain::user::{HandedOver, UserAttributes};
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::services::partners as service;
use crate::server::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::LOCATION;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_customer))
        .routes(routes!(inherit))
        .routes(routes!(transfer_resources))
}

/// `{"organization": {...}, "user": {..., "password"?}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerBody {
    organization: Option<Map<String, Value>>,
    user: Option<Map<String, Value>>,
}

/// The customer body's schema: a new organization's and a new user's, the user's role Admin.
enum CustomerBodySchema {}

impl PartialSchema for CustomerBodySchema {
    fn schema() -> RefOr<Schema> {
        let organization = serde_json::to_value(
            <super::organizations::NewOrganizationBody as PartialSchema>::schema(),
        )
        .expect("a schema");
        let user = serde_json::to_value(new_user_schema(true)).expect("a schema");
        let mut admin = user["properties"]["user"].clone();
        admin["description"] = json!("The organization's first Admin: without a password they are invited by email; with one they sign in at once. `role` may only be `Admin`; `organization_id` is the new organization's.");
        admin["properties"]["role"]["enum"] = json!(["Admin", "", null]);
        if let Some(properties) = admin["properties"].as_object_mut() {
            properties.remove("organization_id");
        }
        serde_json::from_value(json!({
            "type": "object",
            "required": ["organization", "user"],
            "additionalProperties": false,
            "properties": {
                "organization": organization["properties"]["organization"],
                "user": admin,
            }
        }))
        .expect("a valid schema")
    }
}

impl ToSchema for CustomerBodySchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "CustomerBody".into()
    }
}

/// `{"data": <organization>, "included": [<its first Admin>]}`.
#[derive(Serialize, ToSchema)]
struct CreatedCustomer {
    data: Resource<OrganizationAttributes>,
    included: Vec<Resource<UserAttributes>>,
}

/// Create a customer organization and its first Admin
///
/// A partner Admin's new organization becomes their customer (they manage it until they hand it
/// over); a Super Admin's stands alone. Both are written in one transaction, and every field
/// error of either is reported at once (`organization.name`, `user.email`, ...).
#[utoipa::path(post, path = "/v2/users/customer", tag = "Users",
    request_body = CustomerBodySchema,
    responses(
        (status = 201, description = "Created: the organization, its Admin in `included`", body = CreatedCustomer),
        (status = 403, description = "Not a Super Admin or a partner Admin", body = ApiError),
    ))]
async fn create_customer(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<CustomerBody>,
) -> Result<Response, AppError> {
    // Both halves are read before either is refused, so one answer names every bad field.
    let organization = OrganizationBody {
        organization: body.organization,
    }
    .into_input();
    let admin = NewUserBody { user: body.user }.into_parts(true);
    let (organization, (admin, password)) = match (organization, admin) {
        (Ok(organization), Ok(admin)) => (organization, admin),
        (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
            a.extend(b);
            return Err(AppError::Invalid(a));
        }
        (Err(err), _) | (_, Err(err)) => return Err(err),
    };
    let (created, admin) = service::create_customer(
        &state.db,
        &state.config,
        &principal,
        organization,
        admin,
        password.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(LOCATION, format!("/v2/organizations/{}", created.id))],
        Json(CreatedCustomer {
            data: organization_resource(&created),
            included: vec![user_resource(&admin)],
        }),
    )
        .into_response())
}

/// `{"from_user_id"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct InheritBody {
    #[schema(format = Uuid)]
    from_user_id: String,
}

/// Take over another user's customers and invitations
///
/// The user of the path takes over the customer organizations `from_user_id` manages and the
/// invitations they sent that are still pending. An Admin hands over between users of their own
/// organization, a Super Admin between any two; customers need a partner (409 otherwise).
#[utoipa::path(put, path = "/v2/users/{id}/inherit", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "The user who takes over")),
    request_body = InheritBody,
    responses(
        (status = 200, description = "What moved", body = One<HandedOver>),
        (status = 404, description = "Either user isn't the caller's to see", body = ApiError),
        (status = 409, description = "Customers would be left without a partner", body = ApiError),
    ))]
async fn inherit(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<InheritBody>,
) -> Result<Json<One<HandedOver>>, AppError> {
    let handed = service::hand_over(&state.db, &principal, &body.from_user_id, &id).await?;
    Ok(Json(One { data: handed }))
}

/// `{"from_user_id", "to_user_id"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    #[schema(format = Uuid)]
    from_user_id: String,
    #[schema(format = Uuid)]
    to_user_id: String,
}

/// Transfer a user's customers and invitations
///
/// Admin. `inherit` with both users named: `to_user_id` takes over what `from_user_id` holds.
#[utoipa::path(put, path = "/v2/user/transfer_resources", tag = "Current user",
    request_body = TransferBody,
    responses(
        (status = 200, description = "What moved", body = One<HandedOver>),
        (status = 404, description = "Either user isn't the caller's to see", body = ApiError),
        (status = 409, description = "Customers would be left without a partner", body = ApiError),
    ))]
async fn transfer_resources(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<TransferBody>,
) -> Result<Json<One<HandedOver>>, AppError> {
    let handed =
        service::hand_over(&state.db, &principal, &body.from_user_id, &body.to_user_id).await?;
    Ok(Json(One { data: handed }))
}
