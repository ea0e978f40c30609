//! The live inbox: comments (with their replies), mentions and messages as they arrive through
//! Meta's webhooks, with unread counts per kind. The list reloads on each event of the layout's
//! live feed; the creator can reply to, hide or delete a comment, and answer a message.

use std::collections::HashMap;

use crealia_model::inbox::{InboxItem, InboxKind};
use crealia_model::snippets::{fill_reply, SnippetKind};
use leptos::lazy;
use leptos::prelude::*;

use super::live::InboxFeed;
use super::snippets::SnippetPicker;
use crate::api::inbox::{delete_comment, hide_comment, load_inbox, mark_read, reply_to_comment};
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n, Locale};

/// A tab's name: "Comments", "Mentions", "Messages".
fn kind_label(locale: Locale, kind: InboxKind) -> String {
    match kind {
        InboxKind::Comment => td_string!(locale, inbox.comments).to_string(),
        InboxKind::Mention => td_string!(locale, inbox.mentions).to_string(),
        InboxKind::Message => td_string!(locale, inbox.messages).to_string(),
    }
}

/// An item's time on the creator's clock, written in their language ("25 Nov 14:03",
/// "25 nov. 14:03"); the server's English text if the wall-clock time is missing.
fn when(locale: Locale, item: &InboxItem) -> String {
    let parsed = item.local.split_once('T').and_then(|(date, time)| Some((crate::locale::parse_date(date)?, time)));
    match parsed {
        Some((date, time)) => {
            use chrono::Datelike;
            format!("{} {} {time}", date.day(), crate::locale::month_short(locale, date.month()))
        }
        None => item.when.clone(),
    }
}

#[component]
pub fn InboxPanel() -> impl IntoView {
    let i18n = use_i18n();
    let tab: RwSignal<Option<InboxKind>> = RwSignal::new(None);
    // The layout's live feed: each event, and each action here, loads the list again.
    let feed = InboxFeed::get();
    let (version, live) = (feed.version, feed.live);
    let inbox = Resource::new(move || (tab.get(), version.get()), |(kind, _)| load_inbox(kind.map(|k| k.as_str().to_string())));

    let read_all = Action::new(move |_: &()| async move {
        let r = mark_read(None, tab.get_untracked().map(|k| k.as_str().to_string())).await;
        feed.changed();
        r
    });
    // The counts the navigation shows too: the stream's, sent on connecting and after every
    // change (empty on the server and until then, so both renders match).
    let counts = move || feed.unread.get().unwrap_or_default();
    let drafts = Drafts::default();

    view! {
        <section class="card inbox" aria-labelledby="inbox-title" data-testid="inbox">
            <div class="section-head">
                <h2 id="inbox-title">
                    {td_string!(i18n.get_locale_untracked(), inbox.title)}" "
                    <span class="badge" data-testid="inbox-unread" aria-label=td_string!(i18n.get_locale_untracked(), inbox.unread)>{move || counts().total()}</span>
                </h2>
                <span class=move || if live.get() { "pill pill-ok" } else { "pill pill-muted" } data-testid="inbox-live">
                    {move || if live.get() { td_string!(i18n.get_locale_untracked(), inbox.live) } else { td_string!(i18n.get_locale_untracked(), inbox.connecting) }}
                </span>
                <button class="button" on:click=move |_| { read_all.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), inbox.mark_all_read)}</button>
            </div>
            <div class="tabs" role="tablist" aria-label=td_string!(i18n.get_locale_untracked(), inbox.title)>
                <button role="tab" aria-selected=move || tab.get().is_none().to_string() on:click=move |_| tab.set(None)>{td_string!(i18n.get_locale_untracked(), inbox.all)}</button>
                {InboxKind::ALL
                    .into_iter()
                    .map(|k| {
                        view! {
                            <button role="tab" aria-selected=move || (tab.get() == Some(k)).to_string() on:click=move |_| tab.set(Some(k))>
                                {kind_label(i18n.get_locale_untracked(), k)}
                                {move || match counts().of(k) {
                                    0 => None,
                                    n => Some(view! { <span class="badge">{n}</span> }),
                                }}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), inbox.loading)}</p> }>
                {move || inbox.get().and_then(|r| match r {
                    Ok(i) if i.items.is_empty() => Some(view! {
                        <p class="muted">{td_string!(i18n.get_locale_untracked(), inbox.empty)}</p>
                    }.into_any()),
                    Ok(_) => None,
                    Err(e) => Some(view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any()),
                })}
                // Keyed by everything an entry shows: a reload (each live event) redraws only the
                // entries that changed, so what the creator is doing elsewhere in the list stays.
                <ul class="inbox-list" data-testid="inbox-list">
                    <For
                        each=move || inbox.get().and_then(Result::ok).map(|i| i.items).unwrap_or_default()
                        key=|item| item.clone()
                        let(item)
                    >
                        <Entry item feed drafts />
                    </For>
                </ul>
            </Transition>
        </section>
    }
}

/// The replies being written, by entry: held by the panel, so an entry redrawn because it changed
/// (another reply arrived under it) keeps its open form and what was typed.
#[derive(Clone, Copy, Default)]
struct Drafts(RwSignal<HashMap<i64, String>>);

impl Drafts {
    fn is_open(&self, id: i64) -> bool {
        self.0.with(|d| d.contains_key(&id))
    }

    fn toggle(&self, id: i64) {
        self.0.update(|d| {
            if d.remove(&id).is_none() {
                d.insert(id, String::new());
            }
        });
    }

    fn text(&self, id: i64) -> String {
        self.0.with(|d| d.get(&id).cloned().unwrap_or_default())
    }

    fn write(&self, id: i64, text: String) {
        self.0.update(|d| {
            d.insert(id, text);
        });
    }

    fn close(&self, id: i64) {
        self.0.update(|d| {
            d.remove(&id);
        });
    }
}

#[component]
fn Entry(item: InboxItem, feed: InboxFeed, drafts: Drafts) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id;
    let changed = move || feed.changed();
    let error = RwSignal::new(None::<AppError>);
    let confirm_delete = RwSignal::new(false);
    // Changes only when the form opens or closes, not with each key typed.
    let replying = Memo::new(move |_| drafts.is_open(id));
    let done = move |r: Result<(), AppError>| match r {
        Ok(()) => {
            error.set(None);
            changed();
        }
        Err(e) => error.set(Some(e)),
    };
    let reply = Action::new(move |text: &String| {
        let text = text.clone();
        async move {
            let r = reply_to_comment(id, text).await;
            if r.is_ok() {
                drafts.close(id);
            }
            done(r);
        }
    });
    let hide = Action::new(move |hidden: &bool| {
        let hidden = *hidden;
        async move { done(hide_comment(id, hidden).await) }
    });
    let delete = Action::new(move |_: &()| async move { done(delete_comment(id).await) });
    let read = Action::new(move |_: &()| async move { done(mark_read(Some(id), None).await.map(|_| ())) });

    let is_comment = item.kind == InboxKind::Comment;
    // Comments get a reply under them, messages an answer in the conversation.
    let can_reply = is_comment || (item.kind == InboxKind::Message && !item.own);
    let hidden = item.hidden;
    let unread = item.unread;
    let kind = item.kind;
    let label = move || match kind {
        InboxKind::Comment => td_string!(i18n.get_locale_untracked(), inbox.commented),
        InboxKind::Mention => td_string!(i18n.get_locale_untracked(), inbox.mentioned_you),
        InboxKind::Message => td_string!(i18n.get_locale_untracked(), inbox.sent_message),
    };
    let author = item.from_username.clone();
    // The sender's name and what they wrote are theirs: not translated.
    let who = match item.from_username.clone() {
        Some(u) => view! { <strong translate="no">"@"{u}</strong> }.into_any(),
        None => view! { <strong>{td_string!(i18n.get_locale_untracked(), inbox.someone)}</strong> }.into_any(),
    };
    let text = match item.text.clone() {
        Some(text) => view! { <p class="inbox-text" translate="no">{text}</p> }.into_any(),
        None if kind == InboxKind::Mention => {
            view! { <p class="inbox-text">{td_string!(i18n.get_locale_untracked(), inbox.mentioned_your_account)}</p> }.into_any()
        }
        None => view! { <p class="inbox-text"></p> }.into_any(),
    };
    let at = item.clone();
    view! {
        <li class="inbox-item" class:unread=unread class:hidden-comment=hidden data-testid="inbox-item" data-kind=item.kind.as_str()>
            <p class="inbox-meta">
                {who}
                " " {label} " · " <span translate="no">"@"{item.account.clone()}</span> " · " <time>{when(i18n.get_locale_untracked(), &at)}</time>
                {hidden.then(|| view! { <span class="pill pill-muted">{td_string!(i18n.get_locale_untracked(), inbox.hidden)}</span> })}
            </p>
            {item.post.clone().map(|post| {
                let caption = match post.caption.clone() {
                    Some(caption) => view! { <span class="inbox-post-caption" translate="no">{caption}</span> }.into_any(),
                    None => view! { <span class="inbox-post-caption">{td_string!(i18n.get_locale_untracked(), inbox.no_caption)}</span> }.into_any(),
                };
                let inner = view! {
                    {post.picture_url.clone().map(|u| view! { <img class="inbox-post-thumb" src=u alt="" loading="lazy" /> })}
                    {caption}
                };
                match post.permalink.clone() {
                    Some(link) => view! {
                        <a class="inbox-post" data-testid="inbox-post" href=link target="_blank" rel="noopener noreferrer" title=td_string!(i18n.get_locale_untracked(), inbox.open_post)>{inner}</a>
                    }.into_any(),
                    None => view! { <span class="inbox-post" data-testid="inbox-post">{inner}</span> }.into_any(),
                }
            })}
            {text}
            {(!item.replies.is_empty()).then(|| view! {
                <ul class="inbox-replies">
                    {item.replies.iter().map(|r| {
                        let at = r.clone();
                        view! {
                            <li data-testid="inbox-reply">
                                <strong translate="no">{r.from_username.clone().map(|u| format!("@{u}")).unwrap_or_default()}</strong>
                                " " <span translate="no">{r.text.clone().unwrap_or_default()}</span> " · " <time>{when(i18n.get_locale_untracked(), &at)}</time>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <div class="inbox-actions">
                {unread.then(|| view! { <button class="linklike" on:click=move |_| { read.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), inbox.mark_read)}</button> })}
                {can_reply.then(|| view! {
                    <button class="linklike" on:click=move |_| drafts.toggle(id)>{td_string!(i18n.get_locale_untracked(), inbox.reply)}</button>
                })}
                {is_comment.then(|| view! {
                    <button class="linklike" on:click=move |_| { hide.dispatch(!hidden); }>{if hidden { td_string!(i18n.get_locale_untracked(), inbox.unhide) } else { td_string!(i18n.get_locale_untracked(), inbox.hide) }}</button>
                    {move || if confirm_delete.get() {
                        view! {
                            <button class="linklike danger" on:click=move |_| { delete.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), inbox.delete_for_good)}</button>
                            <button class="linklike" on:click=move |_| confirm_delete.set(false)>{td_string!(i18n.get_locale_untracked(), inbox.keep)}</button>
                        }.into_any()
                    } else {
                        view! { <button class="linklike danger" on:click=move |_| confirm_delete.set(true)>{td_string!(i18n.get_locale_untracked(), inbox.delete)}</button> }.into_any()
                    }}
                })}
            </div>
            // The form and the saved replies come with their code on the first Reply (`#[lazy]`):
            // the dashboard's first load does not carry them.
            {move || replying.get().then(|| {
                let author = author.clone();
                view! {
                    <Suspense fallback=|| ()>
                        {move || { let author = author.clone(); Suspend::new(async move { reply_form_view(id, drafts, reply, author).await }) }}
                    </Suspense>
                }
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> })}
        </li>
    }
}

#[lazy]
fn reply_form_view(id: i64, drafts: Drafts, reply: Action<String, ()>, author: Option<String>) -> AnyView {
    view! { <ReplyForm id drafts reply author /> }.into_any()
}

/// The reply being written under an entry, with the creator's saved replies ("/" searches them).
#[component]
fn ReplyForm(id: i64, drafts: Drafts, reply: Action<String, ()>, author: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="inbox-reply" on:submit=move |ev| {
            ev.prevent_default();
            reply.dispatch(untrack(|| drafts.text(id)));
        }>
            <label class="visually-hidden" for=format!("reply-{id}")>{td_string!(i18n.get_locale_untracked(), inbox.your_reply)}</label>
            <input id=format!("reply-{id}") type="text" placeholder=td_string!(i18n.get_locale_untracked(), inbox.write_reply) maxlength="2200"
                prop:value=move || drafts.text(id) on:input=move |ev| drafts.write(id, event_target_value(&ev)) />
            <button type="submit" class="button button-primary" disabled=move || reply.pending().get()>{td_string!(i18n.get_locale_untracked(), inbox.send_reply)}</button>
        </form>
        <SnippetPicker kind=SnippetKind::Reply key=id.to_string()
            text=Signal::derive(move || drafts.text(id))
            typed=Signal::derive(move || drafts.text(id).strip_prefix('/').map(str::to_string))
            insert=Callback::new(move |body: String| drafts.write(id, fill_reply(&body, author.as_deref()))) />
    }
}
