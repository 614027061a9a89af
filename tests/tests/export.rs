//! `mdec export`: the folders match the assignments exactly (files counted per cluster),
//! uncertain samples go apart, names are kept in the run, links point at the originals,
//! arrays are written as pictures, and the run's report.html embeds its pictures.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use mdec_tests::{csv_column, mdec, quick_run, write_shapes};

/// Files per sub-folder of `dir`.
fn count_files(dir: &Path) -> Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.path().is_dir() {
            let n = std::fs::read_dir(entry.path())?.count();
            counts.insert(entry.file_name().to_string_lossy().into_owned(), n);
        }
    }
    Ok(counts)
}

/// The confidence column of an assignments table.
fn confidences(path: &Path) -> Result<Vec<f32>> {
    let table = std::fs::read_to_string(path)?;
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "confidence")
        .ok_or_else(|| anyhow::anyhow!("no confidence column"))?;
    lines
        .map(|l| Ok(l.split(',').nth(at).unwrap_or_default().parse()?))
        .collect()
}

#[test]
fn export_folders_match_the_assignments() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, run) = (tmp.path().join("shapes"), tmp.path().join("run"));
    write_shapes(&images, 10, 3)?;
    let output = quick_run(&images, &run, &["--clusters", "3"])?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(run.join("report.html"))?;
    assert!(html.contains("data:image/png;base64,") && !html.contains("src=\"plots/"));
    assert!(html.contains("Outliers to review"));

    let assignments = run.join("assignments.csv");
    let clusters = csv_column(&assignments, "cluster")?;
    let confidence = confidences(&assignments)?;
    let mut sorted = confidence.clone();
    sorted.sort_by(f32::total_cmp);
    let threshold = sorted[sorted.len() / 4];
    std::fs::write(tmp.path().join("names.json"), r#"{"0": "first kind"}"#)?;

    let out = tmp.path().join("labelling");
    let status = mdec()
        .args(["export"])
        .arg(&run)
        .arg("--to")
        .arg(&out)
        .args(["--min-confidence", &threshold.to_string(), "--names"])
        .arg(tmp.path().join("names.json"))
        .status()?;
    assert!(status.success());
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (&c, &q) in clusters.iter().zip(&confidence) {
        let folder = match (q >= threshold, c) {
            (false, _) => "uncertain".to_owned(),
            (true, 0) => "00-first_kind".to_owned(),
            (true, c) => format!("{c:02}"),
        };
        *expected.entry(folder).or_default() += 1;
    }
    assert_eq!(count_files(&out)?, expected);
    assert!(expected.contains_key("uncertain"));
    let table = std::fs::read_to_string(out.join("clusters.csv"))?;
    assert_eq!(table.lines().count(), clusters.len() + 1);
    for line in table.lines().skip(1) {
        let file = line.rsplit(',').next().unwrap_or_default();
        assert!(out.join(file).is_file(), "{line}");
    }
    let names = std::fs::read_to_string(run.join("cluster_names.json"))?;
    assert!(names.contains("first kind"), "{names}");

    // Again, linked and without a threshold: the saved names are used, and the folder is
    // only replaced with --force.
    let again = mdec()
        .arg("export")
        .arg(&run)
        .arg("--to")
        .arg(&out)
        .arg("--link")
        .output()?;
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let status = mdec()
        .arg("export")
        .arg(&run)
        .arg("--to")
        .arg(&out)
        .args(["--link", "--force"])
        .status()?;
    assert!(status.success());
    let counts = count_files(&out)?;
    assert_eq!(counts.values().sum::<usize>(), clusters.len());
    assert!(!counts.contains_key("uncertain"));
    let first = std::fs::read_dir(out.join("00-first_kind"))?
        .next()
        .ok_or_else(|| anyhow::anyhow!("an empty cluster folder"))??;
    let target = std::fs::read_link(first.path())?;
    assert!(target.is_absolute() && target.starts_with(std::path::absolute(&images)?));
    Ok(())
}

#[test]
fn arrays_are_exported_as_pictures_and_bad_names_are_refused() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let images = ndarray::Array4::from_shape_fn((30, 1, 8, 8), |(i, _, y, _)| {
        ((i % 2 == 0) == (y < 4)) as u8 as f32
    });
    let file = tmp.path().join("images.npy");
    ndarray_npy::write_npy(&file, &images)?;
    let run = tmp.path().join("run");
    let output = mdec()
        .arg("run")
        .arg("--npy")
        .arg(&file)
        .args([
            "--preset",
            "dec",
            "--clusters",
            "2",
            "--epochs",
            "1",
            "--max-iter",
            "4",
            "--batch-size",
            "8",
            "--device",
            "cpu",
            "--out",
        ])
        .arg(&run)
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = tmp.path().join("pictures");
    let status = mdec()
        .arg("export")
        .arg(&run)
        .arg("--to")
        .arg(&out)
        .status()?;
    assert!(status.success());
    let clusters = csv_column(&run.join("assignments.csv"), "cluster")?;
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for c in &clusters {
        *expected.entry(format!("{c:02}")).or_default() += 1;
    }
    assert_eq!(count_files(&out)?, expected);
    let picture = image::open(out.join(format!("{:02}/000000.png", clusters[0])))?;
    assert_eq!((picture.width(), picture.height()), (8, 8));

    let linked = mdec()
        .arg("export")
        .arg(&run)
        .arg("--to")
        .arg(tmp.path().join("links"))
        .arg("--link")
        .output()?;
    assert_eq!(linked.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&linked.stderr).contains("not files"));
    std::fs::write(tmp.path().join("names.json"), r#"{"7": "none"}"#)?;
    let named = mdec()
        .arg("export")
        .arg(&run)
        .arg("--to")
        .arg(tmp.path().join("named"))
        .arg("--names")
        .arg(tmp.path().join("names.json"))
        .output()?;
    assert_eq!(named.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&named.stderr);
    assert!(
        stderr.contains("names.json") && stderr.contains("cluster 7 does not exist"),
        "{stderr}"
    );
    assert!(!tmp.path().join("named").exists());
    Ok(())
}
