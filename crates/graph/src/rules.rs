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
}
