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

#[cfg(test)]
mod tests {
    #[test]
    fn caption_counts_tags_the_way_instagram_does() {
        assert_eq!(super::caption_counts("Hello #sun and #sea with @ana, # alone"), (38, 2, 1));
    }
}
