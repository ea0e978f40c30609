//! `/settings/api-tokens`: the creator's personal API tokens — make one (named, scoped, shown
//! once), see when each was last used, revoke it.

use crealia_model::api_tokens::{ApiTokenView, Scope};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::api_tokens::{create_api_token, list_api_tokens, revoke_api_token};
use crate::components::auth::signed_in_or_redirect;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    if !signed_in_or_redirect("/settings/api-tokens") {
        return view! { <p class="muted">"Taking you to sign in…"</p> }.into_any();
    }
    let changed = RwSignal::new(0u32);
    let tokens = Resource::new(move || changed.get(), |_| list_api_tokens());
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec![Scope::Read]);
    let create = Action::new(move |_: &()| async move {
        let r = create_api_token(name.get_untracked(), chosen.get_untracked()).await;
        if r.is_ok() {
            name.set(String::new());
            changed.update(|c| *c += 1);
        }
        r
    });

    view! {
        <Title text="API tokens" />
        <section class="card narrow" aria-labelledby="tokens-title">
            <h1 id="tokens-title">"API tokens"</h1>
            <p class="muted">
                "A token lets a script or another tool use Crealia's JSON API as you, within what you allow. Send it as "
                <code>"Authorization: Bearer …"</code>". The API is described at "<a href="/api/docs" rel="external">"/api/docs"</a>"."
            </p>
            <form class="stack" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <label>"Name" <input type="text" maxlength="60" required=true placeholder="e.g. My scheduling script"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <fieldset>
                    <legend>"It may"</legend>
                    {Scope::ALL.into_iter().map(|scope| view! {
                        <label class="inline">
                            <input type="checkbox" value=scope.as_str()
                                prop:checked=move || chosen.with(|c| c.contains(&scope))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| { c.retain(|s| *s != scope); if on { c.push(scope); } });
                                } />
                            {scope.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create token"</button>
            </form>
            {move || match create.value().get() {
                Some(Ok(made)) => view! {
                    <div class="notice" role="status" data-testid="new-token">
                        <p>"Copy it now: it is shown this once."</p>
                        <code class="token-value" data-testid="token-value">{made.value}</code>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </section>
        <section class="card narrow" aria-labelledby="list-title">
            <h2 id="list-title">"Your tokens"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No tokens yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="token-list">{list.into_iter().map(|token| view! { <TokenRow token changed /> }).collect_view()}</ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn TokenRow(token: ApiTokenView, changed: RwSignal<u32>) -> impl IntoView {
    let id = token.id;
    let revoke = Action::new(move |_: &()| async move {
        let r = revoke_api_token(id).await;
        changed.update(|c| *c += 1);
        r
    });
    let scopes = token.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let used = token.last_used_at.map(|t| format!("last used {}", crealia_model::dates::day_month_year_clock_utc(t))).unwrap_or_else(|| "never used".into());
    view! {
        <li class="token-row" data-testid="token-row">
            <strong>{token.name.clone()}</strong>
            <span class="muted">{scopes}" · made "{crealia_model::dates::day_month_year(token.created_at)}" · "{used}</span>
            <button type="button" class="button" disabled=move || revoke.pending().get() on:click=move |_| { revoke.dispatch(()); }>"Revoke token"</button>
            {move || revoke.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </li>
    }
}
