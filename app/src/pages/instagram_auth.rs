use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::connections::{list_connections, Connection, ConnectionState, DisconnectConnection};
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::error::AppError;

/// What each failed connection attempt tells the creator.
pub fn connect_error_message(code: &str) -> &'static str {
    match code {
        "denied" => "You cancelled on Instagram, so nothing was connected.",
        "state" => "This connection attempt expired or was started elsewhere. Please start again.",
        "code" => "Instagram did not accept the sign-in code (it may have been used already). Please try again.",
        "taken" => "This Instagram account is already connected to another Crealia account. Disconnect it there first, or choose another account.",
        "graph" => "Instagram did not answer as expected. Please try again in a moment.",
        _ => "Something went wrong on our side. Please try again.",
    }
}

/// `/instagram-auth`: the creator's connected accounts; connect, reconnect, disconnect.
#[component]
pub fn InstagramAuthPage() -> impl IntoView {
    if !signed_in_or_redirect("/instagram-auth") {
        return view! { <p class="muted">"Taking you to sign in…"</p> }.into_any();
    }
    let query = use_query_map();
    let disconnect = ServerAction::<DisconnectConnection>::new();
    let connections = Resource::new(move || disconnect.version().get(), |_| list_connections());
    let notice = move || {
        let q = query.read();
        match (q.get("connected"), q.get("error")) {
            (Some(user), _) => Some((true, format!("@{user} is connected."), Some(user))),
            (None, Some(code)) => Some((false, connect_error_message(&code).to_string(), None)),
            _ => None,
        }
    };

    view! {
        <Title text="Instagram accounts" />
        <section class="page-head">
            <div>
                <h1>"Instagram accounts"</h1>
                <p class="muted">"Crealia works with Instagram professional accounts (Business or Creator)."</p>
            </div>
            <ConnectButton label="Connect an Instagram account" class="button button-primary" />
        </section>
        {move || {
            notice()
                .map(|(ok, text, connected)| {
                    view! {
                        <div class=if ok { "notice notice-ok" } else { "notice notice-error" } role="status">
                            <span>{text}</span>
                            {(!ok).then(|| view! { <ConnectButton label="Try again" class="button" /> })}
                            // The way on: the account's dashboard (found by its name among the
                            // creator's connections once they have loaded).
                            {connected.map(|user| view! { <DashboardLink username=user connections /> })}
                        </div>
                    }
                })
        }}
        <Suspense fallback=|| view! { <p class="muted">"Loading your accounts…"</p> }>
            {move || Suspend::new(async move {
                match connections.await {
                    Err(e) => load_failed(e, "/instagram-auth"),
                    Ok(list) if list.is_empty() => view! {
                        <div class="card empty">
                            <h2>"No account connected yet"</h2>
                            <p class="muted">"Connect an Instagram professional account to see its insights, publish and answer comments."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="connections" aria-label="Connected accounts">
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
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let username = username.clone();
                Suspend::new(async move {
                    let id = connections.await.ok()?.into_iter().find(|c| c.username == username)?.id;
                    Some(view! {
                        <a class="button button-primary" href=format!("/instagram-dashboard?account={id}")>{format!("Open @{username}'s dashboard")}</a>
                    })
                })
            }}
        </Suspense>
    }
}

#[component]
fn ConnectionRow(connection: Connection, disconnect: ServerAction<DisconnectConnection>) -> impl IntoView {
    let (label, class) = match connection.state {
        ConnectionState::NeedsReconnect | ConnectionState::Disconnected => ("Needs reconnect", "pill pill-down"),
        ConnectionState::ExpiringSoon => ("Expiring soon", "pill pill-degraded"),
        ConnectionState::Active => ("Active", "pill pill-ok"),
    };
    let needs_reconnect = connection.state != ConnectionState::Active;
    let expiry = connection.expires_in_days.map(|d| format!("Token renews automatically · {d} days left"));
    let id = connection.id;
    let username = connection.username.clone();
    view! {
        <li class="card connection" data-testid=format!("connection-{}", connection.username)>
            <div class="avatar" aria-hidden="true">{connection.username.chars().next().unwrap_or('@').to_ascii_uppercase().to_string()}</div>
            <div class="connection-main">
                <strong>"@"{connection.username.clone()}</strong>
                {connection.name.map(|n| view! { <span class="muted">{n}</span> })}
                {expiry.map(|e| view! { <small class="muted">{e}</small> })}
            </div>
            <span class=class>{label}</span>
            {needs_reconnect.then(|| view! { <ConnectButton label="Reconnect" class="button" /> })}
            // Asked first, with what it will do; a real form in a <details>, so it works before
            // the page has hydrated too.
            <details class="disconnect">
                <summary class="button button-quiet" aria-label=format!("Disconnect @{username}…")>"Disconnect…"</summary>
                <div class="confirm" data-testid="disconnect-confirm">
                    <span>{disconnect_consequences(connection.pending_posts)}</span>
                    <ActionForm action=disconnect attr:class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button button-danger">{format!("Disconnect @{username}")}</button>
                    </ActionForm>
                </div>
            </details>
        </li>
    }
}

/// What disconnecting does, said before it is done.
fn disconnect_consequences(pending_posts: i64) -> String {
    let posts = match pending_posts {
        0 => "No scheduled post is affected".to_string(),
        1 => "1 scheduled post will be cancelled".to_string(),
        n => format!("{n} scheduled posts will be cancelled"),
    };
    format!("{posts}, and Crealia stops receiving its comments and messages. Its history stays; reconnect to carry on.")
}

/// Starts Instagram's consent flow. A plain form post (it works before hydration too): only a
/// page of Crealia's own can start a connection for the signed-in creator.
#[component]
fn ConnectButton(label: &'static str, class: &'static str) -> impl IntoView {
    view! {
        <form method="post" action="/api/auth/instagram/start" class="inline-form">
            <button type="submit" class=class>{label}</button>
        </form>
    }
}
