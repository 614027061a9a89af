//! [`SettingsSpec`]: how a run's settings are asked for, and [`SettingsSpec::resolve`], the
//! one place they are resolved and checked.
//!
//! Precedence, lowest first:
//! 1. the **preset** (`--preset`; else the config file's `preset`; else the input's
//!    default, [`Input::default_preset`]: `crops` for a folder of images, `mdec` for
//!    the benchmark datasets and arrays), for the number of clusters;
//! 2. the **config file** (`--config`): a run's `config.json` (its `settings` object) or a
//!    bare settings object; it may hold only some keys (e.g. `{"cluster": {"lr": 0.001}}`),
//!    which replace the preset's, object by object;
//! 3. the **flags**: clusters, epochs, iterations, batch size, seed.
//!
//! The number of clusters comes from the flag, else the config file, else the number of
//! classes of labelled data. The seed comes from the flag, else the config file, else the
//! preset (0); it seeds both pretraining and clustering.

use std::path::{Path, PathBuf};

use mdec_cluster::{Preset, PresetSettings};
use mdec_data::Dataset;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
#[cfg(doc)]
use crate::input::Input;

/// The settings a caller asks for; [`SettingsSpec::resolve`] turns them into checked
/// [`PresetSettings`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSpec {
    /// The method; `None`: the config file's, else the input's default.
    pub preset: Option<Preset>,
    /// A JSON settings file (a run's `config.json` or a settings object, whole or partial).
    pub config: Option<PathBuf>,
    /// Number of clusters.
    pub clusters: Option<usize>,
    /// Pretraining epochs.
    pub epochs: Option<usize>,
    /// Largest number of clustering iterations (mini-batches).
    pub max_iter: Option<usize>,
    /// Batch size of both pretraining and clustering.
    pub batch_size: Option<usize>,
    /// Seed of splits, initialisation, augmentation and k-means.
    pub seed: Option<u64>,
}

impl SettingsSpec {
    /// The settings for `data`, resolved (see the module docs for the precedence) and
    /// checked; `default` is the preset when neither the caller nor a config file names
    /// one ([`Input::default_preset`]).
    ///
    /// # Errors
    /// [`Error::BadInput`] for a config file that cannot be read or does not hold mdec
    /// settings, an unknown number of clusters, more clusters than samples, and settings
    /// that do not check.
    pub fn resolve(&self, data: &Dataset, default: Preset) -> Result<PresetSettings> {
        let config = self
            .config
            .as_deref()
            .map(read_settings_value)
            .transpose()?;
        let from_config = |pointer: &str| config.as_ref().and_then(|c| c.pointer(pointer));
        let preset = match (self.preset, from_config("/preset")) {
            (Some(preset), _) => preset,
            (None, Some(value)) => serde_json::from_value(value.clone())
                .map_err(|e| self.bad_config(format!("preset: {e}")))?,
            (None, None) => default,
        };
        let k = match (
            self.clusters,
            from_config("/cluster/n_clusters").and_then(Value::as_u64),
            data.num_classes(),
        ) {
            (Some(k), _, _) => k,
            (None, Some(k), _) => k as usize,
            (None, None, Some(classes)) => classes,
            (None, None, None) => {
                return Err(Error::BadInput(
                    "the data has no labels: say how many clusters with --clusters".into(),
                ));
            }
        };
        let mut settings = preset.settings(k);
        if let Some(config) = config {
            let mut merged =
                serde_json::to_value(&settings).map_err(|e| self.bad_config(e.to_string()))?;
            merge(&mut merged, config);
            settings =
                serde_json::from_value(merged).map_err(|e| self.bad_config(e.to_string()))?;
        }
        settings.preset = preset;
        settings.cluster.n_clusters = k;
        if let Some(epochs) = self.epochs {
            settings.pretrain.epochs = epochs;
        }
        if let Some(max_iter) = self.max_iter {
            settings.cluster.max_iter = max_iter;
        }
        if let Some(batch) = self.batch_size {
            settings.pretrain.batch_size = batch;
            settings.cluster.batch_size = batch;
        }
        if let Some(seed) = self.seed {
            settings.pretrain.seed = seed;
            settings.cluster.seed = seed;
        }
        check(&settings, data)?;
        Ok(settings)
    }

    fn bad_config(&self, reason: String) -> Error {
        let path = self.config.as_deref().unwrap_or(Path::new("--config"));
        Error::BadInput(format!("{}: not mdec settings: {reason}", path.display()))
    }
}

/// Checks settings against the data: the number of clusters and every parameter.
///
/// # Errors
/// [`Error::BadInput`] when there are more clusters than samples; the params' own errors.
pub fn check(settings: &PresetSettings, data: &Dataset) -> Result<()> {
    if settings.cluster.n_clusters > data.len() {
        return Err(Error::BadInput(format!(
            "{} clusters cannot be formed from {} samples: lower --clusters",
            settings.cluster.n_clusters,
            data.len()
        )));
    }
    settings.ae.check().map_err(mdec_ae::Error::from)?;
    settings.pretrain.clone().check()?;
    settings.cluster.clone().check()?;
    Ok(())
}

/// Reads settings from a run's `config.json` (its `settings` object) or a bare settings
/// file, checked.
///
/// # Errors
/// [`Error::BadInput`] when the file cannot be read or does not hold mdec settings.
pub fn read_settings(path: &Path) -> Result<PresetSettings> {
    let value = read_settings_value(path)?;
    serde_json::from_value(value)
        .map_err(|e| Error::BadInput(format!("{}: not mdec settings: {e}", path.display())))
}

/// The settings object of a JSON file: its `settings` key, or the whole object.
fn read_settings_value(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::BadInput(format!("{}: cannot read the config: {e}", path.display())))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Error::BadInput(format!("{}: not valid JSON: {e}", path.display())))?;
    let settings = value.get("settings").cloned().unwrap_or(value);
    if !settings.is_object() {
        return Err(Error::BadInput(format!(
            "{}: not mdec settings: expected a JSON object",
            path.display()
        )));
    }
    Ok(settings)
}

/// Replaces `base`'s values by `over`'s, object by object.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array4;

    use super::*;

    fn data(n: usize) -> anyhow::Result<Dataset> {
        let images = Array4::<f32>::zeros((n, 1, 28, 28));
        Ok(Dataset::new(images).with_labels((0..n).map(|i| i % 4).collect())?)
    }

    fn config(text: &str) -> anyhow::Result<(tempfile::TempDir, PathBuf)> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("config.json");
        std::fs::write(&path, text)?;
        Ok((dir, path))
    }

    #[test]
    fn flags_beat_the_config_file_which_beats_the_preset() -> anyhow::Result<()> {
        let (_dir, path) = config(
            r#"{"preset": "dcec", "pretrain": {"epochs": 7, "seed": 5}, "cluster": {"seed": 5, "lr": 0.5}}"#,
        )?;
        let spec = SettingsSpec {
            config: Some(path),
            epochs: Some(3),
            ..SettingsSpec::default()
        };
        let s = spec.resolve(&data(40)?, Preset::Mdec)?;
        assert_eq!(s.preset, Preset::Dcec, "the config file names the preset");
        assert_eq!(s.pretrain.epochs, 3, "the flag wins");
        assert_eq!(s.cluster.lr, 0.5, "the config file beats the preset");
        assert_eq!(s.cluster.n_clusters, 4, "from the labels");
        assert_eq!(
            (s.pretrain.seed, s.cluster.seed),
            (5, 5),
            "no --seed: the config file's seed is kept"
        );
        let preset = Preset::Dcec.settings(4);
        assert_eq!(s.ae, preset.ae, "what the file leaves out is the preset's");
        let seeded = SettingsSpec {
            seed: Some(9),
            ..spec
        }
        .resolve(&data(40)?, Preset::Mdec)?;
        assert_eq!((seeded.pretrain.seed, seeded.cluster.seed), (9, 9));
        Ok(())
    }

    #[test]
    fn a_run_config_round_trips_whole() -> anyhow::Result<()> {
        let mut settings = Preset::Idec.settings(3);
        settings.cluster.seed = 11;
        settings.pretrain.seed = 11;
        settings.pretrain.epochs = 2;
        let text = serde_json::json!({ "settings": settings }).to_string();
        let (_dir, path) = config(&text)?;
        let spec = SettingsSpec {
            config: Some(path),
            ..SettingsSpec::default()
        };
        assert_eq!(spec.resolve(&data(40)?, Preset::Mdec)?, settings);
        Ok(())
    }

    #[test]
    fn bad_settings_are_bad_input() -> anyhow::Result<()> {
        let (_dir, path) = config(r#"{"cluster": {"lr_typo": 1}}"#)?;
        let spec = SettingsSpec {
            config: Some(path),
            ..SettingsSpec::default()
        };
        let err = spec.resolve(&data(40)?, Preset::Mdec).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::BadInput, "{err}");
        assert!(err.to_string().contains("lr_typo"), "{err}");
        let too_many = SettingsSpec {
            clusters: Some(50),
            ..SettingsSpec::default()
        };
        let err = too_many.resolve(&data(40)?, Preset::Mdec).unwrap_err();
        assert!(err.to_string().contains("50 clusters"), "{err}");
        let unlabelled = Dataset::new(Array4::<f32>::zeros((10, 1, 28, 28)));
        let err = SettingsSpec::default()
            .resolve(&unlabelled, Preset::Mdec)
            .unwrap_err();
        assert!(err.to_string().contains("--clusters"), "{err}");
        Ok(())
    }
}
