//! `/instagram-media`: every upload of the creator, with its thumbnail, size, dimensions and
//! length, where it is used, and the storage used against the quota. An upload is reused in a
//! new post (the composer opens with it) or deleted once no post uses it.

use crealia_model::publishing::{LibraryItem, MediaLibrary};
use leptos::prelude::*;

use crate::api::media::{delete_media, load_library};
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::title::PageTitle;
use crate::i18n::{td_string, use_i18n};
use crate::locale::{decimal, megabytes, number};

#[component]
pub fn MediaLibraryPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/instagram-media") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let delete = Action::new(|id: &i64| delete_media(*id));
    let library = Resource::new(move || delete.version().get(), |_| load_library());
    let refused = move || delete.value().get().and_then(Result::err).map(|e| e.localized(i18n.get_locale()));
    view! {
        <PageTitle text=|l| td_string!(l, library.title).to_string() />
        <section class="card media-library">
            <h1>{td_string!(i18n.get_locale_untracked(), library.title)}</h1>
            {move || refused().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match library.await {
                        Ok(l) => view! { <Library library=l delete /> }.into_any(),
                        Err(e) => load_failed(e, "/instagram-media"),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

type Delete = Action<i64, Result<(), crate::error::AppError>>;

#[component]
fn Library(library: MediaLibrary, delete: Delete) -> impl IntoView {
    let i18n = use_i18n();
    let MediaLibrary { items, used_bytes, quota_bytes } = library;
    let share = if quota_bytes == 0 { 0.0 } else { used_bytes as f64 / quota_bytes as f64 * 100.0 };
    view! {
        <p data-testid="storage">
            {td_string!(i18n.get_locale_untracked(), library.storage, used = megabytes(i18n.get_locale_untracked(), used_bytes), quota = megabytes(i18n.get_locale_untracked(), quota_bytes)).to_string()}
        </p>
        <progress max="100" value=format!("{share:.1}") aria-label=move || td_string!(i18n.get_locale(), library.storage_label).to_string()></progress>
        {items.is_empty().then(|| view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), library.empty)}</p> })}
        <ul class="library" data-testid="library">
            {items.into_iter().map(|item| view! { <LibraryRow item delete /> }).collect_view()}
        </ul>
    }
}

#[component]
fn LibraryRow(item: LibraryItem, delete: Delete) -> impl IntoView {
    let i18n = use_i18n();
    let LibraryItem { asset, uploaded_at, used_in } = item;
    let id = asset.id;
    let is_video = asset.kind == "video";
    let dims = match (asset.width, asset.height) {
        (Some(w), Some(h)) => format!("{w}×{h}"),
        _ => String::new(),
    };
    let (bytes, duration) = (asset.bytes, asset.duration_ms);
    // Deleting asks once more, saying it cannot be undone.
    let confirming = RwSignal::new(false);
    view! {
        <li class="library-item" data-testid="library-item">
            {if is_video {
                view! { <video class="library-thumb" src=asset.url.clone() muted=true preload="metadata"></video> }.into_any()
            } else {
                view! { <img class="library-thumb" src=asset.url.clone() alt="" /> }.into_any()
            }}
            <div class="library-info">
                <span>{dims}" · "{megabytes(i18n.get_locale_untracked(), bytes)}
                    {duration.map(|ms| view! { " · "{td_string!(i18n.get_locale_untracked(), library.seconds, seconds = decimal(i18n.get_locale_untracked(), ms as f64 / 1000.0, 1)).to_string()}})}
                </span>
                <span class="muted">{td_string!(i18n.get_locale_untracked(), library.uploaded_on, date = uploaded_at.clone()).to_string()}</span>
                <span data-testid="used-in">
                    {move || if used_in == 0 {
                        td_string!(i18n.get_locale(), library.unused).to_string()
                    } else {
                        td_string!(i18n.get_locale(), library.used_in, n = number(i18n.get_locale(), used_in as i64)).to_string()
                    }}
                </span>
                <div class="library-actions">
                    <a href=format!("/instagram-dashboard?media={id}#composer") rel="external">{td_string!(i18n.get_locale_untracked(), library.reuse)}</a>
                    {(used_in == 0).then(|| view! {
                        <Show when=move || confirming.get() fallback=move || view! {
                            <button type="button" class="linklike danger" data-testid="delete-media" on:click=move |_| confirming.set(true)>{td_string!(i18n.get_locale_untracked(), library.delete)}</button>
                        }>
                            <span role="alert">{td_string!(i18n.get_locale_untracked(), library.delete_confirm)}</span>" "
                            <button type="button" class="button danger" data-testid="delete-media-confirm" disabled=move || delete.pending().get()
                                on:click=move |_| { delete.dispatch(id); }>{td_string!(i18n.get_locale_untracked(), library.delete_yes)}</button>" "
                            <button type="button" class="linklike" on:click=move |_| confirming.set(false)>{td_string!(i18n.get_locale_untracked(), library.delete_keep)}</button>
                        </Show>
                    })}
                </div>
            </div>
        </li>
    }
}
