//! Reconstruction quality of an autoencoder: mean squared error and PSNR.
//!
//! ```text
//! MSE  = Σ_i (x_i − x̂_i)² / n
//! PSNR = 10 · log10(R² / MSE)   [dB]
//! ```
//!
//! with `R` the data range (the peak-to-peak span the pixels can take: 1.0 for MNIST
//! scaled to `[0, 1]`, 255.0 for raw bytes), as in scikit-image's
//! `peak_signal_noise_ratio(image_true, image_test, data_range=R)`. Sums are accumulated
//! in `f64`. PSNR of a perfect reconstruction (`MSE = 0`) is `+∞`.

use crate::error::{Error, Result};

/// Mean squared error between an original signal and its reconstruction, in `f64`.
///
/// `MSE = Σ_i (x_i − x̂_i)² / n`. A `NaN` in either input gives `NaN`.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// assert_eq!(mdec_metrics::mse(&[0.0, 1.0], &[0.0, 0.5])?, 0.125);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::ReconstructionLengthMismatch`] when the lengths differ and [`Error::Empty`]
/// when both are empty.
pub fn mse(original: &[f32], reconstructed: &[f32]) -> Result<f64> {
    if original.len() != reconstructed.len() {
        return Err(Error::ReconstructionLengthMismatch {
            original: original.len(),
            reconstructed: reconstructed.len(),
        });
    }
    if original.is_empty() {
        return Err(Error::Empty {
            what: "reconstruction",
        });
    }
    // Eight independent accumulators let the compiler vectorise the loop.
    const LANES: usize = 8;
    let mut acc = [0f64; LANES];
    let chunks = original
        .chunks_exact(LANES)
        .zip(reconstructed.chunks_exact(LANES));
    for (x, y) in chunks {
        for lane in 0..LANES {
            let d = f64::from(x[lane]) - f64::from(y[lane]);
            acc[lane] += d * d;
        }
    }
    let tail = original.len() - original.len() % LANES;
    let rest: f64 = original[tail..]
        .iter()
        .zip(&reconstructed[tail..])
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    Ok((acc.iter().sum::<f64>() + rest) / original.len() as f64)
}

/// Peak signal-to-noise ratio of a reconstruction in decibels, for data spanning
/// `data_range` (e.g. `1.0` for pixels in `[0, 1]`).
///
/// `PSNR = 10 · log10(data_range² / MSE)`. Identical inputs give `f64::INFINITY`
/// (handled explicitly, not through a division by zero); a `NaN` in the inputs gives
/// `NaN`.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// let x = [0.0, 0.5, 1.0, 0.25];
/// assert_eq!(mdec_metrics::psnr(&x, &x, 1.0)?, f64::INFINITY);
/// // MSE = 0.01 on data in [0, 1]: 20 dB.
/// let psnr = mdec_metrics::psnr(&[0.0], &[0.1], 1.0)?;
/// assert!((psnr - 20.0).abs() < 1e-5);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::InvalidDataRange`] when `data_range` is not a positive finite number,
/// [`Error::ReconstructionLengthMismatch`] and [`Error::Empty`] as for [`mse`].
pub fn psnr(original: &[f32], reconstructed: &[f32], data_range: f64) -> Result<f64> {
    if !(data_range.is_finite() && data_range > 0.0) {
        return Err(Error::InvalidDataRange { data_range });
    }
    let mse = mse(original, reconstructed)?;
    if mse == 0.0 {
        return Ok(f64::INFINITY);
    }
    Ok(10.0 * (data_range * data_range / mse).log10())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectorised_sum_matches_naive_sum() -> Result<()> {
        let x: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
        let y: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
        let naive: f64 = x
            .iter()
            .zip(&y)
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
            .sum::<f64>()
            / 37.0;
        assert!((mse(&x, &y)? - naive).abs() < 1e-12);
        Ok(())
    }

    #[test]
    fn invalid_inputs_are_typed_errors() {
        assert_eq!(
            mse(&[0.0, 1.0], &[0.0]),
            Err(Error::ReconstructionLengthMismatch {
                original: 2,
                reconstructed: 1
            })
        );
        assert_eq!(
            psnr(&[0.0], &[0.0, 1.0], 1.0),
            Err(Error::ReconstructionLengthMismatch {
                original: 1,
                reconstructed: 2
            })
        );
        assert_eq!(
            mse(&[], &[]),
            Err(Error::Empty {
                what: "reconstruction"
            })
        );
        for bad in [0.0, -1.0, f64::INFINITY] {
            assert_eq!(
                psnr(&[0.0], &[1.0], bad),
                Err(Error::InvalidDataRange { data_range: bad })
            );
        }
        assert!(matches!(
            psnr(&[0.0], &[1.0], f64::NAN),
            Err(Error::InvalidDataRange { .. })
        ));
    }
}
