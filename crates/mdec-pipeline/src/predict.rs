//! New data through a saved model: [`model_dir`] finds the model, [`Predictor`] loads it
//! once (with the features it was trained on, if any) and assigns datasets, and [`stream`]
//! assigns the samples of tiles or crops chunk by chunk, writing the table and the cluster
//! maps as it goes, so that memory holds one chunk and the model whatever the number of
//! samples.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use mdec_ae::{AeModel, TorchScriptEncoder};
use mdec_cluster::{Assignments, ClusterMeta, Dec, EncoderOnly};
use mdec_data::maps::ClusterMaps;
use mdec_data::table::TableFormat;
use mdec_data::{Dataset, Source, atomic};
use mdec_metrics::Scores;
use polars::io::{csv, parquet};
use polars::prelude::{
    CsvWriter, DataFrame, NamedFrom, ParquetWriter, PolarsResult, SerWriter, Series,
};
use tch::Device;

use crate::error::{Error, Result};
use crate::features::Features;
use crate::layout::{ENCODER_FILE, RunLayout};

/// Samples per chunk of [`stream`] in `mdec predict`: a few MiB of images for small tiles,
/// and few enough chunks that the per-chunk overhead does not show.
pub const CHUNK: usize = 8192;

/// The model folder of a run folder (its `model/`) or of a model folder itself.
///
/// # Errors
/// [`Error::BadInput`] when neither holds a saved clustering model.
pub fn model_dir(path: &Path) -> Result<PathBuf> {
    for candidate in [RunLayout::new(path).model(), path.to_path_buf()] {
        if candidate.join(mdec_cluster::CLUSTER_JSON).is_file() {
            return Ok(candidate);
        }
    }
    Err(Error::BadInput(format!(
        "{}: no saved clustering model there (expected a run folder with model/, or a model folder with {})",
        path.display(),
        mdec_cluster::CLUSTER_JSON
    )))
}

/// The two kinds of saved model.
enum Model {
    /// An autoencoder and its cluster layer (`weights.safetensors`).
    Ae(Dec<AeModel>),
    /// A TorchScript encoder and the centroids.
    Encoder(Dec<EncoderOnly<TorchScriptEncoder>>),
}

/// A saved model, loaded once: its description, the features it sees (if any) and its
/// weights; [`Predictor::input`] turns images into what it sees, [`Predictor::predict`]
/// assigns them.
pub struct Predictor {
    dir: PathBuf,
    meta: ClusterMeta,
    features: Option<Features>,
    model: Model,
}

impl Predictor {
    /// Loads the model in `dir` (see [`model_dir`]) onto `device`; an encoder-only model
    /// uses its `encoder.pt`, or `encoder` when given.
    ///
    /// # Errors
    /// [`Error::BadInput`] for an encoder-only model without its encoder; the model's errors
    /// for unreadable files.
    pub fn load(dir: &Path, encoder: Option<&Path>, device: Device) -> Result<Self> {
        let meta = ClusterMeta::read(dir)?;
        let features = Features::load(dir)?;
        let model = if dir.join(mdec_cluster::WEIGHTS_FILE).is_file() {
            Model::Ae(Dec::<AeModel>::load(dir, device)?)
        } else {
            let script = encoder.map_or_else(|| dir.join(ENCODER_FILE), Path::to_path_buf);
            if !script.is_file() {
                return Err(Error::BadInput(format!(
                    "{}: an encoder-only model without {ENCODER_FILE}: pass its TorchScript encoder with --encoder",
                    dir.display()
                )));
            }
            let encoder = TorchScriptEncoder::load(&script, meta.input_shape, device)?;
            Model::Encoder(Dec::<EncoderOnly<TorchScriptEncoder>>::load(dir, encoder)?)
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            meta,
            features,
            model,
        })
    }

    /// The model folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The number of clusters.
    pub fn n_clusters(&self) -> usize {
        self.meta.params.n_clusters
    }

    /// What the model sees of `data`: the images themselves, or the features it was
    /// trained on ([`Features`]), with the same scaling.
    ///
    /// # Errors
    /// [`Error::BadInput`] and the features' errors when the images do not give the
    /// features the model was fitted on.
    pub fn input(&self, data: Dataset) -> Result<Dataset> {
        match &self.features {
            Some(features) => features.transform(&data),
            None => Ok(data),
        }
    }

    /// Checks that the model takes `data` (what [`Predictor::input`] gave).
    ///
    /// # Errors
    /// The model's error naming both shapes.
    pub fn check(&self, data: &Dataset) -> Result<()> {
        Ok(self.meta.check_input(&self.dir, data.shape())?)
    }

    /// Checks that the model takes the samples of `source`, through its first sample.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a source without samples; those of [`Predictor::input`] and
    /// [`Predictor::check`].
    pub fn check_source(&self, source: &dyn Source) -> Result<()> {
        if source.is_empty() {
            return Err(Error::BadInput("no samples to assign".into()));
        }
        self.check(&self.input(Dataset::new(source.gather(&[0])))?)
    }

    /// The cluster, confidence and soft assignment of every sample of `data` (what
    /// [`Predictor::input`] gave).
    ///
    /// # Errors
    /// The model's errors for data of another shape.
    pub fn predict(&self, data: &Dataset) -> Result<Assignments> {
        Ok(match &self.model {
            Model::Ae(dec) => dec.predict(data)?,
            Model::Encoder(dec) => dec.predict(data)?,
        })
    }
}

/// What [`stream`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSummary {
    /// Samples assigned.
    pub samples: usize,
    /// Wall seconds from the first chunk to the table and maps in place.
    pub seconds: f64,
    /// Samples per second over those seconds.
    pub per_second: f64,
    /// The peak resident memory of the process so far, MiB (`VmHWM` of
    /// `/proc/self/status`); `None` where that is not available.
    pub peak_rss_mib: Option<f64>,
    /// Samples per cluster.
    pub cluster_sizes: Vec<usize>,
    /// ACC, NMI and ARI against the source's labels, when every sample has one.
    pub scores: Option<Scores>,
    /// The folder of the cluster maps ([`maps_dir`]), for samples cut from inputs.
    pub maps: Option<PathBuf>,
}

/// Where [`stream`] writes the maps of the table `out`: `<stem>.maps/` beside it.
pub fn maps_dir(out: &Path) -> PathBuf {
    let stem = out.file_stem().map_or_else(
        || "assignments".into(),
        |s| s.to_string_lossy().into_owned(),
    );
    out.with_file_name(format!("{stem}.maps"))
}

/// The batched writer of one table format (one per stream: the Parquet writer is boxed
/// for its size, not for speed).
enum TableWriter<W: std::io::Write> {
    Csv(csv::write::BatchedWriter<W>),
    Parquet(Box<parquet::write::BatchedWriter<W>>),
}

impl<W: std::io::Write> TableWriter<W> {
    fn new(format: TableFormat, sink: W, frame: &DataFrame) -> PolarsResult<Self> {
        let schema = frame.schema().as_ref();
        Ok(match format {
            TableFormat::Csv => Self::Csv(CsvWriter::new(sink).batched(schema)?),
            TableFormat::Parquet => {
                Self::Parquet(Box::new(ParquetWriter::new(sink).batched(schema)?))
            }
        })
    }

    fn write(&mut self, frame: &DataFrame) -> PolarsResult<()> {
        match self {
            Self::Csv(writer) => writer.write_batch(frame),
            Self::Parquet(writer) => writer.write_batch(frame),
        }
    }

    fn finish(self) -> PolarsResult<()> {
        match self {
            Self::Csv(mut writer) => writer.finish(),
            Self::Parquet(writer) => writer.finish().map(drop),
        }
    }
}

/// Assigns every sample of `source` with `predictor`, `chunk` samples at a time, and writes
/// the table `out` (`.csv` or `.parquet`): `index`, `source`, `y`, `x`, `h`, `w`, `label`
/// (when the source has labels), `cluster`, `confidence`, `q_0 … q_{k−1}`, one row per
/// sample in order. For samples cut from inputs (tiles, crops) it also draws the cluster
/// maps of every input ([`crate::maps`]) into [`maps_dir`]`(out)`.
///
/// Memory holds one chunk (its images, what the model makes of them, its rows), the
/// source, the model, and per input the maps' votes (`k × h × w` floats); with labels,
/// also one label and one cluster per sample (16 bytes) for the scores. The table and the
/// maps folder appear whole or not at all: both are written under temporary names, the
/// maps renamed into place first, then the table.
///
/// # Errors
/// [`Error::BadInput`] for a zero `chunk`, a path that names no table format or a source
/// without samples; those of [`Predictor::check_source`]; [`Error::Table`] and I/O errors
/// when writing.
pub fn stream(
    predictor: &Predictor,
    source: &dyn Source,
    out: &Path,
    chunk: usize,
) -> Result<StreamSummary> {
    let format = TableFormat::of(out).ok_or_else(|| {
        Error::BadInput(format!(
            "{}: expected a .csv or .parquet file",
            out.display()
        ))
    })?;
    if chunk == 0 {
        return Err(Error::BadInput("chunks of 0 samples".into()));
    }
    predictor.check_source(source)?;
    let table_error = |source| Error::Table {
        path: out.to_path_buf(),
        source,
    };
    let n = source.len();
    let k = predictor.n_clusters();
    let clock = Instant::now();
    let mut maps = ClusterMaps::new(source, k);
    let mut cluster_sizes = vec![0usize; k];
    // Labels and clusters of every sample, for the scores; dropped at the first unlabelled
    // sample.
    let mut scored: Option<(Vec<usize>, Vec<usize>)> = Some((Vec::new(), Vec::new()));
    let mut maps_written = None;
    atomic::write_file(out, |tmp: &Path| -> Result<()> {
        // Taken by the table's writer once the first chunk gives the columns.
        let mut file = Some(File::create(tmp).map_err(|e| Error::io(out, "cannot create", e))?);
        let mut writer: Option<TableWriter<File>> = None;
        let mut next_report = 1;
        let mut indices = Vec::with_capacity(chunk.min(n));
        for start in (0..n).step_by(chunk) {
            indices.clear();
            indices.extend(start..(start + chunk).min(n));
            let data = predictor.input(Dataset::new(source.gather(&indices)))?;
            let assignments = predictor.predict(&data)?;
            drop(data);
            let labels: Option<Vec<usize>> = indices.iter().map(|&i| source.label(i)).collect();
            let mut frame = assignments.to_frame(None, labels.as_deref())?;
            let global: Vec<u64> = indices.iter().map(|&i| i as u64).collect();
            frame
                .replace("index", Series::new("index".into(), global).into())
                .map_err(table_error)?;
            crate::maps::add_positions(&mut frame, source, &indices)?;
            if let Some(file) = file.take() {
                writer = Some(TableWriter::new(format, file, &frame).map_err(table_error)?);
            }
            if let Some(writer) = writer.as_mut() {
                writer.write(&frame).map_err(table_error)?;
            }
            for &c in &assignments.cluster {
                cluster_sizes[c] += 1;
            }
            scored = match (scored.take(), labels) {
                (Some((mut all_labels, mut all_clusters)), Some(labels)) => {
                    all_labels.extend(labels);
                    all_clusters.extend_from_slice(&assignments.cluster);
                    Some((all_labels, all_clusters))
                }
                _ => None,
            };
            if let Some(maps) = maps.as_mut() {
                maps.record(
                    source,
                    &indices,
                    &assignments.cluster,
                    &assignments.confidence,
                );
            }
            let done = start + indices.len();
            if done * 10 >= next_report * n {
                let seconds = clock.elapsed().as_secs_f64();
                tracing::info!(
                    samples = done,
                    of = n,
                    per_second = done as f64 / seconds.max(1e-9),
                    "assigned"
                );
                next_report = done * 10 / n + 1;
            }
        }
        if let Some(writer) = writer {
            writer.finish().map_err(table_error)?;
        }
        if let Some(maps) = maps.take() {
            let dir = maps_dir(out);
            let inputs = maps.finish();
            atomic::replace_dir(&dir, |tmp: &Path| -> Result<()> {
                crate::maps::write_maps(tmp, source, inputs).map(drop)
            })?;
            maps_written = Some(dir);
        }
        Ok(())
    })?;
    let scores = match scored {
        Some((labels, clusters)) if !labels.is_empty() => {
            Some(mdec_metrics::evaluate(&labels, &clusters)?)
        }
        _ => None,
    };
    let seconds = clock.elapsed().as_secs_f64();
    let summary = StreamSummary {
        samples: n,
        seconds,
        per_second: n as f64 / seconds.max(1e-9),
        peak_rss_mib: peak_rss_mib(),
        cluster_sizes,
        scores,
        maps: maps_written,
    };
    tracing::info!(
        samples = summary.samples,
        seconds = summary.seconds,
        per_second = summary.per_second,
        peak_rss_mib = summary.peak_rss_mib,
        "prediction streamed"
    );
    Ok(summary)
}

/// The peak resident memory of this process, MiB: `VmHWM` of `/proc/self/status` (Linux);
/// `None` elsewhere.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_go_beside_the_table() {
        assert_eq!(maps_dir(Path::new("out/a.csv")), Path::new("out/a.maps"));
        assert_eq!(maps_dir(Path::new("b.parquet")), Path::new("b.maps"));
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_mib().is_some_and(|m| m > 0.0));
        }
    }
}
