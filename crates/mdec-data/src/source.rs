//! [`Source`]: samples drawn on demand — tiles of a large image, crops of part images, or
//! the images of an in-memory [`Dataset`] — so that embedding and prediction stream over
//! data of any size in chunks, holding one chunk at a time.

use ndarray::Array4;

use crate::dataset::{Dataset, ImageShape};
use crate::raster::{Position, Raster};

/// One input that samples are cut from: a large image or a part image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extent {
    /// Its name, as in [`Position::source`].
    pub name: String,
    /// Height in pixels.
    pub height: usize,
    /// Width in pixels.
    pub width: usize,
    /// For a tile grid: its rows and columns, so that a map at tile resolution can be drawn.
    pub grid: Option<(usize, usize)>,
}

/// Where one sample lies: the index of its input in [`Source::extents`], its box, and its
/// cell of the input's tile grid when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// Index into [`Source::extents`].
    pub input: usize,
    /// Top row.
    pub y: usize,
    /// Left column.
    pub x: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
    /// Row and column in the input's tile grid.
    pub cell: Option<(usize, usize)>,
}

/// Samples of one shape, cut on demand.
///
/// Memory held by a source does not grow with its number of samples beyond a few bytes
/// each (positions): a tile grid computes each tile's place from its index.
pub trait Source: Send + Sync {
    /// Number of samples.
    fn len(&self) -> usize;

    /// Whether there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shape of one sample.
    fn shape(&self) -> ImageShape;

    /// The samples at `indices`, `[indices.len(), c, h, w]`: one batch or chunk.
    ///
    /// # Panics
    /// If an index is `>= self.len()`.
    fn gather(&self, indices: &[usize]) -> Array4<f32>;

    /// Where sample `i` comes from.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    fn position(&self, i: usize) -> Position;

    /// Where sample `i` lies in the input it was cut from, for maps; `None` for samples
    /// that are whole images.
    fn place(&self, i: usize) -> Option<Place> {
        let _ = i;
        None
    }

    /// The inputs the samples were cut from (see [`Source::place`]); empty for whole images.
    fn extents(&self) -> Vec<Extent> {
        Vec::new()
    }

    /// Input `index` of [`Source::extents`], as the samples are cut from it (scaled): what
    /// maps are drawn over.
    fn input(&self, index: usize) -> Option<&Raster> {
        let _ = index;
        None
    }

    /// The names of the classes that labels index into, when known.
    fn class_names(&self) -> Option<&[String]> {
        None
    }

    /// The known class of sample `i`, if the source has labels.
    fn label(&self, i: usize) -> Option<usize> {
        let _ = i;
        None
    }

    /// Every sample in memory, with names `source@y,x`, and labels and class names when
    /// known: what training needs.
    fn to_dataset(&self) -> crate::Result<Dataset> {
        let all: Vec<usize> = (0..self.len()).collect();
        let images = self.gather(&all);
        let names = all
            .iter()
            .map(|&i| {
                let p = self.position(i);
                format!("{}@{},{}", p.source, p.y, p.x)
            })
            .collect();
        let labels: Option<Vec<usize>> = all.iter().map(|&i| self.label(i)).collect();
        let mut dataset = Dataset::new(images).with_names(names)?;
        if let Some(labels) = labels.filter(|l| !l.is_empty()) {
            dataset = dataset.with_labels(labels)?;
            if let Some(names) = self.class_names() {
                dataset = dataset.with_class_names(names.to_vec())?;
            }
        }
        Ok(dataset)
    }
}

impl Source for Dataset {
    fn len(&self) -> usize {
        Dataset::len(self)
    }

    fn shape(&self) -> ImageShape {
        Dataset::shape(self)
    }

    fn gather(&self, indices: &[usize]) -> Array4<f32> {
        Dataset::gather(self, indices)
    }

    /// The sample's name (its index when the dataset has none) and its whole extent.
    fn position(&self, i: usize) -> Position {
        let shape = Dataset::shape(self);
        Position {
            source: self
                .names()
                .map_or_else(|| i.to_string(), |names| names[i].clone()),
            y: 0,
            x: 0,
            h: shape.height,
            w: shape.width,
        }
    }

    fn label(&self, i: usize) -> Option<usize> {
        self.labels().map(|labels| labels[i])
    }

    fn class_names(&self) -> Option<&[String]> {
        Dataset::class_names(self)
    }
}
