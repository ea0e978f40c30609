//! Where media files live: a local folder by default, any S3-compatible store when
//! `MEDIA_STORE_URL` says so (through the `object_store` crate), so that every server of a
//! deployment reads what any of them stored. Files are named once and never change, so a
//! reader never sees half of one: a local write lands under a temporary name and is renamed,
//! an S3 object appears when its upload completes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{GetOptions, ObjectStore, ObjectStoreExt, PutPayload};
use tokio::io::AsyncWriteExt;

/// A part of a file to read (`Range: bytes=…`).
pub use object_store::GetRange as ByteRange;

use crate::{Error, Result};

/// The variables passed to an S3 store (the usual AWS names, as `object_store` reads them).
pub const AWS_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
    "AWS_SKIP_SIGNATURE",
];

/// The part size of multipart uploads to S3 (its smallest).
const PART_BYTES: usize = 5 << 20;

/// Where the files are, as configured. Its `Debug` names the options but never their values
/// (they hold the secret key).
#[derive(Clone, PartialEq, Eq)]
pub enum MediaLocation {
    /// A folder on this machine (one server, or a folder every server mounts).
    Folder(PathBuf),
    /// `s3://bucket/prefix`, with `object_store`'s options (`aws_endpoint`, `aws_region`,
    /// `aws_access_key_id`, …) taken from the `AWS_*` variables.
    Url { url: String, options: Vec<(String, String)> },
}

impl std::fmt::Debug for MediaLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MediaLocation::Folder(dir) => f.debug_tuple("Folder").field(dir).finish(),
            MediaLocation::Url { url, options } => {
                let names: Vec<&str> = options.iter().map(|(k, _)| k.as_str()).collect();
                f.debug_struct("Url").field("url", url).field("options", &names).finish()
            }
        }
    }
}

impl MediaLocation {
    /// From the configuration: `MEDIA_STORE_URL` when set (with the [`AWS_VARS`] that are set as
    /// its options), else the folder.
    pub fn from_vars(store_url: Option<&str>, folder: &Path, get: impl Fn(&str) -> Option<String>) -> Self {
        match store_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => MediaLocation::Folder(folder.to_path_buf()),
            Some(url) => {
                let options = AWS_VARS.iter().filter_map(|name| Some((name.to_ascii_lowercase(), get(name)?))).collect();
                MediaLocation::Url { url: url.to_string(), options }
            }
        }
    }

    /// Says what is wrong with it, for the start-up message.
    pub fn check(&self) -> std::result::Result<(), String> {
        match self {
            MediaLocation::Folder(_) => Ok(()),
            MediaLocation::Url { url, options } => {
                let parsed = url::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
                if parsed.scheme() != "s3" {
                    return Err(format!("the scheme `{}` is not supported; use s3://bucket/prefix", parsed.scheme()));
                }
                object_store::parse_url_opts(&parsed, options.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }
}

/// What [`MediaFiles::open_read`] found.
pub enum Opened {
    Read(MediaRead),
    /// The file is there, but the range asked for starts past its end (its size, for the 416).
    Unsatisfiable {
        size: u64,
    },
}

/// A stored file being read: its size, the part asked for, and the bytes as they come.
pub struct MediaRead {
    pub size: u64,
    pub range: std::ops::Range<u64>,
    pub body: BoxStream<'static, Result<Bytes>>,
}

#[derive(Clone)]
pub struct MediaFiles {
    store: Arc<dyn ObjectStore>,
    /// The prefix under the store's root (`s3://bucket/prefix` → `prefix`).
    prefix: StorePath,
    /// The folder, when the store is one on this machine (a finished upload is moved there,
    /// not copied).
    folder: Option<PathBuf>,
}

fn store_error(e: object_store::Error) -> Error {
    match e {
        object_store::Error::NotFound { .. } => Error::NotFound,
        other => Error::Unavailable(format!("media store: {other}")),
    }
}

impl MediaFiles {
    pub fn open(location: &MediaLocation) -> Result<Self> {
        match location {
            MediaLocation::Folder(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::Internal(format!("media folder {}: {e}", dir.display())))?;
                let store = LocalFileSystem::new_with_prefix(dir).map_err(|e| Error::Internal(format!("media folder: {e}")))?;
                Ok(MediaFiles { store: Arc::new(store), prefix: StorePath::default(), folder: Some(dir.clone()) })
            }
            MediaLocation::Url { url, options } => {
                let parsed = url::Url::parse(url).map_err(|e| Error::Internal(format!("MEDIA_STORE_URL: {e}")))?;
                let (store, prefix) = object_store::parse_url_opts(&parsed, options.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .map_err(|e| Error::Internal(format!("MEDIA_STORE_URL: {e}")))?;
                Ok(MediaFiles { store: Arc::from(store), prefix, folder: None })
            }
        }
    }

    fn path(&self, name: &str) -> Result<StorePath> {
        // Names are Crealia's own (random, one segment); anything else never reaches the store.
        if name.is_empty() || name.starts_with('.') || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
            return Err(Error::NotFound);
        }
        Ok(self.prefix.clone().join(name))
    }

    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.store.put(&self.path(name)?, PutPayload::from(bytes)).await.map_err(store_error)?;
        Ok(())
    }

    /// Moves a local file into the store: a rename into a local folder on the same disk, else
    /// a streamed copy (a multipart upload on S3, aborted if anything fails on the way, so no
    /// half-made upload stays behind to be billed). The file itself is left where it was
    /// unless it was renamed.
    pub async fn put_file(&self, name: &str, file: &Path) -> Result<()> {
        let path = self.path(name)?;
        if let Some(folder) = &self.folder {
            if tokio::fs::rename(file, folder.join(name)).await.is_ok() {
                return Ok(());
            }
        }
        let source = tokio::fs::File::open(file).await.map_err(|e| Error::Internal(format!("media file: {e}")))?;
        // 5 MiB parts (S3's smallest), two in flight: at most ~15 MiB of memory per upload.
        let mut writer = BufWriter::with_capacity(self.store.clone(), path, PART_BYTES).with_max_concurrency(2);
        match copy_into(source, &mut writer).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    /// Every stored file's name and when it was stored, as the store lists them.
    pub fn list(&self) -> BoxStream<'static, Result<(String, chrono::DateTime<chrono::Utc>)>> {
        let prefix = self.prefix.clone();
        self.store
            .list(Some(&self.prefix))
            .map(move |meta| {
                let meta = meta.map_err(store_error)?;
                let name = meta.location.prefix_match(&prefix).and_then(|mut parts| parts.next()).map(|p| p.as_ref().to_string()).unwrap_or_default();
                Ok((name, meta.last_modified))
            })
            .boxed()
    }

    /// The whole file, up to `max_bytes` (more is refused before it is read).
    pub async fn read(&self, name: &str, max_bytes: u64) -> Result<Bytes> {
        let got = self.store.get(&self.path(name)?).await.map_err(store_error)?;
        if got.meta.size > max_bytes {
            return Err(Error::Refused(crealia_model::problem::Problem::FileTooLarge { megabytes: max_bytes / (1024 * 1024) }));
        }
        got.bytes().await.map_err(store_error)
    }

    /// Part of a file (`range`, as asked by an HTTP `Range`) or all of it, as a stream. One
    /// request to the store; only when a ranged read fails is the file's size looked up, so
    /// that only a range the file cannot satisfy is [`Opened::Unsatisfiable`], never a store
    /// that failed to answer.
    pub async fn open_read(&self, name: &str, range: Option<ByteRange>) -> Result<Opened> {
        let path = self.path(name)?;
        let got = match self.store.get_opts(&path, GetOptions { range: range.clone(), ..Default::default() }).await {
            Ok(got) => got,
            Err(e) => {
                let Some(range) = range.filter(|_| !matches!(e, object_store::Error::NotFound { .. })) else {
                    return Err(store_error(e));
                };
                let size = self.store.head(&path).await.map_err(store_error)?.size;
                return match range.as_range(size) {
                    Err(_) => Ok(Opened::Unsatisfiable { size }),
                    Ok(_) => Err(store_error(e)),
                };
            }
        };
        let (size, range) = (got.meta.size, got.range.clone());
        let body = got.into_stream().map(|chunk| chunk.map_err(store_error)).boxed();
        Ok(Opened::Read(MediaRead { size, range, body }))
    }

    pub async fn delete(&self, name: &str) -> Result<()> {
        match self.store.delete(&self.path(name)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}

/// Streams `source` into `writer` and completes the upload.
async fn copy_into(mut source: tokio::fs::File, writer: &mut BufWriter) -> Result<()> {
    use tokio::io::AsyncReadExt;
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = source.read(&mut buffer).await.map_err(|e| Error::Internal(format!("media file: {e}")))?;
        if n == 0 {
            break;
        }
        writer.write_all(&buffer[..n]).await.map_err(|e| Error::Unavailable(format!("media store: {e}")))?;
    }
    writer.shutdown().await.map_err(|e| Error::Unavailable(format!("media store: {e}")))
}
