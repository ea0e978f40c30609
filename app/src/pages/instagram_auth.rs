use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::connections::{list_connections, Connection, ConnectionState, DisconnectConnection};
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::title::PageTitle;
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n, Locale};
use crate::locale::number;

/// What each failed connection attempt tells the creator.
pub fn connect_error_message(locale: Locale, code: &str) -> String {
    match code {
        "denied" => td_string!(locale, accounts.error_denied),
        "state" => td_string!(locale, accounts.error_state),
        "code" => td_string!(locale, accounts.error_code),
        "taken" => td_string!(locale, accounts.error_taken),
        "graph" => td_string!(locale, accounts.error_graph),
        _ => td_string!(locale, accounts.error_other),
    }
    .to_string()
}

/// `/instagram-auth`: the creator's connected accounts; connect, reconnect, disconnect.
#[component]
pub fn InstagramAuthPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/instagram-auth") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let query = use_query_map();
    let disconnect = ServerAction::<DisconnectConnection>::new();
    let connections = Resource::new(move || disconnect.version().get(), |_| list_connections());
    let notice = move || {
        let q = query.read();
        let locale = i18n.get_locale();
        match (q.get("connected"), q.get("error")) {
            (Some(user), _) => Some((true, td_string!(locale, accounts.connected_notice, username = user.clone()).to_string(), Some(user))),
            (None, Some(code)) => Some((false, connect_error_message(locale, &code), None)),
            _ => None,
        }
    };

    view! {
        <PageTitle text=|l| td_string!(l, accounts.title).to_string() />
        <section class="page-head">
            <div>
                <h1>{td_string!(i18n.get_locale_untracked(), accounts.title)}</h1>
                <p class="muted">{td_string!(i18n.get_locale_untracked(), accounts.intro)}</p>
            </div>
            <ConnectButton class="button button-primary">{td_string!(i18n.get_locale_untracked(), accounts.connect)}</ConnectButton>
        </section>
        {move || {
            notice()
                .map(|(ok, text, connected)| {
                    view! {
                        <div class=if ok { "notice notice-ok" } else { "notice notice-error" } role="status">
                            <span>{text}</span>
                            {(!ok).then(|| view! { <ConnectButton class="button">{td_string!(i18n.get_locale_untracked(), accounts.try_again)}</ConnectButton> })}
                            // The way on: the account's dashboard (found by its name among the
                            // creator's connections once they have loaded).
                            {connected.map(|user| view! { <DashboardLink username=user connections /> })}
                        </div>
                    }
                })
        }}
        <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), accounts.loading)}</p> }>
            {move || Suspend::new(async move {
                match connections.await {
                    Err(e) => load_failed(e, "/instagram-auth"),
                    Ok(list) if list.is_empty() => view! {
                        <div class="card empty">
                            <h2>{td_string!(i18n.get_locale_untracked(), accounts.empty_title)}</h2>
                            <p class="muted">{td_string!(i18n.get_locale_untracked(), accounts.empty_text)}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="connections" aria-label=td_string!(i18n.get_locale_untracked(), accounts.list_label)>
                            {list.into_iter().map(|c| view! { <ConnectionRow connection=c disconnect /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// "Open @user's dashboard" for the account just connected.
#[component]
fn DashboardLink(username: String, connections: Resource<Result<Vec<Connection>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let username = username.clone();
                Suspend::new(async move {
                    let id = connections.await.ok()?.into_iter().find(|c| c.username == username)?.id;
                    Some(view! {
                        <a class="button button-primary" href=format!("/instagram-dashboard?account={id}")>
                            {move || td_string!(i18n.get_locale_untracked(), accounts.open_dashboard, username = username.clone()).to_string()}
                        </a>
                    })
                })
            }}
        </Suspense>
    }
}

#[component]
fn ConnectionRow(connection: Connection, disconnect: ServerAction<DisconnectConnection>) -> impl IntoView {
    let i18n = use_i18n();
    let state = connection.state;
    let class = match state {
        ConnectionState::NeedsReconnect | ConnectionState::Disconnected => "pill pill-down",
        ConnectionState::ExpiringSoon => "pill pill-degraded",
        ConnectionState::Active => "pill pill-ok",
    };
    let label = move || match state {
        ConnectionState::NeedsReconnect | ConnectionState::Disconnected => td_string!(i18n.get_locale_untracked(), accounts.state_needs_reconnect),
        ConnectionState::ExpiringSoon => td_string!(i18n.get_locale_untracked(), accounts.state_expiring_soon),
        ConnectionState::Active => td_string!(i18n.get_locale_untracked(), accounts.state_active),
    };
    let needs_reconnect = connection.state != ConnectionState::Active;
    let expiry = connection.expires_in_days.map(|days| {
        move || {
            let locale = i18n.get_locale();
            td_string!(locale, accounts.expiry, days = number(locale, days)).to_string()
        }
    });
    let id = connection.id;
    let pending_posts = connection.pending_posts;
    let username = connection.username.clone();
    let summary_label = {
        let username = username.clone();
        move || td_string!(i18n.get_locale_untracked(), accounts.disconnect_label, username = username.clone()).to_string()
    };
    let confirm = {
        let username = username.clone();
        move || td_string!(i18n.get_locale_untracked(), accounts.disconnect_button, username = username.clone()).to_string()
    };
    view! {
        <li class="card connection" data-testid=format!("connection-{}", connection.username)>
            <div class="avatar" aria-hidden="true">{connection.username.chars().next().unwrap_or('@').to_ascii_uppercase().to_string()}</div>
            <div class="connection-main">
                <strong translate="no">"@"{connection.username.clone()}</strong>
                {connection.name.map(|n| view! { <span class="muted" translate="no">{n}</span> })}
                {expiry.map(|e| view! { <small class="muted">{e}</small> })}
            </div>
            <span class=class>{label}</span>
            {needs_reconnect.then(|| view! { <ConnectButton class="button">{td_string!(i18n.get_locale_untracked(), accounts.reconnect)}</ConnectButton> })}
            // Asked first, with what it will do; a real form in a <details>, so it works before
            // the page has hydrated too.
            <details class="disconnect">
                <summary class="button button-quiet" aria-label=summary_label>{td_string!(i18n.get_locale_untracked(), accounts.disconnect)}</summary>
                <div class="confirm" data-testid="disconnect-confirm">
                    <span>{disconnect_consequences(i18n.get_locale_untracked(), pending_posts)}</span>
                    <ActionForm action=disconnect attr:class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button button-danger">{confirm}</button>
                    </ActionForm>
                </div>
            </details>
        </li>
    }
}

/// What disconnecting does, said before it is done.
fn disconnect_consequences(locale: Locale, pending_posts: i64) -> String {
    let posts = match pending_posts {
        0 => td_string!(locale, accounts.no_post_affected).to_string(),
        1 => td_string!(locale, accounts.one_post_cancelled).to_string(),
        n => td_string!(locale, accounts.posts_cancelled, count = number(locale, n)).to_string(),
    };
    td_string!(locale, accounts.disconnect_consequences, posts).to_string()
}

/// Starts Instagram's consent flow. A plain form post (it works before hydration too): only a
/// page of Crealia's own can start a connection for the signed-in creator.
#[component]
fn ConnectButton(class: &'static str, children: Children) -> impl IntoView {
    view! {
        <form method="post" action="/api/auth/instagram/start" class="inline-form">
            <button type="submit" class=class>{children()}</button>
        </form>
    }
}
