//! 2-D projections of embeddings, fitted once and reused for every frame so that the
//! frames of an animation share one coordinate system.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::error::{Error, Result};

/// The rectangle a scatter plot shows, in projected coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// Smallest x shown.
    pub x_min: f32,
    /// Largest x shown.
    pub x_max: f32,
    /// Smallest y shown.
    pub y_min: f32,
    /// Largest y shown.
    pub y_max: f32,
}

impl Bounds {
    /// The bounding box of `points` (`[n, 2]`), padded by 5% on each side.
    pub fn of(points: ArrayView2<'_, f32>) -> Result<Self> {
        check_embeddings("points", &points)?;
        if points.ncols() != 2 {
            return Err(Error::LengthMismatch {
                what: "points columns".into(),
                expected: 2,
                got: points.ncols(),
            });
        }
        let fold = |c: usize| {
            points
                .column(c)
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        };
        let pad = |(lo, hi): (f32, f32)| {
            let p = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
            (lo - p, hi + p)
        };
        let (x_min, x_max) = pad(fold(0));
        let (y_min, y_max) = pad(fold(1));
        Ok(Self {
            x_min,
            x_max,
            y_min,
            y_max,
        })
    }
}

/// Checks a `[n, d]` embedding table: non-empty and finite.
pub(crate) fn check_embeddings(what: &str, x: &ArrayView2<'_, f32>) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::Empty {
            what: what.to_owned(),
        });
    }
    if let Some((index, &v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: what.to_owned(),
            index,
            value: v as f64,
        });
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Method {
    /// `y = (x - mean) · components^T`, components `[2, d]`.
    Pca {
        mean: Array1<f32>,
        components: Array2<f32>,
    },
    /// t-SNE coordinates of the fitted points; new points are placed at the
    /// inverse-distance-weighted mean of their nearest fitted neighbours.
    #[cfg(feature = "tsne")]
    Tsne {
        fitted: Array2<f32>,
        coords: Array2<f32>,
        neighbours: usize,
    },
}

/// A 2-D projection fitted once on embeddings and then applied to any embeddings of the
/// same dimension, so that scatter frames from different update steps are comparable.
#[derive(Clone, Debug)]
pub struct Projection {
    method: Method,
    dim: usize,
    bounds: Bounds,
}

impl Projection {
    /// Fits PCA (top two principal components) on `embeddings` (`[n, d]`, `d` ≥ 1).
    ///
    /// The components come from subspace iteration on the `d × d` covariance matrix in
    /// f64; their signs are fixed (largest entry positive) so refits are reproducible.
    /// With `d = 1` the second coordinate is always 0.
    pub fn fit_pca(embeddings: ArrayView2<'_, f32>) -> Result<Self> {
        check_embeddings("pca embeddings", &embeddings)?;
        let (n, d) = embeddings.dim();
        let x = embeddings.mapv(f64::from);
        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
        let centred = &x - &mean;
        let cov = centred.t().dot(&centred) / (n.max(2) - 1) as f64;
        let components = top_two_eigenvectors(&cov);
        let mut p = Self {
            method: Method::Pca {
                mean: mean.mapv(|v| v as f32),
                components: components.mapv(|v| v as f32),
            },
            dim: d,
            bounds: Bounds {
                x_min: -1.0,
                x_max: 1.0,
                y_min: -1.0,
                y_max: 1.0,
            },
        };
        p.bounds = Bounds::of(p.project(embeddings)?.view())?;
        Ok(p)
    }

    /// Input dimension `d` the projection was fitted on.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Padded bounding box of the fitted data's projection: pass it to
    /// [`crate::ScatterOptions::bounds`] to keep the axes fixed across frames.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// Projects `embeddings` (`[n, d]`) to `[n, 2]` with the fitted projection.
    pub fn project(&self, embeddings: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        check_embeddings("projected embeddings", &embeddings)?;
        if embeddings.ncols() != self.dim {
            return Err(Error::LengthMismatch {
                what: "embedding dimension".into(),
                expected: self.dim,
                got: embeddings.ncols(),
            });
        }
        match &self.method {
            Method::Pca { mean, components } => Ok((&embeddings - mean).dot(&components.t())),
            #[cfg(feature = "tsne")]
            Method::Tsne {
                fitted,
                coords,
                neighbours,
            } => Ok(knn_place(fitted, coords, *neighbours, embeddings)),
        }
    }
}

/// Top two eigenvectors (rows of a `[2, d]` matrix) of a symmetric PSD matrix by
/// orthogonal subspace iteration.
fn top_two_eigenvectors(cov: &Array2<f64>) -> Array2<f64> {
    let d = cov.nrows();
    let k = d.min(2);
    // Deterministic, generic start: not orthogonal to any axis.
    let mut q = Array2::from_shape_fn((d, k), |(i, j)| {
        1.0 + ((i * 7 + j * 13) % 11) as f64 / 10.0 + j as f64 * i as f64
    });
    orthonormalise(&mut q);
    for _ in 0..500 {
        let mut next = cov.dot(&q);
        orthonormalise(&mut next);
        let change = (&next - &q).mapv(f64::abs).sum();
        q = next;
        if change < 1e-12 * (d as f64) {
            break;
        }
    }
    let mut out = Array2::zeros((2, d));
    for j in 0..k {
        let mut col = q.column(j).to_owned();
        let lead = col
            .iter()
            .copied()
            .fold(0.0_f64, |m, v| if v.abs() > m.abs() { v } else { m });
        if lead < 0.0 {
            col.mapv_inplace(|v| -v);
        }
        out.row_mut(j).assign(&col);
    }
    out
}

/// Gram–Schmidt on the columns; a column that collapses is replaced by a unit axis.
fn orthonormalise(q: &mut Array2<f64>) {
    let k = q.ncols();
    for j in 0..k {
        for i in 0..j {
            let prev = q.column(i).to_owned();
            let dot = prev.dot(&q.column(j));
            q.column_mut(j).scaled_add(-dot, &prev);
        }
        let norm = q.column(j).dot(&q.column(j)).sqrt();
        if norm > 1e-300 {
            q.column_mut(j).mapv_inplace(|v| v / norm);
        } else {
            q.column_mut(j).fill(0.0);
            let axis = j.min(q.nrows() - 1);
            q[[axis, j]] = 1.0;
        }
    }
}

/// Settings for [`Projection::fit_tsne`] (feature `tsne`).
#[cfg(feature = "tsne")]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TsneParams {
    /// Perplexity of the conditional distributions; default 30 (van der Maaten & Hinton 2008).
    pub perplexity: f32,
    /// Gradient-descent epochs; default 1000.
    pub epochs: usize,
    /// Barnes-Hut accuracy/speed trade-off; default 0.5 (van der Maaten 2014).
    pub theta: f32,
    /// Neighbours averaged to place points not in the fitted set; default 5.
    pub neighbours: usize,
}

#[cfg(feature = "tsne")]
impl Default for TsneParams {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            epochs: 1000,
            theta: 0.5,
            neighbours: 5,
        }
    }
}

#[cfg(feature = "tsne")]
impl Projection {
    /// Fits Barnes-Hut t-SNE (through the `bhtsne` crate) on `embeddings` (`[n, d]`),
    /// started from the scaled PCA coordinates so the result is reproducible.
    ///
    /// t-SNE has no out-of-sample map: [`Projection::project`] places each new point at
    /// the inverse-distance-weighted mean of the coordinates of its `neighbours` nearest
    /// fitted points. Fit on a subsample of at most a few thousand points.
    pub fn fit_tsne(embeddings: ArrayView2<'_, f32>, params: &TsneParams) -> Result<Self> {
        check_embeddings("tsne embeddings", &embeddings)?;
        let n = embeddings.nrows();
        if !(params.perplexity > 0.0 && 3.0 * params.perplexity < (n - 1) as f32) {
            return Err(Error::InvalidParam {
                name: "perplexity",
                value: params.perplexity.to_string(),
                reason: "must be positive and below (n - 1) / 3",
            });
        }
        if params.neighbours == 0 || params.epochs == 0 {
            return Err(Error::InvalidParam {
                name: "neighbours/epochs",
                value: format!("{}/{}", params.neighbours, params.epochs),
                reason: "must be at least 1",
            });
        }
        let pca = Self::fit_pca(embeddings)?.project(embeddings)?;
        let sd = pca.column(0).std(0.0).max(1e-12);
        let init: Vec<f32> = pca.iter().map(|v| v / sd * 1e-4).collect();
        let x = embeddings.as_standard_layout().into_owned();
        let rows: Vec<&[f32]> = x.rows().into_iter().filter_map(|r| r.to_slice()).collect();
        let y = bhtsne::tSNE::<f32, &[f32], 2>::new(&rows)
            .perplexity(params.perplexity)
            .epochs(params.epochs)
            .initial_embedding(init)
            .barnes_hut(params.theta, |a, b| {
                a.iter()
                    .zip(*b)
                    .map(|(p, q)| (p - q).powi(2))
                    .sum::<f32>()
                    .sqrt()
            })
            .embedding();
        let coords = Array2::from_shape_vec((n, 2), y).map_err(|e| Error::InvalidParam {
            name: "tsne output",
            value: e.to_string(),
            reason: "unexpected embedding length",
        })?;
        let bounds = Bounds::of(coords.view())?;
        Ok(Self {
            method: Method::Tsne {
                fitted: x,
                coords,
                neighbours: params.neighbours,
            },
            dim: embeddings.ncols(),
            bounds,
        })
    }
}

#[cfg(feature = "tsne")]
fn knn_place(
    fitted: &Array2<f32>,
    coords: &Array2<f32>,
    k: usize,
    x: ArrayView2<'_, f32>,
) -> Array2<f32> {
    use rayon::prelude::*;
    let k = k.min(fitted.nrows());
    let rows: Vec<[f32; 2]> = (0..x.nrows())
        .into_par_iter()
        .map(|i| {
            let q = x.row(i);
            let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
            for (j, f) in fitted.rows().into_iter().enumerate() {
                let d2: f32 = q.iter().zip(f.iter()).map(|(a, b)| (a - b) * (a - b)).sum();
                if best.len() < k || d2 < best[best.len() - 1].0 {
                    let at = best.partition_point(|&(d, _)| d <= d2);
                    best.insert(at, (d2, j));
                    best.truncate(k);
                }
            }
            if best[0].0 == 0.0 {
                return [coords[[best[0].1, 0]], coords[[best[0].1, 1]]];
            }
            let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
            for &(d2, j) in &best {
                let w = 1.0 / d2.sqrt();
                sx += w * coords[[j, 0]];
                sy += w * coords[[j, 1]];
                sw += w;
            }
            [sx / sw, sy / sw]
        })
        .collect();
    let flat: Vec<f32> = rows.into_iter().flatten().collect();
    Array2::from_shape_vec((x.nrows(), 2), flat).unwrap_or_else(|_| Array2::zeros((x.nrows(), 2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthonormalise_handles_collapse() {
        let mut q = Array2::from_shape_vec((3, 2), vec![1.0, 2.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
        orthonormalise(&mut q);
        assert!((q.column(0).dot(&q.column(0)) - 1.0).abs() < 1e-12);
        assert!(q.column(0).dot(&q.column(1)).abs() < 1e-12);
    }
}
