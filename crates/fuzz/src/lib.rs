//! Fuzz targets for what strangers can send Crealia, and a small engine to run them.
//!
//! cargo-fuzz needs a nightly toolchain and these machines have only stable, so the engine is
//! our own: it starts from a corpus of real inputs, mutates them (bit flips, random bytes,
//! insertions, deletions, duplicated runs, splices of two inputs, tokens such as `{`, `\u0000`
//! or `\ud800`), mixes in random bytes, and keeps every input that leads to an outcome not seen
//! before (a cheap stand-in for coverage feedback). Any panic is a crash: the input is saved and
//! the run stops. `crealia-fuzz` runs a target for a given time (BENCHMARKS.md: 10 minutes
//! each); the tests run each for a few seconds.

use std::collections::HashSet;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One fuzz target: a function over bytes that must never panic. It returns a short name of
/// the outcome (which error, which kind of success), used to grow the corpus.
pub struct Target {
    pub name: &'static str,
    pub what: &'static str,
    pub max_len: usize,
    pub seeds: fn() -> Vec<Vec<u8>>,
    pub run: fn(&[u8]) -> String,
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "webhook_payload",
        what: "the webhook body parser the door and the processor share (crealia_graph::webhooks::parse)",
        max_len: 64 * 1024,
        seeds: seeds::webhooks,
        run: targets::webhook_payload,
    },
    Target {
        name: "webhook_signature",
        what: "the X-Hub-Signature-256 check over a body (crealia_core::webhooks::signature::verify)",
        max_len: 16 * 1024,
        seeds: seeds::signatures,
        run: targets::webhook_signature,
    },
    Target {
        name: "json_bodies",
        what: "the JSON API's request bodies as axum's Json extractor reads them, then the post rules",
        max_len: 16 * 1024,
        seeds: seeds::json_bodies,
        run: targets::json_bodies,
    },
    Target {
        name: "upload",
        what: "upload sniffing, video inspection and image decoding (crealia_core::media::examine)",
        max_len: 256 * 1024,
        seeds: seeds::uploads,
        run: targets::upload,
    },
];

/// What a run came to.
pub struct Report {
    pub target: &'static str,
    /// What repeats the run: `crealia-fuzz <target> <seconds> <seed>`.
    pub seed: u64,
    pub runs: u64,
    pub elapsed: Duration,
    pub corpus: usize,
    pub outcomes: usize,
    /// The saved input that panicked, and the panic's message.
    pub crash: Option<(PathBuf, String)>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.runs as f64 / self.elapsed.as_secs_f64().max(1e-9);
        write!(
            f,
            "{} (seed {}): {} runs in {:.0} s ({:.0}/s), corpus {}, distinct outcomes {}: ",
            self.target,
            self.seed,
            self.runs,
            self.elapsed.as_secs_f64(),
            rate,
            self.corpus,
            self.outcomes
        )?;
        match &self.crash {
            None => write!(f, "no crash"),
            Some((path, message)) => {
                write!(f, "CRASH ({message}), input saved to {}", path.display())
            }
        }
    }
}

/// xorshift64*: fast, and the same seed gives the same run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens worth inserting: JSON structure, escapes that trouble decoders, numbers at limits,
/// and the first bytes of the formats an upload is told by.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"true",
    b"-0",
    b"1e999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\\u0000",
    b"\\ud800",
    b"\\udc00",
    b"\\",
    b"\xff",
    b"\xc3\x28",
    b"\xf0\x9f\x98",
    b"\"entry\"",
    b"\"id\"",
    b"\"changes\"",
    b"\"messaging\"",
    b"\"field\"",
    b"\"value\"",
    b"\"comments\"",
    b"\"mentions\"",
    b"\"time\"",
    b"sha256=",
    b"\xFF\xD8\xFF",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF",
    b"WEBP",
    b"ftyp",
    b"moov",
    b"mvhd",
    b"trak",
    b"tkhd",
    b"mdhd",
    b"\xFF\xE1",
    b"Exif\0\0",
    b"\xFF\xC0\x00\x11\x08\xFF\xFF\xFF\xFF",
    b"IHDR",
    b"\x00\x00\x00\x00",
    b"\x7f\xff\xff\xff",
];

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8], max_len: usize) {
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = input.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                input.drain(at..at + n);
            }
            4 if len > 0 => {
                // A run repeated: deep nesting, long strings.
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(8));
                let run = input[at..at + n].to_vec();
                let times = 1 + rng.below(200);
                let repeated: Vec<u8> = run.iter().copied().cycle().take(n * times).collect();
                input.splice(at..at, repeated);
            }
            5 if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                input.truncate(cut);
                input.extend_from_slice(&other[from..]);
            }
            6 if len > 0 => input.truncate(rng.below(len)),
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
        }
    }
    input.truncate(max_len);
}

/// Runs `target` for `duration` from `seed`; stops at the first panic.
pub fn run(target: &Target, duration: Duration, seed: u64) -> Report {
    let mut rng = Rng(seed | 1);
    let mut corpus: Vec<Vec<u8>> = (target.seeds)();
    let mut outcomes: HashSet<String> = HashSet::new();
    let started = Instant::now();
    let mut runs = 0u64;
    // The panic message goes to the report, not to stderr for every caught panic. The hook is
    // the process's: one run at a time swaps it (tests run in parallel).
    static ONE_RUN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut crash = None;
    let mut index = 0;
    while started.elapsed() < duration {
        let input = if index < corpus.len() {
            // Every seed as it is, first.
            index += 1;
            corpus[index - 1].clone()
        } else if rng.below(10) == 0 {
            (0..rng.below(512)).map(|_| rng.next() as u8).collect()
        } else {
            let mut input = corpus[rng.below(corpus.len())].clone();
            let other = corpus[rng.below(corpus.len())].clone();
            mutate(&mut rng, &mut input, &other, target.max_len);
            input
        };
        runs += 1;
        match catch_unwind(AssertUnwindSafe(|| (target.run)(&input))) {
            Ok(outcome) => {
                if outcomes.insert(outcome) && corpus.len() < 4_096 {
                    corpus.push(input);
                }
            }
            Err(panic) => {
                let message =
                    panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "a panic".into());
                crash = Some((save_crash(target.name, &input), message));
                break;
            }
        }
    }
    std::panic::set_hook(previous_hook);
    Report { target: target.name, seed, runs, elapsed: started.elapsed(), corpus: corpus.len(), outcomes: outcomes.len(), crash }
}

fn save_crash(name: &str, input: &[u8]) -> PathBuf {
    use sha2::Digest;
    // Under the build's target folder, wherever it is (never inside the sources).
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{name}-{}.bin", hex::encode(&sha2::Sha256::digest(input)[..8])));
    let _ = std::fs::write(&path, input);
    path
}

/// A short, stable name for an error message: its words without numbers or quoted parts.
fn class(message: &str) -> String {
    message.split(['"', '`', '(']).next().unwrap_or_default().chars().filter(|c| !c.is_ascii_digit()).take(60).collect()
}

mod targets {
    use axum::response::IntoResponse;
    use crealia_graph::webhooks::{parse, MAX_ID_LEN};

    use super::class;

    pub fn webhook_payload(data: &[u8]) -> String {
        match parse(data) {
            Ok(events) => {
                for e in &events {
                    assert!(!e.account_id.is_empty(), "an event without an account");
                    assert!(e.account_id.len() <= MAX_ID_LEN, "an id the inbox cannot index");
                }
                assert_eq!(parse(data).map(|e| e.len()), Ok(events.len()), "the door and the processor read one body alike");
                let kinds: std::collections::BTreeSet<&str> = events.iter().map(|e| e.kind.as_str()).collect();
                format!("ok:{kinds:?}:{}", events.len().min(4))
            }
            Err(e) => format!("err:{}", class(&e.0)),
        }
    }

    pub fn webhook_signature(data: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        use sha2::Sha256;
        let secret = b"fuzz-app-secret";
        let split = data.first().map_or(0, |n| (*n as usize).min(data.len().saturating_sub(1)));
        let (header, body) = data.get(1..).unwrap_or_default().split_at(split);
        let header = String::from_utf8_lossy(header);
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(body);
        let right = mac.finalize().into_bytes();
        let verdict = crealia_core::webhooks::signature::verify(secret, Some(&header), body);
        if verdict.is_ok() {
            let presented = header.trim().strip_prefix("sha256=").and_then(|h| hex::decode(h).ok());
            assert_eq!(presented.as_deref(), Some(&right[..]), "a signature that is not the body's was accepted");
        }
        let good = format!("sha256={}", hex::encode(right));
        assert!(crealia_core::webhooks::signature::verify(secret, Some(&good), body).is_ok(), "the body's own signature was refused");
        format!("{verdict:?}")
    }

    /// Each JSON body type, as axum's extractor reads it: a refusal must be a 4xx, an accepted
    /// post goes through the post rules.
    pub fn json_bodies(data: &[u8]) -> String {
        let mut outcome = String::new();
        macro_rules! body {
            ($ty:ty) => {
                match axum::Json::<$ty>::from_bytes(data) {
                    Ok(json) => {
                        outcome.push('+');
                        Some(json.0)
                    }
                    Err(rejection) => {
                        let status = rejection.into_response().status();
                        assert!(status.is_client_error(), "a body refused with {status}");
                        outcome.push_str(status.as_str());
                        None
                    }
                }
            };
        }
        if let Some(request) = body!(crealia::routes::publishing::PostRequest) {
            for now in [true, false] {
                if let Ok((accounts, post)) = request.clone().into_post(now) {
                    assert!(!accounts.is_empty());
                    let urls: Vec<String> = post.media_ids.iter().take(20).map(|id| format!("https://crealia.example/media/{id}.jpg")).collect();
                    match crealia_core::publishing::validate(&post, &urls) {
                        Ok(()) => outcome.push_str("valid"),
                        Err(e) => outcome.push_str(&class(&e.to_string())),
                    }
                    // Any options on any files: an answer, never a panic.
                    let files: Vec<_> = urls
                        .iter()
                        .enumerate()
                        .map(|(i, _)| crealia_core::publishing::FileFacts { video: i % 2 == 1, duration_ms: Some(i as u64 * 997) })
                        .collect();
                    if post.options.problem(post.kind, &files).is_some() {
                        outcome.push_str("param");
                    }
                }
            }
        }
        body!(crealia_core::publishing::PostEdit);
        body!(crealia::routes::inbox::ReadRequest);
        body!(crealia::routes::inbox::ReplyRequest);
        body!(crealia::routes::inbox::HideRequest);
        body!(crealia::routes::media::ReframeRequest);
        outcome
    }

    pub fn upload(data: &[u8]) -> String {
        match crealia_core::media::examine(data) {
            Ok(crealia_core::media::Examined::Image { jpeg_bytes, width, height }) => {
                assert!(jpeg_bytes > 0 && width > 0 && height > 0, "an empty picture was accepted");
                assert!(u64::from(width) * u64::from(height) <= crealia_core::media::MAX_PIXELS, "a picture beyond the pixel limit was decoded");
                "image".into()
            }
            Ok(crealia_core::media::Examined::Video(info)) => format!("video:{:?}", info.container),
            Err(e) => format!("err:{}", class(&e.to_string())),
        }
    }
}

mod seeds {
    use std::io::Cursor;

    pub fn webhooks() -> Vec<Vec<u8>> {
        [
            &br#"{"object":"instagram","entry":[{"id":"17841400006862718","time":1785412106,"changes":[{"field":"comments","value":{"id":"18220742947333329","from":{"id":"742084212153673","username":"ks.___.hyeon"},"text":"hello","media":{"id":"18083495273654753","media_product_type":"FEED"}}}]}]}"#[..],
            br#"{"object":"instagram","entry":[{"id":17841400006862718,"time":1785412106,"field":"comments","value":{"comment_id":18220742947333329,"parent_id":"1799","from":{"id":"742084212153673"},"text":"hi","media_id":"1808"}}]}"#,
            br#"{"object":"instagram","entry":[{"id":"1","time":1520622968,"changes":[{"field":"mentions","value":{"comment_id":"179","media_id":"180"}},{"field":"story_insights","value":{"media_id":"1","reach":17}}]}]}"#,
            br#"{"object":"instagram","entry":[{"id":"1","time":1569262486134,"messaging":[{"sender":{"id":"9"},"recipient":{"id":"1"},"timestamp":1569262485349,"message":{"mid":"aWdf","text":"hi","attachments":[{"type":"image"}]}},{"sender":{"id":"9"},"reaction":{"mid":"aWdf","action":"react"}},{"sender":{"id":"1"},"message":{"mid":"x","is_echo":true,"is_deleted":true}}]}]}"#,
            br#"{"entry":[]}"#,
        ]
        .iter()
        .map(|b| b.to_vec())
        .collect()
    }

    pub fn signatures() -> Vec<Vec<u8>> {
        let header = b"sha256=3f8c1a0e5b9d7c2e4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";
        let mut seed = vec![header.len() as u8];
        seed.extend_from_slice(header);
        seed.extend_from_slice(br#"{"entry":[]}"#);
        vec![seed, vec![0], vec![7, b's', b'h', b'a', b'2', b'5', b'6', b'=']]
    }

    pub fn json_bodies() -> Vec<Vec<u8>> {
        [
            &br#"{"connection_id":1,"kind":"image","caption":"Fresh buns #fika @ana","media_ids":[1],"scheduled_at":"2026-12-01T09:00:00Z"}"#[..],
            br##"{"connection_ids":[1,2],"kind":"carousel","caption":"","alt_text":"a cat","first_comment":"#more","media_ids":[1,2,3]}"##,
            br#"{"kind":"story","media_ids":[4]}"#,
            br#"{"caption":"changed","scheduled_at":"2026-12-24T18:00:00+01:00","media_ids":[5]}"#,
            br#"{"ids":[1,2],"kind":"comment"}"#,
            br#"{"text":"thanks!"}"#,
            br#"{"hidden":true}"#,
            br#"{"frame":"4:5","how":"pad"}"#,
        ]
        .iter()
        .map(|b| b.to_vec())
        .collect()
    }

    fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 128]));
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    pub fn uploads() -> Vec<Vec<u8>> {
        vec![
            encoded(24, 30, image::ImageFormat::Jpeg),
            encoded(16, 16, image::ImageFormat::Png),
            encoded(20, 10, image::ImageFormat::WebP),
            crealia_core::media::video::sample_mp4(3_000, 64, 64),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each target a few seconds, in the test command; BENCHMARKS.md has the 10-minute runs.
    #[test]
    fn every_target_survives_a_short_run() {
        for target in TARGETS {
            let report = run(target, Duration::from_secs(3), 0x5eed);
            assert!(report.crash.is_none(), "{report}");
            assert!(report.runs > 100, "{report}");
        }
    }

    #[test]
    fn a_panicking_target_is_caught_and_its_input_saved() {
        let target = Target {
            name: "self-test",
            what: "",
            max_len: 64,
            seeds: || vec![b"ok".to_vec()],
            run: |d| {
                if d.contains(&b'!') {
                    panic!("boom")
                } else {
                    String::new()
                }
            },
        };
        let report = run(&target, Duration::from_secs(10), 7);
        let (path, message) = report.crash.expect("found");
        assert_eq!(message, "boom");
        assert!(std::fs::read(&path).unwrap().contains(&b'!'));
        let _ = std::fs::remove_file(path);
    }
}
