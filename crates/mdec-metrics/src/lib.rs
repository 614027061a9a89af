//! Clustering and reconstruction metrics for mdec: Hungarian accuracy (ACC), normalised
//! mutual information (NMI), adjusted Rand index (ARI), the confusion matrix, and MSE /
//! PSNR of reconstructions.
//!
//! # Place in the workspace
//!
//! Pure Rust with no libtorch: the lowest layer beside `mdec-data` and `mdec-viz`. The
//! clustering crate (`mdec-cluster`) uses it to monitor training, the CLI to report
//! results, the visualisation crate draws its [`Contingency`] and [`Matching`], and the
//! benchmark times it (`cargo run --release -p mdec-metrics --example timing`).
//!
//! Labels are `&[usize]` slices of any values (`{3, 7, 100}` is fine: they are compacted
//! internally). Every clustering metric goes through one [`Contingency`] table built in
//! a single linear pass, so scoring the 70,000 MNIST labels takes well under a
//! millisecond. Numbers follow scikit-learn's conventions and were checked against it
//! (`scripts/gen_metrics_refs.py`).
//!
//! # Example
//!
//! ```
//! use mdec_metrics::{Normalization, evaluate, matching, nmi_with, psnr};
//!
//! # fn main() -> mdec_metrics::Result<()> {
//! // Three classes; the clustering names them 10, 20, 30 and misplaces one sample.
//! let labels_true = [0, 0, 0, 1, 1, 1, 2, 2, 2];
//! let labels_pred = [20, 20, 20, 30, 30, 10, 10, 10, 10];
//!
//! let scores = evaluate(&labels_true, &labels_pred)?;
//! assert!((scores.acc - 8.0 / 9.0).abs() < 1e-12);
//! assert!(scores.nmi < 1.0 && scores.ari < 1.0);
//!
//! let m = matching(&labels_true, &labels_pred)?;
//! assert_eq!(m.class_of(20), Some(0));
//!
//! let geometric = nmi_with(&labels_true, &labels_pred, Normalization::Geometric)?;
//! assert!(geometric > 0.0);
//!
//! let x = [0.0, 0.5, 1.0];
//! assert_eq!(psnr(&x, &x, 1.0)?, f64::INFINITY);
//! # Ok(())
//! # }
//! ```
//!
//! # Main items
//!
//! Modules are private; everything is re-exported at the root (`mdec_metrics::acc`).
//!
//! - [`evaluate`] → [`Scores`] `{ acc, nmi, ari }` from one table.
//! - [`acc`](fn@acc) and [`matching`] (the cluster → class [`Matching`] of the Hungarian step).
//! - [`nmi`](fn@nmi), [`nmi_with`] a [`Normalization`], [`mutual_info`], and [`stability_nmi`]
//!   between successive assignments.
//! - [`ari`](fn@ari).
//! - [`confusion_matrix`] / [`Contingency`], the clusters × classes counts, and
//!   [`cluster_sizes`], the samples per cluster.
//! - [`mse`] and [`psnr`] for reconstructions.
//! - [`Error`] and [`Result`].

mod acc;
mod ari;
mod contingency;
mod error;
mod nmi;
mod reconstruction;
mod scores;
mod sizes;

pub use acc::{MAX_ASSIGNMENT_CELLS, Matching, acc, matching};
pub use ari::ari;
pub use contingency::{Contingency, confusion_matrix};
pub use error::{Error, Result};
pub use nmi::{Normalization, mutual_info, nmi, nmi_with, stability_nmi};
pub use reconstruction::{mse, psnr};
pub use scores::{Scores, evaluate};
pub use sizes::cluster_sizes;
