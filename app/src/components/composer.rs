//! The composer: accounts, kind, media (uploaded with a progress bar, padded or cropped to a
//! shape Instagram takes), caption with live counters, alt text, first comment, and "Publish
//! now" or "Schedule" at a date, time and time zone.

use crealia_graph::rules::{caption_counts, CAROUSEL_ITEMS, MAX_ALT_TEXT_CHARS, MAX_CAPTION_CHARS, MAX_HASHTAGS, MAX_MENTIONS};
use crealia_model::problem::{PostText, Problem};
use crealia_model::publishing::{FileFacts, MediaAsset, PostKind, PostOptions, PostStatus, FRAMES};
use crealia_model::snippets::{append, SnippetKind};
use leptos::lazy;
use leptos::prelude::*;

use super::live::InboxFeed;
use super::post_options::PostOptionsSection;
use super::snippets::SnippetPicker;
use super::suggestions::{LazySuggestedHashtags, LazySuggestedTimes};
use super::upload::{UploadError, UploadState};
use crate::api::publishing::{composer_options, create_posts, post_states, reframe_media, Compose, ComposerChoices, When};
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n, Locale};

/// What the composer says after a submit: the posts scheduled, or where those published stand.
#[derive(Clone, Debug, PartialEq)]
enum Note {
    Drafted(usize),
    Scheduled(usize),
    Sent(Vec<PostStatus>),
}

impl Note {
    fn text(&self, locale: Locale) -> Option<String> {
        match self {
            Note::Drafted(1) => Some(td_string!(locale, composer.drafted_single).to_string()),
            Note::Drafted(n) => Some(td_string!(locale, composer.drafted_several, n).to_string()),
            Note::Scheduled(1) => Some(td_string!(locale, composer.scheduled_single).to_string()),
            Note::Scheduled(n) => Some(td_string!(locale, composer.scheduled_several, n).to_string()),
            Note::Sent(states) => progress_message(locale, states),
        }
    }
}

/// Where the posts just published stand, as the composer says it.
fn progress_message(locale: Locale, states: &[PostStatus]) -> Option<String> {
    let n = states.len();
    let all = |s: PostStatus| states.iter().all(|x| *x == s);
    let single = n == 1;
    Some(if n == 0 {
        return None;
    } else if all(PostStatus::Published) {
        if single {
            td_string!(locale, composer.published_single).to_string()
        } else {
            td_string!(locale, composer.published_several, n).to_string()
        }
    } else if states.contains(&PostStatus::Failed) {
        if single {
            td_string!(locale, composer.failed_single).to_string()
        } else {
            td_string!(locale, composer.failed_several, n).to_string()
        }
    } else if states.contains(&PostStatus::Cancelled) {
        if single {
            td_string!(locale, composer.cancelled_single).to_string()
        } else {
            td_string!(locale, composer.cancelled_several, n).to_string()
        }
    } else if single {
        td_string!(locale, composer.on_its_way_single).to_string()
    } else {
        td_string!(locale, composer.on_its_way_several, n).to_string()
    })
}

/// What Instagram would refuse in the caption (or the first comment, `comment`), said to the
/// creator; None when it takes it (the rule the server refuses with).
fn text_problem(locale: Locale, comment: bool, text: &str) -> Option<String> {
    let which = if comment { PostText::FirstComment } else { PostText::Caption };
    Problem::text_over_limit(which, text).map(|p| crate::locale::problem(locale, &p))
}

/// A frame as each language writes it: "1.91:1", "1,91:1".
fn frame_label(locale: Locale, frame: &str) -> String {
    match locale {
        Locale::en => frame.to_string(),
        Locale::fr => frame.replace('.', ","),
    }
}

/// What the server noted about an upload: "padded to 4:5", "cropped to 1:1", or the format it
/// was converted from ("png").
fn converted_note(locale: Locale, converted_from: &str) -> String {
    if let Some(frame) = converted_from.strip_prefix("padded to ") {
        td_string!(locale, composer.padded_to, frame = frame_label(locale, frame)).to_string()
    } else if let Some(frame) = converted_from.strip_prefix("cropped to ") {
        td_string!(locale, composer.cropped_to, frame = frame_label(locale, frame)).to_string()
    } else {
        td_string!(locale, composer.converted_from, format = converted_from.to_uppercase()).to_string()
    }
}

/// Why Instagram's feed would refuse an image of this shape (the server's `problem`, said in the
/// creator's language).
fn shape_problem(locale: Locale, asset: &MediaAsset, problem: &str) -> String {
    match (asset.width, asset.height) {
        (Some(width), Some(height)) if height > 0 => {
            let ratio = crate::locale::decimal(locale, f64::from(width) / f64::from(height), 2);
            td_string!(locale, composer.shape_problem, width, height, ratio).to_string()
        }
        _ => problem.to_string(),
    }
}

/// One file of the post being composed.
#[derive(Clone)]
struct Item {
    key: usize,
    name: String,
    state: RwSignal<UploadState>,
}

/// The composer's place on the dashboard: a button until the creator opens it, or until the
/// address asks for it (`?at=` from the calendar, `?media=` from the library, `#composer` from
/// the control room); then the composer, its code fetched at that moment (`#[lazy]`, a split
/// point of `cargo leptos build --split`), so the dashboard's first load does not carry it.
/// The server renders it closed, and so does the browser until it is hydrated: both renders
/// match. `current` is the account the dashboard shows (chosen first); `posted` is bumped after
/// every successful submit so lists refresh.
#[component]
pub fn ComposerSlot(current: i64, posted: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let heading = NodeRef::<leptos::html::H2>::new();
    // The router's location, not the window's: on a navigation inside the app (Compose in the
    // control room) the router knows the new address before the address bar shows it.
    let hash = leptos_router::hooks::use_location().hash;
    let asked = {
        let query = leptos_router::hooks::use_query_map();
        let query = query.read_untracked();
        query.get("at").is_some() || query.get("media").is_some()
    };
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if asked || hash.get_untracked() == "#composer" {
            open.set(true);
            // The address pointed here before the composer existed: bring it into view.
            request_animation_frame(|| {
                if let Some(section) = document().get_element_by_id("composer") {
                    section.scroll_into_view();
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (asked, hash);
    });
    view! {
        <section class="card composer" id="composer" aria-labelledby="composer-title">
            <h2 id="composer-title" tabindex="-1" node_ref=heading>{td_string!(i18n.get_locale_untracked(), composer.title)}</h2>
            <Show when=move || open.get() fallback=move || view! {
                <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.closed_hint)}</p>
                // The button gives way to the composer: the focus moves to its heading (the next
                // Tab reaches its first field), not back to the top of the page.
                <button type="button" class="button button-primary" data-testid="open-composer" on:click=move |_| {
                    open.set(true);
                    if let Some(h) = heading.get_untracked() {
                        let _ = h.focus();
                    }
                }>
                    {td_string!(i18n.get_locale_untracked(), composer.open)}
                </button>
            }>
                <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.loading)}</p> }>
                    {move || Suspend::new(async move { composer_view(current, posted).await })}
                </Suspense>
            </Show>
        </section>
    }
}

#[lazy]
fn composer_view(current: i64, posted: RwSignal<u32>) -> AnyView {
    view! { <Composer current posted /> }.into_any()
}

/// The composer itself: the creator's accounts and time zone, then the form.
#[component]
fn Composer(current: i64, posted: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let options = Resource::new(|| (), |_| composer_options());
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.loading)}</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(o) => view! { <ComposerForm options=o current posted /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ComposerForm(options: ComposerChoices, current: i64, posted: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(vec![current]);
    let kind = RwSignal::new(PostKind::Image);
    let items: RwSignal<Vec<Item>> = RwSignal::new(Vec::new());
    let next_key = StoredValue::new(0usize);
    let caption = RwSignal::new(String::new());
    let alt_text = RwSignal::new(String::new());
    let first_comment = RwSignal::new(String::new());
    let post_options = RwSignal::new(PostOptions::default());
    // The options this kind of post takes (those set for another kind stay behind); a reel's
    // people are tagged through the API only.
    // Opened from an empty day of the calendar (`?at=2026-12-24`): scheduled on that day.
    let asked_day = leptos_router::hooks::use_query_map().read_untracked().get("at").filter(|d| crealia_model::dates::parse_iso_date(d).is_some());
    let scheduling = RwSignal::new(false);
    // The last sending kept a draft (its answer is said so).
    let drafting = RwSignal::new(false);
    let date = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    // Set once hydrated: the scheduling fields hold lazily loaded suggestions, which the server
    // does not render.
    Effect::new(move |_| {
        if let Some(day) = asked_day.clone() {
            date.set(day);
            time.set("09:00".into());
            scheduling.set(true);
        }
    });
    let time_zone = RwSignal::new(options.time_zone.clone().unwrap_or_else(|| "UTC".into()));
    let remembered = options.time_zone.is_some();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if !remembered {
            if let Some(tz) = super::upload::browser_time_zone() {
                time_zone.set(tz);
            }
        }
        let _ = remembered;
    });

    // Suggestions are for the first account chosen.
    let suggest_for = Signal::derive(move || chosen.read().first().copied());
    let show_hashtags = RwSignal::new(false);
    let add_hashtag = Callback::new(move |tag: String| {
        caption.update(|c| {
            if !c.is_empty() && !c.ends_with([' ', '\n']) {
                c.push(' ');
            }
            c.push_str(&tag);
        })
    });
    // Saved words go where the creator's end; the counters below judge the result.
    let insert_snippet = Callback::new(move |body: String| caption.update(|c| *c = append(c, &body)));
    let caption_hashtags = Signal::derive(move || caption.read().split_whitespace().filter(|w| w.starts_with('#')).collect::<Vec<_>>().join(" "));
    let pick_time = Callback::new(move |(d, t, tz): (String, String, String)| {
        date.set(d);
        time.set(t);
        time_zone.set(tz);
    });

    let counts = move || caption_counts(&caption.read());
    let ready: Memo<Vec<MediaAsset>> = Memo::new(move |_| {
        items
            .read()
            .iter()
            .filter_map(|i| match i.state.get() {
                UploadState::Ready(a) => Some(a),
                _ => None,
            })
            .collect()
    });
    let uploading = move || items.read().iter().any(|i| matches!(i.state.get(), UploadState::Uploading(_)));
    // The options this kind of post takes (those set for another kind stay behind); a reel's
    // people are tagged through the API only.
    let options_sent = move || {
        let kind = kind.get();
        let mut kept = post_options.read().kept_for(super::post_options::target(kind, &ready.read()));
        if kind == PostKind::Reel {
            kept.tags.clear();
        }
        kept
    };

    // Opened from the media library (`?media=ID`): that upload is the post's first file.
    let asked_media = leptos_router::hooks::use_query_map().read_untracked().get("media").and_then(|m| m.parse::<i64>().ok());
    Effect::new(move |_| {
        if let Some(id) = asked_media {
            leptos::task::spawn_local(async move {
                if let Ok(asset) = crate::api::media::uploaded_media(id).await {
                    if asset.kind == "video" {
                        kind.set(PostKind::Reel);
                    }
                    let key = next_key.get_value();
                    next_key.set_value(key + 1);
                    let name = asset.url.rsplit('/').next().unwrap_or_default().to_string();
                    items.update(|v| v.push(Item { key, name, state: RwSignal::new(UploadState::Ready(asset)) }));
                }
            });
        }
    });

    // Files chosen in the picker start uploading at once.
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(files) = input.files() else { return };
            if kind.get_untracked() != PostKind::Carousel {
                items.set(Vec::new());
            }
            for i in 0..files.length() {
                let Some(file) = files.get(i) else { continue };
                let key = next_key.get_value();
                next_key.set_value(key + 1);
                let state = RwSignal::new(UploadState::Uploading(0.0));
                items.update(|v| v.push(Item { key, name: file.name(), state }));
                super::upload::send(file, move |s| state.set(s));
            }
            input.set_value("");
        }
        let _ = (ev, next_key);
    };

    let submit = Action::new(move |post: &Compose| create_posts(post.clone()));
    let message = RwSignal::new(None::<Note>);
    // The posts just published, followed through the live feed until they are out: the message
    // says where they are, never "on its way" for a post already published.
    let sent = RwSignal::new(Vec::<i64>::new());
    let feed = InboxFeed::get();
    let states = LocalResource::new(move || {
        let ids = sent.get();
        let _ = feed.version.get();
        async move {
            if ids.is_empty() {
                Ok(Vec::new())
            } else {
                post_states(ids).await
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(states)) = states.get() {
            if !states.is_empty() {
                message.set(Some(Note::Sent(states)));
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            match result {
                Ok(ids) => {
                    let n = ids.len();
                    if drafting.get_untracked() {
                        sent.set(Vec::new());
                        message.set(Some(Note::Drafted(n)));
                    } else if scheduling.get_untracked() {
                        sent.set(Vec::new());
                        message.set(Some(Note::Scheduled(n)));
                    } else {
                        message.set((n > 0).then(|| Note::Sent(vec![PostStatus::Pending; n])));
                        sent.set(ids);
                    }
                    items.set(Vec::new());
                    caption.set(String::new());
                    alt_text.set(String::new());
                    first_comment.set(String::new());
                    post_options.set(PostOptions::default());
                    posted.update(|v| *v += 1);
                }
                Err(_) => message.set(None),
            }
        }
    });
    let error = move || submit.value().get().and_then(Result::err).map(|e: AppError| e.localized(i18n.get_locale()));
    // What the server would refuse, checked as the creator types with the same rules: the
    // action waits, with the reason beside it.
    let problem = move || {
        let locale = i18n.get_locale();
        let kind = kind.get();
        let caption = kind.takes_caption().then(|| text_problem(locale, false, &caption.read())).flatten();
        let comment = (kind != PostKind::Story).then(|| text_problem(locale, true, &first_comment.read())).flatten();
        let alt = (kind.takes_alt_text() && alt_text.read().chars().count() > MAX_ALT_TEXT_CHARS)
            .then(|| crate::locale::problem(locale, &Problem::AltTextTooLong { allowed: MAX_ALT_TEXT_CHARS }));
        let files: Vec<FileFacts> = ready.read().iter().map(|a| FileFacts { video: a.kind == "video", duration_ms: a.duration_ms }).collect();
        let options = options_sent().problem(kind, &files).map(|p| crate::locale::problem(locale, &Problem::Param(p)));
        caption.or(comment).or(alt).or(options)
    };
    // A refusal from the server is about what was sent: it goes once anything changes.
    Effect::new(move |_| {
        let _ = (caption.read().len(), first_comment.read().len(), alt_text.read().len(), kind.get(), chosen.read().len(), scheduling.get());
        let _ = (date.read().len(), time.read().len(), time_zone.read().len(), items.read().len(), post_options.read().tags.len());
        if submit.value().with_untracked(|v| matches!(v, Some(Err(_)))) {
            submit.value().set(None);
        }
    });

    // Sends the post as it stands: to Instagram (now or at its time), or kept as a draft.
    let dispatch = move |draft: bool| {
        message.set(None);
        sent.set(Vec::new());
        drafting.set(draft);
        let when = if draft {
            When::Draft
        } else if scheduling.get_untracked() {
            When::At { date: date.get_untracked(), time: time.get_untracked(), time_zone: time_zone.get_untracked() }
        } else {
            When::Now
        };
        submit.dispatch(Compose {
            accounts: chosen.get_untracked(),
            kind: kind.get_untracked(),
            caption: if kind.get_untracked().takes_caption() { caption.get_untracked() } else { String::new() },
            alt_text: Some(alt_text.get_untracked()).filter(|_| kind.get_untracked().takes_alt_text()),
            first_comment: Some(first_comment.get_untracked()).filter(|_| kind.get_untracked() != PostKind::Story),
            media_ids: ready.get_untracked().into_iter().map(|a| a.id).collect(),
            when,
            options: untrack(options_sent),
        });
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        dispatch(false);
    };

    let accounts = options.accounts.clone();
    let zones = options.time_zones.clone();
    view! {
        <form class="composer-form" on:submit=send>
            <fieldset class="field">
                <legend>{td_string!(i18n.get_locale_untracked(), composer.publish_to)}</legend>
                <AccountChips accounts chosen />
            </fieldset>
            <fieldset class="field">
                <legend>{td_string!(i18n.get_locale_untracked(), composer.kind_legend)}</legend>
                <div class="segmented" role="radiogroup">
                    {PostKind::ALL.into_iter().map(|k| view! {
                        <label class="seg" class:selected=move || kind.get() == k>
                            <input type="radio" name="kind" value=k.as_str()
                                prop:checked=move || kind.get() == k
                                on:change=move |_| { kind.set(k); if k != PostKind::Carousel { items.update(|v| v.truncate(1)); } } />
                            {crate::locale::post_kind(i18n.get_locale_untracked(), k)}
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="field">
                <label for="media-input">{move || match kind.get() {
                    PostKind::Carousel => td_string!(i18n.get_locale_untracked(), composer.media_carousel, min = CAROUSEL_ITEMS.start(), max = CAROUSEL_ITEMS.end()).to_string(),
                    PostKind::Reel => td_string!(i18n.get_locale_untracked(), composer.media_reel).to_string(),
                    PostKind::Story => td_string!(i18n.get_locale_untracked(), composer.media_story).to_string(),
                    PostKind::Image => td_string!(i18n.get_locale_untracked(), composer.media_image).to_string(),
                }}</label>
                <input id="media-input" type="file" data-testid="media-input"
                    accept=move || if kind.get() == PostKind::Reel { "video/mp4,video/quicktime" } else { "image/jpeg,image/png,image/webp,video/mp4,video/quicktime" }
                    multiple=move || kind.get() == PostKind::Carousel
                    on:change=on_files />
                <a href="/instagram-media" class="muted">{td_string!(i18n.get_locale_untracked(), composer.from_library)}</a>
                <ul class="uploads">
                    <For each=move || items.get() key=|i| i.key let:item>
                        <UploadRow item kind items />
                    </For>
                </ul>
            </div>
            <Show when=move || kind.get().takes_caption()>
                <div class="field">
                    <label for="caption">{td_string!(i18n.get_locale_untracked(), composer.caption)}</label>
                    <textarea id="caption" rows="4" prop:value=move || caption.get() on:input=move |ev| caption.set(event_target_value(&ev))></textarea>
                    <p class="counters" data-testid="caption-counters">
                        {move || {
                            let (chars, tags, mentions) = counts();
                            let over = |n: usize, max: usize| if n > max { "counter over" } else { "counter" };
                            view! {
                                <span class=over(chars, MAX_CAPTION_CHARS)>{td_string!(i18n.get_locale_untracked(), composer.counter_chars, n = chars, max = MAX_CAPTION_CHARS).to_string()}</span>
                                <span class=over(tags, MAX_HASHTAGS)>{td_string!(i18n.get_locale_untracked(), composer.counter_hashtags, n = tags, max = MAX_HASHTAGS).to_string()}</span>
                                <span class=over(mentions, MAX_MENTIONS)>{td_string!(i18n.get_locale_untracked(), composer.counter_mentions, n = mentions, max = MAX_MENTIONS).to_string()}</span>
                            }
                        }}
                    </p>
                    <SnippetPicker kind=SnippetKind::Caption text=caption insert=insert_snippet />
                    <SnippetPicker kind=SnippetKind::Hashtags text=caption_hashtags insert=insert_snippet />
                    <button type="button" class="link-button" aria-expanded=move || show_hashtags.get().to_string()
                        on:click=move |_| show_hashtags.update(|s| *s = !*s)>{td_string!(i18n.get_locale_untracked(), composer.hashtags_that_worked_for_you)}</button>
                    <Show when=move || show_hashtags.get()>
                        <LazySuggestedHashtags account=suggest_for pick=add_hashtag />
                    </Show>
                </div>
            </Show>
            <Show when=move || kind.get().takes_alt_text()>
                <div class="field">
                    <label for="alt-text">{td_string!(i18n.get_locale_untracked(), composer.alt_text)} <span class="muted">" "{td_string!(i18n.get_locale_untracked(), composer.alt_text_hint)}</span></label>
                    <input id="alt-text" type="text" maxlength="1000" prop:value=move || alt_text.get() on:input=move |ev| alt_text.set(event_target_value(&ev)) />
                </div>
            </Show>
            <PostOptionsSection kind files=ready options=post_options account=suggest_for />
            <Show when=move || kind.get() != PostKind::Story>
                <div class="field">
                    <label for="first-comment">{td_string!(i18n.get_locale_untracked(), composer.first_comment)} <span class="muted">" "{td_string!(i18n.get_locale_untracked(), composer.first_comment_hint)}</span></label>
                    <input id="first-comment" type="text" prop:value=move || first_comment.get() on:input=move |ev| first_comment.set(event_target_value(&ev)) />
                </div>
            </Show>
            <fieldset class="field">
                <legend>{td_string!(i18n.get_locale_untracked(), composer.when)}</legend>
                <div class="segmented" role="radiogroup">
                    <label class="seg" class:selected=move || !scheduling.get()>
                        <input type="radio" name="when" prop:checked=move || !scheduling.get() on:change=move |_| scheduling.set(false) />{td_string!(i18n.get_locale_untracked(), composer.publish_now)}
                    </label>
                    <label class="seg" class:selected=move || scheduling.get()>
                        <input type="radio" name="when" prop:checked=move || scheduling.get() on:change=move |_| scheduling.set(true) />{td_string!(i18n.get_locale_untracked(), composer.schedule)}
                    </label>
                </div>
                <Show when=move || scheduling.get()>
                    <div class="when-row">
                        <label>{td_string!(i18n.get_locale_untracked(), composer.date)} <input type="date" name="date" required prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) /></label>
                        <label>{td_string!(i18n.get_locale_untracked(), composer.time)} <input type="time" name="time" required prop:value=move || time.get() on:input=move |ev| time.set(event_target_value(&ev)) /></label>
                        <label>{td_string!(i18n.get_locale_untracked(), composer.time_zone)}
                            <input list="time-zones" name="time_zone" prop:value=move || time_zone.get() on:input=move |ev| time_zone.set(event_target_value(&ev)) />
                        </label>
                        <datalist id="time-zones">
                            {zones.clone().into_iter().map(|z| view! { <option value=z /> }).collect_view()}
                        </datalist>
                    </div>
                    <LazySuggestedTimes account=suggest_for pick=pick_time />
                </Show>
            </fieldset>
            <div class="actions">
                <button type="submit" class="button button-primary"
                    disabled=move || submit.pending().get() || uploading() || ready.read().is_empty() || chosen.read().is_empty() || problem().is_some()>
                    {move || if scheduling.get() { td_string!(i18n.get_locale_untracked(), composer.schedule) } else { td_string!(i18n.get_locale_untracked(), composer.publish_now) }}
                </button>
                <button type="button" class="button" data-testid="save-draft"
                    disabled=move || submit.pending().get() || uploading() || chosen.read().is_empty() || problem().is_some()
                    on:click=move |_| dispatch(true)>{td_string!(i18n.get_locale_untracked(), composer.save_draft)}</button>
                {move || problem().map(|p| view! { <span class="error" data-testid="publish-blocked">{p}</span> })}
                {move || uploading().then(|| view! { <span class="muted">{td_string!(i18n.get_locale_untracked(), composer.waiting_for_upload)}</span> })}
            </div>
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || message.get().and_then(|m| m.text(i18n.get_locale())).map(|m| view! { <p class="success" role="status">{m}</p> })}
        </form>
    }
}

/// One file: its progress, then a thumbnail; an image out of the feed's shape offers padding or
/// cropping, each previewed.
#[component]
fn UploadRow(item: Item, kind: RwSignal<PostKind>, items: RwSignal<Vec<Item>>) -> impl IntoView {
    let i18n = use_i18n();
    let Item { key, name, state } = item;
    let remove = move |_| items.update(|v| v.retain(|i| i.key != key));
    let fix = Action::new(move |(id, frame, crop): &(i64, String, bool)| reframe_media(*id, frame.clone(), *crop));
    Effect::new(move |_| {
        if let Some(result) = fix.value().get() {
            state.set(match result {
                Ok(asset) => UploadState::Ready(asset),
                Err(e) => UploadState::Failed(UploadError::App(e)),
            });
        }
    });
    view! {
        <li class="upload" data-testid="upload">
            {move || { let locale = i18n.get_locale(); match state.get() {
                UploadState::Uploading(p) => view! {
                    <span class="upload-name" translate="no">{name.clone()}</span>
                    <progress max="100" value=format!("{:.0}", p * 100.0) data-testid="upload-progress"></progress>
                    <span class="muted">{crate::locale::percent(locale, p * 100.0, 0)}</span>
                }.into_any(),
                UploadState::Failed(why) => view! {
                    <span class="upload-name" translate="no">{name.clone()}</span>
                    <span class="error" role="alert">{why.message(locale)}</span>
                    <button type="button" class="linklike" on:click=remove>{td_string!(i18n.get_locale_untracked(), composer.remove)}</button>
                }.into_any(),
                UploadState::Ready(asset) => {
                    let is_video = asset.kind == "video";
                    let dims = match (asset.width, asset.height) { (Some(w), Some(h)) => format!("{w}×{h}"), _ => String::new() };
                    let note = asset.converted_from.as_deref().map(|c| converted_note(locale, c));
                    let problem = asset.problem.as_deref().filter(|_| matches!(kind.get(), PostKind::Image | PostKind::Carousel)).map(|p| shape_problem(locale, &asset, p));
                    let (id, url) = (asset.id, asset.url.clone());
                    view! {
                        {if is_video {
                            view! { <video class="thumb" src=url.clone() muted=true preload="metadata"></video> }.into_any()
                        } else {
                            view! { <img class="thumb" src=url.clone() alt="" /> }.into_any()
                        }}
                        <div class="upload-info">
                            <span class="upload-name" translate="no">{name.clone()}</span>
                            <span class="muted" data-testid="upload-ready">{td_string!(locale, composer.uploaded, dims).to_string()}{note.map(|n| format!(" · {n}"))}</span>
                            {problem.map(|p| view! {
                                <p class="warning">{p}</p>
                                <div class="frames">
                                    {FRAMES.into_iter().flat_map(|(label, w, h)| [(label, w, h, false), (label, w, h, true)]).map(|(label, w, h, crop)| {
                                        let url = url.clone();
                                        let fit = if crop { "cover" } else { "contain" };
                                        view! {
                                            <button type="button" class="frame" disabled=move || fix.pending().get()
                                                on:click=move |_| { fix.dispatch((id, label.to_string(), crop)); }>
                                                <span class="frame-box" style=format!("aspect-ratio: {w} / {h}")>
                                                    <img src=url style=format!("object-fit: {fit}") alt="" />
                                                </span>
                                                {let frame = frame_label(locale, label); if crop { td_string!(locale, composer.crop_to, frame).to_string() } else { td_string!(locale, composer.pad_to, frame).to_string() }}
                                            </button>
                                        }
                                    }).collect_view()}
                                </div>
                            })}
                        </div>
                        <button type="button" class="linklike" on:click=remove>{td_string!(i18n.get_locale_untracked(), composer.remove)}</button>
                    }.into_any()
                }
            }}}
        </li>
    }
}

/// The creator's accounts as checkboxes: those ticked are in `chosen` (the composer's, the bulk
/// page's "Publish to").
#[component]
pub fn AccountChips(accounts: Vec<crealia_model::AccountOption>, chosen: RwSignal<Vec<i64>>) -> impl IntoView {
    view! {
        <div class="chips">
            {accounts.into_iter().map(|a| {
                let id = a.connection_id;
                view! {
                    <label class="chip">
                        <input type="checkbox" name="account"
                            prop:checked=move || chosen.read().contains(&id)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } });
                            } />
                        <span translate="no">"@"{a.username}</span>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}
