//! Media a creator uploads. Crealia stores each file under a random name in its media folder
//! and serves it at `PUBLIC_BASE_URL/media/<name>`, where Instagram fetches it. Images become
//! JPEG (Meta takes nothing else), and an image out of the feed's shape can be padded or cropped
//! to 4:5, 1:1 or 1.91:1. Before a post is queued, [`MediaStore::check_post`] says what Meta
//! would refuse about the files Crealia holds.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use crealia_graph::rules::{ratio_allowed, MAX_IMAGE_BYTES};
use crealia_model::publishing::{MediaAsset, PostKind, FRAMES};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use sqlx::PgPool;

use crate::{Error, Result};

/// A stored image: its JPEG bytes, width and height, and what it was converted from.
type Converted = (Vec<u8>, (u32, u32), Option<String>);

/// The public path under which media files are served.
pub const MEDIA_PATH: &str = "/media";
/// Images larger than this are not even decoded.
const MAX_IMAGE_INPUT_BYTES: u64 = 50 * 1024 * 1024;
/// Decoding refuses pictures beyond this many pixels a side (a decompression bomb).
const MAX_SIDE: u32 = 12_000;
const JPEG_QUALITY: u8 = 90;
/// Uploads no post uses are deleted after this many days (the composer keeps nothing longer).
pub const UNUSED_MEDIA_DAYS: i64 = 7;
/// Parts of uploads that never finished (a crash, a closed tab) go after a day.
const STRAY_UPLOAD_SECS: u64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reframe {
    /// Keep the whole picture and fill the rest with white.
    Pad,
    /// Cut the edges off, keeping the middle.
    Crop,
}

#[derive(Clone)]
pub struct MediaStore {
    db: PgPool,
    dir: PathBuf,
    /// `https://crealia.example/media` (no trailing slash).
    public_prefix: String,
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
}

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sniffed {
    Image(ImageFormat),
    Video(&'static str),
}

fn sniff(head: &[u8]) -> Option<Sniffed> {
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        return Some(Sniffed::Video(if brand == b"qt  " { "mov" } else { "mp4" }));
    }
    match image::guess_format(head).ok()? {
        f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => Some(Sniffed::Image(f)),
        _ => None,
    }
}

fn random_name(ext: &str) -> String {
    format!("{}.{ext}", hex::encode(crate::crypto::random_bytes::<16>()))
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
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

fn decode(bytes: &[u8]) -> Result<DynamicImage> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Error::Invalid("This file is not an image Crealia can read.".into()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    reader.decode().map_err(|e| Error::Invalid(format!("This image cannot be read ({e}). Export it again as JPEG or PNG.")))
}

fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    image.to_rgb8().write_with_encoder(encoder).map_err(|e| Error::Internal(format!("jpeg encode: {e}")))?;
    Ok(out)
}

/// `image` at the shape `w:h`, by padding with white or cropping the middle.
pub fn reframe_image(image: &DynamicImage, w: u32, h: u32, how: Reframe) -> DynamicImage {
    let (iw, ih) = (image.width() as u64, image.height() as u64);
    let (w, h) = (w as u64, h as u64);
    // The target canvas in the image's own pixels.
    let wider = iw * h > ih * w; // the image is wider than the target shape
    match how {
        Reframe::Crop => {
            let (cw, ch) = if wider { (ih * w / h, ih) } else { (iw, iw * h / w) };
            image.crop_imm(((iw - cw) / 2) as u32, ((ih - ch) / 2) as u32, cw.max(1) as u32, ch.max(1) as u32)
        }
        Reframe::Pad => {
            let (cw, ch) = if wider { (iw, iw * h / w) } else { (ih * w / h, ih) };
            let mut canvas = RgbImage::from_pixel(cw.max(1) as u32, ch.max(1) as u32, Rgb([255, 255, 255]));
            image::imageops::overlay(&mut canvas, &image.to_rgb8(), ((cw - iw) / 2) as i64, ((ch - ih) / 2) as i64);
            DynamicImage::ImageRgb8(canvas)
        }
    }
}

impl MediaStore {
    /// `public_base` is where people and Instagram reach Crealia (no trailing slash).
    pub fn new(db: PgPool, dir: PathBuf, public_base: &str) -> Self {
        MediaStore { db, dir, public_prefix: format!("{}{MEDIA_PATH}", public_base.trim_end_matches('/')) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Deletes what no one will use: uploads (and padded or cropped copies) older than
    /// [`UNUSED_MEDIA_DAYS`] that no post of any status refers to, with their files, and parts
    /// of uploads that never finished. The files of posts, published or not, stay. Returns how
    /// many media were deleted.
    pub async fn cleanup(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        let names: Vec<String> = sqlx::query_scalar(
            "WITH used AS (
                 SELECT DISTINCT substring(u FROM '[^/]+$') AS file_name FROM scheduled_posts p, unnest(p.media_urls) u
             )
             DELETE FROM media_assets m
             WHERE m.created_at < $1 AND NOT EXISTS (SELECT 1 FROM used WHERE used.file_name = m.file_name)
             RETURNING m.file_name",
        )
        .bind(now - chrono::Duration::days(UNUSED_MEDIA_DAYS))
        .fetch_all(&self.db)
        .await?;
        for name in &names {
            if let Err(e) = tokio::fs::remove_file(self.dir.join(name)).await {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(file = name, error = %e, "cannot delete an unused media file");
                }
            }
        }
        if let Ok(mut entries) = tokio::fs::read_dir(&self.dir).await {
            while let Ok(Some(entry)) = entries.next_entry().await {
                // Only upload parts are looked at (the folder holds every media file).
                if !entry.file_name().to_string_lossy().starts_with(".upload-") {
                    continue;
                }
                let old = entry
                    .metadata()
                    .await
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > STRAY_UPLOAD_SECS));
                if old {
                    let _ = tokio::fs::remove_file(entry.path()).await;
                }
            }
        }
        Ok(names.len() as u64)
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
            problem,
        }
    }

    /// Takes the uploaded file at `upload` (removed in every case): checks what it is, turns
    /// PNG and WebP into JPEG, and stores it under a random name.
    pub async fn ingest(&self, user_id: i64, upload: &Path) -> Result<MediaAsset> {
        let result = self.ingest_file(user_id, upload).await;
        let _ = tokio::fs::remove_file(upload).await;
        result
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
            None => Err(Error::Invalid("Crealia takes JPEG, PNG or WebP images and MP4 or MOV videos.".into())),
            Some(Sniffed::Video(ext)) => {
                let name = random_name(ext);
                tokio::fs::rename(upload, self.dir.join(&name)).await.map_err(io)?;
                self.insert(user_id, &name, "video", &format!("video/{}", if ext == "mov" { "quicktime" } else { "mp4" }), None, size, None).await
            }
            Some(Sniffed::Image(format)) => {
                if size > MAX_IMAGE_INPUT_BYTES {
                    return Err(Error::Invalid(format!(
                        "This image is {}; Instagram takes at most 8 MB. Export it smaller and try again.",
                        megabytes(size)
                    )));
                }
                let bytes = tokio::fs::read(upload).await.map_err(io)?;
                let (jpeg, dims, converted) = tokio::task::spawn_blocking(move || -> Result<Converted> {
                    let image = decode(&bytes)?;
                    let dims = (image.width(), image.height());
                    if format == ImageFormat::Jpeg {
                        Ok((bytes, dims, None))
                    } else {
                        let name = if format == ImageFormat::Png { "png" } else { "webp" };
                        Ok((encode_jpeg(&image)?, dims, Some(name.to_string())))
                    }
                })
                .await
                .map_err(|e| Error::Internal(format!("image task: {e}")))??;
                self.store_jpeg(user_id, jpeg, dims, converted).await
            }
        }
    }

    async fn store_jpeg(&self, user_id: i64, jpeg: Vec<u8>, (w, h): (u32, u32), converted: Option<String>) -> Result<MediaAsset> {
        if jpeg.len() > MAX_IMAGE_BYTES {
            return Err(Error::Invalid(format!(
                "This image is {} as JPEG; Instagram takes at most 8 MB. Export it smaller and try again.",
                megabytes(jpeg.len() as u64)
            )));
        }
        let name = random_name("jpg");
        let path = self.dir.join(&name);
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| Error::Internal(format!("media folder: {e}")))?;
        tokio::fs::write(&path, &jpeg).await.map_err(|e| Error::Internal(format!("media file: {e}")))?;
        self.insert(user_id, &name, "image", "image/jpeg", Some((w, h)), jpeg.len() as u64, converted).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert(
        &self,
        user_id: i64,
        name: &str,
        kind: &str,
        content_type: &str,
        dims: Option<(u32, u32)>,
        bytes: u64,
        converted: Option<String>,
    ) -> Result<MediaAsset> {
        let row: AssetRow = sqlx::query_as(
            "INSERT INTO media_assets (user_id, file_name, kind, content_type, width, height, bytes, converted_from)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, file_name, kind, width, height, bytes, converted_from",
        )
        .bind(user_id)
        .bind(name)
        .bind(kind)
        .bind(content_type)
        .bind(dims.map(|d| d.0 as i32))
        .bind(dims.map(|d| d.1 as i32))
        .bind(bytes as i64)
        .bind(converted)
        .fetch_one(&self.db)
        .await?;
        tracing::info!(user_id, asset_id = row.id, kind, bytes, "media stored");
        Ok(self.view(&row))
    }

    async fn row(&self, user_id: i64, asset_id: i64) -> Result<AssetRow> {
        sqlx::query_as("SELECT id, file_name, kind, width, height, bytes, converted_from FROM media_assets WHERE id = $1 AND user_id = $2")
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
        let (_, w, h) = *FRAMES.iter().find(|f| f.0 == frame).ok_or_else(|| Error::Invalid("Choose 4:5, 1:1 or 1.91:1.".into()))?;
        let row = self.row(user_id, asset_id).await?;
        if row.kind != "image" {
            return Err(Error::Invalid("Only images can be padded or cropped.".into()));
        }
        let bytes = tokio::fs::read(self.dir.join(&row.file_name)).await.map_err(|e| Error::Internal(format!("media file: {e}")))?;
        let (jpeg, dims) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, (u32, u32))> {
            let framed = reframe_image(&decode(&bytes)?, w, h, how);
            Ok((encode_jpeg(&framed)?, (framed.width(), framed.height())))
        })
        .await
        .map_err(|e| Error::Internal(format!("image task: {e}")))??;
        let how = if how == Reframe::Pad { "padded" } else { "cropped" };
        self.store_jpeg(user_id, jpeg, dims, Some(format!("{how} to {frame}"))).await
    }

    /// What Meta would refuse about the files of a post that Crealia holds (others are checked
    /// by Meta itself): a missing file, a video where an image belongs, an image too large or
    /// out of the feed's shape.
    pub async fn check_post(&self, user_id: i64, kind: PostKind, urls: &[String]) -> Result<()> {
        for (i, url) in urls.iter().enumerate() {
            let Some(name) = url.strip_prefix(&format!("{}/", self.public_prefix)) else { continue };
            let which = if urls.len() > 1 { format!("Item {} of the post", i + 1) } else { "The media file".to_string() };
            let row: Option<AssetRow> = sqlx::query_as(
                "SELECT id, file_name, kind, width, height, bytes, converted_from FROM media_assets WHERE file_name = $1 AND user_id = $2",
            )
            .bind(name)
            .bind(user_id)
            .fetch_optional(&self.db)
            .await?;
            let Some(row) = row else {
                return Err(Error::Invalid(format!("{which} is no longer available. Upload it again.")));
            };
            match (kind, row.kind.as_str()) {
                (PostKind::Reel, "image") => return Err(Error::Invalid("A reel needs a video; for an image choose Image.".into())),
                (PostKind::Image, "video") => return Err(Error::Invalid("An image post needs an image; for a video choose Reel.".into())),
                _ => {}
            }
            if row.kind == "image" {
                if row.bytes as usize > MAX_IMAGE_BYTES {
                    return Err(Error::Invalid(format!("{which} is {}; Instagram takes at most 8 MB.", megabytes(row.bytes as u64))));
                }
                if let (Some(w), Some(h), true) = (row.width, row.height, kind != PostKind::Story) {
                    if let Some(problem) = shape_problem(w as u32, h as u32) {
                        return Err(Error::Invalid(format!("{which}: {problem}")));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0]), Some(Sniffed::Image(ImageFormat::Jpeg)));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\0"), Some(Sniffed::Image(ImageFormat::Png)));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Sniffed::Image(ImageFormat::WebP)));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42\0\0\0\0"), Some(Sniffed::Video("mp4")));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), Some(Sniffed::Video("mov")));
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
