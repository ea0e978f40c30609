//! Meta's publishing rules from the contract, shared by Crealia's own checks (before anything
//! reaches the API) and the sandbox (which enforces them like Meta).

pub const MAX_CAPTION_CHARS: usize = 2_200;
pub const MAX_HASHTAGS: usize = 30;
pub const MAX_MENTIONS: usize = 20;
pub const MAX_ALT_TEXT_CHARS: usize = 1_000;
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
pub const CAROUSEL_ITEMS: std::ops::RangeInclusive<usize> = 2..=10;

/// A feed image's shape, width / height, as Meta allows it: 4:5 (0.8) to 1.91:1.
pub fn ratio_allowed(width: u32, height: u32) -> bool {
    if width == 0 || height == 0 {
        return false;
    }
    let ratio = width as f64 / height as f64;
    (0.8 - 1e-3..=1.91 + 1e-3).contains(&ratio)
}

/// Characters, hashtags and @mentions of a caption, counted as Instagram counts them.
pub fn caption_counts(caption: &str) -> (usize, usize, usize) {
    let tags = |sigil: char| {
        caption.split(char::is_whitespace).filter(|w| w.starts_with(sigil) && w.chars().nth(1).is_some_and(|c| c.is_alphanumeric() || c == '_')).count()
    };
    (caption.chars().count(), tags('#'), tags('@'))
}

/// What Instagram would refuse in a caption or a first comment: too many characters, hashtags
/// or mentions, with the count found. The server checks with it, and the composer as the
/// creator types (this crate compiles to WASM), where the app says it in the creator's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextProblem {
    Characters(usize),
    Hashtags(usize),
    Mentions(usize),
}

impl TextProblem {
    /// The first limit `text` is over, if any.
    pub fn of(text: &str) -> Option<TextProblem> {
        let (chars, hashtags, mentions) = caption_counts(text);
        if chars > MAX_CAPTION_CHARS {
            Some(TextProblem::Characters(chars))
        } else if hashtags > MAX_HASHTAGS {
            Some(TextProblem::Hashtags(hashtags))
        } else if mentions > MAX_MENTIONS {
            Some(TextProblem::Mentions(mentions))
        } else {
            None
        }
    }

    /// What the limit is.
    pub fn allowed(self) -> usize {
        match self {
            TextProblem::Characters(_) => MAX_CAPTION_CHARS,
            TextProblem::Hashtags(_) => MAX_HASHTAGS,
            TextProblem::Mentions(_) => MAX_MENTIONS,
        }
    }
}

/// The most collaborators a post can invite.
pub const MAX_COLLABORATORS: usize = 3;
/// The most people tagged on one image or video.
pub const MAX_USER_TAGS: usize = 20;
/// The longest name a reel's audio can be given (Crealia's bound: Meta names none).
pub const MAX_AUDIO_NAME_CHARS: usize = 100;

/// What a container is, as Meta decides which parameters it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Image,
    Carousel,
    CarouselItem { video: bool },
    Reel,
    Story { video: bool },
}

/// The parameters of a container beyond its media and its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Param {
    Collaborators,
    UserTags,
    LocationId,
    ShareToFeed,
    CoverUrl,
    ThumbOffset,
    AudioName,
    TrialParams,
}

impl Param {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Param::Collaborators => "collaborators",
            Param::UserTags => "user_tags",
            Param::LocationId => "location_id",
            Param::ShareToFeed => "share_to_feed",
            Param::CoverUrl => "cover_url",
            Param::ThumbOffset => "thumb_offset",
            Param::AudioName => "audio_name",
            Param::TrialParams => "trial_params",
        }
    }

    /// Whether Meta takes it on this kind of container: collaborators on feed posts and reels;
    /// people tagged on images (alone, in a carousel or a story) and reels; a place on feed posts
    /// and reels, never on a carousel's items; the rest on reels only.
    pub fn allowed_on(self, target: Target) -> bool {
        use Target::*;
        match self {
            Param::Collaborators | Param::LocationId => matches!(target, Image | Carousel | Reel),
            Param::UserTags => matches!(target, Image | CarouselItem { video: false } | Reel | Story { video: false }),
            Param::ShareToFeed | Param::CoverUrl | Param::ThumbOffset | Param::AudioName | Param::TrialParams => target == Reel,
        }
    }
}

/// How a trial reel (shown first to people who do not follow the account) graduates to the
/// account's followers: by the creator's hand, or once it performs well.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TrialGraduation {
    Manual,
    SsPerformance,
}

impl TrialGraduation {
    /// `trial_params` as Meta reads it.
    pub fn wire(self) -> String {
        serde_json::json!({ "graduation_strategy": self }).to_string()
    }

    /// `trial_params` read back (the sandbox's side).
    pub fn from_wire(raw: &str) -> Option<TrialGraduation> {
        #[derive(serde::Deserialize)]
        struct Trial {
            graduation_strategy: TrialGraduation,
        }
        serde_json::from_str::<Trial>(raw).ok().map(|t| t.graduation_strategy)
    }
}

/// What Meta would refuse in a container's other parameters.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ParamProblem {
    /// The parameter does not go on this kind of post.
    NotForKind {
        param: Param,
    },
    TooManyCollaborators {
        found: usize,
    },
    /// Not an Instagram username (1–30 letters, digits, periods and underscores).
    Username {
        name: String,
    },
    TooManyTags {
        found: usize,
    },
    /// A tag's place is outside the picture (x and y run from 0 to 1).
    TagOutside,
    /// The cover frame is past the end of the video.
    ThumbOffset {
        offset_ms: u64,
        length_ms: u64,
    },
    AudioName {
        found: usize,
    },
    /// A place is a Facebook Page's numeric id.
    LocationId,
}

/// An Instagram username: 1 to 30 letters, digits, periods and underscores, a period neither
/// first, last nor doubled. An `@` in front is allowed.
pub fn username_ok(name: &str) -> bool {
    let name = name.strip_prefix('@').unwrap_or(name);
    (1..=30).contains(&name.chars().count())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
}

pub fn collaborators_problem(names: &[String]) -> Option<ParamProblem> {
    if names.len() > MAX_COLLABORATORS {
        return Some(ParamProblem::TooManyCollaborators { found: names.len() });
    }
    names.iter().find(|n| !username_ok(n)).map(|n| ParamProblem::Username { name: n.clone() })
}

/// People tagged on one image or video: a username each, at `x`, `y` (0 to 1, from the top left).
pub fn user_tags_problem<'a>(tags: impl ExactSizeIterator<Item = (&'a str, f64, f64)>) -> Option<ParamProblem> {
    if tags.len() > MAX_USER_TAGS {
        return Some(ParamProblem::TooManyTags { found: tags.len() });
    }
    for (name, x, y) in tags {
        if !username_ok(name) {
            return Some(ParamProblem::Username { name: name.to_string() });
        }
        if !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y) {
            return Some(ParamProblem::TagOutside);
        }
    }
    None
}

/// A cover frame at `offset_ms` of a video `length_ms` long.
pub fn thumb_offset_problem(offset_ms: u64, length_ms: u64) -> Option<ParamProblem> {
    (offset_ms > length_ms).then_some(ParamProblem::ThumbOffset { offset_ms, length_ms })
}

pub fn audio_name_problem(name: &str) -> Option<ParamProblem> {
    let n = name.chars().count();
    (n > MAX_AUDIO_NAME_CHARS).then_some(ParamProblem::AudioName { found: n })
}

pub fn location_id_ok(id: &str) -> bool {
    (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_text_is_held_to_the_first_limit_it_is_over() {
        use super::TextProblem;
        let tags: String = (0..31).map(|i| format!("#t{i} ")).collect();
        assert_eq!(TextProblem::of(&tags), Some(TextProblem::Hashtags(31)));
        assert_eq!(TextProblem::of(&"a".repeat(2_201)), Some(TextProblem::Characters(2_201)));
        assert_eq!(TextProblem::of("Fresh #fika @ana"), None);
    }

    #[test]
    fn caption_counts_tags_the_way_instagram_does() {
        assert_eq!(super::caption_counts("Hello #sun and #sea with @ana, # alone"), (38, 2, 1));
    }

    #[test]
    fn parameters_go_only_where_meta_takes_them() {
        use super::{Param, Target};
        assert!(Param::Collaborators.allowed_on(Target::Carousel));
        assert!(!Param::Collaborators.allowed_on(Target::Story { video: false }));
        assert!(Param::UserTags.allowed_on(Target::CarouselItem { video: false }));
        assert!(!Param::UserTags.allowed_on(Target::CarouselItem { video: true }));
        assert!(!Param::LocationId.allowed_on(Target::CarouselItem { video: false }));
        assert!(Param::ThumbOffset.allowed_on(Target::Reel));
        assert!(!Param::ShareToFeed.allowed_on(Target::Image));
    }

    #[test]
    fn usernames_tags_and_offsets_are_held_to_meta_s_limits() {
        use super::*;
        assert!(username_ok("@ana.b_2") && !username_ok("ana..b") && !username_ok(".ana") && !username_ok("ana b") && !username_ok(&"a".repeat(31)));
        let names: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        assert_eq!(collaborators_problem(&names), Some(ParamProblem::TooManyCollaborators { found: 4 }));
        assert_eq!(collaborators_problem(&names[..3]), None);
        assert_eq!(user_tags_problem([("ana", 0.5, 1.2)].into_iter()), Some(ParamProblem::TagOutside));
        assert_eq!(user_tags_problem([("ana", 0.5, 1.0)].into_iter()), None);
        assert_eq!(thumb_offset_problem(10_001, 10_000), Some(ParamProblem::ThumbOffset { offset_ms: 10_001, length_ms: 10_000 }));
        assert_eq!(TrialGraduation::from_wire(&TrialGraduation::SsPerformance.wire()), Some(TrialGraduation::SsPerformance));
        assert!(location_id_ok("110774245616525") && !location_id_ok("12a"));
    }
}
