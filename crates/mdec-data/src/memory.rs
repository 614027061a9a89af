//! Memory checks before allocating user-sized image buffers, so that a dataset too large
//! for the machine is an [`Error::TooLarge`] naming its size, not an aborted process.

use std::path::Path;

use crate::error::{Error, Result};

/// Bytes of memory the machine has (`MemTotal` of `/proc/meminfo`), when known.
pub(crate) fn mem_total() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Checks that `n` images of `channels × height × width` `f32` values can be addressed and
/// fit in the machine's memory; returns the number of values.
///
/// # Errors
/// [`Error::TooLarge`] naming `path` and the size.
pub(crate) fn check_fits(
    path: &Path,
    n: usize,
    channels: usize,
    height: usize,
    width: usize,
) -> Result<usize> {
    let too_large = |available_bytes| Error::TooLarge {
        path: path.to_path_buf(),
        n,
        channels,
        height,
        width,
        needed_bytes: [n, channels, height, width]
            .iter()
            .map(|&d| d as f64)
            .product::<f64>()
            * size_of::<f32>() as f64,
        available_bytes,
    };
    let len = [channels, height, width]
        .iter()
        .try_fold(n, |acc, &d| acc.checked_mul(d));
    let bytes = len
        .and_then(|len| len.checked_mul(size_of::<f32>()))
        .and_then(|bytes| u64::try_from(bytes).ok());
    let (Some(len), Some(bytes)) = (len, bytes) else {
        return Err(too_large(None));
    };
    if let Some(total) = mem_total()
        && bytes > total
    {
        return Err(too_large(Some(total)));
    }
    Ok(len)
}

/// A zeroed buffer for `n` images of `channels × height × width` `f32` values, checked with
/// [`check_fits`] and allocated with `try_reserve_exact`, so that a failed allocation is an
/// error rather than an abort.
///
/// # Errors
/// [`Error::TooLarge`] naming `path` and the size.
pub(crate) fn f32_buffer(
    path: &Path,
    n: usize,
    channels: usize,
    height: usize,
    width: usize,
) -> Result<Vec<f32>> {
    let len = check_fits(path, n, channels, height, width)?;
    let mut values = Vec::new();
    if values.try_reserve_exact(len).is_err() {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            n,
            channels,
            height,
            width,
            needed_bytes: len as f64 * size_of::<f32>() as f64,
            available_bytes: None,
        });
    }
    values.resize(len, 0.0);
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_that_overflow_or_exceed_memory_are_errors() {
        let path = Path::new("data/huge");
        let overflow = check_fits(path, usize::MAX, 2, 1, 1);
        assert!(
            matches!(
                overflow,
                Err(Error::TooLarge {
                    available_bytes: None,
                    ..
                })
            ),
            "{overflow:?}"
        );
        if let Some(total) = mem_total() {
            let n = usize::try_from(total / 4 + 1).unwrap_or(usize::MAX);
            let err = f32_buffer(path, n, 1, 1, 1);
            assert!(
                matches!(err, Err(Error::TooLarge { available_bytes: Some(t), .. }) if t == total),
                "{err:?}"
            );
        }
        assert!(matches!(f32_buffer(path, 2, 1, 3, 3), Ok(v) if v.len() == 18));
    }

    #[test]
    fn the_message_names_the_size_and_the_memory() {
        let err = Error::TooLarge {
            path: "photos".into(),
            n: 2,
            channels: 3,
            height: 100_000,
            width: 100_000,
            needed_bytes: 2.0 * 3.0 * 1e10 * 4.0,
            available_bytes: Some(16 << 30),
        };
        assert_eq!(
            err.to_string(),
            "photos: 2 images of 3×100000×100000 need 223.5 GiB of memory as f32, \
             but the machine has 16.0 GiB"
        );
    }
}
