//! Property tests of the clustering metrics: invariances, bounds, symmetry, and
//! Hungarian accuracy against brute force.

use mdec_metrics::{Contingency, Normalization, acc, ari, evaluate, matching, nmi, nmi_with};
use proptest::prelude::*;

/// Tolerance for values that are equal in exact arithmetic.
const TOL: f64 = 1e-12;

/// A pair of labellings of the same length with at most `k` clusters and `c` classes.
fn labellings(
    max_len: usize,
    c: usize,
    k: usize,
) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec((0..c, 0..k), 1..=max_len).prop_map(|pairs| pairs.into_iter().unzip())
}

/// A random injective relabelling of `0..k` into sparse ids.
fn relabelling(k: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..k).map(|i| i * 97 + 3).collect::<Vec<_>>()).prop_shuffle()
}

/// Best total over every way to give distinct classes to (some of) the clusters.
fn brute_force_best(table: &[Vec<u64>], row: usize, used: &mut Vec<bool>) -> u64 {
    if row == table.len() {
        return 0;
    }
    // Leave this cluster unmatched...
    let mut best = brute_force_best(table, row + 1, used);
    // ...or give it any free class.
    for j in 0..used.len() {
        if !used[j] {
            used[j] = true;
            best = best.max(table[row][j] + brute_force_best(table, row + 1, used));
            used[j] = false;
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn hungarian_equals_brute_force((t, p) in labellings(40, 5, 5)) {
        let table = Contingency::new(&t, &p).unwrap();
        let dense = table.to_dense();
        let best = brute_force_best(&dense, 0, &mut vec![false; table.n_classes()]);
        let m = table.matching().unwrap();
        prop_assert_eq!(m.correct(), best);
        prop_assert!((acc(&t, &p).unwrap() - best as f64 / t.len() as f64).abs() < TOL);
        // The matching is one-to-one and as large as it can be.
        prop_assert_eq!(m.pairs().len(), table.n_clusters().min(table.n_classes()));
        let mut classes: Vec<usize> = m.pairs().iter().map(|&(_, j)| j).collect();
        classes.sort_unstable();
        classes.dedup();
        prop_assert_eq!(classes.len(), m.pairs().len());
    }

    #[test]
    fn invariant_to_relabelling_predictions(
        (t, p) in labellings(60, 6, 7),
        names in relabelling(7),
    ) {
        let renamed: Vec<usize> = p.iter().map(|&k| names[k]).collect();
        let (a, b) = (evaluate(&t, &p).unwrap(), evaluate(&t, &renamed).unwrap());
        prop_assert!((a.acc - b.acc).abs() < TOL);
        prop_assert!((a.nmi - b.nmi).abs() < TOL);
        prop_assert!((a.ari - b.ari).abs() < TOL);
        // The matching scores the same; with ties it may pick another optimum, but every
        // matched cluster is one of the renamed ids.
        let (m, m_renamed) = (matching(&t, &p).unwrap(), matching(&t, &renamed).unwrap());
        prop_assert_eq!(m.correct(), m_renamed.correct());
        prop_assert!(m_renamed.pairs().iter().all(|(cluster, _)| names.contains(cluster)));
    }

    #[test]
    fn scores_stay_in_bounds((t, p) in labellings(60, 6, 8)) {
        let s = evaluate(&t, &p).unwrap();
        prop_assert!(s.acc > 0.0 && s.acc <= 1.0, "acc {}", s.acc);
        prop_assert!((-0.5..=1.0).contains(&s.ari), "ari {}", s.ari);
        for method in [Normalization::Arithmetic, Normalization::Geometric, Normalization::Min, Normalization::Max] {
            let v = nmi_with(&t, &p, method).unwrap();
            prop_assert!((0.0..=1.0).contains(&v), "nmi {:?} {}", method, v);
        }
        // ACC can never beat the share of the largest class per cluster (purity).
        let table = Contingency::new(&t, &p).unwrap();
        let purity: u64 = table.to_dense().iter().map(|row| row.iter().copied().max().unwrap_or(0)).sum();
        prop_assert!(s.acc <= purity as f64 / t.len() as f64 + TOL);
    }

    #[test]
    fn identical_labellings_score_one((t, _) in labellings(60, 9, 1), names in relabelling(9)) {
        let renamed: Vec<usize> = t.iter().map(|&k| names[k]).collect();
        let s = evaluate(&t, &renamed).unwrap();
        prop_assert_eq!(s.acc, 1.0);
        prop_assert!((s.nmi - 1.0).abs() < TOL, "nmi {}", s.nmi);
        prop_assert_eq!(s.ari, 1.0);
    }

    #[test]
    fn nmi_and_ari_are_symmetric((t, p) in labellings(60, 6, 8)) {
        prop_assert!((nmi(&t, &p).unwrap() - nmi(&p, &t).unwrap()).abs() < TOL);
        prop_assert!((ari(&t, &p).unwrap() - ari(&p, &t).unwrap()).abs() < TOL);
        // ACC is symmetric too: transposing the table keeps the best matching.
        prop_assert!((acc(&t, &p).unwrap() - acc(&p, &t).unwrap()).abs() < TOL);
    }
}
