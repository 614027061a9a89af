//! `log.jsonl`: the run's tracing log (warnings included) as JSON lines, beside the typed
//! `events.jsonl` the pipeline writes. Lines logged before the run folder exists (loading
//! and checking the data) are held in memory and written once it does.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// Where the JSON log lines go: a memory buffer until [`LogFile::attach`], then the file.
#[derive(Clone, Default)]
pub struct LogFile(Arc<Mutex<Sink>>);

#[derive(Default)]
enum Sink {
    #[default]
    Pending,
    Buffered(Vec<u8>),
    Open(File),
}

impl LogFile {
    /// Appends to `path` from now on, after the lines buffered so far.
    pub fn attach(&self, path: &Path) -> io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        let mut sink = self.lock();
        if let Sink::Buffered(bytes) = &*sink {
            file.write_all(bytes)?;
        }
        *sink = Sink::Open(file);
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Sink> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One line's writer.
pub struct LogWriter(LogFile);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut sink = self.0.lock();
        match &mut *sink {
            Sink::Open(file) => file.write(buf),
            Sink::Buffered(bytes) => {
                bytes.extend_from_slice(buf);
                Ok(buf.len())
            }
            Sink::Pending => {
                *sink = Sink::Buffered(buf.to_vec());
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut *self.0.lock() {
            Sink::Open(file) => file.flush(),
            _ => Ok(()),
        }
    }
}

impl<'a> MakeWriter<'a> for LogFile {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        LogWriter(self.clone())
    }
}
