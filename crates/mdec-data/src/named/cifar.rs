//! CIFAR binary batches: per image one label byte, then 1024 bytes each of red, green and
//! blue, row by row (the layout the CIFAR-10 binary version documents).

use std::path::{Path, PathBuf};

use ndarray::Array4;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// Bytes of one record: the label and 3×32×32 pixels.
pub(super) const RECORD: usize = 1 + 3 * 32 * 32;

/// Reads the batch `files` in order: images in [0, 1] and labels 0 to 9.
///
/// # Errors
/// I/O errors and [`Error::BadInput`] for a file that is not whole records, or
/// [`Error::BadLabel`] for a label above 9, each naming the file.
pub(super) fn load(files: &[PathBuf]) -> Result<Dataset> {
    let mut bytes = Vec::with_capacity(files.len());
    for path in files {
        let data = std::fs::read(path).map_err(|source| Error::io(path, source))?;
        if data.is_empty() || !data.len().is_multiple_of(RECORD) {
            return Err(Error::BadInput {
                path: path.clone(),
                reason: format!(
                    "{} bytes is not a whole number of CIFAR records of {RECORD} bytes (a label and 3×32×32 pixels)",
                    data.len()
                ),
            });
        }
        bytes.push((path.as_path(), data));
    }
    let n: usize = bytes.iter().map(|(_, d)| d.len() / RECORD).sum();
    let first: &Path = files.first().map_or(Path::new("cifar"), PathBuf::as_path);
    let mut values = crate::memory::f32_buffer(first, n, 3, 32, 32)?;
    let mut labels = Vec::with_capacity(n);
    let mut i = 0;
    for (path, data) in &bytes {
        for (r, record) in data.chunks_exact(RECORD).enumerate() {
            if record[0] > 9 {
                return Err(Error::BadLabel {
                    path: path.to_path_buf(),
                    value: i64::from(record[0]),
                    index: r,
                });
            }
            labels.push(usize::from(record[0]));
            let out = &mut values[i * 3072..(i + 1) * 3072];
            for (v, &b) in out.iter_mut().zip(&record[1..]) {
                *v = f32::from(b) / 255.0;
            }
            i += 1;
        }
    }
    let images = Array4::from_shape_vec((n, 3, 32, 32), values).map_err(|e| Error::BadInput {
        path: first.to_path_buf(),
        reason: e.to_string(),
    })?;
    Dataset::new(images).with_labels(labels)
}
