//! USPS in LIBSVM text: per line a label 1 to 10, then `index:value` pairs with indices 1
//! to 256 (16×16 pixels, row by row) and values in [−1, 1]; a missing index is 0.

use std::path::Path;

use ndarray::Array4;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

const SIDE: usize = 16;
const PIXELS: usize = SIDE * SIDE;

/// Reads the file: pixels `(value + 1) / 2` in [0, 1], labels 0 to 9.
///
/// # Errors
/// I/O errors and [`Error::BadInput`] naming the file and line for anything else than the
/// format above.
pub(super) fn load(path: &Path) -> Result<Dataset> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::io(path, source))?;
    let bad = |line: usize, reason: String| Error::BadInput {
        path: path.to_path_buf(),
        reason: format!("line {line}: {reason}"),
    };
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for (l, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line_no = l + 1;
        let mut fields = line.split_whitespace();
        let label: f64 = fields
            .next()
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| bad(line_no, "no label".into()))?;
        if label.fract() != 0.0 || !(1.0..=10.0).contains(&label) {
            return Err(bad(line_no, format!("label {label}: expected 1 to 10")));
        }
        labels.push(label as usize - 1);
        let mut pixels = [0.5f32; PIXELS];
        for field in fields {
            let (index, value) = field
                .split_once(':')
                .and_then(|(i, v)| Some((i.parse::<usize>().ok()?, v.parse::<f32>().ok()?)))
                .ok_or_else(|| bad(line_no, format!("{field:?} is not index:value")))?;
            if !(1..=PIXELS).contains(&index) || !(-1.0..=1.0).contains(&value) {
                return Err(bad(
                    line_no,
                    format!("{field:?}: expected an index 1 to {PIXELS} and a value in [-1, 1]"),
                ));
            }
            pixels[index - 1] = (value + 1.0) / 2.0;
        }
        values.extend_from_slice(&pixels);
    }
    if labels.is_empty() {
        return Err(Error::EmptyFolder {
            path: path.to_path_buf(),
        });
    }
    let images = Array4::from_shape_vec((labels.len(), 1, SIDE, SIDE), values).map_err(|e| {
        Error::BadInput {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })?;
    Dataset::new(images).with_labels(labels)
}
