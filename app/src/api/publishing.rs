//! The composer, the creator's posts and the calendar, as server functions.

use crealia_model::publishing::{BulkCheck, BulkFile, Calendar, CalendarView, MediaAsset, Outlook, Place, PostKind, PostList, PostOptions, PostStatus};
use crealia_model::AccountOption;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::json::JsonAnswer;
use crate::error::AppError;

/// What the composer offers the signed-in creator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposerChoices {
    pub accounts: Vec<AccountOption>,
    /// The zone they last scheduled in; the browser's own is used when None.
    pub time_zone: Option<String>,
    pub time_zones: Vec<String>,
}

/// When the post goes out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum When {
    /// Not yet: kept as a draft.
    Draft,
    Now,
    /// A date ("2026-11-24") and time ("14:05") on the wall clock of an IANA time zone.
    At {
        date: String,
        time: String,
        time_zone: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compose {
    pub accounts: Vec<i64>,
    pub kind: PostKind,
    pub caption: String,
    pub alt_text: Option<String>,
    pub first_comment: Option<String>,
    /// The creator's uploads, by id.
    pub media_ids: Vec<i64>,
    pub when: When,
    /// Collaborators, people tagged, a place, a reel's cover, frame, sound and trial.
    #[serde(default)]
    pub options: PostOptions,
}

#[cfg(feature = "ssr")]
fn wall_clock(date: &str, time: &str, time_zone: &str) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    use crate::i18n::td_string;
    let locale = crate::locale::of_request();
    let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| AppError::Invalid(td_string!(locale, composer.choose_date).to_string()))?;
    let time = chrono::NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| AppError::Invalid(td_string!(locale, composer.choose_time).to_string()))?;
    Ok(crealia_core::time_zones::local_time(date, time, time_zone)?)
}

#[server(input = Json, output = JsonAnswer)]
pub async fn composer_options() -> Result<ComposerChoices, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let accounts = services
        .connections
        .list(user.id)
        .await?
        .into_iter()
        .filter(|c| c.state.is_usable())
        .map(|c| AccountOption { connection_id: c.id, username: c.username })
        .collect();
    Ok(ComposerChoices { accounts, time_zone: services.accounts.time_zone(user.id).await?, time_zones: crealia_core::time_zones::time_zones() })
}

/// Queues the post for each chosen account, now or at a wall-clock time (whose zone is
/// remembered for next time), or keeps it as a draft.
#[server(input = Json, output = JsonAnswer)]
pub async fn create_posts(post: Compose) -> Result<Vec<i64>, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let scheduled_at = match &post.when {
        When::Now | When::Draft => chrono::Utc::now(),
        When::At { date, time, time_zone } => {
            let at = wall_clock(date, time, time_zone)?;
            services.accounts.set_time_zone(user.id, time_zone).await?;
            at
        }
    };
    let new = crealia_core::publishing::NewPost {
        connection_id: post.accounts.first().copied().unwrap_or_default(),
        kind: post.kind,
        caption: post.caption,
        alt_text: post.alt_text.filter(|a| !a.trim().is_empty()),
        first_comment: post.first_comment.filter(|c| !c.trim().is_empty()),
        media_ids: post.media_ids,
        scheduled_at,
        options: post.options,
    };
    let posts = match post.when {
        When::Draft => services.publishing.save_drafts(user.id, &post.accounts, new).await?,
        _ => services.publishing.schedule_for(user.id, &post.accounts, new).await?,
    };
    Ok(posts.into_iter().map(|p| p.id).collect())
}

/// Places (Pages with a location) whose name matches `query`, searched with one of the
/// creator's accounts: what a post's place is chosen from.
#[server(input = Json, output = JsonAnswer)]
pub async fn search_places(account: i64, query: String) -> Result<Vec<Place>, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    Ok(services.publishing.search_places(user.id, account, &query).await?)
}

/// A CSV of posts and the files it names (uploaded first), for the chosen accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUpload {
    pub accounts: Vec<i64>,
    pub csv: String,
    pub files: Vec<BulkFile>,
}

/// Reads and checks a bulk CSV: the posts it would queue, and each refused line with why.
/// Nothing is kept.
#[server(input = Json, output = JsonAnswer)]
pub async fn check_bulk(bulk: BulkUpload) -> Result<BulkCheck, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    Ok(services.publishing.check_bulk(user.id, &bulk.accounts, &bulk.csv, &bulk.files, &time_zone).await?)
}

/// Queues every post of a bulk CSV, all or none; answers how many.
#[server(input = Json, output = JsonAnswer)]
pub async fn schedule_bulk(bulk: BulkUpload) -> Result<usize, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    Ok(services.publishing.schedule_bulk(user.id, &bulk.accounts, &bulk.csv, &bulk.files, &time_zone).await?)
}

/// Where the creator's posts just sent stand (the composer's message follows them).
#[server(input = Json, output = JsonAnswer)]
pub async fn post_states(ids: Vec<i64>) -> Result<Vec<PostStatus>, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let mut states = Vec::new();
    // One per account chosen in the composer: a handful, never a client's long list.
    for id in ids.into_iter().take(MAX_SENT) {
        states.push(services.publishing.get(user.id, id).await?.status);
    }
    Ok(states)
}

/// The most posts one composer sends at once (one per account).
pub const MAX_SENT: usize = 20;

/// The control room's posts: the next ones, those waiting for Instagram, the failed ones.
#[server(input = Json, output = JsonAnswer)]
pub async fn load_outlook() -> Result<Outlook, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    let posts = services.publishing.outlook_items(user.id, &time_zone).await?;
    Ok(Outlook { time_zone, posts })
}

#[server(input = Json, output = JsonAnswer)]
pub async fn list_posts() -> Result<PostList, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    let posts = services.publishing.list(user.id).await?.into_iter().map(|p| crealia_core::publishing::item(p, &time_zone)).collect();
    Ok(PostList { time_zone, posts })
}

#[server(input = Json, output = JsonAnswer)]
pub async fn cancel_post(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    super::services()?.publishing.cancel(user.id, id).await?;
    Ok(())
}

/// Undoes the creator's cancel of a post, within a few seconds of it.
#[server(input = Json, output = JsonAnswer)]
pub async fn restore_post(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    super::services()?.publishing.restore(user.id, id).await?;
    Ok(())
}

#[server(input = Json, output = JsonAnswer)]
pub async fn retry_post(id: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    super::services()?.publishing.retry(user.id, id).await?;
    Ok(())
}

/// Changes the caption and the time of a post that has not gone out (in the creator's zone).
#[server(input = Json, output = JsonAnswer)]
pub async fn edit_post(id: i64, caption: String, date: String, time: String) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    let edit = crealia_core::publishing::PostEdit { caption: Some(caption), scheduled_at: Some(wall_clock(&date, &time, &time_zone)?), ..Default::default() };
    services.publishing.edit(user.id, id, edit).await?;
    Ok(())
}

/// Moves a post that has not gone out to another date and time on the creator's wall clock
/// (the calendar's drag and drop, and its keys).
#[server(input = Json, output = JsonAnswer)]
pub async fn move_post(id: i64, date: String, time: String) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    let edit = crealia_core::publishing::PostEdit { scheduled_at: Some(wall_clock(&date, &time, &time_zone)?), ..Default::default() };
    services.publishing.edit(user.id, id, edit).await?;
    Ok(())
}

/// An account's grid as it will look: its posts to come (the last to go out first, with their
/// times on the creator's wall clock), then what it has published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPlan {
    pub account: i64,
    pub username: String,
    pub scheduled: Vec<crealia_model::publishing::PostItem>,
    pub published: Vec<crealia_model::Post>,
}

#[server(input = Json, output = JsonAnswer)]
pub async fn load_feed(account: Option<i64>) -> Result<FeedPlan, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    let connections = services.connections.list(user.id).await?;
    let connection = connections.iter().find(|c| account.is_none_or(|id| id == c.id)).ok_or(crealia_core::Error::NotFound)?;
    let scheduled = services.publishing.feed_plan(user.id, connection.id).await?.into_iter().map(|p| crealia_core::publishing::item(p, &time_zone)).collect();
    // What Instagram shows already (kept figures; none when Instagram cannot be asked now).
    let published = match services.insights.dashboard(user.id, Some(connection.id), 7, chrono::Utc::now()).await {
        Ok(d) => d.insights.posts.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "the feed preview shows the posts to come only");
            Vec::new()
        }
    };
    Ok(FeedPlan { account: connection.id, username: connection.username.clone(), scheduled, published })
}

/// Swaps the times of two posts to come (the feed preview's reorder).
#[server(input = Json, output = JsonAnswer)]
pub async fn swap_posts(a: i64, b: i64) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    super::services()?.publishing.swap_times(user.id, a, b).await?;
    Ok(())
}

/// Keeps a draft's new caption, without giving it a time.
#[server(input = Json, output = JsonAnswer)]
pub async fn save_draft(id: i64, caption: String) -> Result<(), AppError> {
    let user = super::auth::require_user()?;
    let edit = crealia_core::publishing::PostEdit { caption: Some(caption), ..Default::default() };
    super::services()?.publishing.edit(user.id, id, edit).await?;
    Ok(())
}

/// A new draft from one of the creator's posts.
#[server(input = Json, output = JsonAnswer)]
pub async fn duplicate_post(id: i64) -> Result<i64, AppError> {
    let user = super::auth::require_user()?;
    Ok(super::services()?.publishing.duplicate(user.id, id).await?.id)
}

/// Pads or crops one of the creator's images to `frame` ("4:5", "1:1", "1.91:1").
#[server(input = Json, output = JsonAnswer)]
pub async fn reframe_media(id: i64, frame: String, crop: bool) -> Result<MediaAsset, AppError> {
    use crealia_core::media::Reframe;
    let user = super::auth::require_user()?;
    let how = if crop { Reframe::Crop } else { Reframe::Pad };
    Ok(super::services()?.media.reframe(user.id, id, &frame, how).await?)
}

/// The week or month around `date` ("YYYY-MM-DD"; today when absent).
#[server(input = Json, output = JsonAnswer)]
pub async fn load_calendar(view: CalendarView, date: Option<String>) -> Result<Calendar, AppError> {
    let user = super::auth::require_user()?;
    let services = super::services()?;
    let time_zone = super::time_zone_of(&services, user.id).await?;
    let date = date.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    Ok(services.publishing.calendar(user.id, view, date, &time_zone, chrono::Utc::now()).await?)
}
