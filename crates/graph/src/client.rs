//! The Graph API client: typed calls over reqwest, Meta's error codes as a typed error. Tokens
//! travel in headers or query strings and never appear in an error or a log line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use thiserror::Error;
use url::Url;

use crate::endpoint::endpoint_key;
use crate::failure::Failure;
use crate::usage::UsageBoard;
use crate::wire::{
    ContainerStatus, ErrorEnvelope, IdResponse, InsightMetric, LongLivedToken, Media, MessagingUser, OAuthError, Page, Profile, PublishingLimit, SentMessage,
    ShortLivedToken, ShortLivedTokenResponse, Success,
};

/// Where the three parts of Instagram Login live.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// `https://www.instagram.com/oauth/authorize`
    pub authorize_url: Url,
    /// `https://api.instagram.com/oauth/access_token`
    pub token_url: Url,
    /// `https://graph.instagram.com/` (ends with a slash)
    pub graph_url: Url,
    pub version: String,
}

impl Endpoints {
    pub fn meta() -> Self {
        Endpoints {
            authorize_url: Url::parse("https://www.instagram.com/oauth/authorize").expect("valid"),
            token_url: Url::parse("https://api.instagram.com/oauth/access_token").expect("valid"),
            graph_url: Url::parse("https://graph.instagram.com/").expect("valid"),
            version: "v25.0".into(),
        }
    }

    /// Everything under one base, as Crealia's sandbox serves it.
    pub fn under(base: &Url) -> Self {
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Endpoints {
            authorize_url: base.join("oauth/authorize").expect("valid"),
            token_url: base.join("oauth/access_token").expect("valid"),
            graph_url: base,
            version: "v25.0".into(),
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Meta's `{"error": {...}}` envelope.
    #[error("Graph API error {code}/{subcode:?}: {message}")]
    Api { status: u16, code: i64, subcode: Option<i64>, message: String, transient: bool, user_message: Option<String> },
    /// The token endpoint's own error shape.
    #[error("OAuth error: {0}")]
    OAuth(String),
    #[error("the Graph API could not be reached: {0}")]
    Transport(String),
    #[error("the Graph API answered something unexpected: {0}")]
    Decode(String),
}

impl Error {
    /// Code 190: the token is invalid, expired or revoked; the account must be reconnected.
    pub fn is_invalid_token(&self) -> bool {
        matches!(self, Error::Api { code: 190, .. })
    }

    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::Api { code: 4 | 17 | 32 | 613 | 80002, .. })
    }

    /// Worth retrying later: transport failures, 5xx, rate limits, Meta's transient flag.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Api { status, transient, .. } => *transient || *status >= 500 || self.is_rate_limited(),
            _ => false,
        }
    }

    /// What went wrong, for the creator (never Meta's own text, which may name internals).
    pub fn failure(&self) -> Failure {
        match self {
            Error::Api { code, subcode, .. } => Failure::of_api(*code, *subcode, self.is_rate_limited(), self.is_transient()),
            Error::OAuth(_) => Failure::AccessRefused,
            Error::Transport(_) => Failure::Unreachable,
            Error::Decode(_) => Failure::Unexpected,
        }
    }

    /// [`Error::failure`] in English.
    pub fn creator_message(&self) -> &'static str {
        self.failure().message()
    }

    /// `code/subcode`, for support (what the creator can quote).
    pub fn support_code(&self) -> Option<String> {
        match self {
            Error::Api { code, subcode, .. } => Some(format!("{code}/{}", subcode.unwrap_or(0))),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    app_id: String,
    app_secret: String,
    /// What the answers said about usage, shared by the client's clones.
    usage: Arc<UsageBoard>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient").field("endpoints", &self.endpoints).field("app_id", &self.app_id).finish_non_exhaustive()
    }
}

fn transport(e: reqwest::Error) -> Error {
    // reqwest's message embeds the URL, which may carry a token: drop it.
    Error::Transport(e.without_url().to_string())
}

impl GraphClient {
    pub fn new(endpoints: Endpoints, app_id: impl Into<String>, app_secret: impl Into<String>, timeout: Duration) -> Self {
        let http = reqwest::Client::builder().timeout(timeout).build().expect("an HTTP client with a timeout builds");
        GraphClient { http, endpoints, app_id: app_id.into(), app_secret: app_secret.into(), usage: Default::default() }
    }

    /// Usage and the last call, as Meta's answers reported them.
    pub fn usage(&self) -> &UsageBoard {
        &self.usage
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    fn graph(&self, path: &str) -> Url {
        self.endpoints.graph_url.join(path.trim_start_matches('/')).expect("a relative Graph API path")
    }

    /// Sends a request and reads its answer, noting the usage headers and counting the call
    /// under `METHOD path` (`path` relative to the API's base, ids and version hidden).
    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder, method: &str, path: &str) -> Result<T> {
        let started = Instant::now();
        let result = match request.send().await {
            Ok(response) => {
                self.usage.read_headers(response.headers());
                Self::read(response).await
            }
            Err(e) => Err(transport(e)),
        };
        self.usage.record_call(endpoint_key(method, path), started.elapsed(), &result);
        result
    }

    async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(transport)?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| Error::Decode(e.to_string()));
        }
        if let Ok(envelope) = serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            let e = envelope.error;
            return Err(Error::Api {
                status,
                code: e.code,
                subcode: e.error_subcode,
                message: e.message,
                transient: e.is_transient.unwrap_or(false),
                user_message: e.error_user_msg,
            });
        }
        if let Ok(oauth) = serde_json::from_slice::<OAuthError>(&bytes) {
            return Err(Error::OAuth(oauth.error_message));
        }
        Err(Error::Decode(format!("HTTP {status} without a Graph API error body")))
    }

    /// Code → short-lived token. Accepts the flat and the wrapped answer.
    pub async fn exchange_code(&self, code: &str, redirect_uri: &str) -> Result<ShortLivedToken> {
        let code = code.trim_end_matches("#_");
        let request = self.http.post(self.endpoints.token_url.clone()).form(&[
            ("client_id", self.app_id.as_str()),
            ("client_secret", self.app_secret.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ]);
        let answer: ShortLivedTokenResponse = self.send(request, "POST", "oauth/access_token").await?;
        answer.into_token().ok_or_else(|| Error::Decode("the token answer held no token".into()))
    }

    /// Short-lived → long-lived (60 days).
    pub async fn exchange_long_lived(&self, short_token: &str) -> Result<LongLivedToken> {
        let request = self.http.get(self.graph("access_token")).query(&[
            ("grant_type", "ig_exchange_token"),
            ("client_secret", self.app_secret.as_str()),
            ("access_token", short_token),
        ]);
        self.send(request, "GET", "access_token").await
    }

    /// A long-lived token at least 24 h old → 60 new days.
    pub async fn refresh(&self, long_token: &str) -> Result<LongLivedToken> {
        let request = self.http.get(self.graph("refresh_access_token")).query(&[("grant_type", "ig_refresh_token"), ("access_token", long_token)]);
        self.send(request, "GET", "refresh_access_token").await
    }

    /// A GET on the Graph API with the token in the `Authorization` header.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, token: &str, query: &[(&str, String)]) -> Result<T> {
        let path = format!("{}/{}", self.endpoints.version, path.trim_start_matches('/'));
        let request = self.http.get(self.graph(&path)).bearer_auth(token).query(query);
        self.send(request, "GET", &path).await
    }

    /// `GET /{ig-user-id}/insights` for a day range (unix seconds, at most 30 days apart).
    pub async fn account_insights(
        &self,
        token: &str,
        ig_user_id: &str,
        metrics: &[&str],
        metric_type: &str,
        since: i64,
        until: i64,
    ) -> Result<Page<InsightMetric>> {
        let query = [
            ("metric", metrics.join(",")),
            ("period", "day".to_string()),
            ("metric_type", metric_type.to_string()),
            ("since", since.to_string()),
            ("until", until.to_string()),
        ];
        self.get(&format!("{ig_user_id}/insights"), token, &query).await
    }

    /// `GET /{ig-user-id}/media`, newest first.
    pub async fn recent_media(&self, token: &str, ig_user_id: &str, limit: u32) -> Result<Page<Media>> {
        let fields = "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,timestamp,like_count,comments_count";
        self.get(&format!("{ig_user_id}/media"), token, &[("fields", fields.to_string()), ("limit", limit.to_string())]).await
    }

    /// `GET /{ig-user-id}/media`, newest first, one page of `limit` (at most 100) after the
    /// cursor `after`: what the analytics read (when, what kind, what caption).
    pub async fn media_page(&self, token: &str, ig_user_id: &str, limit: u32, after: Option<&str>) -> Result<Page<Media>> {
        let mut query =
            vec![("fields", "id,caption,media_type,media_product_type,timestamp,like_count,comments_count".to_string()), ("limit", limit.min(100).to_string())];
        if let Some(after) = after {
            query.push(("after", after.to_string()));
        }
        self.get(&format!("{ig_user_id}/media"), token, &query).await
    }

    /// `GET /{ig-user-id}/insights?metric=online_followers&period=lifetime`: one value a day
    /// in [since, until) (the last 30 days only), each a map of the day's hours ("0" to "23",
    /// counted from the day's start, `end_time` less 24 h) to the followers online then.
    pub async fn online_followers(&self, token: &str, ig_user_id: &str, since: i64, until: i64) -> Result<Page<InsightMetric>> {
        let query =
            [("metric", "online_followers".to_string()), ("period", "lifetime".to_string()), ("since", since.to_string()), ("until", until.to_string())];
        self.get(&format!("{ig_user_id}/insights"), token, &query).await
    }

    /// `GET /{ig-user-id}/insights` for `follower_demographics` and
    /// `engaged_audience_demographics` by one `breakdown` (age, city, country or gender) over
    /// `timeframe` (this_week or this_month): Meta's top 45 of each, nothing under 100 followers.
    pub async fn demographics(&self, token: &str, ig_user_id: &str, breakdown: &str, timeframe: &str) -> Result<Page<InsightMetric>> {
        let query = [
            ("metric", "follower_demographics,engaged_audience_demographics".to_string()),
            ("period", "lifetime".to_string()),
            ("metric_type", "total_value".to_string()),
            ("breakdown", breakdown.to_string()),
            ("timeframe", timeframe.to_string()),
        ];
        self.get(&format!("{ig_user_id}/insights"), token, &query).await
    }

    /// `GET /{ig-media-id}`: what a post is (its caption, image or video cover, link).
    pub async fn media_summary(&self, token: &str, media_id: &str) -> Result<Media> {
        self.get(media_id, token, &[("fields", "id,caption,media_type,media_url,thumbnail_url,permalink".to_string())]).await
    }

    /// `GET /{ig-media-id}/insights`.
    pub async fn media_insights(&self, token: &str, media_id: &str, metrics: &[&str]) -> Result<Page<InsightMetric>> {
        self.get(&format!("{media_id}/insights"), token, &[("metric", metrics.join(","))]).await
    }

    async fn post_form<T: DeserializeOwned>(&self, path: &str, token: &str, form: &[(&str, String)]) -> Result<T> {
        let path = format!("{}/{}", self.endpoints.version, path.trim_start_matches('/'));
        let request = self.http.post(self.graph(&path)).bearer_auth(token).form(form);
        self.send(request, "POST", &path).await
    }

    /// `POST /{ig-user-id}/media`: a container. `params` are the contract's (image_url,
    /// video_url, media_type, caption, alt_text, is_carousel_item, children, …).
    pub async fn create_container(&self, token: &str, ig_user_id: &str, params: &[(&str, String)]) -> Result<String> {
        let answer: IdResponse = self.post_form(&format!("{ig_user_id}/media"), token, params).await?;
        Ok(answer.id.0)
    }

    /// `GET /{container-id}?fields=status_code,status`.
    pub async fn container_status(&self, token: &str, container_id: &str) -> Result<ContainerStatus> {
        self.get(container_id, token, &[("fields", "status_code,status".to_string())]).await
    }

    /// `POST /{ig-user-id}/media_publish`: the published media's id.
    pub async fn publish_container(&self, token: &str, ig_user_id: &str, container_id: &str) -> Result<String> {
        let answer: IdResponse = self.post_form(&format!("{ig_user_id}/media_publish"), token, &[("creation_id", container_id.to_string())]).await?;
        Ok(answer.id.0)
    }

    /// `POST /{ig-media-id}/comments`: a comment from the account on its own media; its id.
    pub async fn comment(&self, token: &str, media_id: &str, message: &str) -> Result<String> {
        let answer: IdResponse = self.post_form(&format!("{media_id}/comments"), token, &[("message", message.to_string())]).await?;
        Ok(answer.id.0)
    }

    /// `POST /{comment-id}/replies`: the account's reply to a comment on its media; its id.
    pub async fn reply(&self, token: &str, comment_id: &str, message: &str) -> Result<String> {
        let answer: IdResponse = self.post_form(&format!("{comment_id}/replies"), token, &[("message", message.to_string())]).await?;
        Ok(answer.id.0)
    }

    /// `POST /{ig-user-id}/messages`: a text answer to someone who wrote to the account (Meta
    /// allows it within 24 hours of their last message); the message id.
    pub async fn send_message(&self, token: &str, ig_user_id: &str, recipient: &str, text: &str) -> Result<String> {
        let form = [("recipient", serde_json::json!({ "id": recipient }).to_string()), ("message", serde_json::json!({ "text": text }).to_string())];
        let sent: SentMessage = self.post_form(&format!("{ig_user_id}/messages"), token, &form).await?;
        Ok(sent.message_id)
    }

    /// `GET /{igsid}?fields=name,username` (the User Profile API): the name of someone who sent
    /// the account a message. Messaging webhooks carry only their id.
    pub async fn messaging_user(&self, token: &str, igsid: &str) -> Result<MessagingUser> {
        self.get(igsid, token, &[("fields", "name,username".to_string())]).await
    }

    /// `POST /{comment-id}?hide=true|false`.
    pub async fn hide_comment(&self, token: &str, comment_id: &str, hide: bool) -> Result<()> {
        let _: Success = self.post_form(comment_id, token, &[("hide", hide.to_string())]).await?;
        Ok(())
    }

    /// `DELETE /{comment-id}`.
    pub async fn delete_comment(&self, token: &str, comment_id: &str) -> Result<()> {
        let path = format!("{}/{}", self.endpoints.version, comment_id);
        let request = self.http.delete(self.graph(&path)).bearer_auth(token);
        let _: Success = self.send(request, "DELETE", &path).await?;
        Ok(())
    }

    /// `POST /{ig-user-id}/subscribed_apps`: webhooks for these fields of the account.
    pub async fn subscribe_webhooks(&self, token: &str, ig_user_id: &str, fields: &[&str]) -> Result<()> {
        let _: Success = self.post_form(&format!("{ig_user_id}/subscribed_apps"), token, &[("subscribed_fields", fields.join(","))]).await?;
        Ok(())
    }

    /// `GET /{ig-user-id}/content_publishing_limit`: (posts in the last 24 h, the quota).
    pub async fn publishing_limit(&self, token: &str, ig_user_id: &str) -> Result<(u32, Option<u32>)> {
        let page: Page<PublishingLimit> =
            self.get(&format!("{ig_user_id}/content_publishing_limit"), token, &[("fields", "quota_usage,config".to_string())]).await?;
        let first = page.data.into_iter().next().ok_or_else(|| Error::Decode("no publishing limit".into()))?;
        Ok((first.quota_usage, first.config.map(|c| c.quota_total)))
    }

    /// `GET /pages/search`: places (Pages with a location) whose name matches `query`, at most `limit`.
    pub async fn search_places(&self, token: &str, query: &str, limit: u32) -> Result<Vec<crate::wire::Place>> {
        let page: Page<crate::wire::Place> =
            self.get("pages/search", token, &[("q", query.to_string()), ("fields", "id,name,location".to_string()), ("limit", limit.to_string())]).await?;
        Ok(page.data)
    }

    /// `GET /me` with the fields Crealia shows.
    pub async fn me(&self, token: &str) -> Result<Profile> {
        let path = format!("{}/me", self.endpoints.version);
        let request = self
            .http
            .get(self.graph(&path))
            .bearer_auth(token)
            .query(&[("fields", "user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count")]);
        self.send(request, "GET", &path).await
    }
}
