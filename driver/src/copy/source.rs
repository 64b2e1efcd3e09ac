//! Where COPY FROM STDIN data comes from: any `AsyncRead`, a file path, or a `Stream` of byte
//! chunks. Each yields chunks of bounded size, so a 1 GB file never sits in memory at once.

use std::future::Future;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::types::BoxError;

/// Bytes read from a source at a time.
const READ_CHUNK: usize = 64 * 1024;

/// Data for a COPY FROM STDIN, read chunk by chunk.
///
/// Implemented for every `AsyncRead` (files, sockets, `&[u8]`), for [`FromPath`] and for
/// [`FromStream`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::{CopyOptions, from_path};
/// conn.copy_to_table("t", &b"1\tone\n2\ttwo\n"[..], &CopyOptions::new()).await?;
/// conn.copy_to_table("t", from_path("/tmp/t.csv"), &CopyOptions::csv()).await?;
/// # Ok(()) }
/// ```
pub trait CopySource: Send {
    /// The next chunk of data; `None` at the end.
    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, BoxError>> + Send;
}

impl<R: AsyncRead + Unpin + Send> CopySource for R {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, BoxError> {
        let mut buf = BytesMut::with_capacity(READ_CHUNK);
        let n = self.read_buf(&mut buf).await?;
        Ok((n > 0).then(|| buf.freeze()))
    }
}

/// A file to COPY from, read in chunks on tokio's blocking pool.
#[derive(Debug)]
pub struct FromPath {
    path: PathBuf,
    file: Option<std::fs::File>,
    done: bool,
}

/// A file to COPY from.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::{CopyOptions, from_path};
/// let rows = conn.copy_to_table("t", from_path("data.csv"), &CopyOptions::csv()).await?;
/// # Ok(()) }
/// ```
pub fn from_path(path: impl Into<PathBuf>) -> FromPath {
    FromPath {
        path: path.into(),
        file: None,
        done: false,
    }
}

impl CopySource for FromPath {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, BoxError> {
        if self.done {
            return Ok(None);
        }
        let file = self.file.take();
        let path = self.path.clone();
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut file = match file {
                Some(file) => file,
                None => std::fs::File::open(&path)?,
            };
            let mut buf = vec![0; READ_CHUNK];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await??;
        if chunk.is_empty() {
            self.done = true;
            return Ok(None);
        }
        self.file = Some(file);
        Ok(Some(Bytes::from(chunk)))
    }
}

/// A `Stream` of byte chunks to COPY from.
#[derive(Debug)]
pub struct FromStream<S>(S);

/// A `Stream` of chunks (`Bytes`, `Vec<u8>`, `String`, ...) to COPY from; an `Err` item aborts
/// the COPY.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::{CopyOptions, from_stream};
/// let chunks = futures_util::stream::iter(vec![Ok::<_, std::io::Error>("1\n"), Ok("2\n")]);
/// conn.copy_to_table("t", from_stream(chunks), &CopyOptions::new()).await?;
/// # Ok(()) }
/// ```
pub fn from_stream<S>(stream: S) -> FromStream<S> {
    FromStream(stream)
}

impl<S, B, E> CopySource for FromStream<S>
where
    S: Stream<Item = Result<B, E>> + Unpin + Send,
    B: Into<Bytes>,
    E: Into<BoxError>,
{
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, BoxError> {
        match self.0.next().await {
            Some(Ok(chunk)) => Ok(Some(chunk.into())),
            Some(Err(e)) => Err(e.into()),
            None => Ok(None),
        }
    }
}
