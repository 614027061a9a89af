//! All three clustering scores from one contingency table: [`Scores`] and [`evaluate`].

use std::fmt;

use crate::contingency::Contingency;
use crate::error::Result;
use crate::nmi::Normalization;

/// The three scores deep-clustering papers report, each in its usual range.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scores {
    /// Hungarian clustering accuracy, in `(0, 1]`; see [`acc`](fn@crate::acc).
    pub acc: f64,
    /// Normalised mutual information (arithmetic), in `[0, 1]`; see [`nmi`](fn@crate::nmi).
    pub nmi: f64,
    /// Adjusted Rand index, in `[−0.5, 1]`; see [`ari`](fn@crate::ari).
    pub ari: f64,
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "acc {:.4}  nmi {:.4}  ari {:.4}",
            self.acc, self.nmi, self.ari
        )
    }
}

impl Contingency {
    /// ACC, arithmetic NMI and ARI of this table.
    ///
    /// # Errors
    ///
    /// [`Error::AssignmentTooLarge`](crate::Error::AssignmentTooLarge) from the
    /// Hungarian step.
    pub fn scores(&self) -> Result<Scores> {
        Ok(Scores {
            acc: self.acc()?,
            nmi: self.nmi(Normalization::Arithmetic),
            ari: self.ari(),
        })
    }
}

/// ACC, NMI (arithmetic) and ARI of `labels_pred` against `labels_true`, sharing one
/// contingency table.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// let scores = mdec_metrics::evaluate(&[0, 0, 1, 1], &[4, 4, 2, 2])?;
/// assert_eq!(scores, mdec_metrics::Scores { acc: 1.0, nmi: 1.0, ari: 1.0 });
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch),
/// [`Error::Empty`](crate::Error::Empty) and
/// [`Error::AssignmentTooLarge`](crate::Error::AssignmentTooLarge).
pub fn evaluate(labels_true: &[usize], labels_pred: &[usize]) -> Result<Scores> {
    Contingency::new(labels_true, labels_pred)?.scores()
}
