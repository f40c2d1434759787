//! `/blocked_addresses` (Super Admin): the addresses that made too many failed sign-ins in the
//! current window, and "Unblock" for one whose attempts were legitimate (an office behind one
//! address, a misconfigured client). Linked from the audit trail's `address.blocked` events.

use crate::api::blocked_addresses::{list_blocked_addresses, LiftBlockedAddress};
use crate::components::notice::Notice;
use crate::components::record_page::Breadcrumbs;
use crate::components::toast::use_toasts;
use crate::domain::blocked_address::BlockedAddress;
use crate::domain::time::format_short;
use crate::resources::resource;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn BlockedAddressesPage() -> impl IntoView {
    let toasts = use_toasts();
    let lift = ServerAction::<LiftBlockedAddress>::new();
    let addresses = resource(move || lift.version().get(), |_| list_blocked_addresses());
    Effect::new(move |_| match lift.value().get() {
        Some(Ok(())) => toasts.success("Address unblocked: it can sign in again."),
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    view! {
        <Title text="Blocked addresses"/>
        <Breadcrumbs parent_href="/audit" parent_label="Audit" current="Blocked addresses".to_string()/>
        <div class="page-header">
            <div>
                <h1>"Blocked addresses"</h1>
                <p class="muted">"Addresses that made too many failed sign-ins in a short while. Every sign-in from them is refused until the time shown; unblock one once you know the attempts were legitimate. Times in UTC."</p>
            </div>
            <a class="btn" href="/audit?action=address.blocked">"Blocks in the audit trail"</a>
        </div>
        <Notice/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading blocked addresses…"</p> }>
            {move || Suspend::new(async move {
                match addresses.await {
                    Ok(list) if list.is_empty() => EitherOf3::A(view! {
                        <div class="card empty-state">
                            <h2>"No address is blocked"</h2>
                            <p class="muted">"An address is blocked after too many failed sign-ins and unblocks itself when its window ends."</p>
                        </div>
                    }),
                    Ok(list) => EitherOf3::B(view! { <BlockedTable addresses=list lift/> }),
                    Err(err) => EitherOf3::C(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn BlockedTable(
    addresses: Vec<BlockedAddress>,
    lift: ServerAction<LiftBlockedAddress>,
) -> impl IntoView {
    let rows = addresses
        .into_iter()
        .map(|blocked| {
            let label = format!("Unblock {}", blocked.address);
            let in_audit = crate::url::with_query("/audit", &[("target_id", Some(blocked.address.clone()))]);
            view! {
                <tr>
                    <td data-label="Address"><code>{blocked.address.clone()}</code></td>
                    <td data-label="Failed attempts">{blocked.failed_attempts.to_string()}</td>
                    <td data-label="Blocked until">{format_short(&blocked.blocked_until)}</td>
                    <td data-label="" class="row-actions">
                        <a class="btn btn-sm" href=in_audit>"Events"</a>
                        <ActionForm action=lift>
                            <input type="hidden" name="address" value=blocked.address/>
                            <button type="submit" class="btn btn-sm" aria-label=label disabled=move || lift.pending().get()>"Unblock"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card table-card" aria-label="Blocked addresses">
            <table class="table stackable">
                <caption class="sr-only">"Blocked addresses, the most attempts first (times in UTC)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Failed attempts"</th>
                        <th scope="col">"Blocked until"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
