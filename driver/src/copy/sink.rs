//! Where COPY TO STDOUT data goes: any `AsyncWrite`, a file path, or a callback. (A `Stream` of
//! the data is `Connection::copy_from_table_stream`.) Data is written as it arrives.

use std::future::Future;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::types::BoxError;

/// Bytes a [`ToPath`] gathers before writing them to the file.
const WRITE_CHUNK: usize = 256 * 1024;

/// The destination of a COPY TO STDOUT.
///
/// Implemented for every `AsyncWrite`, for [`ToPath`] and for [`ToFn`].
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::{CopyOptions, to_path};
/// let mut out: Vec<u8> = Vec::new();
/// conn.copy_from_table("t", &mut out, &CopyOptions::csv()).await?;
/// conn.copy_from_table("t", to_path("/tmp/t.csv"), &CopyOptions::csv()).await?;
/// # Ok(()) }
/// ```
pub trait CopySink: Send {
    /// Writes one chunk of data.
    fn write(&mut self, data: Bytes) -> impl Future<Output = Result<(), BoxError>> + Send;
    /// The COPY ended: flush what is buffered.
    fn finish(&mut self) -> impl Future<Output = Result<(), BoxError>> + Send;
}

impl<W: AsyncWrite + Unpin + Send> CopySink for W {
    async fn write(&mut self, data: Bytes) -> Result<(), BoxError> {
        self.write_all(&data).await?;
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), BoxError> {
        self.flush().await?;
        Ok(())
    }
}

/// A file COPY output goes to (created or truncated), written on tokio's blocking pool.
#[derive(Debug)]
pub struct ToPath {
    path: PathBuf,
    file: Option<std::fs::File>,
    pending: BytesMut,
}

/// A file for COPY output (created, or truncated when it exists).
pub fn to_path(path: impl Into<PathBuf>) -> ToPath {
    ToPath {
        path: path.into(),
        file: None,
        pending: BytesMut::new(),
    }
}

impl ToPath {
    async fn write_pending(&mut self) -> Result<(), BoxError> {
        let file = self.file.take();
        let path = self.path.clone();
        let data = self.pending.split().freeze();
        let file = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut file = match file {
                Some(file) => file,
                None => std::fs::File::create(&path)?,
            };
            file.write_all(&data)?;
            Ok::<_, std::io::Error>(file)
        })
        .await??;
        self.file = Some(file);
        Ok(())
    }
}

impl CopySink for ToPath {
    async fn write(&mut self, data: Bytes) -> Result<(), BoxError> {
        self.pending.extend_from_slice(&data);
        if self.pending.len() >= WRITE_CHUNK {
            self.write_pending().await?;
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), BoxError> {
        // Also creates the file of an empty COPY.
        self.write_pending().await
    }
}

/// A callback COPY output goes to, chunk by chunk (asyncpg's coroutine output).
#[derive(Debug)]
pub struct ToFn<F>(F);

/// COPY output handed to `f` chunk by chunk.
///
/// ```no_run
/// # async fn demo(conn: &mut quarry_driver::Connection) -> quarry_driver::Result<()> {
/// use quarry_driver::copy::{CopyOptions, to_fn};
/// let mut total = 0;
/// conn.copy_from_table("t", to_fn(|chunk: bytes::Bytes| { total += chunk.len(); async { Ok::<_, std::io::Error>(()) } }), &CopyOptions::new()).await?;
/// # Ok(()) }
/// ```
pub fn to_fn<F>(f: F) -> ToFn<F> {
    ToFn(f)
}

impl<F, Fut, E> CopySink for ToFn<F>
where
    F: FnMut(Bytes) -> Fut + Send,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Into<BoxError>,
{
    async fn write(&mut self, data: Bytes) -> Result<(), BoxError> {
        (self.0)(data).await.map_err(Into::into)
    }

    async fn finish(&mut self) -> Result<(), BoxError> {
        Ok(())
    }
}
