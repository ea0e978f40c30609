//! Cancelling a post: asked first (it will not be published), then undoable for a few seconds
//! from a bar every page shows (the post's row may be gone by then, as in the control room).

use leptos::lazy;
use leptos::prelude::*;

use crate::api::publishing::{cancel_post, restore_post};
use crate::error::AppError;
use crate::i18n::{td_string, use_i18n};

/// The post whose cancel can still be undone in this tab (the layout provides it).
#[derive(Clone, Copy)]
pub struct UndoCancel(RwSignal<Option<i64>>);

impl UndoCancel {
    pub fn provide() {
        provide_context(UndoCancel(RwSignal::new(None)));
    }

    /// Offers Undo for the post until a second before the server stops accepting it.
    fn offer(self, id: i64) {
        self.0.set(Some(id));
        #[cfg(feature = "hydrate")]
        set_timeout(
            move || {
                if self.0.get_untracked() == Some(id) {
                    self.0.set(None);
                }
            },
            std::time::Duration::from_secs(crealia_model::publishing::UNDO_SECS.saturating_sub(1)),
        );
    }
}

/// "Cancel post…", then "Yes, cancel the post" / "Keep it". `on_done` runs after the cancel,
/// whatever its outcome (the caller reloads what shows the post).
#[component]
pub fn CancelPost(id: i64, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let undo = use_context::<UndoCancel>();
    // The row's, not the question's: answering closes the question while the cancel runs.
    let cancel = Action::new(move |_: &()| async move {
        let r = cancel_post(id).await;
        if r.is_ok() {
            if let Some(undo) = undo {
                undo.offer(id);
            }
        }
        // The creator's live feed may have reloaded the list meanwhile, taking this row and
        // its callback with it: then there is nothing left to reload (and no panic).
        on_done.try_run(());
        if r.is_ok() {
            asking.try_set(false);
        }
        r
    });
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! { <button type="button" class="button" data-testid="cancel-post" on:click=move |_| asking.set(true)>{td_string!(i18n.get_locale_untracked(), dashboard.undo_cancel_post)}</button> }
        >
            // The question comes with its code once asked (`#[lazy]`): a list of posts renders
            // no question per row.
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { confirm_cancel_view(asking, cancel).await })}
            </Suspense>
        </Show>
        {move || cancel.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> })}
    }
}

#[lazy]
fn confirm_cancel_view(asking: RwSignal<bool>, cancel: Action<(), Result<(), AppError>>) -> AnyView {
    view! { <ConfirmCancel asking cancel /> }.into_any()
}

/// "Yes, cancel the post" / "Keep it".
#[component]
fn ConfirmCancel(asking: RwSignal<bool>, cancel: Action<(), Result<(), AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="confirm" role="group" aria-label=td_string!(i18n.get_locale_untracked(), dashboard.undo_confirm_label)>
            <span>{td_string!(i18n.get_locale_untracked(), dashboard.undo_not_published)}</span>
            <button type="button" class="button button-danger" data-testid="confirm-cancel" disabled=move || cancel.pending().get() on:click=move |_| { cancel.dispatch(()); }>
                {td_string!(i18n.get_locale_untracked(), dashboard.undo_confirm)}
            </button>
            <button type="button" class="button button-quiet" on:click=move |_| asking.set(false)>{td_string!(i18n.get_locale_untracked(), dashboard.undo_keep)}</button>
        </div>
    }
}

/// "Post cancelled. Undo" for a few seconds after a cancel, on whatever page the tab shows.
#[component]
pub fn UndoBar() -> impl IntoView {
    let i18n = use_i18n();
    let Some(undo) = use_context::<UndoCancel>() else {
        return ().into_any();
    };
    let restore = Action::new(move |id: &i64| {
        let id = *id;
        async move {
            let r = restore_post(id).await;
            undo.0.set(None);
            r
        }
    });
    view! {
        {move || undo.0.get().map(|id| view! {
            <div class="undo-bar" role="status" data-testid="undo-bar">
                <span>{td_string!(i18n.get_locale_untracked(), dashboard.undo_cancelled)}</span>
                <button type="button" class="button" disabled=move || restore.pending().get() on:click=move |_| { restore.dispatch(id); }>{td_string!(i18n.get_locale_untracked(), dashboard.undo_undo)}</button>
            </div>
        })}
        {move || restore.value().get().and_then(Result::err).map(|e| view! { <div class="undo-bar" role="alert">{e.localized(i18n.get_locale())}</div> })}
    }
    .into_any()
}
