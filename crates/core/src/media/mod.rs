//! Media a creator uploads. Crealia stores each file under a random name in its media store
//! (a folder, or an S3-compatible bucket shared by every server: [`files`]) and serves it at
//! `PUBLIC_BASE_URL/media/<name>`, where Instagram fetches it. Images become
//! JPEG (Meta takes nothing else), and an image out of the feed's shape can be padded or cropped
//! to 4:5, 1:1 or 1.91:1. Before a post is queued, [`MediaStore::check_post`] says what Meta
//! would refuse about the files Crealia holds.

pub mod files;
pub mod jpeg;
pub mod library;
/// MP4 and MOV read from their boxes (in `crealia-graph`: the sandbox reads what it fetches with it).
pub use crealia_graph::video;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crealia_graph::rules::{ratio_allowed, MAX_IMAGE_BYTES};
use crealia_model::problem::Problem;
use crealia_model::publishing::{MediaAsset, PostKind, FRAMES};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use sqlx::PgPool;

use crate::{Error, Result};
use files::MediaFiles;

/// A stored image: its JPEG bytes, width and height, and what it was converted from.
type Converted = (Vec<u8>, (u32, u32), Option<String>);

/// The public path under which media files are served.
pub const MEDIA_PATH: &str = "/media";
/// Images larger than this are not even decoded.
const MAX_IMAGE_INPUT_BYTES: u64 = 50 * 1024 * 1024;
/// Decoding refuses pictures beyond this many pixels a side (a decompression bomb).
const MAX_SIDE: u32 = 12_000;
/// Nor more pixels than this in all (a 50-megapixel phone photo still passes), read from the
/// header before anything is decoded; padding may not make a larger picture either.
pub const MAX_PIXELS: u64 = 50_000_000;
/// What one decode may allocate at most, whatever its header claims.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;
/// Longer side over shorter side beyond which an image is refused (Instagram shows nothing
/// beyond 1.91:1 in the feed and 9:16 in stories; 10:1 leaves room to crop).
const MAX_ASPECT: u64 = 10;
const JPEG_QUALITY: u8 = 90;
/// Uploads no post uses are deleted after this many days (the composer keeps nothing longer).
pub const UNUSED_MEDIA_DAYS: i64 = 7;
/// Parts of uploads that never finished (a crash, a closed tab) go after a day.
const STRAY_UPLOAD_SECS: u64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Reframe {
    /// Keep the whole picture and fill the rest with white.
    Pad,
    /// Cut the edges off, keeping the middle.
    Crop,
}

/// What a creator may spend on uploads.
#[derive(Clone, Debug)]
pub struct MediaLimits {
    /// The largest single upload.
    pub max_upload_bytes: u64,
    /// All of a creator's stored media together.
    pub quota_bytes_per_user: u64,
    pub uploads_per_minute: u32,
    /// An upload slower than this on average after [`UPLOAD_GRACE`] is cut off.
    pub min_bytes_per_sec: u64,
}

impl Default for MediaLimits {
    fn default() -> Self {
        MediaLimits { max_upload_bytes: 300 * 1024 * 1024, quota_bytes_per_user: 2 * 1024 * 1024 * 1024, uploads_per_minute: 20, min_bytes_per_sec: 8_192 }
    }
}

/// An upload's first seconds are not held to the minimum rate (a connection warming up).
pub const UPLOAD_GRACE: Duration = Duration::from_secs(10);
/// An upload that sends nothing for this long is cut off, whatever its average.
pub const UPLOAD_IDLE: Duration = Duration::from_secs(30);

/// Where an accepted upload is written, and how much of it the creator may still send.
#[derive(Debug)]
pub struct UploadTicket {
    pub path: PathBuf,
    pub max_bytes: u64,
    /// Whether `max_bytes` is the creator's remaining storage rather than the upload limit.
    pub limited_by_quota: bool,
}

#[derive(Clone)]
pub struct MediaStore {
    db: PgPool,
    /// Where uploads in progress are written on this machine (`MEDIA_DIR`).
    dir: PathBuf,
    files: MediaFiles,
    /// `https://crealia.example/media` (no trailing slash).
    public_prefix: String,
    limits: MediaLimits,
}

/// Decoding and encoding images takes a core each: at most one per core at a time, so a
/// burst of uploads queues instead of taking every core and the memory of all at once.
/// Charts drawn as PNG take their turn here too.
pub(crate) async fn image_work<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    image_work_on(std::future::ready(Ok(())), |()| work()).await
}

/// [`image_work`] on what `input` gives, awaited once the turn has come: work waiting for its
/// turn holds none of its input's memory.
async fn image_work_on<I: Send + 'static, T: Send + 'static>(
    input: impl std::future::Future<Output = Result<I>>,
    work: impl FnOnce(I) -> Result<T> + Send + 'static,
) -> Result<T> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())));
    let _permit = permits.acquire().await.map_err(|_| Error::Internal("image work closed".into()))?;
    let input = input.await?;
    tokio::task::spawn_blocking(move || work(input)).await.map_err(|e| Error::Internal(format!("image task: {e}")))?
}

#[derive(sqlx::FromRow)]
struct AssetRow {
    id: i64,
    file_name: String,
    kind: String,
    width: Option<i32>,
    height: Option<i32>,
    bytes: i64,
    converted_from: Option<String>,
    duration_ms: Option<i64>,
}

const ASSET_COLUMNS: &str = "id, file_name, kind, width, height, bytes, converted_from, duration_ms";

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sniffed {
    Image(ImageFormat),
    /// An MP4 or MOV by its first box; [`video::inspect`] reads the rest.
    Video,
}

fn sniff(head: &[u8]) -> Option<Sniffed> {
    if video::looks_like_iso_media(head) {
        return Some(Sniffed::Video);
    }
    match image::guess_format(head).ok()? {
        f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Some(Sniffed::Image(f)),
        _ => None,
    }
}

/// JPEG images are stored under this extension (what Crealia converts every image to).
const JPEG: (&str, &str) = ("jpg", "image/jpeg");

fn random_name(ext: &str) -> String {
    format!("{}.{ext}", hex::encode(crate::crypto::random_bytes::<16>()))
}

/// The content type of a file Crealia stored, told by its name: 32 hex digits (what
/// [`random_name`] draws) and one of the extensions it gives. Any other name is not one of
/// Crealia's files.
pub fn content_type_of(name: &str) -> Option<&'static str> {
    let (stem, ext) = name.split_once('.')?;
    if stem.len() != 32 || !stem.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    if ext == JPEG.0 {
        return Some(JPEG.1);
    }
    [video::Container::Mp4, video::Container::Mov].into_iter().find(|c| c.extension() == ext).map(|c| c.content_type())
}

/// Whether a media URL names a video (by its extension, as Crealia names its files).
pub fn is_video_url(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    path.ends_with(".mp4") || path.ends_with(".mov")
}

fn is_media_name(name: &str) -> bool {
    content_type_of(name).is_some()
}

/// A video Crealia cannot read, as the creator is told.
fn unusable_video(why: video::VideoError) -> Error {
    Error::Refused(Problem::VideoUnusable { fault: (&why).into() })
}

/// Why a feed post could not use an image of this shape, and what to do.
fn shape_problem(width: u32, height: u32) -> Option<String> {
    (!ratio_allowed(width, height)).then(|| {
        format!(
            "This image is {width}×{height} ({:.2}:1); Instagram feed posts need a shape between 4:5 and 1.91:1. Pad or crop it to 4:5, 1:1 or 1.91:1.",
            width as f64 / height as f64
        )
    })
}

/// What an image's header says, before any pixel is decoded: refused when it is too many
/// pixels or too extreme a shape (a decompression bomb is a tiny file with a huge header).
fn check_header(bytes: &[u8]) -> Result<(u32, u32)> {
    let (w, h) = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Error::Refused(Problem::NotAnImage))?
        .into_dimensions()
        .map_err(|_| Error::Refused(Problem::ImageUnreadable))?;
    let (long, short) = (w.max(h) as u64, w.min(h) as u64);
    if short == 0 || w > MAX_SIDE || h > MAX_SIDE || w as u64 * h as u64 > MAX_PIXELS {
        return Err(Error::Refused(Problem::ImageTooManyPixels { width: w, height: h, megapixels: MAX_PIXELS / 1_000_000, side: MAX_SIDE }));
    }
    if long > short * MAX_ASPECT {
        return Err(Error::Refused(Problem::ImageTooExtreme { width: w, height: h }));
    }
    Ok((w, h))
}

/// Decodes an image whose header passed [`check_header`], within a memory limit, turned
/// upright as its EXIF orientation says.
fn decode(bytes: &[u8]) -> Result<DynamicImage> {
    use image::ImageDecoder;
    check_header(bytes)?;
    let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| Error::Refused(Problem::NotAnImage))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let unreadable = |e: image::ImageError| {
        tracing::debug!(error = %e, "image not decoded");
        Error::Refused(Problem::ImageUnreadable)
    };
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG's EXIF turns it (then its pixels must be turned before the EXIF goes).
fn needs_turning(bytes: &[u8]) -> bool {
    use image::ImageDecoder;
    image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes))
        .ok()
        .and_then(|mut d| d.orientation().ok())
        .is_some_and(|o| o != image::metadata::Orientation::NoTransforms)
}

/// An uploaded image as Crealia stores it: decoded whole (the file must be a picture, not only
/// its header), then a JPEG without metadata. A JPEG that needs no turning keeps its pixels as
/// they are, only without its metadata (GPS position, camera); anything else is written anew
/// from the decoded picture, which drops the metadata too.
fn convert_image(bytes: &[u8], format: ImageFormat) -> Result<Converted> {
    let image = decode(bytes)?;
    let dims = (image.width(), image.height());
    if format == ImageFormat::Jpeg && !needs_turning(bytes) {
        if let Some(clean) = jpeg::strip_metadata(bytes) {
            return Ok((clean, dims, None));
        }
    }
    let from = match format {
        ImageFormat::Png => Some("png".to_string()),
        ImageFormat::WebP => Some("webp".to_string()),
        _ => None,
    };
    Ok((encode_jpeg(image)?, dims, from))
}

/// What an upload of these bytes would become, without storing anything: told by its first
/// bytes, a video read for its tracks, an image decoded and made a clean JPEG (the checks of
/// [`MediaStore::ingest`], for the fuzz targets). Err: what the creator would be told.
pub fn examine(bytes: &[u8]) -> Result<Examined> {
    match sniff(&bytes[..bytes.len().min(32)]) {
        None => Err(Error::Refused(Problem::NotMedia)),
        Some(Sniffed::Video) => video::inspect(&mut Cursor::new(bytes)).map(Examined::Video).map_err(unusable_video),
        Some(Sniffed::Image(format)) => {
            let (jpeg, (width, height), _) = convert_image(bytes, format)?;
            Ok(Examined::Image { jpeg_bytes: jpeg.len(), width, height })
        }
    }
}

/// What [`examine`] found.
#[derive(Debug)]
pub enum Examined {
    Video(video::VideoInfo),
    Image { jpeg_bytes: usize, width: u32, height: u32 },
}

fn encode_jpeg(image: DynamicImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    image.into_rgb8().write_with_encoder(encoder).map_err(|e| Error::Internal(format!("jpeg encode: {e}")))?;
    Ok(out)
}

/// The size `image` would have at the shape `w:h` ([`reframe_image`]), computed first so a
/// padding that would make a giant canvas is refused before anything is allocated.
pub fn reframed_size(iw: u32, ih: u32, w: u32, h: u32, how: Reframe) -> (u64, u64) {
    let (iw, ih, w, h) = (iw as u64, ih as u64, w as u64, h as u64);
    let wider = iw * h > ih * w;
    let (cw, ch) = match (how, wider) {
        (Reframe::Crop, true) => (ih * w / h, ih),
        (Reframe::Crop, false) => (iw, iw * h / w),
        (Reframe::Pad, true) => (iw, iw * h / w),
        (Reframe::Pad, false) => (ih * w / h, ih),
    };
    (cw.max(1), ch.max(1))
}

/// `image` at the shape `w:h`, by padding with white or cropping the middle.
pub fn reframe_image(image: &DynamicImage, w: u32, h: u32, how: Reframe) -> DynamicImage {
    let (iw, ih) = (image.width() as u64, image.height() as u64);
    let (cw, ch) = reframed_size(image.width(), image.height(), w, h, how);
    match how {
        Reframe::Crop => image.crop_imm(((iw - cw.min(iw)) / 2) as u32, ((ih - ch.min(ih)) / 2) as u32, cw as u32, ch as u32),
        Reframe::Pad => {
            let mut canvas = RgbImage::from_pixel(cw as u32, ch as u32, Rgb([255, 255, 255]));
            image::imageops::overlay(&mut canvas, &image.to_rgb8(), ((cw - iw) / 2) as i64, ((ch - ih) / 2) as i64);
            DynamicImage::ImageRgb8(canvas)
        }
    }
}

impl MediaStore {
    /// `public_base` is where people and Instagram reach Crealia (no trailing slash).
    /// `dir` holds uploads in progress; `files` the stored media (the same folder by default).
    pub fn new(db: PgPool, dir: PathBuf, files: MediaFiles, public_base: &str, limits: MediaLimits) -> Self {
        MediaStore { db, dir, files, public_prefix: format!("{}{MEDIA_PATH}", public_base.trim_end_matches('/')), limits }
    }

    /// The stored files (served at [`MEDIA_PATH`]).
    pub fn files(&self) -> &MediaFiles {
        &self.files
    }

    pub fn limits(&self) -> &MediaLimits {
        &self.limits
    }

    /// Lets a creator start an upload: at most [`MediaLimits::uploads_per_minute`], and only
    /// while their stored media leave room under their quota (the ticket says how much).
    pub async fn begin_upload(&self, user_id: i64) -> Result<UploadTicket> {
        // Counted and recorded under the creator's lock: simultaneous uploads are counted one
        // by one.
        let mut tx = self.db.begin().await?;
        crate::db::xact_lock(&mut tx, &format!("media_uploads:{user_id}")).await?;
        let (recent, used): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM media_upload_attempts WHERE user_id = $1 AND started_at > now() - interval '1 minute'),
                    (SELECT COALESCE(sum(bytes), 0)::int8 FROM media_assets WHERE user_id = $1)",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if recent >= self.limits.uploads_per_minute as i64 {
            return Err(Error::Throttled { retry_after_secs: 60 });
        }
        let remaining = self.limits.quota_bytes_per_user.saturating_sub(used as u64);
        if remaining == 0 {
            return Err(Error::Refused(self.storage_full(used as u64)));
        }
        sqlx::query("INSERT INTO media_upload_attempts (user_id) VALUES ($1)").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(UploadTicket {
            path: self.upload_path().await?,
            max_bytes: remaining.min(self.limits.max_upload_bytes),
            limited_by_quota: remaining < self.limits.max_upload_bytes,
        })
    }

    /// What to say when a creator's storage is full.
    pub fn storage_full(&self, used: u64) -> Problem {
        Problem::StorageFull { used, quota: self.limits.quota_bytes_per_user }
    }

    /// The public URLs of the creator's uploads `ids`, in order. An id that is not theirs (or
    /// no longer exists) is NotFound: nobody can post another creator's files. More files than
    /// any post holds (a carousel's 10) are refused before anything is read.
    pub async fn urls_of(&self, user_id: i64, ids: &[i64]) -> Result<Vec<String>> {
        if ids.len() > *crealia_graph::rules::CAROUSEL_ITEMS.end() {
            return Err(Error::Refused(Problem::CarouselSize { found: ids.len() }));
        }
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, file_name FROM media_assets WHERE user_id = $1 AND id = ANY($2)").bind(user_id).bind(ids).fetch_all(&self.db).await?;
        ids.iter().map(|id| rows.iter().find(|(i, _)| i == id).map(|(_, name)| format!("{}/{name}", self.public_prefix)).ok_or(Error::NotFound)).collect()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Deletes what no one will use: uploads (and padded or cropped copies) older than
    /// [`UNUSED_MEDIA_DAYS`] that no post of any status refers to, with their files, and parts
    /// of uploads that never finished. The files of posts, published or not, stay. Returns how
    /// many media were deleted.
    pub async fn cleanup(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        sqlx::query("DELETE FROM media_upload_attempts WHERE started_at < $1").bind(now - chrono::Duration::days(1)).execute(&self.db).await?;
        let names: Vec<String> = sqlx::query_scalar(
            "WITH used AS (
                 SELECT DISTINCT substring(u FROM '[^/]+$') AS file_name FROM scheduled_posts p, unnest(p.media_urls) u
                 UNION SELECT substring(p.options->>'cover_url' FROM '[^/]+$') FROM scheduled_posts p WHERE p.options ? 'cover_url'
             )
             DELETE FROM media_assets m
             WHERE m.created_at < $1 AND NOT EXISTS (SELECT 1 FROM used WHERE used.file_name = m.file_name)
             RETURNING m.file_name",
        )
        .bind(now - chrono::Duration::days(UNUSED_MEDIA_DAYS))
        .fetch_all(&self.db)
        .await?;
        for name in &names {
            if let Err(e) = self.files.delete(name).await {
                tracing::warn!(file = name, error = %e, "cannot delete an unused media file");
            }
        }
        self.sweep_unrecorded(now).await?;
        if let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await {
            while let Ok(Some(entry)) = entries.next_entry().await {
                // Only upload parts are looked at (the folder may hold the media files too).
                if !entry.file_name().to_string_lossy().starts_with(".upload-") {
                    continue;
                }
                let old = entry.metadata().await.and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > STRAY_UPLOAD_SECS));
                if old {
                    let _ = tokio::fs::remove_file(entry.path()).await;
                }
            }
        }
        Ok(names.len() as u64)
    }

    /// Deletes stored files that no media row names (a process that died between storing a
    /// file and recording it), once they are older than any upload still being recorded.
    /// Returns how many went.
    pub async fn sweep_unrecorded(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        use futures_util::StreamExt;
        let before = now - chrono::Duration::seconds(STRAY_UPLOAD_SECS as i64);
        let mut listed = self.files.list().chunks(1_000);
        let mut deleted = 0;
        while let Some(batch) = listed.next().await {
            let old: Vec<String> = batch
                .into_iter()
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .filter(|(name, stored)| *stored < before && is_media_name(name))
                .map(|(name, _)| name)
                .collect();
            let unrecorded: Vec<String> =
                sqlx::query_scalar("SELECT n FROM unnest($1::text[]) n WHERE NOT EXISTS (SELECT 1 FROM media_assets m WHERE m.file_name = n)")
                    .bind(&old)
                    .fetch_all(&self.db)
                    .await?;
            for name in unrecorded {
                tracing::warn!(file = name, "deleting a stored media file that no upload recorded");
                self.files.delete(&name).await?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// A fresh path in the media folder for an upload in progress.
    pub async fn upload_path(&self) -> Result<PathBuf> {
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| Error::Internal(format!("media folder: {e}")))?;
        Ok(self.dir.join(format!(".upload-{}", random_name("part"))))
    }

    fn view(&self, row: &AssetRow) -> MediaAsset {
        let (width, height) = (row.width.map(|w| w as u32), row.height.map(|h| h as u32));
        let problem = match (row.kind.as_str(), width, height) {
            ("image", Some(w), Some(h)) => shape_problem(w, h),
            _ => None,
        };
        MediaAsset {
            id: row.id,
            url: format!("{}/{}", self.public_prefix, row.file_name),
            kind: row.kind.clone(),
            width,
            height,
            bytes: row.bytes as u64,
            converted_from: row.converted_from.clone(),
            duration_ms: row.duration_ms.map(|d| d as u64),
            problem,
        }
    }

    /// Takes the uploaded file at `upload` (removed in every case): checks what it is, turns
    /// PNG and WebP into JPEG, and stores it under a random name. It runs to its end even when
    /// the caller stops waiting (a client that hangs up): a file stored is a file recorded.
    pub async fn ingest(&self, user_id: i64, upload: &Path) -> Result<MediaAsset> {
        let (me, upload) = (self.clone(), upload.to_path_buf());
        tokio::spawn(async move {
            let result = me.ingest_file(user_id, &upload).await;
            let _ = tokio::fs::remove_file(&upload).await;
            result
        })
        .await
        .map_err(|e| Error::Internal(format!("media task: {e}")))?
    }

    async fn ingest_file(&self, user_id: i64, upload: &Path) -> Result<MediaAsset> {
        let io = |e: std::io::Error| Error::Internal(format!("media file: {e}"));
        let size = tokio::fs::metadata(upload).await.map_err(io)?.len();
        let mut head = vec![0u8; 32];
        {
            use tokio::io::AsyncReadExt;
            let mut f = tokio::fs::File::open(upload).await.map_err(io)?;
            let n = f.read(&mut head).await.map_err(io)?;
            head.truncate(n);
        }
        match sniff(&head) {
            None => Err(Error::Refused(Problem::NotMedia)),
            Some(Sniffed::Video) => {
                let file = upload.to_path_buf();
                let info = image_work(move || {
                    let mut f = std::fs::File::open(&file).map_err(|e| Error::Internal(format!("media file: {e}")))?;
                    video::inspect(&mut std::io::BufReader::new(&mut f)).map_err(unusable_video)
                })
                .await?;
                let name = random_name(info.container.extension());
                let dims = info.width.zip(info.height);
                let asset = NewAsset {
                    name: &name,
                    kind: "video",
                    content_type: info.container.content_type(),
                    dims,
                    bytes: size,
                    converted: None,
                    duration_ms: Some(info.duration_ms),
                };
                self.files.put_file(&name, upload).await?;
                let stored = self.insert(user_id, asset).await;
                if stored.is_err() {
                    let _ = self.files.delete(&name).await;
                }
                stored
            }
            Some(Sniffed::Image(format)) => {
                if size > MAX_IMAGE_INPUT_BYTES {
                    return Err(Error::Refused(Problem::ImageFileTooLarge { bytes: size, as_jpeg: false }));
                }
                // Read inside the image work: uploads waiting for their turn hold no memory.
                let file = upload.to_path_buf();
                let (jpeg, dims, converted) = image_work(move || -> Result<Converted> {
                    let bytes = std::fs::read(&file).map_err(|e| Error::Internal(format!("media file: {e}")))?;
                    convert_image(&bytes, format)
                })
                .await?;
                self.store_jpeg(user_id, jpeg, dims, converted).await
            }
        }
    }

    async fn store_jpeg(&self, user_id: i64, jpeg: Vec<u8>, (w, h): (u32, u32), converted: Option<String>) -> Result<MediaAsset> {
        if jpeg.len() > MAX_IMAGE_BYTES {
            return Err(Error::Refused(Problem::ImageFileTooLarge { bytes: jpeg.len() as u64, as_jpeg: true }));
        }
        let name = random_name(JPEG.0);
        let bytes = jpeg.len() as u64;
        self.files.put(&name, jpeg).await?;
        let asset = NewAsset { name: &name, kind: "image", content_type: JPEG.1, dims: Some((w, h)), bytes, converted, duration_ms: None };
        let stored = self.insert(user_id, asset).await;
        if stored.is_err() {
            let _ = self.files.delete(&name).await;
        }
        stored
    }

    /// Records a stored file, within the creator's quota: the check and the insert hold the
    /// creator's lock, so uploads finishing together cannot all squeeze past it.
    async fn insert(&self, user_id: i64, asset: NewAsset<'_>) -> Result<MediaAsset> {
        let mut tx = self.db.begin().await?;
        crate::db::xact_lock(&mut tx, &format!("media_quota:{user_id}")).await?;
        let used: i64 =
            sqlx::query_scalar("SELECT COALESCE(sum(bytes), 0)::int8 FROM media_assets WHERE user_id = $1").bind(user_id).fetch_one(&mut *tx).await?;
        if used as u64 + asset.bytes > self.limits.quota_bytes_per_user {
            return Err(Error::Refused(self.storage_full(used as u64)));
        }
        let row: AssetRow = sqlx::query_as(&format!(
            "INSERT INTO media_assets (user_id, file_name, kind, content_type, width, height, bytes, converted_from, duration_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {ASSET_COLUMNS}"
        ))
        .bind(user_id)
        .bind(asset.name)
        .bind(asset.kind)
        .bind(asset.content_type)
        .bind(asset.dims.map(|d| d.0 as i32))
        .bind(asset.dims.map(|d| d.1 as i32))
        .bind(asset.bytes as i64)
        .bind(asset.converted)
        .bind(asset.duration_ms.map(|d| d as i64))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(user_id, asset_id = row.id, kind = asset.kind, bytes = asset.bytes, "media stored");
        Ok(self.view(&row))
    }

    async fn row(&self, user_id: i64, asset_id: i64) -> Result<AssetRow> {
        sqlx::query_as(&format!("SELECT {ASSET_COLUMNS} FROM media_assets WHERE id = $1 AND user_id = $2"))
            .bind(asset_id)
            .bind(user_id)
            .fetch_optional(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    pub async fn get(&self, user_id: i64, asset_id: i64) -> Result<MediaAsset> {
        Ok(self.view(&self.row(user_id, asset_id).await?))
    }

    /// A new JPEG of the creator's image at `frame` ("4:5", "1:1" or "1.91:1").
    pub async fn reframe(&self, user_id: i64, asset_id: i64, frame: &str, how: Reframe) -> Result<MediaAsset> {
        let (_, w, h) = *FRAMES.iter().find(|f| f.0 == frame).ok_or(Error::Refused(Problem::FrameUnknown))?;
        let row = self.row(user_id, asset_id).await?;
        if row.kind != "image" {
            return Err(Error::Refused(Problem::OnlyImagesReframed));
        }
        if let (Some(iw), Some(ih)) = (row.width, row.height) {
            let (cw, ch) = reframed_size(iw as u32, ih as u32, w, h, how);
            if cw * ch > MAX_PIXELS {
                return Err(Error::Refused(Problem::PaddedTooLarge {
                    width: iw as u32,
                    height: ih as u32,
                    frame: frame.to_string(),
                    new_width: cw,
                    new_height: ch,
                }));
            }
        }
        let read = self.files.read(&row.file_name, MAX_IMAGE_INPUT_BYTES);
        let (jpeg, dims) = image_work_on(read, move |bytes| -> Result<(Vec<u8>, (u32, u32))> {
            let framed = reframe_image(&decode(&bytes)?, w, h, how);
            let dims = (framed.width(), framed.height());
            Ok((encode_jpeg(framed)?, dims))
        })
        .await?;
        let how = if how == Reframe::Pad { "padded" } else { "cropped" };
        self.store_jpeg(user_id, jpeg, dims, Some(format!("{how} to {frame}"))).await
    }

    /// What Meta would refuse about the files of a post that Crealia holds (others are checked
    /// by Meta itself): a missing file, a video where an image belongs, an image too large or
    /// out of the feed's shape. Returns what the post's options are checked against: which
    /// files are videos, and how long.
    pub async fn check_post(&self, user_id: i64, kind: PostKind, urls: &[String]) -> Result<Vec<crealia_model::publishing::FileFacts>> {
        let mut files = Vec::with_capacity(urls.len());
        for (i, url) in urls.iter().enumerate() {
            let item = (urls.len() > 1).then_some(i + 1);
            let gone = || Error::Refused(Problem::MediaGone { item });
            // Every file of a post is one of the creator's uploads, named exactly as Crealia
            // built its URL: nothing else is ever sent to Instagram.
            let name = url.strip_prefix(&format!("{}/", self.public_prefix)).filter(|n| !n.contains(['/', '?', '#'])).ok_or_else(gone)?;
            let row: Option<AssetRow> = sqlx::query_as(&format!("SELECT {ASSET_COLUMNS} FROM media_assets WHERE file_name = $1 AND user_id = $2"))
                .bind(name)
                .bind(user_id)
                .fetch_optional(&self.db)
                .await?;
            let row = row.ok_or_else(gone)?;
            match (kind, row.kind.as_str()) {
                (PostKind::Reel, "image") => return Err(Error::Refused(Problem::ReelGotImage)),
                (PostKind::Image, "video") => return Err(Error::Refused(Problem::ImageNeedsImage)),
                _ => {}
            }
            if row.kind == "image" {
                if row.bytes as usize > MAX_IMAGE_BYTES {
                    return Err(Error::Refused(Problem::MediaTooLarge { item, bytes: row.bytes as u64 }));
                }
                if let (Some(w), Some(h), true) = (row.width, row.height, kind != PostKind::Story) {
                    if !ratio_allowed(w as u32, h as u32) {
                        return Err(Error::Refused(Problem::ImageShape { item, width: w as u32, height: h as u32 }));
                    }
                }
            }
            if let Some(ms) = row.duration_ms.filter(|_| row.kind == "video") {
                let reel = kind == PostKind::Reel;
                let (min, max) = if reel { (3_000, 15 * 60_000) } else { (3_000, 60_000) };
                if !(min..=max).contains(&ms) {
                    return Err(Error::Refused(Problem::VideoLength { item, tenths: (ms.clamp(0, i64::MAX - 50) + 50) as u64 / 100, reel }));
                }
            }
            let video = row.kind == "video";
            files.push(crealia_model::publishing::FileFacts { video, duration_ms: row.duration_ms.filter(|_| video).map(|ms| ms.max(0) as u64) });
        }
        Ok(files)
    }
}

/// A file about to be recorded.
struct NewAsset<'a> {
    name: &'a str,
    kind: &'a str,
    content_type: &'a str,
    dims: Option<(u32, u32)>,
    bytes: u64,
    converted: Option<String>,
    duration_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn videos_and_crealias_own_files_are_told_by_their_names() {
        assert!(is_video_url("https://x.test/a.MP4?sig=1"));
        assert!(!is_video_url("https://x.test/a.jpg"));
        let name = random_name("mp4");
        assert_eq!(content_type_of(&name), Some("video/mp4"));
        assert_eq!(content_type_of(&random_name(JPEG.0)), Some("image/jpeg"));
        assert_eq!(content_type_of(&name.replace(".mp4", ".mov")), Some("video/quicktime"));
        for other in ["notes.txt", "../etc/passwd", ".upload-abc", &name.to_uppercase(), &name.replace(".mp4", ".gif"), &name[1..]] {
            assert_eq!(content_type_of(other), None, "{other}");
        }
    }

    #[test]
    fn files_are_told_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0]), Some(Sniffed::Image(ImageFormat::Jpeg)));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\0"), Some(Sniffed::Image(ImageFormat::Png)));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Sniffed::Image(ImageFormat::WebP)));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42\0\0\0\0"), Some(Sniffed::Video));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), Some(Sniffed::Video));
        assert_eq!(sniff(b"%PDF-1.7 hello"), None);
        assert_eq!(sniff(b"GIF89a\0\0\0\0\0\0"), None, "GIF is not something Meta takes");
    }

    #[test]
    fn pad_and_crop_reach_the_asked_shape() {
        let tall = DynamicImage::ImageRgb8(RgbImage::from_pixel(900, 1600, Rgb([10, 20, 30])));
        for (w, h) in [(4, 5), (1, 1), (191, 100)] {
            for how in [Reframe::Pad, Reframe::Crop] {
                let out = reframe_image(&tall, w, h, how);
                assert!(ratio_allowed(out.width(), out.height()), "{how:?} {w}:{h} gave {}x{}", out.width(), out.height());
                let ratio = out.width() as f64 / out.height() as f64;
                assert!((ratio - w as f64 / h as f64).abs() < 0.01, "{how:?} {w}:{h} gave {ratio}");
            }
        }
        let padded = reframe_image(&tall, 1, 1, Reframe::Pad).to_rgb8();
        assert_eq!((padded.width(), padded.height()), (1600, 1600), "padding keeps every pixel");
        assert_eq!(padded.get_pixel(0, 800), &Rgb([255, 255, 255]), "with white at the sides");
        assert_eq!(padded.get_pixel(800, 800), &Rgb([10, 20, 30]));
        let cropped = reframe_image(&tall, 1, 1, Reframe::Crop);
        assert_eq!((cropped.width(), cropped.height()), (900, 900), "cropping keeps the middle");
    }

    #[test]
    fn shapes_outside_the_feed_say_what_to_do() {
        assert!(shape_problem(1080, 1350).is_none());
        assert!(shape_problem(1080, 1920).unwrap().contains("Pad or crop"));
    }
}
