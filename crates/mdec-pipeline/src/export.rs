//! `mdec export`: a run's clusters as one folder per cluster, for a labeller to start from.
//!
//! The export folder holds `NN/` (or `NN-name/` when the cluster is named) per cluster,
//! `uncertain/` for the samples below the confidence threshold, and `clusters.csv`: one row
//! per sample with its index, name (for files), cluster, cluster name, confidence and the
//! exported file's path inside the folder. Samples that are files (a folder of images) are
//! copied or linked under their own names (sub-folders joined with `__`); other samples
//! (arrays, datasets, tiles, crops) are written as `NNNNNN.png`, by their index in the
//! assignments table. The folder is filled under a temporary name and renamed into place.
//!
//! Cluster names (`--names names.json`: `{"0": "scratch", "3": "dent"}` or a list) are
//! checked against the run's clusters and kept in the run folder as
//! `cluster_names.json`, where a later export (and the station) finds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mdec_cluster::Assignments;
use polars::prelude::{Column, DataFrame, NamedFrom, Series};

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::input::Input;
use crate::layout::RunLayout;

/// The table written into the export folder.
pub const CLUSTERS_CSV: &str = "clusters.csv";

/// The folder of samples below the confidence threshold.
pub const UNCERTAIN: &str = "uncertain";

/// How samples that are files reach the export folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transfer {
    /// Copies of the files.
    #[default]
    Copy,
    /// Symbolic links to the files (absolute paths).
    Link,
}

/// What to export and how.
#[derive(Clone, Debug, Default)]
pub struct ExportSpec {
    /// The run folder.
    pub run: PathBuf,
    /// The folder to write.
    pub to: PathBuf,
    /// Copy or link files.
    pub transfer: Transfer,
    /// Samples below this confidence go to `uncertain/`.
    pub min_confidence: Option<f32>,
    /// A JSON file of cluster names, kept in the run.
    pub names: Option<PathBuf>,
    /// Replace `to` when it exists.
    pub force: bool,
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    /// Samples per folder, by folder name, `uncertain` included when used.
    pub folders: BTreeMap<String, usize>,
    /// Whether samples were files (copied or linked) rather than rendered.
    pub files: bool,
}

/// Exports the run's clusters (see the module docs).
///
/// # Errors
/// [`Error::BadInput`] for a folder that is not a finished run, an existing `to` without
/// `force`, a threshold outside [0, 1], names that do not parse or name no cluster of the
/// run, links asked for samples that are not files, and sample files that are gone;
/// I/O errors naming the file.
pub fn export(spec: &ExportSpec) -> Result<Exported> {
    let layout = RunLayout::open(&spec.run)?;
    if let Some(t) = spec.min_confidence
        && !(0.0..=1.0).contains(&t)
    {
        return Err(Error::BadInput(format!(
            "--min-confidence {t}: expected a number from 0 to 1"
        )));
    }
    if spec.to.exists() && !spec.force && !is_empty_dir(&spec.to) {
        return Err(Error::BadInput(format!(
            "{}: exists: pass --force to replace it",
            spec.to.display()
        )));
    }
    let table = layout.assignments();
    if !table.is_file() {
        return Err(Error::BadInput(format!(
            "{}: the run has no assignments (it has not finished clustering)",
            spec.run.display()
        )));
    }
    let frame = mdec_data::table::read_table(&table)?;
    let assignments = Assignments::from_frame(&frame)?;
    let k = assignments.q.ncols();
    let sample_names = string_column(&frame, "name");
    let config = RunConfig::read(&layout)?;
    let names = match &spec.names {
        Some(file) => {
            let names = read_names(file, k)?;
            write_names(&layout, &names)?;
            names
        }
        None => read_saved_names(&layout, k)?,
    };
    let folder_of = |cluster: usize| match names.get(&cluster) {
        Some(name) => format!("{cluster:02}-{}", slug(name)),
        None => format!("{cluster:02}"),
    };
    let samples = match (&config.input, &sample_names) {
        (Input::Folder { dir, .. }, Some(names)) => {
            let files: Vec<(PathBuf, String)> = names
                .iter()
                .map(|n| (dir.join(n), n.replace(['/', '\\'], "__")))
                .collect();
            if let Some((missing, _)) = files.iter().find(|(p, _)| !p.is_file()) {
                return Err(Error::BadInput(format!(
                    "{}: a sample of the run is gone (the input has changed since the run)",
                    missing.display()
                )));
            }
            Samples::Files(files)
        }
        _ if spec.transfer == Transfer::Link => {
            return Err(Error::BadInput(format!(
                "{}: its samples ({}) are not files that can be linked: export them as pictures without --link",
                spec.run.display(),
                config.data
            )));
        }
        _ => {
            let data = config.input.load()?;
            if data.len() != assignments.len() {
                return Err(Error::BadInput(format!(
                    "{}: the input now has {} samples, the run had {}",
                    config.input.describe(),
                    data.len(),
                    assignments.len()
                )));
            }
            Samples::Pictures(data)
        }
    };

    let n = assignments.len();
    let mut files: Vec<String> = Vec::with_capacity(n);
    let mut folders: BTreeMap<String, usize> = BTreeMap::new();
    mdec_data::atomic::replace_dir(&spec.to, |tmp: &Path| -> Result<()> {
        for i in 0..n {
            let cluster = assignments.cluster[i];
            let confident = spec
                .min_confidence
                .is_none_or(|t| assignments.confidence[i] >= t);
            let folder = match confident {
                true => folder_of(cluster),
                false => UNCERTAIN.to_owned(),
            };
            let dir = tmp.join(&folder);
            if !folders.contains_key(&folder) {
                std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot create", e))?;
            }
            *folders.entry(folder.clone()).or_default() += 1;
            let file = match &samples {
                Samples::Files(files) => {
                    let (source, file) = &files[i];
                    transfer(source, &dir.join(file), spec.transfer)?;
                    file.clone()
                }
                Samples::Pictures(data) => {
                    let file = format!("{i:06}.png");
                    mdec_viz::save_sample(data.images().view(), i, dir.join(&file))?;
                    file
                }
            };
            files.push(format!("{folder}/{file}"));
        }
        let mut columns: Vec<Column> =
            vec![Series::new("index".into(), (0..n as u64).collect::<Vec<u64>>()).into()];
        if let Some(names) = &sample_names {
            columns.push(Series::new("name".into(), names.clone()).into());
        }
        columns.push(
            Series::new(
                "cluster".into(),
                assignments
                    .cluster
                    .iter()
                    .map(|&c| c as u64)
                    .collect::<Vec<u64>>(),
            )
            .into(),
        );
        columns.push(
            Series::new(
                "cluster_name".into(),
                assignments
                    .cluster
                    .iter()
                    .map(|c| names.get(c).cloned().unwrap_or_default())
                    .collect::<Vec<String>>(),
            )
            .into(),
        );
        columns.push(Series::new("confidence".into(), assignments.confidence.clone()).into());
        columns.push(Series::new("file".into(), files.clone()).into());
        let path = tmp.join(CLUSTERS_CSV);
        let mut table = DataFrame::new(n, columns).map_err(|source| Error::Table {
            path: path.clone(),
            source,
        })?;
        mdec_data::table::write_file(&mut table, &path)?;
        Ok(())
    })?;
    tracing::info!(
        run = %spec.run.display(),
        to = %spec.to.display(),
        samples = n,
        folders = folders.len(),
        "exported"
    );
    Ok(Exported {
        folders,
        files: matches!(samples, Samples::Files(_)),
    })
}

/// Where the exported samples come from.
enum Samples {
    /// The sample files and their names in the export.
    Files(Vec<(PathBuf, String)>),
    /// The input's samples, written as pictures.
    Pictures(mdec_data::Dataset),
}

/// The run's saved cluster names (none when it has no `cluster_names.json`).
///
/// # Errors
/// [`Error::BadInput`] for a names file that does not parse or names no cluster of the run.
pub fn read_saved_names(layout: &RunLayout, k: usize) -> Result<BTreeMap<usize, String>> {
    let path = layout.cluster_names();
    match path.is_file() {
        true => read_names(&path, k),
        false => Ok(BTreeMap::new()),
    }
}

/// Reads cluster names: an object `{"0": "scratch"}` or a list `["scratch", ...]`, for a
/// run of `k` clusters.
fn read_names(path: &Path, k: usize) -> Result<BTreeMap<usize, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let bad = |what: String| Error::BadInput(format!("{}: {what}", path.display()));
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let pairs: Vec<(String, serde_json::Value)> = match value {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        serde_json::Value::Array(list) => list
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => {
            return Err(bad(
                "expected cluster names as {\"0\": \"name\", ...} or a list".into(),
            ));
        }
    };
    let mut names = BTreeMap::new();
    for (key, value) in pairs {
        let cluster: usize = key
            .parse()
            .map_err(|_| bad(format!("{key:?} is not a cluster number")))?;
        if cluster >= k {
            return Err(bad(format!(
                "cluster {cluster} does not exist: the run has clusters 0 to {}",
                k - 1
            )));
        }
        let name = value
            .as_str()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                bad(format!(
                    "the name of cluster {cluster} is not a non-empty string"
                ))
            })?;
        names.insert(cluster, name.to_owned());
    }
    Ok(names)
}

fn write_names(layout: &RunLayout, names: &BTreeMap<usize, String>) -> Result<()> {
    let object: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|(c, n)| (c.to_string(), serde_json::Value::from(n.as_str())))
        .collect();
    let text = serde_json::to_string_pretty(&object).map_err(|e| Error::Json {
        path: layout.cluster_names(),
        source: e,
    })?;
    crate::layout::write_file(&layout.cluster_names(), |tmp| std::fs::write(tmp, text))
}

/// A name as a folder name: letters, digits, `-` and `_`; other characters become `_`.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| match c.is_alphanumeric() || c == '-' || c == '_' {
            true => c,
            false => '_',
        })
        .collect()
}

fn transfer(from: &Path, to: &Path, how: Transfer) -> Result<()> {
    let done = match how {
        Transfer::Copy => std::fs::copy(from, to).map(|_| ()),
        Transfer::Link => {
            let target =
                std::path::absolute(from).map_err(|e| Error::io(from, "cannot resolve", e))?;
            link(&target, to)
        }
    };
    done.map_err(|e| Error::io(to, "cannot write the exported sample", e))
}

#[cfg(unix)]
fn link(target: &Path, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(not(unix))]
fn link(_target: &Path, _at: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "links are made on Unix only: export with --copy",
    ))
}

fn is_empty_dir(path: &Path) -> bool {
    path.read_dir().is_ok_and(|mut e| e.next().is_none())
}

fn string_column(frame: &DataFrame, name: &str) -> Option<Vec<String>> {
    let column = frame.column(name).ok()?.str().ok()?.clone();
    column
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect::<Option<Vec<String>>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_from_objects_and_lists_and_are_checked() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("names.json");
        std::fs::write(&file, r#"{"0": "scratch", "2": "dent spot"}"#)?;
        let names = read_names(&file, 3)?;
        assert_eq!(names.get(&2).map(String::as_str), Some("dent spot"));
        assert_eq!(slug("dent spot/x"), "dent_spot_x");
        std::fs::write(&file, r#"["a", "b"]"#)?;
        assert_eq!(read_names(&file, 2)?.len(), 2);
        std::fs::write(&file, r#"{"3": "x"}"#)?;
        let error = read_names(&file, 3).err().map(|e| e.to_string());
        assert!(
            error.as_deref().is_some_and(|e| e.contains("cluster 3 does not exist")
                && e.contains("names.json")),
            "{error:?}"
        );
        std::fs::write(&file, r#"{"1": ""}"#)?;
        assert!(read_names(&file, 3).is_err());
        Ok(())
    }
}
