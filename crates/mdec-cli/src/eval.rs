//! `mdec eval`: ACC, NMI and ARI of an assignment file against labels: its own label
//! column, another of its columns, or a labels file (`.npy`, IDX, or a CSV/Parquet table
//! matched by `name` when both have names, else by row).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::{DataFrame, DataType};
use serde_json::json;

use mdec_data::table::TableFormat;
use mdec_pipeline::report::label_column;

use crate::BadInput;

/// Arguments of `mdec eval`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The assignments: a .csv or .parquet file written by `mdec run`, `cluster` or
    /// `predict` (any table with a cluster column).
    pub assignments: PathBuf,
    /// Labels from a file: .npy (integers), IDX labels (raw or .gz), or a .csv/.parquet
    /// table (its --labels-column, matched by `name` when both tables have one).
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// The column holding the labels (in the assignments, or in the --labels table).
    #[arg(long, default_value = "label")]
    pub labels_column: String,
    /// The column holding the clusters.
    #[arg(long, default_value = "cluster")]
    pub cluster_column: String,
    /// Also write the scores to a .json or .csv file.
    #[arg(long, value_parser = parse_scores_path)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
}

fn parse_scores_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match path.extension().and_then(|e| e.to_str()) {
        Some("json" | "csv") => Ok(path),
        _ => Err(format!("expected a .json or .csv file, got {text:?}")),
    }
}

fn bad(message: String) -> anyhow::Error {
    BadInput(message).into()
}

fn read(path: &Path) -> Result<DataFrame> {
    if TableFormat::of(path).is_none() {
        return Err(bad(format!(
            "{}: expected a .csv or .parquet assignments file",
            path.display()
        )));
    }
    if !path.is_file() {
        return Err(bad(format!("{}: no such file", path.display())));
    }
    Ok(mdec_data::table::read_table(path)?)
}

fn names(frame: &DataFrame) -> Option<Vec<String>> {
    let column = frame.column("name").ok()?.cast(&DataType::String).ok()?;
    let names: Option<Vec<String>> = column
        .str()
        .ok()?
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect();
    names
}

/// The labels of the assignments' rows.
fn labels(args: &EvalArgs, frame: &DataFrame) -> Result<(Vec<usize>, String)> {
    let Some(file) = &args.labels else {
        let labels = label_column(frame, &args.labels_column)?.ok_or_else(|| {
            bad(format!(
                "{}: no {:?} column (the data had no labels): pass --labels FILE or --labels-column NAME",
                args.assignments.display(),
                args.labels_column
            ))
        })?;
        return Ok((labels, format!("column {}", args.labels_column)));
    };
    let source = file.display().to_string();
    if TableFormat::of(file).is_some() {
        let table = read(file)?;
        let labels = label_column(&table, &args.labels_column)?
            .ok_or_else(|| bad(format!("{source}: no {:?} column", args.labels_column)))?;
        if let (Some(ours), Some(theirs)) = (names(frame), names(&table)) {
            let by_name: HashMap<&str, usize> = theirs
                .iter()
                .map(String::as_str)
                .zip(labels.iter().copied())
                .collect();
            let matched = ours
                .iter()
                .map(|n| {
                    by_name
                        .get(n.as_str())
                        .copied()
                        .ok_or_else(|| bad(format!("{source}: no label for {n:?}")))
                })
                .collect::<Result<Vec<usize>>>()?;
            return Ok((matched, format!("{source} (by name)")));
        }
        return Ok((labels, source));
    }
    let labels = if file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        mdec_data::npy::read_npy_labels(file)?
    } else {
        mdec_data::idx::read_idx_labels(file)?
    };
    Ok((labels, source))
}

/// Runs `mdec eval`.
pub fn run(args: &EvalArgs) -> Result<()> {
    if let Some(out) = &args.out {
        mdec_pipeline::check_output_file(out, args.force)?;
    }
    let frame = read(&args.assignments)?;
    let clusters = label_column(&frame, &args.cluster_column)?.ok_or_else(|| {
        bad(format!(
            "{}: no {:?} column",
            args.assignments.display(),
            args.cluster_column
        ))
    })?;
    let (labels, source) = labels(args, &frame)?;
    if labels.len() != clusters.len() {
        return Err(bad(format!(
            "{} labels from {source} for {} assignments in {}",
            labels.len(),
            clusters.len(),
            args.assignments.display()
        )));
    }
    let scores = mdec_metrics::evaluate(&labels, &clusters)?;
    let count = |v: &[usize]| {
        let mut seen = v.to_vec();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let (k, classes) = (count(&clusters), count(&labels));
    println!("assignments  {}", args.assignments.display());
    println!("labels       {source}");
    println!("| samples | clusters | classes | ACC | NMI | ARI |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} | {k} | {classes} | {:.4} | {:.4} | {:.4} |",
        clusters.len(),
        scores.acc,
        scores.nmi,
        scores.ari
    );
    if let Some(out) = &args.out {
        let text = if out.extension().is_some_and(|e| e == "json") {
            serde_json::to_string_pretty(&json!({
                "assignments": args.assignments.display().to_string(),
                "labels": source,
                "samples": clusters.len(),
                "clusters": k,
                "classes": classes,
                "acc": scores.acc,
                "nmi": scores.nmi,
                "ari": scores.ari,
            }))? + "\n"
        } else {
            format!(
                "samples,clusters,classes,acc,nmi,ari\n{},{k},{classes},{},{},{}\n",
                clusters.len(),
                scores.acc,
                scores.nmi,
                scores.ari
            )
        };
        mdec_data::atomic::write_file(out, |tmp| -> Result<()> {
            std::fs::write(tmp, text).with_context(|| format!("{}: cannot write", out.display()))
        })?;
    }
    Ok(())
}
