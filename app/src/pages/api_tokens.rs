//! `/settings/api-tokens`: the creator's personal API tokens — make one (named, scoped, shown
//! once), see when each was last used, revoke it.

use crealia_model::api_tokens::{ApiTokenView, Scope};
use leptos::prelude::*;

use crate::api::api_tokens::{create_api_token, list_api_tokens, revoke_api_token};
use crate::components::auth::signed_in_or_redirect;
use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n, Locale};
use crate::locale::{day_month_year, day_month_year_clock_utc};

/// What a scope allows, as the creator reads it.
fn scope_label(locale: Locale, scope: Scope) -> &'static str {
    match scope {
        Scope::Read => td_string!(locale, tokens.scope_read),
        Scope::Publish => td_string!(locale, tokens.scope_publish),
        Scope::Inbox => td_string!(locale, tokens.scope_inbox),
    }
}

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/settings/api-tokens") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
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
        <PageTitle text=|l| td_string!(l, tokens.title).to_string() />
        <section class="card narrow" aria-labelledby="tokens-title">
            <h1 id="tokens-title">{td_string!(i18n.get_locale_untracked(), tokens.title)}</h1>
            <p class="muted">
                {td_string!(i18n.get_locale_untracked(), tokens.intro)}" "
                <code translate="no">"Authorization: Bearer …"</code>". "{td_string!(i18n.get_locale_untracked(), tokens.docs_at)}" "<a href="/api/docs" rel="external" translate="no">"/api/docs"</a>"."
            </p>
            <form class="stack" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <label>{td_string!(i18n.get_locale_untracked(), tokens.name)} <input type="text" maxlength="60" required=true placeholder=td_string!(i18n.get_locale_untracked(), tokens.name_placeholder)
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <fieldset>
                    <legend>{td_string!(i18n.get_locale_untracked(), tokens.it_may)}</legend>
                    {Scope::ALL.into_iter().map(|scope| view! {
                        <label class="inline">
                            <input type="checkbox" value=scope.as_str()
                                prop:checked=move || chosen.with(|c| c.contains(&scope))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| { c.retain(|s| *s != scope); if on { c.push(scope); } });
                                } />
                            {scope_label(i18n.get_locale_untracked(), scope)}
                        </label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>{td_string!(i18n.get_locale_untracked(), tokens.create)}</button>
            </form>
            {move || match create.value().get() {
                Some(Ok(made)) => view! {
                    <div class="notice" role="status" data-testid="new-token">
                        <p>{td_string!(i18n.get_locale_untracked(), tokens.copy_now)}</p>
                        <code class="token-value" data-testid="token-value" translate="no">{made.value}</code>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> }.into_any(),
                None => ().into_any(),
            }}
        </section>
        <section class="card narrow" aria-labelledby="list-title">
            <h2 id="list-title">{td_string!(i18n.get_locale_untracked(), tokens.your_tokens)}</h2>
            <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), tokens.no_tokens)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="token-list">{list.into_iter().map(|token| view! { <TokenRow token changed /> }).collect_view()}</ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn TokenRow(token: ApiTokenView, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let id = token.id;
    let revoke = Action::new(move |_: &()| async move {
        let r = revoke_api_token(id).await;
        changed.update(|c| *c += 1);
        r
    });
    // The scopes by the names the API knows them by ("read", "publish", "inbox").
    let scopes = token.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let (created_at, last_used_at) = (token.created_at, token.last_used_at);
    let dates = move || {
        let locale = i18n.get_locale();
        let made = td_string!(locale, tokens.made, date = day_month_year(locale, created_at.date_naive()));
        let used = match last_used_at {
            Some(t) => td_string!(locale, tokens.last_used, when = day_month_year_clock_utc(locale, t)).to_string(),
            None => td_string!(locale, tokens.never_used).to_string(),
        };
        format!(" · {made} · {used}")
    };
    view! {
        <li class="token-row" data-testid="token-row">
            <strong translate="no">{token.name.clone()}</strong>
            <span class="muted"><span translate="no">{scopes}</span>{dates}</span>
            <button type="button" class="button" disabled=move || revoke.pending().get() on:click=move |_| { revoke.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), tokens.revoke)}</button>
            {move || revoke.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> })}
        </li>
    }
}
