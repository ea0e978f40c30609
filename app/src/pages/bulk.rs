//! `/instagram-bulk`: many posts at once from a CSV and the files it names. The files upload
//! first (each with its progress), then the file is checked line by line on the server with the
//! composer's rules; every refused line is listed with why, and nothing is scheduled until the
//! creator confirms a file with none.

use crealia_model::publishing::{BulkCheck, BulkFile, PostKind};
use leptos::prelude::*;

use crate::api::publishing::{check_bulk, composer_options, schedule_bulk, BulkUpload, ComposerChoices};
use crate::components::auth::{load_failed, signed_in_or_redirect};
use crate::components::composer::AccountChips;
use crate::components::hydrated::hydrated;
use crate::components::title::PageTitle;
use crate::components::upload::UploadState;
use crate::i18n::{td_string, use_i18n};
use crate::locale::{number, post_kind, post_when};

/// A file chosen to go with the CSV, as its upload goes.
#[derive(Clone)]
struct Chosen {
    name: String,
    state: RwSignal<UploadState>,
}

#[component]
pub fn BulkPage() -> impl IntoView {
    let i18n = use_i18n();
    if !signed_in_or_redirect("/instagram-bulk") {
        return view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.taking_you_to_sign_in)}</p> }.into_any();
    }
    let choices = Resource::new(|| (), |_| composer_options());
    view! {
        <PageTitle text=|l| td_string!(l, bulk.title).to_string() />
        <section class="card bulk">
            <h1>{td_string!(i18n.get_locale_untracked(), bulk.title)}</h1>
            <p class="muted">{td_string!(i18n.get_locale_untracked(), bulk.intro)}</p>
            <pre class="bulk-example" translate="no">"date,time,caption,media\n2026-12-24,09:30,\"Warm buns, fresh today #fika\",bun.jpg\n2026-12-25,18:00,Our week,one.jpg;two.jpg;three.jpg"</pre>
            <Suspense fallback=move || view! { <p class="muted">{td_string!(i18n.get_locale_untracked(), common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Ok(c) => view! { <BulkForm choices=c /> }.into_any(),
                        Err(e) => load_failed(e, "/instagram-bulk"),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn BulkForm(choices: ComposerChoices) -> impl IntoView {
    let i18n = use_i18n();
    let chosen_accounts = RwSignal::new(choices.accounts.first().map(|a| vec![a.connection_id]).unwrap_or_default());
    let csv = RwSignal::new(String::new());
    let files = RwSignal::new(Vec::<Chosen>::new());
    let uploading = move || files.read().iter().any(|f| matches!(f.state.get(), UploadState::Uploading(_)));
    let uploaded = move || {
        files
            .read()
            .iter()
            .filter_map(|f| match f.state.get() {
                UploadState::Ready(asset) => Some(BulkFile { name: f.name.clone(), media_id: asset.id }),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let upload = move || BulkUpload { accounts: chosen_accounts.get_untracked(), csv: csv.get_untracked(), files: untrack(uploaded) };
    let hydrated = hydrated();
    let check = Action::new(move |bulk: &BulkUpload| check_bulk(bulk.clone()));
    let schedule = Action::new(move |bulk: &BulkUpload| schedule_bulk(bulk.clone()));
    // A new check, or a change to what was checked, makes the last answers stale.
    Effect::new(move |_| {
        let _ = (csv.read().len(), files.read().len(), chosen_accounts.read().len());
        schedule.value().set(None);
    });

    let on_csv = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    csv.set(text.as_string().unwrap_or_default());
                }
            });
        }
        let _ = ev;
    };
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(list) = input.files() else { return };
            for i in 0..list.length() {
                let Some(file) = list.get(i) else { continue };
                let state = RwSignal::new(UploadState::Uploading(0.0));
                files.update(|v| v.push(Chosen { name: file.name(), state }));
                crate::components::upload::send(file, move |s| state.set(s));
            }
            input.set_value("");
        }
        let _ = ev;
    };
    let checked = move || check.value().get().and_then(Result::ok);
    let ready_to_schedule = move || checked().is_some_and(|c: BulkCheck| c.refused.is_empty() && !c.posts.is_empty());

    view! {
        <form class="form" data-testid="bulk-form" data-hydrated=move || hydrated.get().to_string() on:submit=move |ev| { ev.prevent_default(); check.dispatch(upload()); }>
            <fieldset class="field">
                <legend>{td_string!(i18n.get_locale_untracked(), composer.publish_to)}</legend>
                <AccountChips accounts=choices.accounts chosen=chosen_accounts />
            </fieldset>
            <div class="field">
                <label for="bulk-csv">{td_string!(i18n.get_locale_untracked(), bulk.csv_file)}</label>
                <input id="bulk-csv" type="file" accept=".csv,text/csv" data-testid="bulk-csv" on:change=on_csv />
                <label for="bulk-text">{td_string!(i18n.get_locale_untracked(), bulk.csv_text)}</label>
                <textarea id="bulk-text" rows="6" data-testid="bulk-text" translate="no" prop:value=move || csv.get() on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
            </div>
            <div class="field">
                <label for="bulk-media">{td_string!(i18n.get_locale_untracked(), bulk.media_files)}</label>
                <input id="bulk-media" type="file" multiple accept="image/jpeg,image/png,image/webp,video/mp4,video/quicktime" data-testid="bulk-media" on:change=on_files />
                <p class="muted" data-testid="bulk-uploads">
                    {move || {
                        let all = files.read().len();
                        let done = files.read().iter().filter(|f| matches!(f.state.get(), UploadState::Ready(_))).count();
                        td_string!(i18n.get_locale(), bulk.uploaded, done = number(i18n.get_locale(), done as i64), all = number(i18n.get_locale(), all as i64)).to_string()
                    }}
                </p>
                <ul class="bulk-failed">
                    {move || files.get().into_iter().filter_map(|f| match f.state.get() {
                        UploadState::Failed(why) => Some(view! { <li class="error"><span translate="no">{f.name.clone()}</span>": "{why.message(i18n.get_locale())}</li> }),
                        _ => None,
                    }).collect_view()}
                </ul>
            </div>
            <div class="actions">
                <button type="submit" class="button" data-testid="bulk-check"
                    disabled=move || check.pending().get() || uploading() || csv.read().trim().is_empty() || chosen_accounts.read().is_empty()>
                    {td_string!(i18n.get_locale_untracked(), bulk.check)}
                </button>
                <button type="button" class="button button-primary" data-testid="bulk-schedule"
                    disabled=move || schedule.pending().get() || !ready_to_schedule()
                    on:click=move |_| { schedule.dispatch(upload()); }>
                    {move || {
                        let n = checked().map_or(0, |c| c.posts.len() * chosen_accounts.read().len().max(1));
                        td_string!(i18n.get_locale_untracked(), bulk.schedule_n, n = number(i18n.get_locale(), n as i64)).to_string()
                    }}
                </button>
            </div>
            {move || check.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> })}
            {move || schedule.value().get().map(|r| match r {
                Ok(n) => view! {
                    <p class="success" role="status" data-testid="bulk-done">
                        {td_string!(i18n.get_locale(), bulk.scheduled, n = number(i18n.get_locale(), n as i64)).to_string()}" "
                        <a href="/instagram-calendar">{td_string!(i18n.get_locale_untracked(), bulk.see_calendar)}</a>
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.localized(i18n.get_locale())}</p> }.into_any(),
            })}
            {move || checked().map(|c| view! { <BulkReport check=c /> })}
        </form>
    }
}

/// The file as checked: the refused lines first (with why), then the posts it would queue.
#[component]
fn BulkReport(check: BulkCheck) -> impl IntoView {
    let i18n = use_i18n();
    let BulkCheck { posts, refused } = check;
    let (n_posts, n_refused) = (posts.len(), refused.len());
    view! {
        <div class="bulk-report">
            {(n_refused > 0).then(|| view! {
                <div role="alert" class="bulk-refused" data-testid="bulk-refused">
                    <h2>{td_string!(i18n.get_locale_untracked(), bulk.refused_title, n = number(i18n.get_locale_untracked(), n_refused as i64)).to_string()}</h2>
                    <ul>
                        {refused.into_iter().map(|r| view! {
                            <li data-testid="bulk-refused-line">
                                <strong>{move || td_string!(i18n.get_locale_untracked(), bulk.line, n = r.line).to_string()}</strong>" "
                                {let problem = r.problem.clone(); move || crate::locale::problem(i18n.get_locale(), &problem)}
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <h2>{td_string!(i18n.get_locale_untracked(), bulk.posts_title, n = number(i18n.get_locale_untracked(), n_posts as i64)).to_string()}</h2>
            <table class="bulk-posts" data-testid="bulk-posts">
                <thead>
                    <tr>
                        <th scope="col">{td_string!(i18n.get_locale_untracked(), bulk.column_line)}</th>
                        <th scope="col">{td_string!(i18n.get_locale_untracked(), bulk.column_when)}</th>
                        <th scope="col">{td_string!(i18n.get_locale_untracked(), bulk.column_kind)}</th>
                        <th scope="col">{td_string!(i18n.get_locale_untracked(), bulk.column_caption)}</th>
                        <th scope="col">{td_string!(i18n.get_locale_untracked(), bulk.column_files)}</th>
                    </tr>
                </thead>
                <tbody>
                    {posts.into_iter().map(|p| {
                        let kind: PostKind = p.kind;
                        let caption: String = p.caption.chars().take(60).collect();
                        view! {
                            <tr>
                                <td>{p.line}</td>
                                <td>{post_when(i18n.get_locale_untracked(), &p.date, &p.time)}" "<span class="muted" translate="no">{p.time_zone.clone()}</span></td>
                                <td>{post_kind(i18n.get_locale_untracked(), kind)}</td>
                                <td translate="no">{caption}</td>
                                <td translate="no">{p.files.join(", ")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
