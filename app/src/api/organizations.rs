use crate::domain::list::Page;
use crate::domain::organization::{Organization, OrganizationInput, OrganizationSummary};
use crate::error::ApiError;
use leptos::prelude::*;

/// The list's URL state, one argument each so that absent ones are simply `None`.
#[server(endpoint = "organizations/list")]
pub async fn list_organizations(
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<Page<OrganizationSummary>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(
        format!("list_organizations:{:?}", (&q, &sort, &page, &per_page,)),
        || async move {
            use crate::domain::list::{ListParams, ListQuery, UI_COUNT_LIMIT};
            use crate::server::services::organizations::{self as service, LIST_SPEC};
            use crate::server::{ui, AppError};

            let state = ui::state()?;
            let principal = ui::principal(&state).await?;
            let params = ListParams {
                q,
                sort,
                page,
                per_page,
                filters: Vec::new(),
            };
            let mut query = ListQuery::parse(&params.to_pairs(), &LIST_SPEC, chrono::Utc::now())
                .map_err(|errors| ui::fail(AppError::Invalid(errors)))?;
            // A person pages through a few screens, not thousands: say "more than 1,000" instead of
            // counting every match of a broad search.
            query.count_limit = Some(UI_COUNT_LIMIT);
            service::list_organization_summaries(&state.db, &principal, &query)
                .await
                .map_err(ui::fail)
        },
    )
    .await
}

#[server(endpoint = "organizations/get")]
pub async fn get_organization(id: String) -> Result<Organization, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(format!("get_organization:{:?}", (&id,)), || async move {
        use crate::server::services::organizations as service;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        service::get_organization(&state.db, &principal, &id)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// Answers the new organization's id. An empty form sends no `organization[...]` key at all, so
/// the argument defaults to empty and gets the field errors, not a 400. With a first Admin's
/// email (Super Admin, partner) the organization is a customer created with its Admin, who is
/// invited (`POST /v2/users/customer`).
#[server(endpoint = "organizations/create")]
pub async fn create_organization(
    #[server(default)] organization: OrganizationInput,
    #[server(default)] admin_email: String,
    #[server(default)] admin_first_name: String,
    #[server(default)] admin_last_name: String,
) -> Result<String, ApiError> {
    use crate::domain::user::UserInput;
    use crate::server::services::organizations as service;
    use crate::server::services::partners;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let mut submitted = organization.to_pairs();
    let admin = [
        ("email", &admin_email),
        ("first_name", &admin_first_name),
        ("last_name", &admin_last_name),
    ];
    submitted.extend(
        admin
            .iter()
            .map(|(k, v)| (format!("admin_{k}"), v.to_string())),
    );
    let created = if admin.iter().all(|(_, v)| v.trim().is_empty()) {
        service::create_organization(&state.db, &principal, organization).await
    } else {
        let mut input = UserInput::default();
        for (key, value) in admin {
            input.set(key, value.clone());
        }
        partners::create_customer(
            &state.db,
            &state.config,
            &principal,
            organization,
            input,
            None,
        )
        .await
        .map(|(created, _)| created)
    }
    .map_err(|err| ui::fail_with_submitted(err, || submitted))?;
    ui::redirect_plain_form(&format!(
        "/organizations/{}?notice=organization_created",
        created.id
    ));
    Ok(created.id)
}

/// `version` is the one the form was opened at: a change made since answers 412.
#[server(endpoint = "organizations/update")]
pub async fn update_organization(
    id: String,
    version: i64,
    #[server(default)] organization: OrganizationInput,
) -> Result<Organization, ApiError> {
    use crate::server::services::organizations as service;
    use crate::server::services::precondition::ExpectedVersion;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let submitted = organization.to_pairs();
    let saved = service::update_organization(
        &state.db,
        &principal,
        &id,
        organization.from_complete_form(),
        ExpectedVersion::exactly(version),
    )
    .await
    .map_err(|err| ui::fail_with_submitted(err, || submitted))?;
    ui::redirect_plain_form(&format!(
        "/organizations/{}?notice=organization_saved",
        saved.id
    ));
    Ok(saved)
}

#[server(endpoint = "organizations/delete")]
pub async fn delete_organization(id: String, version: i64) -> Result<(), ApiError> {
    use crate::server::services::organizations as service;
    use crate::server::services::precondition::ExpectedVersion;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::delete_organization(
        &state.db,
        &principal,
        &id,
        ExpectedVersion::exactly(version),
    )
    .await
    .map_err(ui::fail)?;
    ui::redirect_plain_form("/organizations?notice=organization_deleted");
    Ok(())
}
