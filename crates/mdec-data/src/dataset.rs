//! The in-memory [`Dataset`]: `f32` images shaped N×C×H×W plus optional labels,
//! per-sample names and class names.

use std::fmt;

use ndarray::{Array4, ArrayViewMut4, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::summary::Summary;

/// The shape of one image: channels × height × width.
///
/// Displays as `1×28×28`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageShape {
    /// Number of channels (1 for grayscale, 3 for RGB).
    pub channels: usize,
    /// Height in pixels.
    pub height: usize,
    /// Width in pixels.
    pub width: usize,
}

impl ImageShape {
    /// Creates a shape from channels, height and width.
    pub fn new(channels: usize, height: usize, width: usize) -> Self {
        Self {
            channels,
            height,
            width,
        }
    }

    /// Number of values in one image (`channels * height * width`).
    pub fn numel(&self) -> usize {
        self.channels * self.height * self.width
    }
}

impl fmt::Display for ImageShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}×{}", self.channels, self.height, self.width)
    }
}

/// A set of images held in memory as one `[n, c, h, w]` array of `f32`.
///
/// Labels (class indices), names (usually file paths relative to the dataset root) and
/// class names are optional; their lengths are checked when they are attached, so a
/// `Dataset` is always consistent.
///
/// ```
/// use mdec_data::Dataset;
/// use ndarray::Array4;
///
/// let ds = Dataset::new(Array4::zeros((4, 1, 2, 2)))
///     .with_labels(vec![0, 1, 1, 0])?
///     .with_class_names(vec!["even".into(), "odd".into()])?;
/// assert_eq!(ds.len(), 4);
/// assert_eq!(ds.shape().to_string(), "1×2×2");
/// assert!(ds.with_labels(vec![0]).is_err()); // wrong count
/// # Ok::<(), mdec_data::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    images: Array4<f32>,
    labels: Option<Vec<usize>>,
    names: Option<Vec<String>>,
    class_names: Option<Vec<String>>,
}

impl Dataset {
    /// Wraps an `[n, c, h, w]` array without labels, names or class names.
    pub fn new(images: Array4<f32>) -> Self {
        Self {
            images,
            labels: None,
            names: None,
            class_names: None,
        }
    }

    /// Attaches one label per image.
    ///
    /// # Errors
    /// [`Error::CountMismatch`] if `labels.len() != self.len()`, and
    /// [`Error::LabelOutOfRange`] if class names are set and a label is not below their count.
    pub fn with_labels(mut self, labels: Vec<usize>) -> Result<Self> {
        check_count("labels", self.len(), labels.len())?;
        if let Some(classes) = &self.class_names {
            check_label_range(&labels, classes.len())?;
        }
        self.labels = Some(labels);
        Ok(self)
    }

    /// Attaches one name (typically a relative file path) per image.
    ///
    /// # Errors
    /// [`Error::CountMismatch`] if `names.len() != self.len()`.
    pub fn with_names(mut self, names: Vec<String>) -> Result<Self> {
        check_count("names", self.len(), names.len())?;
        self.names = Some(names);
        Ok(self)
    }

    /// Attaches the names of the classes; label `i` means `class_names[i]`.
    ///
    /// # Errors
    /// [`Error::LabelOutOfRange`] if labels are set and one is not below `class_names.len()`.
    pub fn with_class_names(mut self, class_names: Vec<String>) -> Result<Self> {
        if let Some(labels) = &self.labels {
            check_label_range(labels, class_names.len())?;
        }
        self.class_names = Some(class_names);
        Ok(self)
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.images.len_of(Axis(0))
    }

    /// Whether the dataset holds no image.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Shape of one image.
    pub fn shape(&self) -> ImageShape {
        let (_, c, h, w) = self.images.dim();
        ImageShape::new(c, h, w)
    }

    /// All images, `[n, c, h, w]`.
    pub fn images(&self) -> &Array4<f32> {
        &self.images
    }

    /// A mutable view of the images (for in-place scaling or augmentation); the shape
    /// cannot change through it.
    pub fn images_mut(&mut self) -> ArrayViewMut4<'_, f32> {
        self.images.view_mut()
    }

    /// Takes the images out, dropping labels and names.
    pub fn into_images(self) -> Array4<f32> {
        self.images
    }

    /// Labels, one per image, if known.
    pub fn labels(&self) -> Option<&[usize]> {
        self.labels.as_deref()
    }

    /// Per-sample names, if known.
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// Class names, if known.
    pub fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }

    /// Number of classes: the class-name count if known, else `max label + 1`, else `None`.
    pub fn num_classes(&self) -> Option<usize> {
        match (&self.class_names, &self.labels) {
            (Some(names), _) => Some(names.len()),
            (None, Some(labels)) => Some(labels.iter().max().map_or(0, |m| m + 1)),
            (None, None) => None,
        }
    }

    /// A new dataset with the samples at `indices`, in that order (repeats allowed);
    /// labels and names follow, class names are kept.
    ///
    /// # Panics
    /// If an index is `>= self.len()`, like slice indexing. Use [`Dataset::try_select`]
    /// for indices that come from user input.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            images: self.gather(indices),
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            names: self
                .names
                .as_ref()
                .map(|n| indices.iter().map(|&i| n[i].clone()).collect()),
            class_names: self.class_names.clone(),
        }
    }

    /// Like [`Dataset::select`] but returns [`Error::IndexOutOfBounds`] instead of panicking.
    pub fn try_select(&self, indices: &[usize]) -> Result<Dataset> {
        self.check_indices(indices)?;
        Ok(self.select(indices))
    }

    /// Copies the images at `indices` into a new `[indices.len(), c, h, w]` array: one batch.
    ///
    /// # Panics
    /// If an index is `>= self.len()`.
    pub fn gather(&self, indices: &[usize]) -> Array4<f32> {
        self.images.select(Axis(0), indices)
    }

    /// Labels at `indices`, if labels are known.
    ///
    /// # Panics
    /// If an index is `>= self.len()`.
    pub fn gather_labels(&self, indices: &[usize]) -> Option<Vec<usize>> {
        self.labels
            .as_ref()
            .map(|l| indices.iter().map(|&i| l[i]).collect())
    }

    /// Joins datasets one after the other (e.g. train then test).
    ///
    /// Labels and names are kept only when every part has them; class names must agree.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if image shapes differ, [`Error::Concat`] if class names
    /// differ or no part is given.
    pub fn concat(parts: &[Dataset]) -> Result<Dataset> {
        let first = parts.first().ok_or(Error::Concat {
            reason: "no dataset given",
        })?;
        let shape = first.shape();
        for p in parts {
            if p.shape() != shape {
                return Err(Error::ShapeMismatch {
                    expected: shape,
                    got: p.shape(),
                });
            }
            if p.class_names != first.class_names {
                return Err(Error::Concat {
                    reason: "class names differ",
                });
            }
        }
        let views: Vec<_> = parts.iter().map(|p| p.images.view()).collect();
        let images = ndarray::concatenate(Axis(0), &views).map_err(|_| Error::Concat {
            reason: "image arrays do not fit together",
        })?;
        let labels = parts
            .iter()
            .map(|p| p.labels.as_deref())
            .collect::<Option<Vec<_>>>()
            .map(|ls| ls.concat());
        let names = parts
            .iter()
            .map(|p| p.names.as_deref())
            .collect::<Option<Vec<_>>>()
            .map(|ns| ns.concat());
        Ok(Dataset {
            images,
            labels,
            names,
            class_names: first.class_names.clone(),
        })
    }

    /// Counts, shape, per-class counts and pixel statistics; its `Display` is the text of
    /// `mdec data inspect`.
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }

    pub(crate) fn check_indices(&self, indices: &[usize]) -> Result<()> {
        let len = self.len();
        match indices.iter().find(|&&i| i >= len) {
            Some(&index) => Err(Error::IndexOutOfBounds { index, len }),
            None => Ok(()),
        }
    }
}

fn check_count(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::CountMismatch {
            what,
            expected,
            got,
        })
    }
}

fn check_label_range(labels: &[usize], classes: usize) -> Result<()> {
    match labels.iter().enumerate().find(|&(_, &l)| l >= classes) {
        Some((index, &label)) => Err(Error::LabelOutOfRange {
            label,
            index,
            classes,
        }),
        None => Ok(()),
    }
}
