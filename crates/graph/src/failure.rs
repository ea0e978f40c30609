//! What a failed Graph API call means for the creator, as data: the client classifies Meta's
//! codes once (`client::Error::failure`), Crealia stores the classification with a post, and
//! the app says it in the creator's language. `Display` is the English sentence.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// 2207004
    ImageTooLarge,
    /// 2207005
    JpegOnly,
    /// 2207009
    ImageShape,
    /// 2207010
    CaptionLimits,
    /// 2207052, 2207003
    MediaDownload,
    /// 2207026
    VideoFormat,
    /// 2207050
    AccountRestricted,
    /// 2207028
    CarouselItems,
    /// 2207042
    DailyLimit,
    /// Code 190.
    AccessRevoked,
    RateLimited,
    Temporary,
    Refused,
    /// The token endpoint refused.
    AccessRefused,
    Unreachable,
    Unexpected,
}

impl Failure {
    /// Meta's `{"error": …}` classified: the subcode first, then the code.
    pub fn of_api(code: i64, subcode: Option<i64>, rate_limited: bool, transient: bool) -> Failure {
        match subcode {
            Some(2207004) => Failure::ImageTooLarge,
            Some(2207005) => Failure::JpegOnly,
            Some(2207009) => Failure::ImageShape,
            Some(2207010) => Failure::CaptionLimits,
            Some(2207052) | Some(2207003) => Failure::MediaDownload,
            Some(2207026) => Failure::VideoFormat,
            Some(2207050) => Failure::AccountRestricted,
            Some(2207028) => Failure::CarouselItems,
            Some(2207042) => Failure::DailyLimit,
            _ if code == 190 => Failure::AccessRevoked,
            _ if rate_limited => Failure::RateLimited,
            _ if transient => Failure::Temporary,
            _ => Failure::Refused,
        }
    }

    /// The English sentence (the JSON API's and the logs').
    pub fn message(self) -> &'static str {
        match self {
            Failure::ImageTooLarge => "The image is larger than Instagram's 8 MB.",
            Failure::JpegOnly => "Instagram accepts JPEG images only for this post.",
            Failure::ImageShape => "The image's shape is outside what Instagram allows (4:5 to 1.91:1).",
            Failure::CaptionLimits => "The caption is too long, or has too many hashtags or mentions.",
            Failure::MediaDownload => "Instagram could not download the media from its address.",
            Failure::VideoFormat => "Instagram does not accept this video format (use MP4 or MOV).",
            Failure::AccountRestricted => "Instagram has restricted this account.",
            Failure::CarouselItems => "A carousel needs 2 to 10 items.",
            Failure::DailyLimit => "Instagram's daily publishing limit is reached.",
            Failure::AccessRevoked => "Instagram no longer accepts this account's access. Reconnect it, then retry.",
            Failure::RateLimited => "Instagram asked Crealia to slow down.",
            Failure::Temporary => "Instagram had a temporary problem.",
            Failure::Refused => "Instagram refused the request.",
            Failure::AccessRefused => "Instagram refused the account's access.",
            Failure::Unreachable => "Instagram could not be reached.",
            Failure::Unexpected => "Instagram answered something unexpected.",
        }
    }

    pub const ALL: [Failure; 16] = [
        Failure::ImageTooLarge,
        Failure::JpegOnly,
        Failure::ImageShape,
        Failure::CaptionLimits,
        Failure::MediaDownload,
        Failure::VideoFormat,
        Failure::AccountRestricted,
        Failure::CarouselItems,
        Failure::DailyLimit,
        Failure::AccessRevoked,
        Failure::RateLimited,
        Failure::Temporary,
        Failure::Refused,
        Failure::AccessRefused,
        Failure::Unreachable,
        Failure::Unexpected,
    ];
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subcode_decides_before_the_code() {
        assert_eq!(Failure::of_api(9004, Some(2207052), false, false), Failure::MediaDownload);
        assert_eq!(Failure::of_api(190, None, false, false), Failure::AccessRevoked);
        assert_eq!(Failure::of_api(4, None, true, true), Failure::RateLimited);
        assert_eq!(Failure::of_api(2, None, false, true), Failure::Temporary);
        assert_eq!(Failure::of_api(100, Some(33), false, false), Failure::Refused);
        assert_eq!(serde_json::to_string(&Failure::DailyLimit).unwrap(), "\"daily_limit\"");
    }
}
