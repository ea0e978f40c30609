use serde::{Deserialize, Deserializer, Serialize};

/// An id Meta sends as a JSON string or as a number, possibly above 2^53 (`user_id` of the
/// token exchange). Kept as its decimal text, never through a float.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Unsigned(u64),
            Signed(i64),
        }
        Ok(Id(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Unsigned(n) => n.to_string(),
            Raw::Signed(n) => n.to_string(),
        }))
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Granted permissions: a comma-separated string (documented) or an array (observed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Permissions(pub Vec<String>);

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            List(Vec<String>),
        }
        Ok(Permissions(match Raw::deserialize(d)? {
            Raw::Text(s) => s.split([',', ' ']).filter(|p| !p.is_empty()).map(str::to_string).collect(),
            Raw::List(v) => v,
        }))
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// `{"error": {...}}`, the envelope of every Graph API error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: GraphError,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphError {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub code: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_subcode: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub is_transient: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_user_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_user_msg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fbtrace_id: Option<String>,
}

/// The token endpoint's own error shape:
/// `{"error_type":"OAuthException","code":400,"error_message":"..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OAuthError {
    pub error_type: String,
    pub code: i64,
    pub error_message: String,
}

// ---------------------------------------------------------------------------------------------
// Tokens and identity

/// One short-lived token as `POST /oauth/access_token` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShortLivedToken {
    pub access_token: String,
    pub user_id: Id,
    #[serde(default = "no_permissions")]
    pub permissions: Permissions,
}

fn no_permissions() -> Permissions {
    Permissions(Vec::new())
}

/// The code exchange answers either flat (observed) or wrapped in `data` (documented).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShortLivedTokenResponse {
    Wrapped { data: Vec<ShortLivedToken> },
    Flat(ShortLivedToken),
}

impl ShortLivedTokenResponse {
    pub fn into_token(self) -> Option<ShortLivedToken> {
        match self {
            ShortLivedTokenResponse::Flat(t) => Some(t),
            ShortLivedTokenResponse::Wrapped { data } => data.into_iter().next(),
        }
    }
}

/// `ig_exchange_token` and `ig_refresh_token` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LongLivedToken {
    pub access_token: String,
    pub token_type: String,
    /// Seconds.
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permissions: Option<Permissions>,
}

/// `GET /me` (and `GET /{ig-user-id}`) with the fields asked for; absent fields are `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub account_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub biography: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub profile_picture_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub followers_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub follows_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_count: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Publishing

/// `{"id": "..."}`: a new container, a published media, a new comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdResponse {
    pub id: Id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContainerStatusCode {
    Expired,
    Error,
    Finished,
    InProgress,
    Published,
}

/// `GET /{container-id}?fields=status_code,status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContainerStatus {
    pub status_code: ContainerStatusCode,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
    pub id: Id,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuotaConfig {
    pub quota_total: u32,
    pub quota_duration: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishingLimit {
    pub quota_usage: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<QuotaConfig>,
}

// ---------------------------------------------------------------------------------------------
// Lists and paging

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursors {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paging {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cursors: Option<Cursors>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next: Option<String>,
}

/// A place from the Pages search (`GET /pages/search?q=…&fields=id,name,location`): a Page
/// with a location, whose id is a post's `location_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: Id,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<PlaceLocation>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaceLocation {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub longitude: Option<f64>,
}

/// `{"data": [...], "paging": {...}}`. Stop paging when `next` is missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub paging: Option<Paging>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub id: Id,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_product_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub permalink: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub like_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comments_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub alt_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommentAuthor {
    pub id: Id,
    pub username: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: Id,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub from: Option<CommentAuthor>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub like_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hidden: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent_id: Option<Id>,
}

/// The User Profile API's answer, `GET /{igsid}?fields=name,username`: who wrote to the account
/// (only for people who have messaged it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessagingUser {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

/// The answer of `POST /{ig-user-id}/messages`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    #[serde(default)]
    pub recipient_id: Option<Id>,
    pub message_id: String,
}

/// `{"success": true}` of hide, delete and subscribe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Success {
    pub success: bool,
}

// ---------------------------------------------------------------------------------------------
// Insights

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightValue {
    pub value: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end_time: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakdownResult {
    pub dimension_values: Vec<String>,
    pub value: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub dimension_keys: Vec<String>,
    pub results: Vec<BreakdownResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotalValue {
    pub value: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub breakdowns: Option<Vec<Breakdown>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightMetric {
    pub name: String,
    pub period: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub values: Option<Vec<InsightValue>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total_value: Option<TotalValue>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    pub id: String,
}

// ---------------------------------------------------------------------------------------------
// Rate-limit headers

/// `X-App-Usage` (percentages of the app's platform budget).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppUsage {
    pub call_count: u32,
    pub total_time: u32,
    pub total_cputime: u32,
}

/// One entry of `X-Business-Use-Case-Usage`, keyed by the Instagram account id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessUseCaseUsage {
    #[serde(rename = "type")]
    pub kind: String,
    pub call_count: u32,
    pub total_cputime: u32,
    pub total_time: u32,
    /// Minutes.
    pub estimated_time_to_regain_access: u32,
}

impl AppUsage {
    /// The most used of the three budgets, in percent.
    pub fn highest(&self) -> u32 {
        self.call_count.max(self.total_time).max(self.total_cputime)
    }
}

impl BusinessUseCaseUsage {
    /// The most used of the three budgets, in percent.
    pub fn highest(&self) -> u32 {
        self.call_count.max(self.total_time).max(self.total_cputime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_token_accepts_the_flat_shape_with_a_numeric_id_above_2_pow_53() {
        let body = r#"{"access_token":"IGAA2e0","user_id":27640875392278831,"permissions":["instagram_business_basic"]}"#;
        let token = serde_json::from_str::<ShortLivedTokenResponse>(body).unwrap().into_token().unwrap();
        assert_eq!(token.user_id.0, "27640875392278831");
        assert_eq!(token.permissions.0, vec!["instagram_business_basic"]);
    }

    #[test]
    fn short_token_accepts_the_documented_wrapped_shape() {
        let body = r#"{"data":[{"access_token":"EAAC","user_id":"1020","permissions":"instagram_business_basic,instagram_business_content_publish"}]}"#;
        let token = serde_json::from_str::<ShortLivedTokenResponse>(body).unwrap().into_token().unwrap();
        assert_eq!(token.user_id.0, "1020");
        assert_eq!(token.permissions.0.len(), 2);
    }

    #[test]
    fn error_envelope_round_trips_with_the_type_field() {
        let body = r#"{"error":{"message":"The image size is too large.","type":"OAuthException","code":36000,"error_subcode":2207004,"is_transient":false,"fbtrace_id":"A6"}}"#;
        let e: ErrorEnvelope = serde_json::from_str(body).unwrap();
        assert_eq!((e.error.code, e.error.error_subcode), (36000, Some(2207004)));
        assert_eq!(serde_json::to_value(&e).unwrap()["error"]["type"], "OAuthException");
    }
}
