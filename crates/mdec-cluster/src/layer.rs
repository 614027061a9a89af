//! The clustering layer: trainable centroids and the soft assignment `q` with a Student's
//! t kernel (DEC, Xie et al. 2016), and the target distribution `p` built from it.

use tch::nn::Path;
use tch::{Kind, Tensor};

use crate::error::{Error, Result};

/// The var-store path the model puts the clustering layer under.
pub const LAYER: &str = "cluster";

/// Name of the centroids variable inside the [`LAYER`] path of the var store: the
/// checkpoint key is `cluster.centroids`.
pub const CENTROIDS: &str = "centroids";

/// `k` centroids of dimension `d`, held as a variable of the model's var store (under
/// `cluster`), and the kernel's degrees of freedom `alpha`.
///
/// ```
/// use mdec_cluster::ClusteringLayer;
/// use tch::{nn, Device, Kind, Tensor};
///
/// let vs = nn::VarStore::new(Device::Cpu);
/// let layer = ClusteringLayer::new(&(vs.root() / "cluster"), 3, 2, 1.0, true)?;
/// layer.set_centroids(&Tensor::from_slice(&[0.0f32, 0.0, 5.0, 5.0, -5.0, 5.0]).view([3, 2]))?;
/// let zs = Tensor::from_slice(&[0.1f32, 0.0, 4.9, 5.2]).view([2, 2]);
/// let q = layer.soft_assign(&zs); // [2, 3]
/// let sums = Vec::<f32>::try_from(q.sum_dim_intlist(1, false, Kind::Float))?;
/// assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5));
/// assert_eq!(Vec::<i64>::try_from(q.argmax(1, false))?, vec![0, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ClusteringLayer {
    centroids: Tensor,
    alpha: f64,
}

impl ClusteringLayer {
    /// Adds (or reuses, when `path` already holds one) the `[n_clusters, latent_dim]`
    /// centroids variable, initialised to zeros: set it with
    /// [`ClusteringLayer::set_centroids`] (from k-means) before training. `trainable` is
    /// `true` for DEC / IDEC (gradient descent moves the centroids) and `false` for DCRA
    /// (Lloyd steps move them).
    ///
    /// # Errors
    /// [`Error::CentroidShape`] when an existing variable has another shape,
    /// [`Error::Torch`] when libtorch cannot allocate it.
    pub fn new(
        path: &Path,
        n_clusters: i64,
        latent_dim: i64,
        alpha: f64,
        trainable: bool,
    ) -> Result<Self> {
        let centroids = match path.get(CENTROIDS) {
            Some(existing) => {
                if existing.size() != [n_clusters, latent_dim] {
                    return Err(Error::CentroidShape {
                        centroids: existing.size(),
                        dim: latent_dim,
                    });
                }
                existing
            }
            None if trainable => path.f_zeros(CENTROIDS, &[n_clusters, latent_dim])?,
            None => path.f_zeros_no_train(CENTROIDS, &[n_clusters, latent_dim])?,
        };
        Ok(Self { centroids, alpha })
    }

    /// The centroids, `[k, d]` (the variable itself: it shares storage with the var store).
    pub fn centroids(&self) -> &Tensor {
        &self.centroids
    }

    /// Number of clusters `k`.
    pub fn n_clusters(&self) -> i64 {
        self.centroids.size()[0]
    }

    /// Degrees of freedom of the Student's t kernel.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Whether gradient descent moves the centroids.
    pub fn trainable(&self) -> bool {
        self.centroids.requires_grad()
    }

    /// Overwrites the centroids (without gradient), e.g. with k-means centroids.
    ///
    /// # Errors
    /// [`Error::CentroidShape`] when `centroids` is not `[k, d]`, [`Error::Torch`] if the
    /// copy fails.
    pub fn set_centroids(&self, centroids: &Tensor) -> Result<()> {
        if centroids.size() != self.centroids.size() {
            return Err(Error::CentroidShape {
                centroids: centroids.size(),
                dim: self.centroids.size()[1],
            });
        }
        tch::no_grad(|| {
            let mut c = self.centroids.shallow_clone();
            c.f_copy_(&centroids.f_to_device(c.device())?.f_to_kind(c.kind())?)
        })?;
        Ok(())
    }

    /// Soft assignments `q` (`[b, k]`, rows sum to 1) of embeddings `zs` (`[b, d]`).
    pub fn soft_assign(&self, zs: &Tensor) -> Tensor {
        log_soft_assignment(zs, &self.centroids, self.alpha).exp()
    }

    /// `log q`, computed stably (`log_softmax` of the log kernel).
    pub fn log_soft_assign(&self, zs: &Tensor) -> Tensor {
        log_soft_assignment(zs, &self.centroids, self.alpha)
    }
}

/// Squared distances `[b, k]` between embeddings `[b, d]` and centroids `[k, d]`, by
/// broadcasting (exact, with exact gradients for both inputs).
pub fn pairwise_sq_distances(zs: &Tensor, centroids: &Tensor) -> Tensor {
    // [b, 1, d] - [1, k, d] -> [b, k, d] -> [b, k]
    (zs.unsqueeze(1) - centroids.unsqueeze(0))
        .square()
        .sum_dim_intlist(2, false, None)
}

/// `log q` (`[b, k]`) of DEC's soft assignment with a Student's t kernel:
/// `q_ij ∝ (1 + ‖z_i − μ_j‖² / α)^(−(α+1)/2)`, normalised over `j`.
pub fn log_soft_assignment(zs: &Tensor, centroids: &Tensor, alpha: f64) -> Tensor {
    let d2 = pairwise_sq_distances(zs, &centroids.to_kind(zs.kind())); // [b, k]
    let log_kernel = (d2 / alpha).log1p() * (-(alpha + 1.0) / 2.0);
    log_kernel.log_softmax(1, zs.kind())
}

/// DEC's soft assignment `q` (`[b, k]`); see [`log_soft_assignment`].
pub fn soft_assignment(zs: &Tensor, centroids: &Tensor, alpha: f64) -> Tensor {
    log_soft_assignment(zs, centroids, alpha).exp()
}

/// DEC's target distribution `p_ij = (q_ij² / f_j) / Σ_j' (q_ij'² / f_j')` with soft
/// cluster frequencies `f_j = Σ_i q_ij`, computed over the rows given (the whole dataset
/// in training). The result is detached: it is a target, not part of the graph.
pub fn target_distribution(q: &Tensor) -> Tensor {
    let q = q.detach();
    let f = q.sum_dim_intlist(0, true, None); // [1, k]
    let weight = q.square() / f; // [n, k]
    let norm = weight.sum_dim_intlist(1, true, None); // [n, 1]
    (weight / norm).detach()
}

/// The hard assignment of each row of `q` (its argmax), `[n]` `i64`.
pub fn hard_assignment(q: &Tensor) -> Tensor {
    q.argmax(1, false).to_kind(Kind::Int64)
}

#[cfg(test)]
mod tests {
    use tch::{Device, nn};

    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn q_matches_the_formula_and_rows_sum_to_one() -> anyhow::Result<()> {
        tch::manual_seed(1);
        let zs = Tensor::randn([7, 3], (Kind::Double, Device::Cpu));
        let mu = Tensor::randn([4, 3], (Kind::Double, Device::Cpu));
        for alpha in [1.0, 0.5, 3.0] {
            let q = soft_assignment(&zs, &mu, alpha);
            let rows = Vec::<f64>::try_from(q.sum_dim_intlist(1, false, None))?;
            assert!(rows.iter().all(|r| close(*r, 1.0, 1e-12)), "{rows:?}");
            // Direct formula for one entry.
            let (i, j) = (2, 1);
            let kernel = |jj: i64| {
                let d2 = (zs.get(i) - mu.get(jj))
                    .square()
                    .sum(Kind::Double)
                    .double_value(&[]);
                (1.0 + d2 / alpha).powf(-(alpha + 1.0) / 2.0)
            };
            let expected = kernel(j) / (0..4).map(kernel).sum::<f64>();
            assert!(close(q.double_value(&[i, j]), expected, 1e-12));
        }
        Ok(())
    }

    #[test]
    fn p_rows_sum_to_one_and_sharpen_q() -> anyhow::Result<()> {
        tch::manual_seed(2);
        let zs = Tensor::randn([50, 2], (Kind::Double, Device::Cpu));
        let mu = Tensor::randn([3, 2], (Kind::Double, Device::Cpu)) * 2.0;
        let q = soft_assignment(&zs, &mu, 1.0);
        let p = target_distribution(&q);
        assert!(!p.requires_grad());
        let rows = Vec::<f64>::try_from(p.sum_dim_intlist(1, false, None))?;
        assert!(rows.iter().all(|r| close(*r, 1.0, 1e-12)));
        // p is more confident than q on average, and keeps the argmax when clusters are
        // of similar frequency.
        let max_q = q.max_dim(1, false).0.mean(Kind::Double).double_value(&[]);
        let max_p = p.max_dim(1, false).0.mean(Kind::Double).double_value(&[]);
        assert!(max_p > max_q, "{max_p} <= {max_q}");
        let entropy = |t: &Tensor| -(t * t.log()).sum(Kind::Double).double_value(&[]);
        assert!(entropy(&p) < entropy(&q));
        Ok(())
    }

    #[test]
    fn a_layer_reuses_its_variable_and_checks_shapes() -> anyhow::Result<()> {
        let vs = nn::VarStore::new(Device::Cpu);
        let path = vs.root() / "cluster";
        let a = ClusteringLayer::new(&path, 3, 2, 1.0, true)?;
        a.set_centroids(&Tensor::ones([3, 2], (Kind::Float, Device::Cpu)))?;
        let b = ClusteringLayer::new(&path, 3, 2, 1.0, true)?;
        assert_eq!(b.centroids().double_value(&[2, 1]), 1.0);
        assert_eq!(vs.variables().len(), 1);
        assert!(vs.variables().contains_key("cluster.centroids"));
        assert!(matches!(
            ClusteringLayer::new(&path, 4, 2, 1.0, true),
            Err(Error::CentroidShape { .. })
        ));
        assert!(
            a.set_centroids(&Tensor::ones([2, 2], (Kind::Float, Device::Cpu)))
                .is_err()
        );
        let frozen = nn::VarStore::new(Device::Cpu);
        let layer = ClusteringLayer::new(&(frozen.root() / "cluster"), 3, 2, 1.0, false)?;
        assert!(!layer.trainable());
        assert!(frozen.trainable_variables().is_empty());
        Ok(())
    }
}
