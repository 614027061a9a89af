//! Public-API tests against reference numbers from scikit-learn and scipy.
//!
//! Every expected value below was printed by `scripts/gen_metrics_refs.py` (scikit-learn
//! 1.9.1, scipy 1.17.1, numpy 2.4.6) on the same literal label vectors; regenerate them
//! with `python3 scripts/gen_metrics_refs.py` if the vectors change.

use anyhow::{Result, ensure};
use mdec_metrics::{Error, Normalization, acc, ari, evaluate, matching, mse, nmi, nmi_with, psnr};

/// Tolerance for label metrics (pure `f64` arithmetic on small integers).
const TOL: f64 = 1e-9;
/// Tolerance for reconstruction metrics (`f32` inputs).
const TOL_F32: f64 = 1e-6;

/// One reference case: the labels and the values scikit-learn printed for them.
struct Case {
    name: &'static str,
    labels_true: &'static [usize],
    labels_pred: &'static [usize],
    acc: f64,
    /// NMI with arithmetic, geometric, min and max normalisation.
    nmi: [f64; 4],
    ari: f64,
}

const CASES: &[Case] = &[
    Case {
        name: "noisy_three",
        labels_true: &[
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2,
            2,
        ],
        labels_pred: &[
            7, 7, 7, 7, 7, 7, 7, 3, 3, 100, 3, 3, 3, 3, 3, 3, 7, 3, 100, 3, 100, 100, 100, 100,
            100, 100, 7, 100, 3, 100,
        ],
        acc: 0.7666666666666667,
        nmi: [
            0.3664541803914996,
            0.36645460478840036,
            0.3670127432141367,
            0.36589731515744855,
        ],
        ari: 0.38366290888929955,
    },
    Case {
        name: "more_clusters",
        labels_true: &[
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2,
            2, 2, 2,
        ],
        labels_pred: &[
            0, 0, 0, 0, 0, 4, 4, 4, 1, 0, 4, 1, 1, 1, 1, 2, 2, 2, 2, 1, 0, 3, 3, 3, 3, 3, 3, 2, 3,
            3, 4, 3,
        ],
        acc: 0.625,
        nmi: [
            0.5722549723706447,
            0.5818794465802825,
            0.6988325610156411,
            0.48449901913628457,
        ],
        ari: 0.46701846965699206,
    },
    Case {
        name: "fewer_clusters",
        labels_true: &[
            0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3,
            3,
        ],
        labels_pred: &[
            5, 5, 5, 5, 5, 5, 9, 5, 5, 5, 5, 5, 9, 5, 5, 9, 9, 9, 9, 9, 5, 9, 9, 9, 9, 5, 9, 9, 9,
            9,
        ],
        acc: 0.4666666666666667,
        nmi: [
            0.2896330833662193,
            0.3071201741457947,
            0.4339850002884628,
            0.21734115535018125,
        ],
        ari: 0.23141564318034907,
    },
    Case {
        name: "sparse_ids",
        labels_true: &[
            3, 7, 100, 250, 3, 7, 100, 250, 3, 7, 100, 250, 3, 3, 7, 7, 100, 100, 250, 250, 3, 7,
            100, 250,
        ],
        labels_pred: &[
            1, 1, 2, 2, 0, 0, 3, 3, 1, 2, 3, 0, 0, 1, 2, 3, 1, 2, 3, 0, 2, 2, 1, 1,
        ],
        acc: 0.4166666666666667,
        nmi: [
            0.1463097900521072,
            0.14631166183477493,
            0.14705362672763506,
            0.14557344055514276,
        ],
        ari: -0.03110704483074108,
    },
];

const NORMALIZATIONS: [Normalization; 4] = [
    Normalization::Arithmetic,
    Normalization::Geometric,
    Normalization::Min,
    Normalization::Max,
];

fn close(name: &str, what: &str, got: f64, want: f64, tol: f64) -> Result<()> {
    ensure!(
        (got - want).abs() <= tol,
        "{name}: {what} = {got}, scikit-learn says {want}"
    );
    Ok(())
}

#[test]
fn acc_nmi_ari_match_scikit_learn() -> Result<()> {
    for case in CASES {
        let (t, p) = (case.labels_true, case.labels_pred);
        close(case.name, "acc", acc(t, p)?, case.acc, TOL)?;
        close(case.name, "ari", ari(t, p)?, case.ari, TOL)?;
        close(case.name, "nmi", nmi(t, p)?, case.nmi[0], TOL)?;
        for (method, want) in NORMALIZATIONS.into_iter().zip(case.nmi) {
            close(
                case.name,
                &format!("nmi {method:?}"),
                nmi_with(t, p, method)?,
                want,
                TOL,
            )?;
        }
        let scores = evaluate(t, p)?;
        close(case.name, "scores.acc", scores.acc, case.acc, TOL)?;
        close(case.name, "scores.nmi", scores.nmi, case.nmi[0], TOL)?;
        close(case.name, "scores.ari", scores.ari, case.ari, TOL)?;
    }
    Ok(())
}

#[test]
fn matching_leaves_extra_clusters_unmatched() -> Result<()> {
    let case = &CASES[1]; // 5 clusters, 3 classes
    let m = matching(case.labels_true, case.labels_pred)?;
    ensure!(
        m.pairs().len() == 3 && m.unmatched_clusters().len() == 2,
        "{m:?}"
    );
    ensure!(m.correct() == 20 && m.n_samples() == 32, "{m:?}");
    // Each class receives at most one cluster.
    let mut classes: Vec<usize> = m.pairs().iter().map(|&(_, class)| class).collect();
    classes.sort_unstable();
    ensure!(classes == [0, 1, 2], "{classes:?}");
    Ok(())
}

#[test]
fn matching_with_fewer_clusters_uses_every_cluster() -> Result<()> {
    let case = &CASES[2]; // 2 clusters, 4 classes
    let m = matching(case.labels_true, case.labels_pred)?;
    ensure!(m.unmatched_clusters().is_empty(), "{m:?}");
    ensure!(m.pairs().len() == 2 && m.correct() == 14, "{m:?}");
    Ok(())
}

/// A limit case: name, labels, and the expected `(acc, nmi arithmetic, ari)`.
type Degenerate = (
    &'static str,
    &'static [usize],
    &'static [usize],
    (f64, f64, f64),
);

/// `(acc, nmi arithmetic, ari)` of the limit cases, from the same script.
#[test]
fn degenerate_labellings_follow_scikit_learn() -> Result<()> {
    let cases: [Degenerate; 5] = [
        ("one_sample", &[0], &[5], (1.0, 1.0, 1.0)),
        (
            "single_cluster_both",
            &[1, 1, 1],
            &[2, 2, 2],
            (1.0, 1.0, 1.0),
        ),
        (
            "distinct_vs_single",
            &[0, 1, 2, 3],
            &[0, 0, 0, 0],
            (0.25, 0.0, 0.0),
        ),
        (
            "distinct_both",
            &[0, 1, 2, 3],
            &[3, 2, 1, 0],
            (1.0, 1.0, 1.0),
        ),
        (
            "pairs_vs_distinct",
            &[0, 0, 1, 1],
            &[0, 1, 2, 3],
            (0.5, 0.6666666666666666, 0.0),
        ),
    ];
    for (name, t, p, (want_acc, want_nmi, want_ari)) in cases {
        close(name, "acc", acc(t, p)?, want_acc, TOL)?;
        close(name, "nmi", nmi(t, p)?, want_nmi, TOL)?;
        close(name, "ari", ari(t, p)?, want_ari, TOL)?;
        // Symmetric metrics keep the value when the roles swap.
        close(name, "nmi swapped", nmi(p, t)?, want_nmi, TOL)?;
        close(name, "ari swapped", ari(p, t)?, want_ari, TOL)?;
    }
    // Every normalisation agrees on the conventions.
    for method in NORMALIZATIONS {
        ensure!(nmi_with(&[4, 4], &[1, 1], method)? == 1.0, "{method:?}");
        ensure!(nmi_with(&[0, 1], &[1, 1], method)? == 0.0, "{method:?}");
    }
    Ok(())
}

#[test]
fn mse_and_psnr_match_numpy() -> Result<()> {
    let original = [0.0f32, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 0.33, 0.0, 0.62];
    let reconstructed = [0.05f32, 0.12, 0.2, 0.55, 0.7, 0.95, 0.98, 0.3, 0.02, 0.6];
    close(
        "reconstruction",
        "mse",
        mse(&original, &reconstructed)?,
        0.001500000171363472,
        1e-12,
    )?;
    let psnr_1 = psnr(&original, &reconstructed, 1.0)?;
    close(
        "reconstruction",
        "psnr(1)",
        psnr_1,
        28.239086913295147,
        TOL_F32,
    )?;
    let psnr_2 = psnr(&original, &reconstructed, 2.0)?;
    close(
        "reconstruction",
        "psnr(2)",
        psnr_2,
        34.25968682657477,
        TOL_F32,
    )?;
    ensure!(psnr(&original, &original, 1.0)? == f64::INFINITY);
    Ok(())
}

#[test]
fn invalid_inputs_are_typed_errors() -> Result<()> {
    ensure!(acc(&[0, 1, 2], &[0, 1]) == Err(Error::LengthMismatch { left: 3, right: 2 }));
    ensure!(nmi(&[], &[]) == Err(Error::Empty { what: "labels" }));
    ensure!(ari(&[0], &[]) == Err(Error::LengthMismatch { left: 1, right: 0 }));
    ensure!(matches!(evaluate(&[], &[]), Err(Error::Empty { .. })));
    ensure!(
        psnr(&[0.0, 1.0], &[0.0], 1.0)
            == Err(Error::ReconstructionLengthMismatch {
                original: 2,
                reconstructed: 1
            })
    );
    ensure!(psnr(&[0.0], &[1.0], 0.0) == Err(Error::InvalidDataRange { data_range: 0.0 }));
    ensure!(psnr(&[0.0], &[1.0], -255.0) == Err(Error::InvalidDataRange { data_range: -255.0 }));
    // Messages are lowercase, with the offending values.
    let message = Error::LengthMismatch { left: 3, right: 2 }.to_string();
    ensure!(
        message == "label slices differ in length: 3 vs 2",
        "{message}"
    );
    Ok(())
}
