//! Animated GIFs of scatter frames, streamed: each frame is indexed against a fixed palette
//! and written as soon as it is pushed, so memory does not grow with the frame count.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use mdec_data::atomic::AtomicFile;

use crate::error::{Error, Result};
use crate::output::RgbImage;
use crate::palette::{gif_palette, index_pixels};

/// How an animation plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GifOptions {
    /// Time each frame is shown, in milliseconds (GIF stores hundredths); default 200.
    pub frame_ms: u32,
    /// Number of times to play; `None` loops forever (the default).
    pub repeat: Option<u16>,
}

impl Default for GifOptions {
    fn default() -> Self {
        Self {
            frame_ms: 200,
            repeat: None,
        }
    }
}

/// Writes an animated GIF one frame at a time, e.g. one [`crate::scatter_frame`] per
/// target-distribution update.
///
/// The file appears at its path only when [`GifWriter::finish`] succeeds (it is written
/// under a temporary name in the same folder, then renamed: a
/// [`mdec_data::atomic::AtomicFile`]); a writer dropped without `finish` leaves nothing
/// behind.
pub struct GifWriter {
    encoder: Option<gif::Encoder<AtomicFile>>,
    path: PathBuf,
    width: u32,
    height: u32,
    delay: u16,
    frames: usize,
    indices: Vec<u8>,
}

impl std::fmt::Debug for GifWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GifWriter")
            .field("path", &self.path)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("frames", &self.frames)
            .finish()
    }
}

impl GifWriter {
    /// Starts a `width` × `height` animation at `path`; every frame must have that size.
    pub fn create(
        path: impl AsRef<Path>,
        width: u32,
        height: u32,
        options: &GifOptions,
    ) -> Result<Self> {
        let path = path.as_ref().to_owned();
        if width == 0 || height == 0 || width > u16::MAX as u32 || height > u16::MAX as u32 {
            return Err(Error::ZeroSize {
                what: "gif frame".into(),
                width: width as usize,
                height: height as usize,
            });
        }
        let gif_err = |source| Error::Gif {
            path: path.clone(),
            source,
        };
        let file = AtomicFile::create(&path)?;
        let flat: Vec<u8> = gif_palette().iter().flatten().copied().collect();
        let mut encoder =
            gif::Encoder::new(file, width as u16, height as u16, &flat).map_err(gif_err)?;
        let repeat = match options.repeat {
            None => gif::Repeat::Infinite,
            Some(n) => gif::Repeat::Finite(n),
        };
        encoder.set_repeat(repeat).map_err(gif_err)?;
        let delay = (options.frame_ms.div_ceil(10)).min(u16::MAX as u32) as u16;
        Ok(Self {
            encoder: Some(encoder),
            path,
            width,
            height,
            delay,
            frames: 0,
            indices: Vec::new(),
        })
    }

    /// Quantises `frame` to the fixed palette and appends it to the file.
    pub fn push_frame(&mut self, frame: &RgbImage) -> Result<()> {
        if (frame.width(), frame.height()) != (self.width, self.height) {
            return Err(Error::ShapeMismatch {
                what: "gif frame".into(),
                expected: vec![self.width as usize, self.height as usize],
                got: vec![frame.width() as usize, frame.height() as usize],
            });
        }
        index_pixels(frame.as_raw(), &mut self.indices);
        let gif_frame = gif::Frame {
            width: self.width as u16,
            height: self.height as u16,
            delay: self.delay,
            buffer: Cow::Borrowed(&self.indices),
            ..gif::Frame::default()
        };
        let path = &self.path;
        let encoder = self.encoder.as_mut().ok_or_else(|| Error::Empty {
            what: "finished gif".into(),
        })?;
        encoder
            .write_frame(&gif_frame)
            .map_err(|source| Error::Gif {
                path: path.clone(),
                source,
            })?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Writes the trailer and moves the file into place; at least one frame is required.
    pub fn finish(mut self) -> Result<()> {
        if self.frames == 0 {
            return Err(Error::Empty {
                what: format!("{}: gif frames", self.path.display()),
            });
        }
        let encoder = self.encoder.take().ok_or_else(|| Error::Empty {
            what: "finished gif".into(),
        })?;
        let file = encoder.into_inner().map_err(|source| Error::Gif {
            path: self.path.clone(),
            source,
        })?;
        Ok(file.commit()?)
    }
}
