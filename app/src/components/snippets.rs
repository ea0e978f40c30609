//! Saved words at hand: caption snippets and hashtag groups beside the composer's caption,
//! saved replies under an inbox reply (also by typing `/` and a name). Each list is read when
//! it is first opened; the words in the field can be kept under a name from there.

use crealia_model::snippets::{matching, Snippet, SnippetKind, MAX_NAME_CHARS, USERNAME};
use leptos::prelude::*;

use crate::api::snippets::{delete_snippet, list_snippets, save_snippet};
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n};

/// `kind`'s saved words: a button opens the list (a click on a name calls `insert` with its
/// words) and a field to keep `text` under a name. `typed`: what follows a `/` at the start of
/// the field, which opens the list filtered by it. `key` keeps ids apart when several pickers
/// of a kind are on a page.
#[component]
pub fn SnippetPicker(
    kind: SnippetKind,
    #[prop(into)] text: Signal<String>,
    insert: Callback<String>,
    #[prop(optional, into)] typed: Option<Signal<Option<String>>>,
    #[prop(optional, into)] key: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let changed = RwSignal::new(0u32);
    let typed = move || typed.and_then(|t| t.get());
    let shown = Memo::new(move |_| open.get() || typed().is_some());
    let snippets = Resource::new(
        move || (shown.get(), changed.get()),
        move |(shown, _)| async move {
            match shown {
                true => list_snippets(kind).await.map(Some),
                false => Ok(None),
            }
        },
    );
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<AppError>);
    let save = Action::new(move |(name, body): &(String, String)| {
        let (name, body) = (name.clone(), body.clone());
        async move { save_snippet(kind, name, body).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            name.set(String::new());
            problem.set(None);
            changed.update(|c| *c += 1);
        }
        Some(Err(e)) => problem.set(Some(e)),
        None => {}
    });
    let delete = Action::new(move |id: &i64| {
        let id = *id;
        async move { delete_snippet(id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => changed.update(|c| *c += 1),
        Some(Err(e)) => problem.set(Some(e)),
        None => {}
    });
    let title = move || match kind {
        SnippetKind::Caption => td_string!(i18n.get_locale_untracked(), snippets.caption_snippets),
        SnippetKind::Hashtags => td_string!(i18n.get_locale_untracked(), snippets.hashtag_groups),
        SnippetKind::Reply => td_string!(i18n.get_locale_untracked(), snippets.saved_replies),
    };
    let name_label = format!("snippet-name-{}{key}", kind.as_str());
    let list = move |all: Vec<Snippet>| {
        let filter = typed();
        let shown: Vec<Snippet> = match &filter {
            Some(typed) => matching(&all, typed).into_iter().cloned().collect(),
            None => all,
        };
        if shown.is_empty() {
            return match filter {
                Some(_) => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), snippets.no_match)}</p> }.into_any(),
                None => view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), snippets.none_yet)}</p> }.into_any(),
            };
        }
        view! {
            <ul class="snippet-list">
                {shown.into_iter().map(|s| {
                    let (id, body, label) = (s.id, s.body.clone(), s.name.clone());
                    view! {
                        <li>
                            <button type="button" class="chip" title=s.body.clone() translate="no" data-testid="snippet"
                                on:click=move |_| { insert.run(body.clone()); open.set(false); }>{s.name.clone()}</button>
                            <button type="button" class="linklike" aria-label=move || td_string!(i18n.get_locale_untracked(), snippets.delete, name = label.clone()).to_string()
                                on:click=move |_| { delete.dispatch(id); }>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <div class="snippets" data-testid=format!("snippets-{}", kind.as_str())>
            <button type="button" class="link-button" aria-expanded=move || shown.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>{title}</button>
            <Show when=move || shown.get()>
                <Transition fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), snippets.loading)}</p> }>
                    {move || snippets.get().map(|answer| match answer {
                        Ok(Some(all)) => list(all),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale_untracked())}</p> }.into_any(),
                    })}
                </Transition>
                <div class="snippet-save">
                    <label for=name_label.clone()>{td_string!(i18n.get_locale_untracked(), snippets.keep_as)}</label>
                    <input id=name_label.clone() type="text" maxlength=MAX_NAME_CHARS.to_string() prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <button type="button" class="button" disabled=move || save.pending().get()
                        on:click=move |_| { save.dispatch((name.get_untracked(), text.get_untracked())); }>{td_string!(i18n.get_locale_untracked(), snippets.keep)}</button>
                </div>
                {(kind == SnippetKind::Reply).then(|| view! { <p class="muted">{move || td_string!(i18n.get_locale_untracked(), snippets.reply_hint, placeholder = USERNAME).to_string()}</p> })}
                {move || problem.get().map(|e| view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> })}
            </Show>
        </div>
    }
}
