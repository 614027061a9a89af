//! Seeded train/validation splits and batch iteration over sample indices.
//!
//! Shuffles use ChaCha8 seeded from the user's seed and a Fisher–Yates pass written
//! here (not `rand`'s `shuffle`), so the same seed gives the same order on every
//! platform and every `rand` release.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// SplitMix64 finaliser: a cheap bijective mix used to derive independent seeds.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A ChaCha8 generator for the pair (`seed`, `key`), e.g. (seed, epoch) or (seed, sample).
pub(crate) fn rng_for(seed: u64, key: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(seed) ^ key))
}

/// A uniform integer in `0..n` (`n > 0`) by Lemire's multiply-shift.
pub(crate) fn below(rng: &mut impl Rng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Shuffles `values` in place (Fisher–Yates) with a generator derived from (`seed`, `key`).
pub fn shuffle_seeded<T>(values: &mut [T], seed: u64, key: u64) {
    let mut rng = rng_for(seed, key);
    for i in (1..values.len()).rev() {
        let j = below(&mut rng, i + 1);
        values.swap(i, j);
    }
}

/// A permutation of `0..n` determined by `seed`.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    shuffle_seeded(&mut idx, seed, 0);
    idx
}

/// Splits `0..n` into (train, validation) indices, each sorted ascending.
///
/// The validation set has `round(n * val_fraction)` samples, chosen by `seed`. The two
/// sets are disjoint and together hold every index.
///
/// ```
/// let (train, val) = mdec_data::split_indices(10, 0.3, 42)?;
/// assert_eq!((train.len(), val.len()), (7, 3));
/// assert_eq!(mdec_data::split_indices(10, 0.3, 42)?, (train, val));
/// # Ok::<(), mdec_data::Error>(())
/// ```
///
/// # Errors
/// [`Error::BadFraction`] unless `0 <= val_fraction < 1`.
pub fn split_indices(n: usize, val_fraction: f64, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(0.0..1.0).contains(&val_fraction) {
        return Err(Error::BadFraction {
            value: val_fraction,
        });
    }
    let n_val = ((n as f64) * val_fraction).round() as usize;
    let perm = permutation(n, seed);
    let mut val = perm[..n_val.min(n)].to_vec();
    let mut train = perm[n_val.min(n)..].to_vec();
    val.sort_unstable();
    train.sort_unstable();
    Ok((train, val))
}

/// The order in which [`Batches`] visits indices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// As given (the default; for evaluation).
    #[default]
    Sequential,
    /// A permutation determined by (`seed`, `epoch`): a new order each epoch, the same
    /// order for the same pair.
    Shuffled {
        /// The run's seed.
        seed: u64,
        /// The epoch number.
        epoch: u64,
    },
}

/// An iterator over batches of sample indices (`Vec<usize>`); the last batch may be short
/// unless [`Batches::drop_last`] is set.
///
/// ```
/// use mdec_data::{Batches, Order};
///
/// let batches: Vec<Vec<usize>> = Batches::new(5, 2, Order::Sequential)?.collect();
/// assert_eq!(batches, vec![vec![0, 1], vec![2, 3], vec![4]]);
/// let epoch0: Vec<_> = Batches::new(5, 2, Order::Shuffled { seed: 7, epoch: 0 })?.collect();
/// let again: Vec<_> = Batches::new(5, 2, Order::Shuffled { seed: 7, epoch: 0 })?.collect();
/// assert_eq!(epoch0, again);
/// # Ok::<(), mdec_data::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Batches {
    order: Vec<usize>,
    batch_size: usize,
    pos: usize,
    drop_last: bool,
}

impl Batches {
    /// Batches over `0..n`.
    ///
    /// # Errors
    /// [`Error::ZeroBatchSize`] if `batch_size == 0`.
    pub fn new(n: usize, batch_size: usize, order: Order) -> Result<Self> {
        Self::over((0..n).collect(), batch_size, order)
    }

    /// Batches over the given indices (e.g. the train part of a split).
    ///
    /// # Errors
    /// [`Error::ZeroBatchSize`] if `batch_size == 0`.
    pub fn over(mut indices: Vec<usize>, batch_size: usize, order: Order) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::ZeroBatchSize);
        }
        if let Order::Shuffled { seed, epoch } = order {
            shuffle_seeded(&mut indices, seed, epoch);
        }
        Ok(Self {
            order: indices,
            batch_size,
            pos: 0,
            drop_last: false,
        })
    }

    /// Whether to skip a final batch shorter than `batch_size` (default `false`).
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// The full visiting order, all batches concatenated.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }
}

impl Iterator for Batches {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let left = self.order.len() - self.pos;
        if left == 0 || (self.drop_last && left < self.batch_size) {
            return None;
        }
        let end = self.pos + left.min(self.batch_size);
        let batch = self.order[self.pos..end].to_vec();
        self.pos = end;
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.order.len() - self.pos;
        let n = if self.drop_last {
            left / self.batch_size
        } else {
            left.div_ceil(self.batch_size)
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Batches {}

impl Dataset {
    /// Splits into (train, validation) datasets with [`split_indices`]; both keep labels,
    /// names and class names, and samples stay in their original relative order.
    ///
    /// # Errors
    /// [`Error::BadFraction`] unless `0 <= val_fraction < 1`.
    pub fn split(&self, val_fraction: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        let (train, val) = split_indices(self.len(), val_fraction, seed)?;
        Ok((self.select(&train), self.select(&val)))
    }

    /// Batches over all samples; see [`Batches`].
    ///
    /// # Errors
    /// [`Error::ZeroBatchSize`] if `batch_size == 0`.
    pub fn batches(&self, batch_size: usize, order: Order) -> Result<Batches> {
        Batches::new(self.len(), batch_size, order)
    }
}
