//! The JSON API's OpenAPI 3.1 document, generated from the route handlers' annotations and the
//! model's types (`utoipa`), served at `GET /api/openapi.json`, and a page to read it at
//! `GET /api/docs` (rendered here from the same document: no script, no outside site).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every error, on every route: what went wrong, in words a creator reads.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ApiError {
    /// e.g. "This post is published and cannot be cancelled."
    error: String,
    /// On a refusal (422 and the upload's 408/413), what was refused as data: a `code` such as
    /// `wrong_status` or `storage_full` and its figures, e.g. `{"code": "wrong_status",
    /// "status": "PUBLISHED", "change": "cancel"}`.
    #[schema(value_type = Option<Object>)]
    problem: Option<serde_json::Value>,
}

/// The error answers the routes share, each described once and named in their `responses(…)`
/// beside the route's own: `responses((status = 200, …), Unreadable, SignedOut, Refused)`.
macro_rules! error_responses {
    ($($name:ident = $status:literal, $description:literal;)*) => {$(
        #[doc = $description]
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
                error_response($status, $description)
            }
        }
    )*};
}

error_responses! {
    Unreadable = 400, "The request cannot be read (bad JSON, a path id that is not a number)";
    SignedOut = 401, "Not signed in, or an unknown API token";
    Refused = 403, "Refused: another site's request, or a token without the scope";
    NotTheirs = 404, "Not one of the creator's";
    Reconnect = 409, "The Instagram account must be reconnected first";
    TooLarge = 413, "The body is too large";
    NotJson = 415, "The body is not JSON";
    Invalid = 422, "The request is not valid; the message says what to change";
    TooMany = 429, "Too many attempts; retry later";
    Unavailable = 503, "Instagram or the database is unavailable; retry later";
}

/// One status answered with an [`ApiError`].
fn error_response(status: u16, description: &str) -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build();
    let response = ResponseBuilder::new().description(description).content("application/json", content).build();
    BTreeMap::from([(status.to_string(), response.into())])
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("crealia_pat_…")
                    .description(Some("A personal API token, made in Settings → API tokens, within its scopes (read, publish, inbox)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "crealia_session",
                "The browser's session; state-changing requests must come from Crealia's own pages.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Crealia JSON API", description = "The Instagram control room's JSON API: insights, status, publishing, media and the inbox of the signed-in creator (or of a personal API token's creator)."),
    paths(
        crate::routes::status::get,
        crate::routes::insights::get,
        crate::routes::export::get,
        crate::routes::publishing::publish,
        crate::routes::publishing::schedule,
        crate::routes::publishing::list,
        crate::routes::publishing::get,
        crate::routes::publishing::edit,
        crate::routes::publishing::cancel,
        crate::routes::publishing::retry,
        crate::routes::media::upload,
        crate::routes::media::reframe,
        crate::routes::inbox::list,
        crate::routes::inbox::read,
        crate::routes::inbox::reply,
        crate::routes::inbox::hide,
        crate::routes::inbox::delete,
    ),
    components(schemas(ApiError)),
    modifiers(&Security),
    security(("token" = []), ("session" = [])),
    tags((name = "status"), (name = "insights"), (name = "publishing"), (name = "media"), (name = "inbox")),
)]
pub struct ApiDoc;

/// The document, built once. Its builder's generated code has deep stack frames (a debug
/// build overflows a 2 MB runtime thread), so it runs on a thread of its own with room.
fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        std::thread::Builder::new()
            .name("openapi".into())
            .stack_size(32 << 20)
            .spawn(ApiDoc::openapi)
            .expect("a thread starts")
            .join()
            .expect("the OpenAPI document builds")
    })
}

fn document() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")))
}

/// `GET /api/openapi.json`.
pub async fn json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /api/docs`: every operation with its parameters, body and answers.
pub async fn docs() -> Html<String> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(
        PAGE.get_or_init(|| {
            let doc = openapi();
            let mut html = String::from(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Crealia JSON API</title><link rel=\"stylesheet\" href=\"/pkg/crealia.css\"></head><body><main class=\"content\"><h1>Crealia JSON API</h1>",
            );
            html.push_str(&format!(
                "<p>{} The machine-readable document: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}). Send <code>Authorization: Bearer crealia_pat_…</code> with a personal API token, or use the browser's session. Every error is <code>{{\"error\": \"…\"}}</code>.</p>",
                escape(doc.info.description.as_deref().unwrap_or_default()),
                serde_json::to_value(&doc.openapi).ok().and_then(|v| v.as_str().map(escape)).unwrap_or_default()
            ));
            for (path, item) in doc.paths.paths.iter() {
                for (method, op) in [
                    ("GET", &item.get),
                    ("POST", &item.post),
                    ("PATCH", &item.patch),
                    ("PUT", &item.put),
                    ("DELETE", &item.delete),
                ] {
                    let Some(op) = op else { continue };
                    html.push_str(&format!(
                        "<section class=\"card\"><h2><code>{method} {}</code></h2><p>{}</p>",
                        escape(path),
                        escape(op.description.as_deref().or(op.summary.as_deref()).unwrap_or_default())
                    ));
                    if let Some(params) = &op.parameters {
                        html.push_str("<ul>");
                        for p in params {
                            html.push_str(&format!("<li><code>{}</code> — {}</li>", escape(&p.name), escape(p.description.as_deref().unwrap_or_default())));
                        }
                        html.push_str("</ul>");
                    }
                    html.push_str("<ul>");
                    for (status, response) in op.responses.responses.iter() {
                        let text = match response {
                            utoipa::openapi::RefOr::T(r) => r.description.clone(),
                            utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                        };
                        html.push_str(&format!("<li><strong>{}</strong> {}</li>", escape(status), escape(&text)));
                    }
                    html.push_str("</ul></section>");
                }
            }
            html.push_str("</main></body></html>");
            html
        })
        .clone(),
    )
}
