//! `mdec run --images DIR --clusters auto` with no method flags on synthetic colour defect
//! crops (`mdec_data::synthetic`): the folder default (`crops`: anomaly descriptors, then
//! DEC) finds the six kinds and groups the crops by defect, not by part colour or lighting,
//! and `predict` sorts new crops with the saved features.

use anyhow::Result;
use mdec_data::synthetic::DefectCrops;
use mdec_tests::{csv_column, mdec};

#[test]
fn a_folder_of_crops_is_sorted_by_defect_into_the_k_it_finds() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (crops, out) = (tmp.path().join("crops"), tmp.path().join("run"));
    let spec = DefectCrops {
        per_kind: 60,
        size: 64,
        colour: true,
        seed: 21,
    };
    spec.write(&crops)?;
    let args = mdec_tests::train_args(&crops, &out, &[("--clusters", "auto"), ("--seed", "2")]);
    let output = mdec().arg("run").args(args).output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json"))?)?;
    assert_eq!(config["settings"]["preset"], "crops", "{config}");
    assert!(out.join("model/features.json").is_file());
    // k chosen from 2..12: the six kinds, in the table, the config and the report.
    let table = std::fs::read_to_string(out.join("metrics/k_choice.csv"))?;
    let chosen: Vec<&str> = table.lines().filter(|l| l.ends_with(",true")).collect();
    assert_eq!(chosen.len(), 1, "{table}");
    assert!(chosen[0].starts_with("6,"), "{table}");
    assert_eq!(table.lines().count(), 12, "{table}");
    assert_eq!(config["k_search"], serde_json::json!({"min": 2, "max": 12}));
    assert_eq!(config["settings"]["cluster"]["n_clusters"], 6);
    assert!(out.join("plots/k_choice.png").is_file());
    let report = std::fs::read_to_string(out.join("report.md"))?;
    assert!(report.contains("## Number of clusters"), "{report}");
    assert!(out.join("plots/montages/cluster_00.png").is_file());
    assert!(
        !out.join("plots/reconstructions.png").exists(),
        "a model of features draws no reconstructions"
    );
    let assignments = out.join("assignments.csv");
    let acc = mdec_metrics::acc(
        &csv_column(&assignments, "label")?,
        &csv_column(&assignments, "cluster")?,
    )?;
    assert!(acc >= 0.9, "ACC {acc}");

    let held_out = tmp.path().join("held-out");
    DefectCrops { seed: 22, ..spec }.write(&held_out)?;
    let predicted = tmp.path().join("held-out.csv");
    let output = mdec()
        .args(["predict", "--model"])
        .arg(&out)
        .arg("--images")
        .arg(&held_out)
        .args(["--labels-from-folders", "--device", "cpu", "--out"])
        .arg(&predicted)
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let acc = mdec_metrics::acc(
        &csv_column(&predicted, "label")?,
        &csv_column(&predicted, "cluster")?,
    )?;
    assert!(acc >= 0.9, "held-out ACC {acc}");
    Ok(())
}
