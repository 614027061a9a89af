//! Public-API tests of mdec-data, one module per reader or transform, in one test binary
//! (fewer links on a small machine).

// Helpers and proptest strategies outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

mod augment;
mod dataset;
mod errors;
mod folder;
mod idx;
mod load;
mod named;
mod npy;
mod split;

use ndarray::Array4;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seeded images with values in [0, 1].
pub fn random_images(n: usize, c: usize, h: usize, w: usize, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_simple_fn((n, c, h, w), || {
        (rng.next_u32() >> 8) as f32 / (1 << 24) as f32
    })
}

/// Seeded byte images divided by 255, so they survive a u8 round trip exactly.
pub fn byte_images(n: usize, c: usize, h: usize, w: usize, seed: u64) -> Array4<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array4::from_shape_simple_fn((n, c, h, w), || (rng.next_u32() & 0xff) as f32 / 255.0)
}
