//! Shared plumbing: the RGB buffer type, the embedded font, and PNG/SVG output written
//! atomically through [`mdec_data::atomic`].

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use mdec_data::atomic;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};

/// Font family name the embedded DejaVu Sans is registered under (plotters' default family).
pub(crate) const FONT: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded DejaVu Sans with plotters once per process, so that text renders
/// without any system font.
pub(crate) fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, FONT_BYTES).is_ok()
    });
    if ok { Ok(()) } else { Err(Error::Font) }
}

/// An 8-bit RGB image, row-major, three bytes per pixel: what [`crate::scatter_frame`]
/// returns and [`crate::GifWriter::push_frame`] takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl RgbImage {
    /// A `width` × `height` image filled with `color`.
    pub fn new(width: u32, height: u32, color: [u8; 3]) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::ZeroSize {
                what: "image".into(),
                width: width as usize,
                height: height as usize,
            });
        }
        let data = color.repeat(width as usize * height as usize);
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The raw bytes, `[r, g, b, r, g, b, ...]` row by row.
    pub fn as_raw(&self) -> &[u8] {
        &self.data
    }

    /// Consumes the image and returns its raw bytes.
    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }

    /// The pixel at column `x`, row `y`, or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = 3 * (y as usize * self.width as usize + x as usize);
        Some([self.data[i], self.data[i + 1], self.data[i + 2]])
    }

    /// Writes the image as a PNG, atomically.
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<()> {
        write_png(path.as_ref(), self.width, self.height, &self.data)
    }

    pub(crate) fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// A plotters drawing area over this image.
    pub(crate) fn area(&mut self) -> DrawingArea<BitMapBackend<'_>, Shift> {
        BitMapBackend::with_buffer(&mut self.data, (self.width, self.height)).into_drawing_area()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic::write_file(path, |tmp: &Path| {
        std::fs::write(tmp, bytes).map_err(io_err(path))
    })
}

/// Encodes an RGB buffer as PNG and writes it atomically.
pub(crate) fn write_png(path: &Path, width: u32, height: u32, rgb: &[u8]) -> Result<()> {
    let png_err = |source| Error::Png {
        path: path.to_owned(),
        source,
    };
    atomic::write_file(path, |tmp: &Path| {
        let file = std::fs::File::create(tmp).map_err(io_err(path))?;
        let mut out = std::io::BufWriter::new(file);
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header().map_err(png_err)?;
        w.write_image_data(rgb).map_err(png_err)?;
        w.finish().map_err(png_err)?;
        out.flush().map_err(io_err(path))
    })
}

/// A plotters error, flattened to its message (the backend type differs per format).
pub(crate) struct DrawError(pub(crate) String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Self(e.to_string())
    }
}

/// A figure that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// Size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws onto `root`, already filled white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>;
}

/// Renders `fig` to `path`: SVG when the extension is `.svg`, PNG otherwise.
pub(crate) fn render(fig: &impl Figure, path: &Path) -> Result<()> {
    ensure_font()?;
    let (w, h) = fig.size();
    let draw_err = |e: DrawError| Error::Draw {
        path: path.to_owned(),
        message: e.0,
    };
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| draw_err(e.into()))?;
            fig.draw(&root).map_err(draw_err)?;
            root.present().map_err(|e| draw_err(e.into()))?;
        }
        write_atomic(path, svg.as_bytes())
    } else {
        let mut img = RgbImage::new(w, h, [255; 3])?;
        {
            let root = img.area();
            fig.draw(&root).map_err(draw_err)?;
            root.present().map_err(|e| draw_err(e.into()))?;
        }
        img.save_png(path)
    }
}
