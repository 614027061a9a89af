//! `GET /api/runs/{id}/events`: a run's records as server-sent events, as they come.
//!
//! The stream tails the run's `events.jsonl` (so it serves runs started anywhere, by the CLI
//! too): every complete line is sent as a `message` event whose id is its line number, and a
//! client that reconnects with `Last-Event-ID` gets only the lines after it. For runs this
//! station started it also sends the latest per-batch progress as `progress` events, at most
//! one per poll. The stream ends when the client goes away or the station shuts down.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;

use crate::Station;
use crate::error::ApiError;
use crate::jobs::Progress;

/// How often the file and the progress are looked at.
const POLL: Duration = Duration::from_millis(250);

/// The tail of one run's events.
struct Tail {
    station: Arc<Station>,
    path: PathBuf,
    /// Bytes of the file read so far (complete lines only).
    offset: u64,
    /// Lines read so far.
    lines: u64,
    /// Lines the client already has (`Last-Event-ID`).
    skip: u64,
    progress: Option<Arc<Mutex<Progress>>>,
    progress_seen: u64,
    queue: VecDeque<SseEvent>,
}

impl Tail {
    /// Reads the lines added since the last call, and the progress, into the queue.
    fn poll(&mut self) {
        if let Ok(mut file) = std::fs::File::open(&self.path)
            && file.seek(SeekFrom::Start(self.offset)).is_ok()
        {
            let mut added = Vec::new();
            if file.read_to_end(&mut added).is_ok() {
                let complete = added.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                for line in added[..complete].split(|&b| b == b'\n') {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.lines += 1;
                    if self.lines > self.skip {
                        self.queue.push_back(
                            SseEvent::default()
                                .id(self.lines.to_string())
                                .data(String::from_utf8_lossy(line)),
                        );
                    }
                }
                self.offset += complete as u64;
            }
        }
        if let Some(slot) = &self.progress {
            let progress = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if progress.count > self.progress_seen
                && let Some(record) = progress.latest
                && let Ok(data) = serde_json::to_string(&record)
            {
                self.progress_seen = progress.count;
                self.queue
                    .push_back(SseEvent::default().event("progress").data(data));
            }
        }
    }
}

/// `GET /api/runs/{id}/events`.
pub(crate) async fn events(
    State(station): State<Arc<Station>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let layout = station.runs.run(&id)?;
    let skip = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let tail = Tail {
        progress: station.jobs.progress(&id),
        station,
        path: layout.events(),
        offset: 0,
        lines: 0,
        skip,
        progress_seen: 0,
        queue: VecDeque::new(),
    };
    let stream = futures_util::stream::unfold(tail, |mut tail| async move {
        loop {
            if let Some(event) = tail.queue.pop_front() {
                return Some((Ok(event), tail));
            }
            if tail.station.closing.load(Ordering::Relaxed) {
                return None;
            }
            tail = tokio::task::spawn_blocking(move || {
                tail.poll();
                tail
            })
            .await
            .ok()?;
            if tail.queue.is_empty() {
                tokio::time::sleep(POLL).await;
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
