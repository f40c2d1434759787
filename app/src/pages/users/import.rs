//! `/users/import`: choose a CSV, "Check file" (a dry run: every bad row and column in a table,
//! nothing written), fix it, "Import" (all rows or none). A plain multipart form post without
//! JavaScript; with it, the same in place with a progress line.

use crate::api::users::ImportUsers;
use crate::components::notice::Notice;
use crate::components::toast::use_toasts;
use crate::domain::user::{ImportReport, USER_FIELDS};
use crate::error::ApiError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// `rows[3].email` → (3, "email").
fn row_and_column(field: &str) -> Option<(usize, String)> {
    let rest = field.strip_prefix("rows[")?;
    let (row, column) = rest.split_once("].")?;
    Some((row.parse().ok()?, column.to_string()))
}

/// What the browser sends with JavaScript: the form's own data (the file and the button pressed).
#[cfg(feature = "hydrate")]
type Upload = web_sys::FormData;
#[cfg(not(feature = "hydrate"))]
type Upload = ();

/// The error a plain form post came back with (server_fn puts it in the redirect's URL), as
/// `ServerAction` reads it for the other forms; a multipart upload can't be a `ServerAction`.
fn initial_error() -> Option<ApiError> {
    use server_fn::ServerFn;
    use_context::<leptos::server::ServerActionError>().and_then(|error| {
        (error.path() == ImportUsers::PATH)
            .then(|| server_fn::error::ServerFnUrlError::<ApiError>::decode_err(error.err()))
    })
}

#[component]
pub fn ImportUsersPage() -> impl IntoView {
    let action = Action::new_local(|upload: &Upload| {
        #[cfg(feature = "hydrate")]
        let sent = crate::api::users::import_users(upload.clone().into());
        #[cfg(not(feature = "hydrate"))]
        let sent = {
            let _ = upload;
            async { Err(ApiError::new(500, "Uploads are sent by the browser.")) }
        };
        sent
    });
    let problem = RwSignal::new(initial_error());
    let checked = RwSignal::new(None::<ImportReport>);
    let dry_run = RwSignal::new(true);
    let toasts = use_toasts();
    let navigate = use_navigate();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(report)) if dry_run.get_untracked() => {
            problem.set(None);
            checked.set(Some(report));
        }
        Some(Ok(report)) => {
            toasts.success(format!(
                "Imported: {} created, {} updated",
                report.created, report.updated
            ));
            navigate("/users?notice=users_imported", Default::default());
        }
        Some(Err(err)) => {
            checked.set(None);
            problem.set(Some(err));
        }
        None => {}
    });
    let columns = USER_FIELDS
        .iter()
        .map(|f| f.key)
        .collect::<Vec<_>>()
        .join(", ");
    let busy = move || action.pending().get();
    let upload_url = <ImportUsers as server_fn::ServerFn>::url();
    view! {
        <Title text="Import users"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href="/users">"Users"</a></li>
                <li><span aria-current="page">"Import users"</span></li>
            </ol>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Import users"</h1>
                <p class="muted">
                    "A CSV (UTF-8) with a header line. " <code>"email"</code> " is required; the other columns are any of: "
                    <code>{columns}</code>
                    ". A row whose email is one of your users updates them; any other row invites a new user. Check the file first: nothing is written until every row is right."
                </p>
            </div>
        </div>
        <Notice/>
        <form class="card form form-narrow" method="post" enctype="multipart/form-data"
            action=upload_url
            on:submit=move |ev| submit(ev, action, dry_run)>
            <div class="field">
                <div class="field-label"><label for="import-file">"CSV file"</label></div>
                <input id="import-file" name="file" type="file" accept=".csv,text/csv" required/>
            </div>
            <div class="form-actions">
                <button type="submit" name="dry_run" value="true" class="btn" disabled=busy>"Check file"</button>
                <button type="submit" name="dry_run" value="false" class="btn btn-primary" disabled=busy>"Import"</button>
            </div>
            <p class="muted small" role="status" aria-live="polite">
                {move || busy().then(|| if dry_run.get() { "Checking the file…" } else { "Importing…" })}
            </p>
        </form>
        {move || checked.get().map(|report| view! {
            <div class="alert alert-success" role="status">
                {format!("The file is fine: {} to create, {} to update. Import it to apply.", report.created, report.updated)}
            </div>
        })}
        {move || problem.get().map(|err| view! { <ImportProblems err/> })}
    }
}

/// A bad file (its header, its encoding) in a sentence; bad rows in a table.
#[component]
fn ImportProblems(err: ApiError) -> impl IntoView {
    let rows: Vec<(usize, String, String)> = err
        .errors
        .iter()
        .filter_map(|e| {
            row_and_column(&e.field).map(|(row, column)| (row, column, e.message.clone()))
        })
        .collect();
    if rows.is_empty() {
        let detail = err
            .errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" ");
        return view! {
            <div class="alert alert-error" role="alert">{format!("{} {detail}", err.message)}</div>
        }
        .into_any();
    }
    let count = rows.len();
    view! {
        <div class="alert alert-error" role="alert">
            {format!("Nothing was imported: {count} problem{} in the file. Fix them and check again.", if count == 1 { "" } else { "s" })}
        </div>
        <div class="card table-wrap" role="region" aria-label="Problems in the file" tabindex="0">
            <table class="table">
                <caption class="visually-hidden">"Problems in the file, by line"</caption>
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(row, column, message)| view! {
                        <tr><td>{row}</td><td><code>{column}</code></td><td>{message}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// With JavaScript: send the form's own data (the file and the button pressed) in place.
fn submit(
    ev: leptos::ev::SubmitEvent,
    action: Action<Upload, Result<ImportReport, ApiError>>,
    dry_run: RwSignal<bool>,
) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let checking = ev
            .submitter()
            .and_then(|b| b.get_attribute("value"))
            .is_none_or(|v| v == "true");
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let _ = data.set_with_str("dry_run", if checking { "true" } else { "false" });
        dry_run.set(checking);
        action.dispatch_local(data);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, action, dry_run);
}
