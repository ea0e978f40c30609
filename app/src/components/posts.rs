//! The creator's posts with their status, watched while any is on its way: cancel or edit a
//! pending one, retry a failed one.

use crealia_model::post_note::PostNote;
use crealia_model::publishing::{PostItem, PostStatus};
use leptos::lazy;
use leptos::prelude::*;

use super::cancel::CancelPost;
use super::live::InboxFeed;
use crate::api::publishing::{duplicate_post, edit_post, list_posts, retry_post, save_draft};
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n};
use crate::locale::{post_note, post_when};

/// How often the list looks again while a post is pending or publishing.
#[cfg(feature = "hydrate")]
const WATCH_EVERY_MS: u64 = 1_500;

/// What happened to a post (why it failed, what it waits for), in the creator's language; a
/// post from before notes were kept shows its stored English sentence, marked as English.
/// `code`: Instagram's `code/subcode`, for support.
pub fn post_reason(status: PostStatus, note: Option<&PostNote>, last_error: Option<&str>, code: Option<&str>) -> impl IntoView + use<> {
    let locale = use_i18n().get_locale_untracked();
    let class = if status == PostStatus::Failed { "error" } else { "muted" };
    let code = code.map(|c| td_string!(locale, dashboard.posts_error_code, code = c).to_string());
    let said = match (note, last_error) {
        (Some(note), _) => Some(view! { <span>{post_note(locale, note)}</span> }.into_any()),
        (None, Some(text)) => Some(view! { <span lang="en">{text.to_string()}</span> }.into_any()),
        (None, None) => None,
    };
    said.map(|said| {
        view! {
            <p class=class>
                {said}
                {code}
            </p>
        }
    })
}

#[component]
pub fn PostsList(posted: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let changed = RwSignal::new(0u32);
    let tick = RwSignal::new(0u32);
    // Every change to the creator's posts (here, in another tab, by the scheduler, on any
    // server) comes through the live feed: the list follows it without a reload.
    let feed = InboxFeed::get();
    let posts = Resource::new(move || (posted.get(), changed.get(), tick.get(), feed.version.get()), |_| list_posts());
    // Watch while anything is open (browser only). Whether anything is, is noted where the list
    // is drawn, inside its Transition: a resource read elsewhere (an Effect here) would tie each
    // reload to the enclosing page's Suspense, which then redrew the whole dashboard every time.
    let open = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if open.get_untracked() {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_millis(WATCH_EVERY_MS),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }

    view! {
        <section class="card" aria-labelledby="posts-title">
            <div class="section-head">
                <h2 id="posts-title">{td_string!(i18n.get_locale_untracked(), dashboard.posts_title)}</h2>
                <a href="/instagram-calendar" class="button">{td_string!(i18n.get_locale_untracked(), dashboard.posts_calendar)}</a>
            </div>
            <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.posts_loading)}</p> }>
                {move || posts.get().map(|r| {
                    open.set(r.as_ref().is_ok_and(|l| l.posts.iter().any(|p| p.post.status.is_open())));
                    match r {
                    Ok(list) if list.posts.is_empty() => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.posts_empty)}</p> }.into_any(),
                    Ok(list) => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), dashboard.posts_times_in, zone = list.time_zone).to_string()}</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> }.into_any(),
                    }
                })}
                // Keyed by everything a row shows: the list is looked at again every few seconds
                // while a post is on its way, and only rows that changed are redrawn, so a post
                // being edited keeps its form and what was typed.
                <ul class="post-list" data-testid="post-list">
                    <For
                        each=move || posts.get().and_then(Result::ok).map(|l| l.posts).unwrap_or_default()
                        key=|item| item.clone()
                        let(item)
                    >
                        <PostRow item changed />
                    </For>
                </ul>
            </Transition>
        </section>
    }
}

fn status_class(s: PostStatus) -> &'static str {
    match s {
        PostStatus::Pending => "pill pill-pending",
        PostStatus::Publishing => "pill pill-publishing",
        PostStatus::Published => "pill pill-ok",
        PostStatus::Failed => "pill pill-failed",
        PostStatus::Cancelled | PostStatus::Draft => "pill pill-muted",
    }
}

#[component]
fn PostRow(item: PostItem, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let PostItem { post, when: _, date, time } = item;
    // The time as the creator chose it, written in the page's language.
    let (when_date, when_time) = (date.clone(), time.clone());
    let when = post_when(i18n.get_locale_untracked(), &when_date, &when_time);
    let id = post.id;
    let done = move || changed.update(|c| *c += 1);
    let retry = Action::new(move |_: &()| async move {
        let r = retry_post(id).await;
        done();
        r
    });
    let editing = RwSignal::new(false);
    let (caption, date, time) = (RwSignal::new(post.caption.clone()), RwSignal::new(date), RwSignal::new(time));
    // `true`: with the date and time (a draft is scheduled by it); `false`: a draft's words only.
    let save = Action::new(move |timed: &bool| {
        let timed = *timed;
        async move {
            let r = match timed {
                true => edit_post(id, caption.get_untracked(), date.get_untracked(), time.get_untracked()).await,
                false => save_draft(id, caption.get_untracked()).await,
            };
            if r.is_ok() {
                editing.set(false);
                done();
            }
            r
        }
    });
    let duplicate = Action::new(move |_: &()| async move {
        let r = duplicate_post(id).await;
        done();
        r.map(|_| ())
    });
    let draft = post.status == PostStatus::Draft;
    let error = move || {
        [retry.value().get(), save.value().get(), duplicate.value().get()].into_iter().flatten().find_map(Result::err).map(|e| e.localized(i18n.get_locale()))
    };
    let excerpt: String = post.caption.chars().take(120).collect();
    let status = post.status;
    let kind = post.kind;
    view! {
        <li class="post-row" id=format!("post-{id}") data-testid="post-row" data-status=status.as_str()>
            {post.media_urls.first().cloned().map(|u| if u.to_ascii_lowercase().ends_with(".mp4") || u.to_ascii_lowercase().ends_with(".mov") {
                view! { <video class="thumb" src=u muted=true preload="metadata"></video> }.into_any()
            } else {
                view! { <img class="thumb" src=u alt="" /> }.into_any()
            })}
            <div class="post-row-body">
                <p class="post-meta">
                    <span class=status_class(status) data-testid="post-status">{crate::locale::post_status(i18n.get_locale_untracked(), status)}</span>
                    <span class="pill">{crate::locale::post_kind(i18n.get_locale_untracked(), kind)}</span>
                    <span translate="no">"@"{post.username.clone()}</span>
                    <span class="muted">{if draft { td_string!(i18n.get_locale_untracked(), dashboard.posts_no_time_yet).to_string() } else { when }}</span>
                </p>
                <p class="post-caption" translate="no">{excerpt}</p>
                {post_reason(post.status, post.note.as_ref(), post.last_error.as_deref(), post.error_code.as_deref())}
                // The form comes with its code on the first Edit (`#[lazy]`): the dashboard's first
                // load carries no form per row. What it edits and its action stay the row's.
                {move || editing.get().then(|| view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move { edit_form_view(EditForm { draft, caption, date, time, save, editing }).await })}
                    </Suspense>
                })}
                {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
            <div class="post-row-actions">
                {status.is_editable().then(|| view! {
                    <button type="button" class="button" on:click=move |_| editing.update(|e| *e = !*e)>{td_string!(i18n.get_locale_untracked(), dashboard.posts_edit)}</button>
                })}
                {matches!(status, PostStatus::Pending | PostStatus::Failed | PostStatus::Draft).then(|| view! {
                    <CancelPost id on_done=move |_| done() />
                })}
                <button type="button" class="button" disabled=move || duplicate.pending().get() on:click=move |_| { duplicate.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), dashboard.posts_duplicate)}</button>
                {(status == PostStatus::Failed).then(|| view! {
                    <button type="button" class="button button-primary" disabled=move || retry.pending().get() on:click=move |_| { retry.dispatch(()); }>{td_string!(i18n.get_locale_untracked(), dashboard.posts_retry)}</button>
                })}
            </div>
        </li>
    }
}

/// The row's edit form: what it edits, its save action (`true`: with the date and time) and
/// whether it is open.
struct EditForm {
    draft: bool,
    caption: RwSignal<String>,
    date: RwSignal<String>,
    time: RwSignal<String>,
    save: Action<bool, Result<(), AppError>>,
    editing: RwSignal<bool>,
}

#[lazy]
fn edit_form_view(form: EditForm) -> AnyView {
    view! { <EditPost form /> }.into_any()
}

/// A pending post's caption, date and time, or a draft's words (saved as they are, or
/// scheduled by a date and time).
#[component]
fn EditPost(form: EditForm) -> impl IntoView {
    let i18n = use_i18n();
    let EditForm { draft, caption, date, time, save, editing } = form;
    view! {
        <form class="edit-form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(true); }>
            <textarea rows="3" aria-label=td_string!(i18n.get_locale_untracked(), dashboard.posts_caption) prop:value=move || caption.get() on:input=move |ev| caption.set(event_target_value(&ev))></textarea>
            <input type="date" aria-label=td_string!(i18n.get_locale_untracked(), dashboard.posts_date) prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
            <input type="time" aria-label=td_string!(i18n.get_locale_untracked(), dashboard.posts_time) prop:value=move || time.get() on:input=move |ev| time.set(event_target_value(&ev)) />
            {draft.then(|| view! {
                <button type="button" class="button" disabled=move || save.pending().get() on:click=move |_| { save.dispatch(false); }>{td_string!(i18n.get_locale_untracked(), dashboard.posts_save_draft)}</button>
            })}
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                {if draft { td_string!(i18n.get_locale_untracked(), dashboard.posts_schedule_draft) } else { td_string!(i18n.get_locale_untracked(), dashboard.posts_save) }}
            </button>
            <button type="button" class="linklike" on:click=move |_| editing.set(false)>{td_string!(i18n.get_locale_untracked(), dashboard.posts_close)}</button>
        </form>
    }
}
