//! The composer's "More options": what else Instagram's publishing API takes. Collaborators;
//! people tagged on a picture, placed where the creator clicks on it; a place, found by name
//! (or typed as its Page id); and for a reel its cover (a frame picked on a scrubber over the
//! video, or an uploaded image), its sound's name, whether it also shows in the feed, and a
//! trial. Each is held to Meta's rules as it is set (`PostOptions::problem`, the rules the
//! server and the sandbox use). Its code is fetched when the creator first opens it (`#[lazy]`).

use crealia_graph::rules::{Param, Target, TrialGraduation};
use crealia_model::publishing::{MediaAsset, PersonTag, Place, PostKind, PostOptions};
use leptos::lazy;
use leptos::prelude::*;

use super::upload::UploadState;
use crate::api::publishing::search_places;
use crate::i18n::{td_string, use_i18n};
use crate::locale::decimal;

/// What Meta calls the post being composed, for which parameters it takes.
pub fn target(kind: PostKind, files: &[MediaAsset]) -> Target {
    let video = files.first().is_some_and(|f| f.kind == "video");
    match kind {
        PostKind::Image => Target::Image,
        PostKind::Carousel => Target::Carousel,
        PostKind::Reel => Target::Reel,
        PostKind::Story => Target::Story { video },
    }
}

/// "More options", opened on demand.
#[component]
pub fn PostOptionsSection(
    kind: RwSignal<PostKind>,
    files: Memo<Vec<MediaAsset>>,
    options: RwSignal<PostOptions>,
    account: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    view! {
        <div class="field post-options">
            <button type="button" class="link-button" data-testid="more-options" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {move || if kind.get() == PostKind::Reel { td_string!(i18n.get_locale_untracked(), composer.more_options_reel) } else { td_string!(i18n.get_locale_untracked(), composer.more_options) }}
            </button>
            <Show when=move || open.get()>
                <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.loading)}</p> }>
                    {move || Suspend::new(async move { post_options_view(kind, files, options, account).await })}
                </Suspense>
            </Show>
        </div>
    }
}

#[lazy]
fn post_options_view(kind: RwSignal<PostKind>, files: Memo<Vec<MediaAsset>>, options: RwSignal<PostOptions>, account: Signal<Option<i64>>) -> AnyView {
    view! { <PostOptionsFields kind files options account /> }.into_any()
}

#[component]
fn PostOptionsFields(kind: RwSignal<PostKind>, files: Memo<Vec<MediaAsset>>, options: RwSignal<PostOptions>, account: Signal<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let takes = move |param: Param| param.allowed_on(target(kind.get(), &files.read()));
    let collaborators = RwSignal::new(options.get_untracked().collaborators.join(", "));
    view! {
        <div class="options">
            <Show when=move || takes(Param::Collaborators)>
                <label class="option">
                    <span>{td_string!(i18n.get_locale_untracked(), composer.collaborators)} <span class="muted">" "{td_string!(i18n.get_locale_untracked(), composer.collaborators_hint)}</span></span>
                    <input type="text" data-testid="collaborators" autocomplete="off" prop:value=move || collaborators.get()
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            options.update(|o| o.collaborators = text.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect());
                            collaborators.set(text);
                        } />
                </label>
            </Show>
            <Show when=move || takes(Param::LocationId)>
                <PlacePicker options account />
            </Show>
            <Show when=move || kind.get() != PostKind::Reel>
                <TagPictures files options />
            </Show>
            <Show when=move || kind.get() == PostKind::Reel>
                <ReelOptions files options />
            </Show>
        </div>
    }
}

/// A place: searched by name through Instagram (the Pages search), or a Page id typed as it is.
#[component]
fn PlacePicker(options: RwSignal<PostOptions>, account: Signal<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let search = Action::new(move |(account, q): &(i64, String)| search_places(*account, q.clone()));
    let find = move || {
        if let Some(account) = account.get_untracked() {
            search.dispatch((account, query.get_untracked()));
        }
    };
    let choose = move |place: Place| {
        options.update(|o| o.place = Some(place));
        search.value().set(None);
        query.set(String::new());
    };
    let typed_id = move || Some(query.get().trim().to_string()).filter(|q| crealia_graph::rules::location_id_ok(q));
    view! {
        <div class="option">
            <span id="place-label">{td_string!(i18n.get_locale_untracked(), composer.place)}</span>
            {move || match options.get().place {
                Some(place) => view! {
                    <p class="chosen-place" data-testid="chosen-place">
                        <span translate="no">{place.name.clone()}</span>" "
                        <button type="button" class="linklike" on:click=move |_| options.update(|o| o.place = None)>{td_string!(i18n.get_locale_untracked(), composer.place_remove)}</button>
                    </p>
                }.into_any(),
                None => view! {
                    <div class="place-search">
                        <input type="search" aria-labelledby="place-label" data-testid="place-query" placeholder=td_string!(i18n.get_locale_untracked(), composer.place_placeholder)
                            prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); find(); } />
                        <button type="button" class="button" disabled=move || search.pending().get() || query.read().trim().chars().count() < 2
                            on:click=move |_| find()>{td_string!(i18n.get_locale_untracked(), composer.place_find)}</button>
                    </div>
                    {move || typed_id().map(|id| {
                        let label = td_string!(i18n.get_locale(), composer.place_use_id, id = id.clone()).to_string();
                        view! { <button type="button" class="linklike" on:click=move |_| choose(Place { id: id.clone(), name: id.clone() })>{label}</button> }
                    })}
                    {move || search.value().get().map(|found| match found {
                        Ok(places) if places.is_empty() => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.place_none)}</p> }.into_any(),
                        Ok(places) => view! {
                            <ul class="places" data-testid="places">
                                {places.into_iter().map(|p| {
                                    let name = p.name.clone();
                                    view! { <li><button type="button" class="linklike" translate="no" on:click=move |_| choose(p.clone())>{name}</button></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
                    })}
                }.into_any(),
            }}
        </div>
    }
}

/// Each picture of the post, large enough to point at: a click where a person is asks for their
/// username and places the tag there (Enter on the focused picture places it in the middle).
#[component]
fn TagPictures(files: Memo<Vec<MediaAsset>>, options: RwSignal<PostOptions>) -> impl IntoView {
    let i18n = use_i18n();
    // Where a tag is being placed: (file, x, y) in thousandths.
    let placing = RwSignal::new(None::<(u8, u16, u16)>);
    let username = RwSignal::new(String::new());
    let add = move || {
        if let Some((item, x, y)) = placing.get_untracked() {
            let name = username.get_untracked().trim().trim_start_matches('@').to_string();
            if !name.is_empty() {
                options.update(|o| o.tags.push(PersonTag { item, username: name, x, y }));
            }
        }
        placing.set(None);
        username.set(String::new());
    };
    let pictures = move || files.get().into_iter().enumerate().filter(|(_, f)| f.kind == "image").collect::<Vec<_>>();
    view! {
        <Show when=move || !pictures().is_empty()>
            <div class="option">
                <span>{td_string!(i18n.get_locale_untracked(), composer.tag_people)} <span class="muted">" "{td_string!(i18n.get_locale_untracked(), composer.tag_hint)}</span></span>
                <div class="tag-pictures">
                    {move || pictures().into_iter().map(|(i, file)| {
                        let item = i as u8;
                        let place = move |ev: leptos::ev::MouseEvent| {
                            let (mut x, mut y) = (500u16, 500u16);
                            #[cfg(feature = "hydrate")]
                            {
                                use wasm_bindgen::JsCast;
                                if ev.detail() > 0 {
                                    if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                                        let (w, h) = (el.client_width().max(1) as f64, el.client_height().max(1) as f64);
                                        x = ((ev.offset_x() as f64 / w) * 1000.0).round().clamp(0.0, 1000.0) as u16;
                                        y = ((ev.offset_y() as f64 / h) * 1000.0).round().clamp(0.0, 1000.0) as u16;
                                    }
                                }
                            }
                            let _ = &ev;
                            placing.set(Some((item, x, y)));
                        };
                        view! {
                            <figure class="tag-picture">
                                <button type="button" class="tag-area" data-testid="tag-area" aria-label=td_string!(i18n.get_locale_untracked(), composer.tag_area_label) on:click=place>
                                    <img src=file.url.clone() alt="" draggable="false" />
                                </button>
                                {move || options.read().tags.iter().enumerate().filter(|(_, t)| t.item == item).map(|(n, t)| {
                                    let label = td_string!(i18n.get_locale(), composer.tag_remove, username = t.username.clone()).to_string();
                                    view! {
                                        <button type="button" class="tag-marker" data-testid="tag-marker" aria-label=label
                                            style=format!("left: {}%; top: {}%", t.x as f64 / 10.0, t.y as f64 / 10.0)
                                            on:click=move |_| options.update(|o| { o.tags.remove(n); })>
                                            <span translate="no">"@"{t.username.clone()}</span>
                                        </button>
                                    }
                                }).collect_view()}
                                {move || placing.get().filter(|p| p.0 == item).map(|(_, x, y)| view! {
                                    <span class="tag-pending" style=format!("left: {}%; top: {}%", x as f64 / 10.0, y as f64 / 10.0)></span>
                                    <div class="tag-form">
                                        <input type="text" data-testid="tag-username" autocomplete="off" placeholder=td_string!(i18n.get_locale_untracked(), composer.tag_username)
                                            aria-label=td_string!(i18n.get_locale_untracked(), composer.tag_username)
                                            prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))
                                            on:keydown=move |ev| match ev.key().as_str() {
                                                "Enter" => { ev.prevent_default(); add(); }
                                                "Escape" => placing.set(None),
                                                _ => {}
                                            } />
                                        <button type="button" class="button" on:click=move |_| add()>{td_string!(i18n.get_locale_untracked(), composer.tag_add)}</button>
                                        <button type="button" class="linklike" on:click=move |_| placing.set(None)>{td_string!(i18n.get_locale_untracked(), composer.tag_cancel)}</button>
                                    </div>
                                })}
                            </figure>
                        }
                    }).collect_view()}
                </div>
            </div>
        </Show>
    }
}

/// A reel's cover (a frame of the video, or an image), its sound's name, the feed and a trial.
#[component]
fn ReelOptions(files: Memo<Vec<MediaAsset>>, options: RwSignal<PostOptions>) -> impl IntoView {
    let i18n = use_i18n();
    let video = move || files.get().into_iter().find(|f| f.kind == "video");
    let cover = RwSignal::new(None::<UploadState>);
    let on_cover = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            cover.set(Some(UploadState::Uploading(0.0)));
            super::upload::send(file, move |s| {
                if let UploadState::Ready(asset) = &s {
                    options.update(|o| o.cover_media_id = Some(asset.id));
                }
                cover.set(Some(s));
            });
            input.set_value("");
        }
        let _ = ev;
    };
    let seconds = move |ms: u64| decimal(i18n.get_locale(), ms as f64 / 1000.0, 1);
    view! {
        <div class="option">
            <span>{td_string!(i18n.get_locale_untracked(), composer.cover)}</span>
            {move || video().map(|v| {
                let length = v.duration_ms.unwrap_or(0);
                let offset = move || options.read().thumb_offset_ms.unwrap_or(0).min(length);
                view! {
                    <div class="cover-frame">
                        <video class="cover-preview" src=v.url.clone() muted=true preload="metadata" prop:currentTime=move || offset() as f64 / 1000.0></video>
                        <label>
                            {move || td_string!(i18n.get_locale(), composer.cover_frame_at, seconds = seconds(offset())).to_string()}
                            <input type="range" data-testid="cover-frame" min="0" max=length.to_string() step="100"
                                prop:value=move || offset().to_string()
                                on:input=move |ev| {
                                    let ms = event_target_value(&ev).parse::<u64>().unwrap_or(0);
                                    options.update(|o| o.thumb_offset_ms = Some(ms));
                                } />
                        </label>
                    </div>
                }
            })}
            <label class="cover-image">
                {td_string!(i18n.get_locale_untracked(), composer.cover_image)}
                <input type="file" accept="image/jpeg,image/png,image/webp" data-testid="cover-input" on:change=on_cover />
            </label>
            {move || match cover.get() {
                Some(UploadState::Ready(asset)) if options.read().cover_media_id == Some(asset.id) => view! {
                    <p class="cover-chosen">
                        <img class="thumb" src=asset.url.clone() alt="" />" "
                        <button type="button" class="linklike" on:click=move |_| { options.update(|o| o.cover_media_id = None); cover.set(None); }>
                            {td_string!(i18n.get_locale_untracked(), composer.cover_remove)}
                        </button>
                    </p>
                }.into_any(),
                Some(UploadState::Uploading(_)) => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), composer.waiting_for_upload)}</p> }.into_any(),
                Some(UploadState::Failed(why)) => view! { <p class="error" role="alert">{why.message(i18n.get_locale_untracked())}</p> }.into_any(),
                _ => ().into_any(),
            }}
        </div>
        <label class="option checkbox">
            <input type="checkbox" data-testid="share-to-feed" prop:checked=move || options.read().share_to_feed != Some(false)
                on:change=move |ev| { let on = event_target_checked(&ev); options.update(|o| o.share_to_feed = (!on).then_some(false)); } />
            {td_string!(i18n.get_locale_untracked(), composer.share_to_feed)}
        </label>
        <label class="option">
            {td_string!(i18n.get_locale_untracked(), composer.audio_name)}
            <input type="text" data-testid="audio-name" maxlength="100" prop:value=move || options.read().audio_name.clone().unwrap_or_default()
                on:input=move |ev| { let name = event_target_value(&ev); options.update(|o| o.audio_name = Some(name).filter(|n| !n.is_empty())); } />
        </label>
        <label class="option">
            {td_string!(i18n.get_locale_untracked(), composer.trial)}
            <select data-testid="trial" on:change=move |ev| {
                let trial = match event_target_value(&ev).as_str() {
                    "manual" => Some(TrialGraduation::Manual),
                    "performance" => Some(TrialGraduation::SsPerformance),
                    _ => None,
                };
                options.update(|o| o.trial = trial);
            }>
                <option value="" selected=move || options.read().trial.is_none()>{td_string!(i18n.get_locale_untracked(), composer.trial_none)}</option>
                <option value="manual" selected=move || options.read().trial == Some(TrialGraduation::Manual)>{td_string!(i18n.get_locale_untracked(), composer.trial_manual)}</option>
                <option value="performance" selected=move || options.read().trial == Some(TrialGraduation::SsPerformance)>{td_string!(i18n.get_locale_untracked(), composer.trial_performance)}</option>
            </select>
        </label>
    }
}
