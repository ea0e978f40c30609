//! Uploads a file to `POST /api/media` with the browser's XMLHttpRequest, the one browser API
//! that reports upload progress. Browser-only; the server renders the picker and never calls it.

use crealia_model::publishing::MediaAsset;

use crate::error::AppError;
use crate::i18n::{td_string, Locale};

/// An upload as the composer shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum UploadState {
    /// Sent so far, 0.0 to 1.0.
    Uploading(f64),
    Ready(MediaAsset),
    Failed(UploadError),
}

/// Why an upload failed; said in the creator's language when shown.
#[derive(Clone, Debug, PartialEq)]
pub enum UploadError {
    /// The browser could not start the request.
    NotStarted,
    /// The server's answer could not be read.
    Unexpected,
    /// No answer at all.
    Unreachable,
    /// Refused with this status and no message.
    Status(u16),
    /// Refused for a reason the server gave as data.
    Problem(crealia_model::problem::Problem),
    /// Refused with the server's own message (English) and no data.
    Refused(String),
    /// A server function's error (reframing).
    App(AppError),
}

impl UploadError {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            UploadError::NotStarted => td_string!(locale, composer.upload_not_started).to_string(),
            UploadError::Unexpected => td_string!(locale, composer.upload_unexpected).to_string(),
            UploadError::Unreachable => td_string!(locale, composer.upload_unreachable).to_string(),
            UploadError::Status(status) => td_string!(locale, composer.upload_failed, status).to_string(),
            UploadError::Problem(problem) => crate::locale::problem(locale, problem),
            UploadError::Refused(message) => message.clone(),
            UploadError::App(e) => e.localized(locale),
        }
    }
}

/// Sends `file`, reporting progress, then the stored asset or what went wrong.
#[cfg(feature = "hydrate")]
pub fn send(file: web_sys::File, on_update: impl Fn(UploadState) + 'static) {
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let on_update = Rc::new(on_update);
    let fail = |on_update: &dyn Fn(UploadState)| on_update(UploadState::Failed(UploadError::NotStarted));
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return fail(&*on_update) };
    if xhr.open_with_async("POST", "/api/media", true).is_err() {
        return fail(&*on_update);
    }
    let _ = xhr.set_request_header("Content-Type", &file.type_());

    let progress_update = on_update.clone();
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress_update(UploadState::Uploading(e.loaded() / e.total()));
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }

    let done_xhr = xhr.clone();
    let done_update = on_update.clone();
    let done = Closure::once(move || {
        drop(progress); // no more progress events after the end
        let status = done_xhr.status().unwrap_or(0);
        let body = done_xhr.response_text().ok().flatten().unwrap_or_default();
        let state = if status == 201 {
            serde_json::from_str::<MediaAsset>(&body).map(UploadState::Ready).unwrap_or_else(|_| UploadState::Failed(UploadError::Unexpected))
        } else if status == 0 {
            UploadState::Failed(UploadError::Unreachable)
        } else {
            let answer = serde_json::from_str::<serde_json::Value>(&body).ok();
            let problem = answer.as_ref().and_then(|v| v.get("problem")).and_then(|p| serde_json::from_value(p.clone()).ok()).map(UploadError::Problem);
            let message = answer.as_ref().and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string)).map(UploadError::Refused);
            let message = problem.or(message).unwrap_or(UploadError::Status(status));
            UploadState::Failed(message)
        };
        done_update(state);
    });
    xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
    done.forget(); // runs once, when the request ends
    on_update(UploadState::Uploading(0.0));
    if xhr.send_with_opt_blob(Some(&file)).is_err() {
        fail(&*on_update);
    }
}

/// The browser's own time zone (an IANA name such as "Europe/Oslo").
#[cfg(feature = "hydrate")]
pub fn browser_time_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}
