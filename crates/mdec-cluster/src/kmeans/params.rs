//! [`KMeansParams`] (unchecked builder) and [`KMeansValidParams`] (checked).

use serde::{Deserialize, Serialize};

use crate::error::ParamsError;

/// How each k-means restart picks its first centroids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KMeansInit {
    /// Greedy k-means++ (Arthur & Vassilvitskii, 2007), with `2 + ln k` candidates per
    /// centroid as scikit-learn does. The default.
    #[default]
    PlusPlus,
    /// `k` distinct samples drawn uniformly (Forgy).
    Random,
}

/// k-means settings, unchecked: build with [`KMeansParams::new`] and the setters, then
/// [`KMeansParams::check`]. Deserialising a [`KMeansValidParams`] runs the same check and
/// rejects unknown keys.
///
/// ```
/// use mdec_cluster::{KMeansInit, KMeansParams};
/// let params = KMeansParams::new(10).n_init(20).init(KMeansInit::PlusPlus).seed(3).check()?;
/// assert_eq!(params.n_init, 20);
/// assert!(KMeansParams::new(1).check().is_err());
/// # Ok::<(), mdec_cluster::ParamsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KMeansParams {
    /// Number of clusters `k` (>= 2).
    pub n_clusters: usize,
    /// Restarts from different seeds; the lowest inertia wins. Default 20 (DEC, IDEC,
    /// DCEC initialise their clustering layer with 20 restarts).
    #[serde(default = "defaults::n_init")]
    pub n_init: usize,
    /// Lloyd iterations per restart at most. Default 300 (scikit-learn).
    #[serde(default = "defaults::max_iter")]
    pub max_iter: usize,
    /// Convergence threshold on the summed squared centroid shift, relative to the mean
    /// per-feature variance of the data (scikit-learn's definition). Default 1e-4.
    #[serde(default = "defaults::tol")]
    pub tol: f64,
    /// Seeding of each restart. Default [`KMeansInit::PlusPlus`].
    #[serde(default)]
    pub init: KMeansInit,
    /// Seed of the restarts' random choices. Default 0.
    #[serde(default)]
    pub seed: u64,
    /// On a GPU, check convergence (one host synchronisation) every this many iterations;
    /// centroids may move a little past the tolerance in between, which only lowers the
    /// inertia. On the CPU every iteration is checked. Default 5.
    #[serde(default = "defaults::check_every")]
    pub check_every: usize,
}

mod defaults {
    pub fn n_init() -> usize {
        20
    }
    pub fn max_iter() -> usize {
        300
    }
    pub fn tol() -> f64 {
        1e-4
    }
    pub fn check_every() -> usize {
        5
    }
}

impl KMeansParams {
    /// Settings for `n_clusters` clusters with the defaults: `n_init` 20 (Xie et al.,
    /// 2016), `max_iter` 300 and `tol` 1e-4 (scikit-learn), k-means++ seeding (Arthur &
    /// Vassilvitskii, 2007), seed 0, a convergence check every 5 iterations.
    pub fn new(n_clusters: usize) -> Self {
        Self {
            n_clusters,
            n_init: defaults::n_init(),
            max_iter: defaults::max_iter(),
            tol: defaults::tol(),
            init: KMeansInit::default(),
            seed: 0,
            check_every: defaults::check_every(),
        }
    }

    /// Sets [`KMeansParams::n_init`].
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// Sets [`KMeansParams::max_iter`].
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets [`KMeansParams::tol`].
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Sets [`KMeansParams::init`].
    pub fn init(mut self, init: KMeansInit) -> Self {
        self.init = init;
        self
    }

    /// Sets [`KMeansParams::seed`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets [`KMeansParams::check_every`].
    pub fn check_every(mut self, check_every: usize) -> Self {
        self.check_every = check_every;
        self
    }

    /// Checks every constraint.
    ///
    /// # Errors
    /// The first broken constraint as a [`ParamsError`].
    pub fn check(self) -> Result<KMeansValidParams, ParamsError> {
        if self.n_clusters < 2 {
            return Err(ParamsError::NClusters(self.n_clusters));
        }
        if self.n_init == 0 {
            return Err(ParamsError::NInit(0));
        }
        if self.max_iter == 0 {
            return Err(ParamsError::MaxIter(0));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(ParamsError::KMeansTol(self.tol));
        }
        if self.check_every == 0 {
            return Err(ParamsError::CheckEvery(0));
        }
        Ok(KMeansValidParams(self))
    }
}

/// Checked k-means settings; see [`KMeansParams`] for the fields. Run with
/// [`KMeansValidParams::fit`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "KMeansParams", into = "KMeansParams")]
pub struct KMeansValidParams(KMeansParams);

impl std::ops::Deref for KMeansValidParams {
    type Target = KMeansParams;
    fn deref(&self) -> &KMeansParams {
        &self.0
    }
}

impl From<KMeansValidParams> for KMeansParams {
    fn from(p: KMeansValidParams) -> Self {
        p.0
    }
}

impl TryFrom<KMeansParams> for KMeansValidParams {
    type Error = ParamsError;
    fn try_from(p: KMeansParams) -> Result<Self, ParamsError> {
        p.check()
    }
}

impl KMeansValidParams {
    /// Wraps parameters whose constraints hold by construction.
    pub(crate) fn new_unchecked(params: KMeansParams) -> Self {
        KMeansValidParams(params)
    }

    /// The unchecked settings (to change one and check again).
    pub fn into_inner(self) -> KMeansParams {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_constraint_has_its_variant() {
        assert_eq!(KMeansParams::new(1).check(), Err(ParamsError::NClusters(1)));
        assert_eq!(
            KMeansParams::new(3).n_init(0).check(),
            Err(ParamsError::NInit(0))
        );
        assert_eq!(
            KMeansParams::new(3).max_iter(0).check(),
            Err(ParamsError::MaxIter(0))
        );
        assert_eq!(
            KMeansParams::new(3).tol(-1.0).check(),
            Err(ParamsError::KMeansTol(-1.0))
        );
        assert_eq!(
            KMeansParams::new(3).check_every(0).check(),
            Err(ParamsError::CheckEvery(0))
        );
    }

    #[test]
    fn deserialising_checks_and_rejects_unknown_keys() -> Result<(), serde_json::Error> {
        let ok: KMeansValidParams = serde_json::from_str(r#"{"n_clusters": 4, "init": "random"}"#)?;
        assert_eq!(
            (ok.n_clusters, ok.init, ok.n_init),
            (4, KMeansInit::Random, 20)
        );
        assert!(serde_json::from_str::<KMeansValidParams>(r#"{"n_clusters": 1}"#).is_err());
        assert!(serde_json::from_str::<KMeansValidParams>(r#"{"n_clusters": 3, "k": 1}"#).is_err());
        Ok(())
    }
}
