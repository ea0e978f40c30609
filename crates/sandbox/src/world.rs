//! The sandbox's world: professional accounts, their media and comments, 90 days of daily
//! insights, and the tokens, codes and containers the API hands out. All generated from a seed.

use std::collections::{BTreeMap, HashMap};

use crate::rng::Rng;

pub const DAY: i64 = 86_400;
/// Days of daily insights generated before the seed's "now".
pub const HISTORY_DAYS: i64 = 90;

#[derive(Clone, Debug)]
pub struct Account {
    /// The professional-account id (`1784…`): `user_id` of `/me`, `entry.id` of webhooks.
    pub ig_id: String,
    /// The app-scoped id (`id` of `/me`).
    pub app_scoped_id: String,
    pub username: String,
    pub name: String,
    pub biography: String,
    pub website: String,
    pub account_type: &'static str,
    pub followers: u64,
    pub follows: u64,
    pub profile_picture_url: String,
    /// Day number (unix seconds / DAY) → that day's figures.
    pub days: BTreeMap<i64, DayStats>,
    /// When followers are online (`online_followers`).
    pub online: OnlineProfile,
}

/// The share of an account's followers online in each hour of the week (UTC).
#[derive(Clone, Debug, Default)]
pub enum OnlineProfile {
    /// An evening peak around 19:00 UTC, a little higher at the weekend.
    #[default]
    Evening,
    /// A few fixed peaks (weekday 0 = Monday, hour in UTC) over a flat, low base: a known answer
    /// for the best-time-to-post tests.
    Peaks(Vec<(u32, u32)>),
}

impl OnlineProfile {
    /// Share of the followers online in `hour` (UTC) of `weekday` (0 = Monday).
    pub fn share(&self, weekday: u32, hour: u32) -> f64 {
        match self {
            OnlineProfile::Evening => {
                let evening = 0.02 + 0.06 * (((hour as f64 - 19.0) * std::f64::consts::PI / 12.0).cos()).max(0.0);
                if weekday >= 5 {
                    evening * 1.15
                } else {
                    evening
                }
            }
            OnlineProfile::Peaks(peaks) => {
                if peaks.contains(&(weekday, hour)) {
                    0.40
                } else {
                    0.03
                }
            }
        }
    }
}

/// The weekday (0 = Monday) and hour (UTC) of a unix time.
pub fn weekday_hour(ts: i64) -> (u32, u32) {
    let day = ts.div_euclid(DAY);
    (((day + 3).rem_euclid(7)) as u32, (ts.rem_euclid(DAY) / 3_600) as u32)
}

#[derive(Clone, Debug, Default)]
pub struct DayStats {
    pub reach: i64,
    pub views: i64,
    pub accounts_engaged: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub saves: i64,
    pub replies: i64,
    pub reposts: i64,
    pub follows: i64,
    pub unfollows: i64,
    pub profile_links_taps: i64,
    /// Followers at the end of the day.
    pub followers: i64,
}

impl DayStats {
    pub fn total_interactions(&self) -> i64 {
        self.likes + self.comments + self.shares + self.saves + self.replies + self.reposts
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Carousel,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "IMAGE",
            MediaKind::Video => "VIDEO",
            MediaKind::Carousel => "CAROUSEL_ALBUM",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductType {
    Feed,
    Reels,
    Story,
}

impl ProductType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductType::Feed => "FEED",
            ProductType::Reels => "REELS",
            ProductType::Story => "STORY",
        }
    }
}

/// What a container was given beyond its media and words (collaborators, people tagged, a
/// place, a reel's cover, frame, sound and trial), kept on the media it becomes.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Extras {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collaborators: Vec<String>,
    /// `{username, x, y}` as given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_tags: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_to_feed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb_offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_params: Option<crealia_graph::rules::TrialGraduation>,
}

#[derive(Clone, Debug)]
pub struct Media {
    pub id: String,
    pub owner: String,
    pub kind: MediaKind,
    pub product: ProductType,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub media_url: String,
    pub permalink: String,
    pub timestamp: i64,
    pub like_count: u64,
    pub comments_count: u64,
    pub reach: i64,
    pub views: i64,
    pub saved: i64,
    pub shares: i64,
    pub children: Vec<String>,
    /// True for carousel children: they are not listed in `/media` and have no insights.
    pub is_child: bool,
    pub extras: Extras,
}

impl Media {
    /// A media just made: no permalink, caption or figures yet.
    pub fn fresh(id: &str, owner: &str, kind: MediaKind, product: ProductType, media_url: String, timestamp: i64) -> Media {
        Media {
            id: id.to_string(),
            owner: owner.to_string(),
            kind,
            product,
            caption: None,
            alt_text: None,
            media_url,
            permalink: String::new(),
            timestamp,
            like_count: 0,
            comments_count: 0,
            reach: 0,
            views: 0,
            saved: 0,
            shares: 0,
            children: Vec::new(),
            is_child: false,
            extras: Extras::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub id: String,
    pub media_id: String,
    pub parent_id: Option<String>,
    pub from_id: String,
    pub username: String,
    pub text: String,
    pub timestamp: i64,
    pub like_count: u64,
    pub hidden: bool,
}

/// A direct message between an account and a person (their IGSID, `peer`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct DirectMessage {
    pub mid: String,
    /// The professional account's id.
    pub account: String,
    pub peer: String,
    /// Sent by the account (a reply), not by the person.
    pub from_account: bool,
    pub text: String,
    pub timestamp: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    ShortLived,
    LongLived,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub ig_id: String,
    pub kind: TokenKind,
    pub issued_at: i64,
    pub expires_at: i64,
    pub permissions: Vec<String>,
    /// Set by the admin API or a fault: the 190 subcode this token now answers.
    pub revoked: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct AuthCode {
    pub ig_id: String,
    pub redirect_uri: String,
    pub permissions: Vec<String>,
    pub issued_at: i64,
    pub used: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerState {
    /// Processing until the clock reaches this time.
    InProgress {
        ready_at: i64,
    },
    Finished,
    Error {
        subcode: i64,
    },
    /// 24 h after creation an unpublished container can no longer be used.
    Expired,
    Published {
        media_id: String,
    },
}

#[derive(Clone, Debug)]
pub struct Container {
    pub id: String,
    pub owner: String,
    pub kind: MediaKind,
    pub product: ProductType,
    pub is_carousel_item: bool,
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub media_url: String,
    pub children: Vec<String>,
    pub created_at: i64,
    pub state: ContainerState,
    pub extras: Extras,
}

/// Everything the sandbox knows. Guarded by one mutex in [`crate::Sandbox`].
pub struct World {
    pub rng: Rng,
    pub accounts: Vec<Account>,
    pub media: HashMap<String, Media>,
    /// Per account, newest first.
    pub media_order: HashMap<String, Vec<String>>,
    pub comments: HashMap<String, Comment>,
    /// Per media, oldest first (top-level comments and replies).
    pub comment_order: HashMap<String, Vec<String>>,
    pub tokens: HashMap<String, Token>,
    pub codes: HashMap<String, AuthCode>,
    pub containers: HashMap<String, Container>,
    /// Per account, the times of API-published posts (for `content_publishing_limit`).
    pub published_at: HashMap<String, Vec<i64>>,
    /// Per account, the webhook fields the app subscribed it to (`subscribed_apps`): Meta
    /// sends an account's events only for these.
    pub webhook_fields: HashMap<String, std::collections::BTreeSet<String>>,
    /// Every direct message, oldest first.
    pub messages: Vec<DirectMessage>,
    /// People who wrote to an account, by their scoped id (IGSID): what the User Profile API
    /// answers about them.
    pub people: HashMap<String, Person>,
    /// Seals the tokens OAuth issues (derived from the seed): see [`World::issue_token`].
    token_key: [u8; 32],
    next_id: u64,
}

/// Someone who commented on or wrote to a professional account.
#[derive(Clone, Debug)]
pub struct Person {
    /// The account their scoped id belongs to (an IGSID is per account).
    pub account: String,
    pub username: String,
}

impl World {
    pub fn account(&self, ig_id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.ig_id == ig_id)
    }

    pub fn account_mut(&mut self, ig_id: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.ig_id == ig_id)
    }

    pub fn account_by_username(&self, username: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.username == username)
    }

    /// A fresh 17-digit object id, unique in this world.
    /// The scoped id of `username` as seen by `account`: the same person always has the same
    /// one there (as Meta's IGSIDs), and is remembered for the User Profile API.
    pub fn person(&mut self, account: &str, username: &str) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in account.bytes().chain([0]).chain(username.bytes()) {
            hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        let id = format!("{}", 742_084_212_000_000u64 + hash % 1_000_000_000);
        self.people.insert(id.clone(), Person { account: account.to_string(), username: username.to_string() });
        id
    }

    pub fn new_id(&mut self) -> String {
        self.next_id += 1 + self.rng.range(0, 7);
        format!("{}", 17_900_000_000_000_000u64 + self.next_id)
    }

    /// Issues a token as OAuth does, and seals its record into it: a sandbox started again with
    /// the same seed (a server restart in sandbox mode) still accepts it until it expires, as
    /// Instagram would. What a restart forgets is only a revocation made through the admin API
    /// or a fault.
    pub fn issue_token(&mut self, record: Token) -> String {
        let mask: u64 = crealia_graph::SCOPES.iter().enumerate().filter(|(_, s)| record.permissions.iter().any(|p| p == *s)).fold(0, |m, (i, _)| m | 1 << i);
        let kind = match record.kind {
            TokenKind::ShortLived => 's',
            TokenKind::LongLived => 'l',
        };
        let nonce = self.rng.token(8);
        let payload = format!("{}.{kind}.{}.{}.{mask}.{nonce}", record.ig_id, record.issued_at, record.expires_at);
        let token = format!("IGAA{}{}", hex::encode(&payload), seal(&self.token_key, &payload));
        self.tokens.insert(token.clone(), record);
        token
    }

    /// The record of a token this seed's sandbox issued before it was started again (None for
    /// anything else, or a forged one).
    pub fn unseal(&self, token: &str) -> Option<Token> {
        let body = token.strip_prefix("IGAA")?;
        let (payload, tag) = body.split_at(body.len().checked_sub(SEAL_HEX)?);
        let payload = String::from_utf8(hex::decode(payload).ok()?).ok()?;
        hmac::Mac::verify_truncated_left(sealer(&self.token_key, &payload), &hex::decode(tag).ok()?).ok()?;
        let mut parts = payload.split('.');
        let ig_id = parts.next()?.to_string();
        let kind = match parts.next()? {
            "s" => TokenKind::ShortLived,
            "l" => TokenKind::LongLived,
            _ => return None,
        };
        let issued_at = parts.next()?.parse().ok()?;
        let expires_at = parts.next()?.parse().ok()?;
        let mask: u64 = parts.next()?.parse().ok()?;
        let permissions = crealia_graph::SCOPES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| s.to_string()).collect();
        self.account(&ig_id)?;
        Some(Token { ig_id, kind, issued_at, expires_at, permissions, revoked: None })
    }

    pub fn new_token(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.rng.token(150))
    }

    pub fn add_media(&mut self, media: Media) {
        if !media.is_child {
            self.media_order.entry(media.owner.clone()).or_default().insert(0, media.id.clone());
        }
        self.media.insert(media.id.clone(), media);
    }

    pub fn add_comment(&mut self, comment: Comment) {
        if let Some(media) = self.media.get_mut(&comment.media_id) {
            media.comments_count += 1;
        }
        self.comment_order.entry(comment.media_id.clone()).or_default().push(comment.id.clone());
        self.comments.insert(comment.id.clone(), comment);
    }

    /// A new, empty professional account (no history) with a long-lived token: load tests need
    /// many accounts, not their insights. Returns (ig id, token).
    pub fn add_plain_account(&mut self, username: &str, now: i64) -> (String, String) {
        let ig_id = format!("1784150{:010}", self.accounts.len() as u64 * 7_919 + self.rng.range(0, 999));
        let app_scoped_id = format!("{}", 27_650_000_000_000_000u64 + self.rng.range(0, 999_999_999_999));
        self.accounts.push(Account {
            ig_id: ig_id.clone(),
            app_scoped_id,
            username: username.to_string(),
            name: username.to_string(),
            biography: String::new(),
            website: String::new(),
            account_type: "BUSINESS",
            followers: 0,
            follows: 0,
            profile_picture_url: String::new(),
            days: BTreeMap::new(),
            online: OnlineProfile::default(),
        });
        let token = self.new_token("IGAA");
        self.tokens.insert(
            token.clone(),
            Token {
                ig_id: ig_id.clone(),
                kind: TokenKind::LongLived,
                issued_at: now,
                expires_at: now + 60 * DAY,
                permissions: crealia_graph::SCOPES.iter().map(|s| s.to_string()).collect(),
                revoked: None,
            },
        );
        (ig_id, token)
    }

    /// Generates the world of `seed` as it stands at `now` (unix seconds).
    pub fn seeded(seed: u64, now: i64) -> World {
        let mut world = World {
            rng: Rng::new(seed),
            accounts: Vec::new(),
            media: HashMap::new(),
            media_order: HashMap::new(),
            comments: HashMap::new(),
            comment_order: HashMap::new(),
            tokens: HashMap::new(),
            codes: HashMap::new(),
            containers: HashMap::new(),
            published_at: HashMap::new(),
            webhook_fields: HashMap::new(),
            messages: Vec::new(),
            people: HashMap::new(),
            token_key: token_key(seed),
            next_id: 0,
        };
        for (i, profile) in PROFILES.iter().enumerate() {
            let account = generate_account(&mut world, i as u64, profile, now);
            world.accounts.push(account);
        }
        for profile in PROFILES {
            generate_media(&mut world, profile, now);
        }
        // One long-lived token per account that anyone knowing the seed can compute, so that
        // `crealia seed` can connect a demo account to a sandbox running in another process.
        let demo: Vec<(String, String)> = world.accounts.iter().map(|a| (demo_token(seed, &a.username), a.ig_id.clone())).collect();
        for (token, ig_id) in demo {
            world.tokens.insert(
                token,
                Token {
                    ig_id,
                    kind: TokenKind::LongLived,
                    issued_at: now,
                    expires_at: now + 60 * DAY,
                    permissions: crealia_graph::SCOPES.iter().map(|s| s.to_string()).collect(),
                    revoked: None,
                },
            );
        }
        world
    }
}

/// Hex characters of a token's seal.
const SEAL_HEX: usize = 32;

fn token_key(seed: u64) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(format!("crealia-sandbox-tokens:{seed}")).into()
}

/// The HMAC of a token's payload; its first bytes are the seal (checked in constant time by
/// `verify_truncated_left`).
fn sealer(key: &[u8; 32], payload: &str) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    mac
}

fn seal(key: &[u8; 32], payload: &str) -> String {
    use hmac::Mac;
    hex::encode(&sealer(key, payload).finalize().into_bytes()[..SEAL_HEX / 2])
}

/// The demo token of an account in the world of `seed` (a sandbox-only convenience).
pub fn demo_token(seed: u64, username: &str) -> String {
    let mut rng = Rng::new(seed ^ username.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3)));
    format!("IGAADEMO{}", rng.token(120))
}

/// The seeded accounts: different sizes, one under 100 followers, one with a long history.
pub struct Profile {
    pub username: &'static str,
    pub name: &'static str,
    pub biography: &'static str,
    pub account_type: &'static str,
    pub followers: u64,
    pub follows: u64,
    /// Media generated, spread over `history_days`.
    pub media: usize,
    pub history_days: i64,
    pub reels_share: f64,
}

pub const PROFILES: &[Profile] = &[
    Profile {
        username: "lumen.studio",
        name: "Lumen Studio",
        biography: "Film photography and slow travel. Prints every Friday.",
        account_type: "BUSINESS",
        followers: 48_210,
        follows: 412,
        media: 420,
        history_days: 1_100,
        reels_share: 0.3,
    },
    Profile {
        username: "nordlys.cafe",
        name: "Nordlys Café",
        biography: "Coffee, cardamom buns and a view of the harbour.",
        account_type: "BUSINESS",
        followers: 3_154,
        follows: 280,
        media: 48,
        history_days: 120,
        reels_share: 0.15,
    },
    Profile {
        username: "mira.moves",
        name: "Mira Moves",
        biography: "Dance tutorials in 30 seconds. New reel every other day.",
        account_type: "MEDIA_CREATOR",
        followers: 212_840,
        follows: 96,
        media: 160,
        history_days: 320,
        reels_share: 0.85,
    },
    Profile {
        username: "tiny.sprout",
        name: "Tiny Sprout",
        biography: "A balcony garden, just getting started.",
        account_type: "MEDIA_CREATOR",
        followers: 64,
        follows: 150,
        media: 5,
        history_days: 40,
        reels_share: 0.0,
    },
];

fn generate_account(world: &mut World, index: u64, p: &Profile, now: i64) -> Account {
    let ig_id = format!("1784140{:010}", 5_000_000_000 + index * 1_234_567 + world.rng.range(0, 999));
    let app_scoped_id = format!("{}", 27_640_000_000_000_000u64 + world.rng.range(0, 999_999_999_999));
    let today = now.div_euclid(DAY);

    // Work backwards from today's follower count so the last day matches the profile.
    let mut days = BTreeMap::new();
    let mut followers = p.followers as f64;
    let growth = 0.0015 + world.rng.unit() * 0.002;
    for back in 0..HISTORY_DAYS {
        let day = today - back;
        let weekday = (day + 4).rem_euclid(7); // 0 = Monday for day 0 = Thursday 1970-01-01
        let weekly = match weekday {
            5 | 6 => 1.22,
            4 => 1.1,
            0 => 0.9,
            _ => 1.0,
        };
        let noise = 0.85 + world.rng.unit() * 0.3;
        let spike = if world.rng.unit() < 0.12 { 1.5 + world.rng.unit() } else { 1.0 };
        let reach = (followers * 0.11 * weekly * noise * spike).round().max(0.0) as i64 + world.rng.range(0, 3) as i64;
        let views = (reach as f64 * (2.1 + world.rng.unit())).round() as i64;
        let engaged = (reach as f64 * (0.06 + world.rng.unit() * 0.03)).round() as i64;
        let likes = (engaged as f64 * 2.4).round() as i64;
        let comments = (likes as f64 * 0.06).round() as i64;
        let shares = (likes as f64 * 0.05).round() as i64;
        let saves = (likes as f64 * 0.08).round() as i64;
        let follows = (followers * growth * weekly * spike * noise).round() as i64;
        let unfollows = (followers * 0.0009 * (0.5 + world.rng.unit())).round() as i64;
        let stats = DayStats {
            reach,
            views,
            accounts_engaged: engaged,
            likes,
            comments,
            shares,
            saves,
            replies: (comments as f64 * 0.3).round() as i64,
            reposts: (shares as f64 * 0.2).round() as i64,
            follows,
            unfollows,
            profile_links_taps: (reach as f64 * 0.004).round() as i64,
            followers: followers.round() as i64,
        };
        followers = (followers - (follows - unfollows) as f64).max(1.0);
        days.insert(day, stats);
    }

    Account {
        ig_id,
        app_scoped_id,
        username: p.username.into(),
        name: p.name.into(),
        biography: p.biography.into(),
        website: format!("https://{}.example", p.username.replace('.', "-")),
        account_type: p.account_type,
        followers: p.followers,
        follows: p.follows,
        profile_picture_url: format!("https://sandbox.crealia.invalid/avatars/{}.jpg", p.username),
        days,
        online: OnlineProfile::default(),
    }
}

const CAPTIONS: &[&str] = &[
    "Golden hour never gets old ✨ #photography #goldenhour",
    "New week, new plans. What are you working on?",
    "Behind the scenes of today's shoot 🎞️ #bts",
    "Swipe for the before and after →",
    "Saturday mornings like this ☕️ #slowliving",
    "Tutorial drop! Save it for later 💾",
    "Thank you for 1,000 comments on the last one 🙏",
    "Café au lait, äöå and a little bit of rain 🌧️",
];

const COMMENTERS: &[&str] = &["ks.hyeon", "ana.lens", "joaquin_rr", "li.wei", "sofie.k", "noah.builds", "amara.reads"];
const COMMENT_TEXTS: &[&str] =
    &["Love this! 😍", "Where was this taken?", "So good", "Can you share the settings?", "🔥🔥🔥", "Saving this one", "Wow, the colours"];

fn generate_media(world: &mut World, p: &Profile, now: i64) {
    let owner = world.account_by_username(p.username).expect("account generated").ig_id.clone();
    let step = (p.history_days * DAY) / p.media.max(1) as i64;
    for i in (0..p.media).rev() {
        let timestamp = now - (i as i64) * step - world.rng.range(3_600, 20_000) as i64;
        let id = world.new_id();
        let reel = world.rng.unit() < p.reels_share;
        let carousel = !reel && world.rng.unit() < 0.2;
        let kind = if reel {
            MediaKind::Video
        } else if carousel {
            MediaKind::Carousel
        } else {
            MediaKind::Image
        };
        let product = if reel { ProductType::Reels } else { ProductType::Feed };
        let reach = (p.followers as f64 * (0.2 + world.rng.unit() * 0.5) * if reel { 1.8 } else { 1.0 }).round() as i64 + 3;
        let like_count = (reach as f64 * (0.04 + world.rng.unit() * 0.05)).round() as u64;
        let mut children = Vec::new();
        if carousel {
            for _ in 0..world.rng.range(2, 5) {
                let child_id = world.new_id();
                let url = format!("https://sandbox.crealia.invalid/media/{child_id}.jpg");
                let child = Media::fresh(&child_id, &owner, MediaKind::Image, ProductType::Feed, url, timestamp);
                world.add_media(Media { is_child: true, ..child });
                children.push(child_id);
            }
        }
        let caption = world.rng.pick(CAPTIONS).to_string();
        let permalink = format!("https://www.instagram.com/p/{}/", world.rng.token(11));
        let views = (reach as f64 * (1.6 + world.rng.unit())).round() as i64;
        world.add_media(Media {
            id: id.clone(),
            owner: owner.clone(),
            kind,
            product,
            caption: Some(caption),
            alt_text: None,
            media_url: format!("https://sandbox.crealia.invalid/media/{id}.{}", if reel { "mp4" } else { "jpg" }),
            permalink,
            timestamp,
            like_count,
            comments_count: 0,
            reach,
            views,
            saved: (like_count as f64 * 0.1).round() as i64,
            shares: (like_count as f64 * 0.05).round() as i64,
            children,
            is_child: false,
            extras: Extras::default(),
        });
        // Recent media carry a few comments, some with replies.
        if i < 12 {
            for c in 0..world.rng.range(0, 4) {
                let comment_id = world.new_id();
                let username = world.rng.pick(COMMENTERS).to_string();
                let text = world.rng.pick(COMMENT_TEXTS).to_string();
                let from_id = format!("{}", 742_000_000_000_000u64 + world.rng.range(0, 999_999));
                let like_count = world.rng.range(0, 9);
                world.add_comment(Comment {
                    id: comment_id.clone(),
                    media_id: id.clone(),
                    parent_id: None,
                    from_id,
                    username,
                    text,
                    timestamp: timestamp + 600 * (c as i64 + 1),
                    like_count,
                    hidden: false,
                });
            }
        }
    }
}

/// An account whose answers are known in advance (admin `POST /accounts/known`): its followers
/// are online mostly in `best_hours`, and its posts reach twice as many at those hours, 1.6×
/// with one of `best_hashtags` and 0.4× with one of `weak_hashtags`; reels reach 1.3×.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct KnownAccount {
    pub username: String,
    /// (weekday 0 = Monday, hour UTC).
    pub best_hours: Vec<(u32, u32)>,
    #[serde(default)]
    pub best_hashtags: Vec<String>,
    #[serde(default)]
    pub weak_hashtags: Vec<String>,
    /// Posts over the last weeks (at most 500).
    #[serde(default = "KnownAccount::default_posts")]
    pub posts: usize,
}

impl KnownAccount {
    fn default_posts() -> usize {
        60
    }
}

/// Hashtags with no effect, sized so the tags cycle with an odd period (independent of the
/// alternation between best and other hours).
const NEUTRAL_HASHTAGS: &[&str] = &["#daily", "#photooftheday", "#today", "#weekend"];

impl World {
    /// Adds the account `spec` describes (5,000 followers, 90 days of history) with a long-lived
    /// token. Returns (ig id, token).
    pub fn add_known_account(&mut self, spec: &KnownAccount, now: i64) -> (String, String) {
        let (ig_id, token) = self.add_plain_account(&spec.username, now);
        let template = Profile {
            username: "known",
            name: "Known Audience",
            biography: "An account whose best hours and hashtags are known.",
            account_type: "MEDIA_CREATOR",
            followers: 5_000,
            follows: 120,
            media: 0,
            history_days: 90,
            reels_share: 0.0,
        };
        let generated = generate_account(self, 99, &template, now);
        let account = self.account_mut(&ig_id).expect("just added");
        account.followers = generated.followers;
        account.follows = generated.follows;
        account.name = spec.username.clone();
        account.days = generated.days;
        account.online = OnlineProfile::Peaks(spec.best_hours.clone());

        let mut tags: Vec<(&str, f64)> = spec.best_hashtags.iter().map(|t| (t.as_str(), 1.6)).collect();
        tags.extend(spec.weak_hashtags.iter().map(|t| (t.as_str(), 0.4)));
        let mut neutral = NEUTRAL_HASHTAGS.iter();
        while tags.len() < 3 || tags.len() % 2 == 0 || !tags.iter().any(|(_, lift)| *lift == 1.0) {
            let Some(tag) = neutral.next() else { break };
            tags.push((tag, 1.0));
        }
        let mut other_hours: Vec<(u32, u32)> =
            (0..7u32).flat_map(|d| [7u32, 10, 14, 22].map(|h| (d, h))).filter(|slot| !spec.best_hours.contains(slot)).collect();
        if other_hours.is_empty() {
            // Every ordinary slot named best: the others go out at 03:00.
            other_hours = (0..7u32).map(|d| (d, 3)).collect();
        }
        let (this_week, _) = weekday_hour(now);
        let week_start = now.div_euclid(DAY) * DAY - this_week as i64 * DAY;
        let mut kept: Vec<Media> = Vec::new();
        for k in 0..spec.posts.min(500) {
            // Every other post at a best hour, the rest at ordinary ones; one week back per
            // round, so each slot collects several posts.
            let (at_best, (weekday, hour), round) = if k % 2 == 0 && !spec.best_hours.is_empty() {
                let i = k / 2;
                (true, spec.best_hours[i % spec.best_hours.len()], i / spec.best_hours.len())
            } else {
                let i = k / 2;
                (false, other_hours[i % other_hours.len()], i / other_hours.len())
            };
            let mut timestamp = week_start + weekday as i64 * DAY + hour as i64 * 3_600 + 300 - round as i64 * 7 * DAY;
            while timestamp > now - 2 * DAY {
                timestamp -= 7 * DAY;
            }
            let (tag, tag_lift) = tags[k % tags.len()];
            let reel = k % 3 == 2;
            let noise = 0.95 + 0.1 * ((k * 7919) % 11) as f64 / 10.0;
            let reach = (1_500.0 * if at_best { 2.0 } else { 1.0 } * tag_lift * if reel { 1.3 } else { 1.0 } * noise).round() as i64;
            let id = self.new_id();
            let like_count = (reach as f64 * 0.06).round() as u64;
            let kind = if reel { MediaKind::Video } else { MediaKind::Image };
            let product = if reel { ProductType::Reels } else { ProductType::Feed };
            let mut media = Media::fresh(&id, &ig_id, kind, product, format!("https://sandbox.crealia.invalid/media/{id}.jpg"), timestamp);
            media.caption = Some(format!("Post {k} of the known account {tag}"));
            media.reach = reach;
            media.views = reach * 2;
            media.like_count = like_count;
            media.saved = (like_count as f64 * 0.1).round() as i64;
            media.shares = (like_count as f64 * 0.05).round() as i64;
            kept.push(media);
        }
        // Oldest first, so the account's list reads newest first.
        kept.sort_by_key(|m| m.timestamp);
        for media in kept {
            self.add_media(media);
        }
        (ig_id, token)
    }
}
