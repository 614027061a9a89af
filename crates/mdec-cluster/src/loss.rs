//! The loss terms of the taxonomy's building blocks (Aljalbout et al., "Clustering with
//! deep learning: taxonomy and new methods"): cluster-assignment hardening (DEC's
//! KL(P‖Q)), reconstruction, the k-means loss, and the balanced-assignment loss.
//! Every term is a mean over the batch, so weights do not depend on the batch size.

use tch::{Kind, Reduction, Tensor};

/// DEC's cluster-hardening loss `KL(P‖Q) = Σ_ij p_ij (log p_ij − log q_ij)`, divided by
/// the batch size. `log_q` is `[b, k]` (from
/// [`ClusteringLayer::log_soft_assign`](crate::ClusteringLayer::log_soft_assign)), `p` the
/// detached target `[b, k]`; zero entries of `p` contribute 0.
pub fn kl_divergence(p: &Tensor, log_q: &Tensor) -> Tensor {
    let b = log_q.size().first().copied().unwrap_or(1).max(1);
    log_q.kl_div(&p.detach(), Reduction::Sum, false) / b as f64
}

/// Mean squared reconstruction error over every pixel of the batch (IDEC, DCEC, DCRA).
pub fn reconstruction_loss(reconstruction: &Tensor, target: &Tensor) -> Tensor {
    reconstruction.mse_loss(target, Reduction::Mean)
}

/// The k-means loss `‖z_i − μ_{c(i)}‖²` averaged over the batch, with `c(i)` the nearest
/// centroid. The centroids are constants here (DCRA moves them by Lloyd steps), so the
/// gradient pulls the embeddings towards their centroid. Returns the loss and the
/// assignment `[b]`.
pub fn kmeans_loss(zs: &Tensor, centroids: &Tensor) -> (Tensor, Tensor) {
    let centroids = centroids.detach().to_kind(zs.kind());
    let labels =
        tch::no_grad(|| crate::layer::pairwise_sq_distances(zs, &centroids).argmin(1, false));
    let assigned = centroids.index_select(0, &labels); // [b, d]
    let loss = (zs - assigned)
        .square()
        .sum_dim_intlist(1, false, None)
        .mean(None);
    (loss, labels)
}

/// The k-means term as the within-cluster share of the batch's spread:
/// `Σ ‖z_i − μ_{c(i)}‖² / Σ ‖z_i − z̄‖²`, invariant to the scale of the embedding
/// ([`crate::DcraTerms::Comparable`]). The centroids are constants, as in
/// [`kmeans_loss`].
pub fn kmeans_share_loss(zs: &Tensor, centroids: &Tensor) -> Tensor {
    let (within, _) = kmeans_loss(zs, centroids); // mean over the batch
    let mean = zs.mean_dim(Some([0i64].as_slice()), true, None); // [1, d]
    let spread = (zs - mean)
        .square()
        .sum_dim_intlist(1, false, None)
        .mean(None);
    within / spread.clamp_min(1e-12)
}

/// The balanced-assignment loss `KL(f̄ ‖ U) = Σ_j f̄_j log(k·f̄_j)` between the mean soft
/// assignment `f̄ = mean_i q_i` of the batch and the uniform distribution over the `k`
/// clusters: 0 when clusters are used equally, `log k` when one takes everything.
pub fn balance_loss(q: &Tensor) -> Tensor {
    let k = q.size().last().copied().unwrap_or(1) as f64;
    let f = q.mean_dim(Some([0i64].as_slice()), false, None); // [k]
    (&f * (&f * k).clamp_min(1e-12).log()).sum(Kind::Float)
}

#[cfg(test)]
mod tests {
    use tch::Device;

    use super::*;

    #[test]
    fn kl_is_zero_for_equal_distributions_and_matches_the_sum() -> anyhow::Result<()> {
        let q = Tensor::from_slice(&[0.7f64, 0.2, 0.1, 0.1, 0.8, 0.1]).view([2, 3]);
        assert!(kl_divergence(&q, &q.log()).double_value(&[]).abs() < 1e-12);
        let p = Tensor::from_slice(&[1.0f64, 0.0, 0.0, 0.0, 1.0, 0.0]).view([2, 3]);
        let expected = ((1.0f64 / 0.7).ln() + (1.0f64 / 0.8).ln()) / 2.0;
        assert!((kl_divergence(&p, &q.log()).double_value(&[]) - expected).abs() < 1e-12);
        Ok(())
    }

    #[test]
    fn the_share_of_spread_ignores_the_scale_and_is_the_within_fraction() {
        // Two tight pairs far apart: within 4·0.25 = 1 (mean 0.25), spread around 5: 4·25.25
        // (mean 25.25).
        let zs = Tensor::from_slice(&[-5.5f64, -4.5, 4.5, 5.5]).view([4, 1]);
        let mu = Tensor::from_slice(&[-5.0f64, 5.0]).view([2, 1]);
        let share = kmeans_share_loss(&zs, &mu).double_value(&[]);
        assert!((share - 0.25 / 25.25).abs() < 1e-12, "{share}");
        let (plain, _) = kmeans_loss(&zs, &mu);
        for s in [0.01, 3.0] {
            let scaled = kmeans_share_loss(&(&zs * s), &(&mu * s)).double_value(&[]);
            assert!((scaled - share).abs() < 1e-12, "scale {s}: {scaled}");
            let shrunk = kmeans_loss(&(&zs * s), &(&mu * s)).0.double_value(&[]);
            assert!((shrunk - plain.double_value(&[]) * s * s).abs() < 1e-9);
        }
    }

    #[test]
    fn balance_is_zero_when_uniform_and_log_k_when_collapsed() {
        let uniform = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 1.0]).view([2, 2]);
        assert!(balance_loss(&uniform).double_value(&[]).abs() < 1e-6);
        let collapsed = Tensor::from_slice(&[1.0f32, 0.0, 1.0, 0.0]).view([2, 2]);
        assert!((balance_loss(&collapsed).double_value(&[]) - 2f64.ln()).abs() < 1e-6);
    }

    #[test]
    fn kmeans_loss_uses_the_nearest_centroid_and_only_moves_embeddings() {
        let zs = Tensor::from_slice(&[0.0f32, 1.0, 9.0])
            .view([3, 1])
            .set_requires_grad(true);
        let mu = Tensor::from_slice(&[0.0f32, 10.0])
            .view([2, 1])
            .set_requires_grad(true);
        let (loss, labels) = kmeans_loss(&zs, &mu);
        assert_eq!(Vec::<i64>::try_from(&labels).ok(), Some(vec![0, 0, 1]));
        assert!((loss.double_value(&[]) - 2.0 / 3.0).abs() < 1e-6);
        loss.backward();
        assert!(zs.grad().defined());
        assert!(!mu.grad().defined());
        let _ = Device::Cpu;
    }
}
