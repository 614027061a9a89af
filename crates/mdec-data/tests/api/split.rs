//! Splits and batches.

use std::collections::BTreeSet;

use anyhow::Result;
use mdec_data::{Batches, Dataset, Error, Order, split_indices};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn split_is_disjoint_complete_and_deterministic(n in 0usize..300, frac in 0.0f64..0.99, seed in any::<u64>()) {
        let (train, val) = split_indices(n, frac, seed).unwrap();
        prop_assert_eq!(val.len(), (n as f64 * frac).round() as usize);
        let t: BTreeSet<_> = train.iter().copied().collect();
        let v: BTreeSet<_> = val.iter().copied().collect();
        prop_assert!(t.is_disjoint(&v));
        prop_assert_eq!(t.len() + v.len(), n);
        prop_assert!(t.iter().chain(&v).all(|&i| i < n));
        prop_assert_eq!(split_indices(n, frac, seed).unwrap(), (train, val));
    }

    #[test]
    fn shuffled_batches_cover_every_index_once(n in 0usize..200, bs in 1usize..40, seed in any::<u64>(), epoch in 0u64..5) {
        let order = Order::Shuffled { seed, epoch };
        let batches: Vec<Vec<usize>> = Batches::new(n, bs, order).unwrap().collect();
        prop_assert!(batches.iter().all(|b| !b.is_empty() && b.len() <= bs));
        prop_assert_eq!(batches.len(), n.div_ceil(bs));
        let mut all: Vec<usize> = batches.concat();
        all.sort_unstable();
        prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
        let again: Vec<Vec<usize>> = Batches::new(n, bs, order).unwrap().collect();
        prop_assert_eq!(batches, again);
    }
}

#[test]
fn split_dataset_keeps_labels_and_differs_by_seed() -> Result<()> {
    let n = 50;
    let ds = Dataset::new(crate::random_images(n, 1, 2, 2, 3))
        .with_labels((0..n).collect())?
        .with_names((0..n).map(|i| format!("s{i}")).collect())?;
    let (train, val) = ds.split(0.2, 7)?;
    assert_eq!((train.len(), val.len()), (40, 10));
    for part in [&train, &val] {
        for (k, &label) in part.labels().unwrap().iter().enumerate() {
            assert_eq!(part.names().unwrap()[k], format!("s{label}"));
            assert_eq!(
                part.images().index_axis(ndarray::Axis(0), k),
                ds.images().index_axis(ndarray::Axis(0), label)
            );
        }
    }
    let (_, val2) = ds.split(0.2, 8)?;
    assert_ne!(val.labels(), val2.labels());
    assert!(matches!(ds.split(1.0, 0), Err(Error::BadFraction { .. })));
    assert!(matches!(ds.split(-0.1, 0), Err(Error::BadFraction { .. })));
    Ok(())
}

#[test]
fn epochs_reshuffle_and_sequential_is_in_order() -> Result<()> {
    let e0: Vec<usize> = Batches::new(100, 10, Order::Shuffled { seed: 1, epoch: 0 })?
        .flatten()
        .collect();
    let e1: Vec<usize> = Batches::new(100, 10, Order::Shuffled { seed: 1, epoch: 1 })?
        .flatten()
        .collect();
    assert_ne!(e0, e1);
    assert_ne!(e0, (0..100).collect::<Vec<_>>());
    let seq: Vec<usize> = Batches::new(100, 10, Order::Sequential)?
        .flatten()
        .collect();
    assert_eq!(seq, (0..100).collect::<Vec<_>>());
    let dropped = Batches::new(10, 4, Order::Sequential)?.drop_last(true);
    assert_eq!(dropped.len(), 2);
    assert_eq!(
        dropped.collect::<Vec<_>>(),
        vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]]
    );
    let over: Vec<Vec<usize>> = Batches::over(vec![5, 9, 2], 2, Order::Sequential)?.collect();
    assert_eq!(over, vec![vec![5, 9], vec![2]]);
    assert!(matches!(
        Batches::new(3, 0, Order::Sequential),
        Err(Error::ZeroBatchSize)
    ));
    Ok(())
}

#[test]
fn gather_builds_a_batch() -> Result<()> {
    let ds =
        Dataset::new(crate::random_images(6, 2, 3, 3, 1)).with_labels(vec![0, 1, 2, 3, 4, 5])?;
    let batch = ds.gather(&[4, 1, 4]);
    assert_eq!(batch.dim(), (3, 2, 3, 3));
    assert_eq!(
        batch.index_axis(ndarray::Axis(0), 0),
        ds.images().index_axis(ndarray::Axis(0), 4)
    );
    assert_eq!(ds.gather_labels(&[4, 1]), Some(vec![4, 1]));
    assert!(matches!(
        ds.try_select(&[6]),
        Err(Error::IndexOutOfBounds { index: 6, len: 6 })
    ));
    Ok(())
}
