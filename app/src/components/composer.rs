//! The composer: accounts, kind, media (uploaded with a progress bar, padded or cropped to a
//! shape Instagram takes), caption with live counters, alt text, first comment, and "Publish
//! now" or "Schedule" at a date, time and time zone.

use crealia_graph::rules::{caption_counts, text_problem, CAROUSEL_ITEMS, MAX_ALT_TEXT_CHARS, MAX_CAPTION_CHARS, MAX_HASHTAGS, MAX_MENTIONS};
use crealia_model::publishing::{MediaAsset, PostKind, PostStatus, FRAMES};
use leptos::prelude::*;

use super::live::InboxFeed;
use super::suggestions::{LazySuggestedHashtags, LazySuggestedTimes};
use super::upload::UploadState;
use crate::api::publishing::{composer_options, create_posts, post_states, reframe_media, Compose, ComposerChoices, When};

/// Where the posts just published stand, as the composer says it.
fn progress_message(states: &[PostStatus]) -> Option<String> {
    let n = states.len();
    let all = |s: PostStatus| states.iter().all(|x| *x == s);
    let (one, many) = if n == 0 {
        return None;
    } else if all(PostStatus::Published) {
        ("Your post is published on Instagram.", "posts are published on Instagram.")
    } else if states.contains(&PostStatus::Failed) {
        ("Your post could not be published: its reason is under Your posts.", "posts were sent; some could not be published: see Your posts.")
    } else if states.contains(&PostStatus::Cancelled) {
        ("Your post was cancelled.", "posts were sent; some were cancelled.")
    } else {
        ("Your post is on its way.", "posts are on their way.")
    };
    Some(if n == 1 { one.to_string() } else { format!("{n} {many}") })
}

/// One file of the post being composed.
#[derive(Clone)]
struct Item {
    key: usize,
    name: String,
    state: RwSignal<UploadState>,
}

/// The composer. `current` is the account the dashboard shows (chosen first); `posted` is
/// bumped after every successful submit so lists refresh.
#[component]
pub fn Composer(current: i64, posted: RwSignal<u32>) -> impl IntoView {
    let options = Resource::new(|| (), |_| composer_options());
    view! {
        <section class="card composer" aria-labelledby="composer-title">
            <h2 id="composer-title">"New post"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading the composer…"</p> }>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok(o) => view! { <ComposerForm options=o current posted /> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ComposerForm(options: ComposerChoices, current: i64, posted: RwSignal<u32>) -> impl IntoView {
    let chosen = RwSignal::new(vec![current]);
    let kind = RwSignal::new(PostKind::Image);
    let items: RwSignal<Vec<Item>> = RwSignal::new(Vec::new());
    let next_key = StoredValue::new(0usize);
    let caption = RwSignal::new(String::new());
    let alt_text = RwSignal::new(String::new());
    let first_comment = RwSignal::new(String::new());
    let scheduling = RwSignal::new(false);
    let date = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
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
    let message = RwSignal::new(None::<String>);
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
            if let Some(text) = progress_message(&states) {
                message.set(Some(text));
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            match result {
                Ok(ids) => {
                    let n = ids.len();
                    if scheduling.get_untracked() {
                        sent.set(Vec::new());
                        message.set(Some(if n == 1 { "Your post is scheduled.".to_string() } else { format!("{n} posts are scheduled.") }));
                    } else {
                        message.set(progress_message(&vec![PostStatus::Pending; n]));
                        sent.set(ids);
                    }
                    items.set(Vec::new());
                    caption.set(String::new());
                    alt_text.set(String::new());
                    first_comment.set(String::new());
                    posted.update(|v| *v += 1);
                }
                Err(_) => message.set(None),
            }
        }
    });
    let error = move || submit.value().get().and_then(Result::err).map(|e| e.to_string());
    // What the server would refuse, checked as the creator types with the same rules: the
    // action waits, with the reason beside it.
    let problem = move || {
        let kind = kind.get();
        let caption = kind.takes_caption().then(|| text_problem("The caption", &caption.read())).flatten();
        let comment = (kind != PostKind::Story).then(|| text_problem("The first comment", &first_comment.read())).flatten();
        let alt = (kind.takes_alt_text() && alt_text.read().chars().count() > MAX_ALT_TEXT_CHARS)
            .then(|| format!("Alt text can have at most {MAX_ALT_TEXT_CHARS} characters."));
        caption.or(comment).or(alt)
    };
    // A refusal from the server is about what was sent: it goes once anything changes.
    Effect::new(move |_| {
        let _ = (caption.read().len(), first_comment.read().len(), alt_text.read().len(), kind.get(), chosen.read().len(), scheduling.get());
        let _ = (date.read().len(), time.read().len(), time_zone.read().len(), items.read().len());
        if submit.value().with_untracked(|v| matches!(v, Some(Err(_)))) {
            submit.value().set(None);
        }
    });

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        sent.set(Vec::new());
        let when = if scheduling.get_untracked() {
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
        });
    };

    let accounts = options.accounts.clone();
    let zones = options.time_zones.clone();
    view! {
        <form class="composer-form" on:submit=send>
            <fieldset class="field">
                <legend>"Publish to"</legend>
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
                                "@"{a.username}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <fieldset class="field">
                <legend>"Type"</legend>
                <div class="segmented" role="radiogroup">
                    {PostKind::ALL.into_iter().map(|k| view! {
                        <label class="seg" class:selected=move || kind.get() == k>
                            <input type="radio" name="kind" value=k.as_str()
                                prop:checked=move || kind.get() == k
                                on:change=move |_| { kind.set(k); if k != PostKind::Carousel { items.update(|v| v.truncate(1)); } } />
                            {k.label()}
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="field">
                <label for="media-input">{move || match kind.get() {
                    PostKind::Carousel => format!("Images or videos ({} to {})", CAROUSEL_ITEMS.start(), CAROUSEL_ITEMS.end()),
                    PostKind::Reel => "Video (MP4 or MOV)".to_string(),
                    PostKind::Story => "Image or video".to_string(),
                    PostKind::Image => "Image (JPEG, PNG or WebP: converted to JPEG)".to_string(),
                }}</label>
                <input id="media-input" type="file" data-testid="media-input"
                    accept=move || if kind.get() == PostKind::Reel { "video/mp4,video/quicktime" } else { "image/jpeg,image/png,image/webp,video/mp4,video/quicktime" }
                    multiple=move || kind.get() == PostKind::Carousel
                    on:change=on_files />
                <ul class="uploads">
                    <For each=move || items.get() key=|i| i.key let:item>
                        <UploadRow item kind items />
                    </For>
                </ul>
            </div>
            <Show when=move || kind.get().takes_caption()>
                <div class="field">
                    <label for="caption">"Caption"</label>
                    <textarea id="caption" rows="4" prop:value=move || caption.get() on:input=move |ev| caption.set(event_target_value(&ev))></textarea>
                    <p class="counters" data-testid="caption-counters">
                        {move || {
                            let (chars, tags, mentions) = counts();
                            let over = |n: usize, max: usize| if n > max { "counter over" } else { "counter" };
                            view! {
                                <span class=over(chars, MAX_CAPTION_CHARS)>{format!("{chars} / {MAX_CAPTION_CHARS} characters")}</span>
                                <span class=over(tags, MAX_HASHTAGS)>{format!("{tags} / {MAX_HASHTAGS} hashtags")}</span>
                                <span class=over(mentions, MAX_MENTIONS)>{format!("{mentions} / {MAX_MENTIONS} mentions")}</span>
                            }
                        }}
                    </p>
                    <button type="button" class="link-button" aria-expanded=move || show_hashtags.get().to_string()
                        on:click=move |_| show_hashtags.update(|s| *s = !*s)>"Hashtags that worked for you"</button>
                    <Show when=move || show_hashtags.get()>
                        <LazySuggestedHashtags account=suggest_for pick=add_hashtag />
                    </Show>
                </div>
            </Show>
            <Show when=move || kind.get().takes_alt_text()>
                <div class="field">
                    <label for="alt-text">"Alt text" <span class="muted">" (describes the image for people who cannot see it)"</span></label>
                    <input id="alt-text" type="text" maxlength="1000" prop:value=move || alt_text.get() on:input=move |ev| alt_text.set(event_target_value(&ev)) />
                </div>
            </Show>
            <Show when=move || kind.get() != PostKind::Story>
                <div class="field">
                    <label for="first-comment">"First comment" <span class="muted">" (optional, posted right after)"</span></label>
                    <input id="first-comment" type="text" prop:value=move || first_comment.get() on:input=move |ev| first_comment.set(event_target_value(&ev)) />
                </div>
            </Show>
            <fieldset class="field">
                <legend>"When"</legend>
                <div class="segmented" role="radiogroup">
                    <label class="seg" class:selected=move || !scheduling.get()>
                        <input type="radio" name="when" prop:checked=move || !scheduling.get() on:change=move |_| scheduling.set(false) />"Publish now"
                    </label>
                    <label class="seg" class:selected=move || scheduling.get()>
                        <input type="radio" name="when" prop:checked=move || scheduling.get() on:change=move |_| scheduling.set(true) />"Schedule"
                    </label>
                </div>
                <Show when=move || scheduling.get()>
                    <div class="when-row">
                        <label>"Date" <input type="date" name="date" required prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) /></label>
                        <label>"Time" <input type="time" name="time" required prop:value=move || time.get() on:input=move |ev| time.set(event_target_value(&ev)) /></label>
                        <label>"Time zone"
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
                    {move || if scheduling.get() { "Schedule" } else { "Publish now" }}
                </button>
                {move || problem().map(|p| view! { <span class="error" data-testid="publish-blocked">{p}</span> })}
                {move || uploading().then(|| view! { <span class="muted">"Waiting for the upload…"</span> })}
            </div>
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || message.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
        </form>
    }
}

/// One file: its progress, then a thumbnail; an image out of the feed's shape offers padding or
/// cropping, each previewed.
#[component]
fn UploadRow(item: Item, kind: RwSignal<PostKind>, items: RwSignal<Vec<Item>>) -> impl IntoView {
    let Item { key, name, state } = item;
    let remove = move |_| items.update(|v| v.retain(|i| i.key != key));
    let fix = Action::new(move |(id, frame, crop): &(i64, String, bool)| reframe_media(*id, frame.clone(), *crop));
    Effect::new(move |_| {
        if let Some(result) = fix.value().get() {
            state.set(match result {
                Ok(asset) => UploadState::Ready(asset),
                Err(e) => UploadState::Failed(e.to_string()),
            });
        }
    });
    view! {
        <li class="upload" data-testid="upload">
            {move || match state.get() {
                UploadState::Uploading(p) => view! {
                    <span class="upload-name">{name.clone()}</span>
                    <progress max="100" value=format!("{:.0}", p * 100.0) data-testid="upload-progress"></progress>
                    <span class="muted">{format!("{:.0}%", p * 100.0)}</span>
                }.into_any(),
                UploadState::Failed(why) => view! {
                    <span class="upload-name">{name.clone()}</span>
                    <span class="error" role="alert">{why}</span>
                    <button type="button" class="linklike" on:click=remove>"Remove"</button>
                }.into_any(),
                UploadState::Ready(asset) => {
                    let is_video = asset.kind == "video";
                    let dims = match (asset.width, asset.height) { (Some(w), Some(h)) => format!("{w}×{h}"), _ => String::new() };
                    let note = asset.converted_from.clone().map(|c| if c.starts_with("padded") || c.starts_with("cropped") { c } else { format!("converted from {} to JPEG", c.to_uppercase()) });
                    let problem = asset.problem.clone().filter(|_| matches!(kind.get(), PostKind::Image | PostKind::Carousel));
                    let (id, url) = (asset.id, asset.url.clone());
                    view! {
                        {if is_video {
                            view! { <video class="thumb" src=url.clone() muted=true preload="metadata"></video> }.into_any()
                        } else {
                            view! { <img class="thumb" src=url.clone() alt="" /> }.into_any()
                        }}
                        <div class="upload-info">
                            <span class="upload-name">{name.clone()}</span>
                            <span class="muted" data-testid="upload-ready">{format!("Uploaded · {dims}")}{note.map(|n| format!(" · {n}"))}</span>
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
                                                {format!("{} to {label}", if crop { "Crop" } else { "Pad" })}
                                            </button>
                                        }
                                    }).collect_view()}
                                </div>
                            })}
                        </div>
                        <button type="button" class="linklike" on:click=remove>"Remove"</button>
                    }.into_any()
                }
            }}
        </li>
    }
}
