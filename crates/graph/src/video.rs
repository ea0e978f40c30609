//! What a video file is, from its ISO base media (MP4) / QuickTime (MOV) boxes, not from its
//! first bytes: every top-level box must fit the file, a `moov` box must hold a movie header
//! (`mvhd`) with a duration and at least one video track (`hdlr` of type `vide`). Only the box
//! headers and the `moov` box are read, never the media data. Crealia reads its uploads with it,
//! and the sandbox the videos it fetches (a reel's length bounds its `thumb_offset`).

use std::io::{Read, Seek, SeekFrom};

/// The largest `moov` box read (a 15-minute reel's sample tables are a few MB).
const MAX_MOOV_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Mp4,
    Mov,
}

impl Container {
    pub fn extension(self) -> &'static str {
        match self {
            Container::Mp4 => "mp4",
            Container::Mov => "mov",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Container::Mp4 => "video/mp4",
            Container::Mov => "video/quicktime",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VideoInfo {
    pub container: Container,
    pub duration_ms: u64,
    /// The first video track's size, when its header gives one.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why a file is not a video Crealia can take (said as `VideoFault`).
#[derive(Debug, PartialEq, Eq)]
pub enum VideoError {
    NotIsoMedia,
    Damaged,
    NoMovieHeader,
    NoVideoTrack,
    TooLarge,
    Io,
}

impl std::fmt::Display for VideoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VideoError::NotIsoMedia => "not an MP4 or MOV file",
            VideoError::Damaged => "cut off or damaged",
            VideoError::NoMovieHeader => "no movie header",
            VideoError::NoVideoTrack => "no video track",
            VideoError::TooLarge => "header too large to read",
            VideoError::Io => "unreadable",
        })
    }
}

impl std::error::Error for VideoError {}

/// Whether the first bytes look like an MP4/MOV file at all (the full check is [`inspect`]).
pub fn looks_like_iso_media(head: &[u8]) -> bool {
    head.len() >= 8 && matches!(&head[4..8], b"ftyp" | b"moov" | b"wide" | b"mdat" | b"free" | b"skip")
}

struct BoxHeader {
    kind: [u8; 4],
    /// Where the payload starts and how long it is.
    payload_at: u64,
    payload_len: u64,
}

fn read_header(file: &mut (impl Read + Seek), at: u64, end: u64) -> Result<BoxHeader, VideoError> {
    let mut head = [0u8; 8];
    file.seek(SeekFrom::Start(at)).map_err(|_| VideoError::Io)?;
    file.read_exact(&mut head).map_err(|_| VideoError::Damaged)?;
    let kind: [u8; 4] = head[4..8].try_into().expect("four bytes");
    if !kind.iter().all(|b| b.is_ascii_graphic() || *b == b' ' || *b == 0xA9) {
        return Err(VideoError::NotIsoMedia);
    }
    let (size, header_len) = match u32::from_be_bytes(head[0..4].try_into().expect("four bytes")) {
        0 => (end - at, 8),
        1 => {
            let mut large = [0u8; 8];
            file.read_exact(&mut large).map_err(|_| VideoError::Damaged)?;
            (u64::from_be_bytes(large), 16)
        }
        n => (n as u64, 8),
    };
    if size < header_len || at.checked_add(size).is_none_or(|box_end| box_end > end) {
        return Err(VideoError::Damaged);
    }
    Ok(BoxHeader { kind, payload_at: at + header_len, payload_len: size - header_len })
}

/// The children of a box whose payload is `bytes`.
fn children(bytes: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes")) as usize;
        let kind: [u8; 4] = bytes[at + 4..at + 8].try_into().expect("four bytes");
        let (size, header) = match size {
            0 => (bytes.len() - at, 8),
            1 if at + 16 <= bytes.len() => (u64::from_be_bytes(bytes[at + 8..at + 16].try_into().expect("eight bytes")) as usize, 16),
            n => (n, 8),
        };
        if size < header || at.checked_add(size).is_none_or(|e| e > bytes.len()) {
            break;
        }
        out.push((kind, &bytes[at + header..at + size]));
        at += size;
    }
    out
}

fn find<'a>(bytes: &'a [u8], path: &[&[u8; 4]]) -> Option<&'a [u8]> {
    let (first, rest) = path.split_first()?;
    let (_, payload) = children(bytes).into_iter().find(|(k, _)| k == *first)?;
    if rest.is_empty() {
        Some(payload)
    } else {
        find(payload, rest)
    }
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The movie's duration in milliseconds from `mvhd` (versions 0 and 1).
fn movie_duration_ms(mvhd: &[u8]) -> Option<u64> {
    let (timescale, duration) = match mvhd.first()? {
        0 => (be_u32(mvhd, 12)?, be_u32(mvhd, 16)? as u64),
        1 => (be_u32(mvhd, 20)?, be_u64(mvhd, 24)?),
        _ => return None,
    };
    if timescale == 0 || duration == u32::MAX as u64 || duration == u64::MAX {
        return None;
    }
    Some((duration as u128 * 1000 / timescale as u128).min(u64::MAX as u128) as u64)
}

/// The width and height in a track header (`tkhd`: its last 8 bytes, 16.16 fixed point).
fn track_size(tkhd: &[u8]) -> Option<(u32, u32)> {
    let n = tkhd.len();
    if n < 8 {
        return None;
    }
    Some((be_u32(tkhd, n - 8)? >> 16, be_u32(tkhd, n - 4)? >> 16))
}

/// Reads the file's boxes and says what video it is.
pub fn inspect(file: &mut (impl Read + Seek)) -> Result<VideoInfo, VideoError> {
    let end = file.seek(SeekFrom::End(0)).map_err(|_| VideoError::Io)?;
    let mut head = [0u8; 8];
    file.seek(SeekFrom::Start(0)).map_err(|_| VideoError::Io)?;
    if file.read_exact(&mut head).is_err() || !looks_like_iso_media(&head) {
        return Err(VideoError::NotIsoMedia);
    }
    let mut at = 0u64;
    let mut container = None;
    let mut moov: Option<Vec<u8>> = None;
    let mut boxes = 0;
    while at < end {
        let header = read_header(file, at, end)?;
        boxes += 1;
        if boxes > 10_000 {
            return Err(VideoError::Damaged);
        }
        match &header.kind {
            b"ftyp" if at == 0 => {
                let mut brand = [0u8; 4];
                file.read_exact(&mut brand).map_err(|_| VideoError::Damaged)?;
                container = Some(if &brand == b"qt  " { Container::Mov } else { Container::Mp4 });
            }
            b"moov" if moov.is_none() => {
                if header.payload_len > MAX_MOOV_BYTES {
                    return Err(VideoError::TooLarge);
                }
                let mut bytes = vec![0u8; header.payload_len as usize];
                file.seek(SeekFrom::Start(header.payload_at)).map_err(|_| VideoError::Io)?;
                file.read_exact(&mut bytes).map_err(|_| VideoError::Damaged)?;
                moov = Some(bytes);
            }
            _ => {}
        }
        at = header.payload_at + header.payload_len;
    }
    // Old QuickTime files have no `ftyp`.
    let container = container.unwrap_or(Container::Mov);
    let moov = moov.ok_or(VideoError::NoMovieHeader)?;
    let duration_ms = find(&moov, &[b"mvhd"]).and_then(movie_duration_ms).ok_or(VideoError::NoMovieHeader)?;
    let video_track = children(&moov)
        .into_iter()
        .filter(|(k, _)| k == b"trak")
        .find(|(_, trak)| find(trak, &[b"mdia", b"hdlr"]).is_some_and(|hdlr| hdlr.get(8..12) == Some(b"vide")));
    let (_, trak) = video_track.ok_or(VideoError::NoVideoTrack)?;
    let size = find(trak, &[b"tkhd"]).and_then(track_size).filter(|(w, h)| *w > 0 && *h > 0);
    Ok(VideoInfo { container, duration_ms, width: size.map(|s| s.0), height: size.map(|s| s.1) })
}

/// A small but well-formed MP4 (`ftyp`, `moov` with `mvhd` and one video track, `mdat`) of
/// `duration_ms` at `width`×`height`: what tests and demos upload as a video.
pub fn sample_mp4(duration_ms: u32, width: u16, height: u16) -> Vec<u8> {
    fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut out = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(payload);
        out
    }
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&duration_ms.to_be_bytes());
    let mut tkhd = vec![0u8; 84];
    tkhd[76..80].copy_from_slice(&((width as u32) << 16).to_be_bytes());
    tkhd[80..84].copy_from_slice(&((height as u32) << 16).to_be_bytes());
    let mut hdlr = vec![0u8; 25];
    hdlr[8..12].copy_from_slice(b"vide");
    let mdia = boxed(b"mdia", &boxed(b"hdlr", &hdlr));
    let trak = boxed(b"trak", &[boxed(b"tkhd", &tkhd), mdia].concat());
    let moov = boxed(b"moov", &[boxed(b"mvhd", &mvhd), trak].concat());
    let mut ftyp = b"isom".to_vec();
    ftyp.extend_from_slice(&[0, 0, 2, 0]);
    ftyp.extend_from_slice(b"isommp42");
    [boxed(b"ftyp", &ftyp), moov, boxed(b"mdat", &[0u8; 256])].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn a_well_formed_mp4_is_read_with_its_duration_and_size() {
        let info = inspect(&mut Cursor::new(sample_mp4(12_500, 1080, 1920))).unwrap();
        assert_eq!(info, VideoInfo { container: Container::Mp4, duration_ms: 12_500, width: Some(1080), height: Some(1920) });
    }

    #[test]
    fn four_magic_bytes_are_not_a_video() {
        let mut fake = vec![0, 0, 0, 0x18];
        fake.extend_from_slice(b"ftypmp42");
        fake.extend_from_slice(&[0; 64]);
        assert!(matches!(inspect(&mut Cursor::new(fake)), Err(VideoError::NotIsoMedia | VideoError::Damaged)), "zeros after the first box are no box");
        let mut header_only = sample_mp4(1000, 10, 10);
        header_only.truncate(32);
        assert!(inspect(&mut Cursor::new(header_only)).is_err());
        let mut no_moov = vec![0, 0, 0, 16];
        no_moov.extend_from_slice(b"ftypisom\0\0\0\0");
        no_moov.extend_from_slice(&[0, 0, 0, 8]);
        no_moov.extend_from_slice(b"mdat");
        assert_eq!(inspect(&mut Cursor::new(no_moov)), Err(VideoError::NoMovieHeader));
        assert_eq!(inspect(&mut Cursor::new(b"%PDF-1.7 not a video".to_vec())), Err(VideoError::NotIsoMedia));
    }

    #[test]
    fn damaged_or_hostile_boxes_are_refused_without_panicking() {
        let good = sample_mp4(5_000, 640, 640);
        for cut in [8, 20, 40, good.len() - 1] {
            let _ = inspect(&mut Cursor::new(good[..cut].to_vec()));
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0xFF;
            let _ = inspect(&mut Cursor::new(bad));
        }
        // A 64-bit size larger than the file.
        let mut huge = vec![0, 0, 0, 1];
        huge.extend_from_slice(b"ftyp");
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(inspect(&mut Cursor::new(huge)), Err(VideoError::Damaged));
    }

    #[test]
    fn a_sound_only_file_has_no_video_track() {
        let mut audio = sample_mp4(5_000, 0, 0);
        let at = audio.windows(4).position(|w| w == b"vide").unwrap();
        audio[at..at + 4].copy_from_slice(b"soun");
        assert_eq!(inspect(&mut Cursor::new(audio)), Err(VideoError::NoVideoTrack));
    }
}
