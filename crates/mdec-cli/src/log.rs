//! `events.jsonl`: the run's tracing log as JSON lines. Events logged before the run folder
//! exists (loading and checking the data) are held in memory and written once it does.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// Where the JSON events go: a memory buffer until [`EventsLog::attach`], then the file.
#[derive(Clone, Default)]
pub struct EventsLog(Arc<Mutex<Sink>>);

#[derive(Default)]
enum Sink {
    #[default]
    Pending,
    Buffered(Vec<u8>),
    Open(File),
}

impl EventsLog {
    /// Appends to `path` from now on, after the events buffered so far.
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

/// One event's writer.
pub struct EventWriter(EventsLog);

impl Write for EventWriter {
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

impl<'a> MakeWriter<'a> for EventsLog {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> EventWriter {
        EventWriter(self.clone())
    }
}
