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
//! 3. **overrides** given in code ([`SettingsSpec::overrides`], e.g. the station's form), in
//!    the config file's shape, merged over it the same way;
//! 4. the **flags**: clusters, epochs, iterations, batch size, seed.
//!
//! The number of clusters comes from the flag, else the config file, else the number of
//! classes of labelled data. The flag may also ask for a search ([`Clusters::Search`]:
//! `auto` or a range): the run then chooses k after pretraining
//! ([`mdec_cluster::choose_k`]); until then the settings hold the largest candidate. The seed comes from the flag, else the config file, else the
//! preset (0); it seeds both pretraining and clustering.

use std::path::{Path, PathBuf};

use std::str::FromStr;

use mdec_cluster::{KRange, Preset, PresetSettings};
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
    /// Settings in the config file's shape, whole or partial, merged over the config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Value>,
    /// Number of clusters, or the range to choose it from.
    pub clusters: Option<Clusters>,
    /// Pretraining epochs; 0: none, clustering starts from the randomly initialised
    /// autoencoder (DEC's random-initialisation ablation).
    pub epochs: Option<usize>,
    /// Largest number of clustering iterations (mini-batches).
    pub max_iter: Option<usize>,
    /// Batch size of both pretraining and clustering.
    pub batch_size: Option<usize>,
    /// Seed of splits, initialisation, augmentation and k-means.
    pub seed: Option<u64>,
}

/// How many clusters the caller asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clusters {
    /// This many.
    Fixed(usize),
    /// The best of a range, chosen on the pretrained embedding.
    Search(KRange),
}

impl FromStr for Clusters {
    type Err = String;

    /// `6`, `auto` (2 to 12) or a range `3..10` (both ends included).
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim();
        let number = |t: &str| {
            t.trim().parse::<usize>().map_err(|_| {
                format!("expected a number of clusters, `auto` or a range like 3..10, got {text:?}")
            })
        };
        if text.eq_ignore_ascii_case("auto") {
            return Ok(Clusters::Search(KRange::AUTO));
        }
        match text.split_once("..") {
            Some((min, max)) => {
                let range = KRange {
                    min: number(min)?,
                    max: number(max)?,
                };
                range.check().map_err(|e| e.to_string())?;
                Ok(Clusters::Search(range))
            }
            None => number(text).map(Clusters::Fixed),
        }
    }
}

impl SettingsSpec {
    /// Whether the caller named a method or a budget: a preset, a config file, epochs or
    /// iterations (without any, a run gets a time budget, [`crate::DEFAULT_TIME_BUDGET`]).
    pub fn names_a_method_or_budget(&self) -> bool {
        self.preset.is_some()
            || self.config.is_some()
            || self.overrides.is_some()
            || self.epochs.is_some()
            || self.max_iter.is_some()
    }

    /// The range k is to be chosen from, when the caller asked for a search.
    pub fn k_search(&self) -> Option<KRange> {
        match self.clusters {
            Some(Clusters::Search(range)) => Some(range),
            _ => None,
        }
    }

    /// The settings for `data`, resolved (see the module docs for the precedence) and
    /// checked; `default` is the preset when neither the caller nor a config file names
    /// one ([`Input::default_preset`]).
    ///
    /// # Errors
    /// [`Error::BadInput`] for a config file that cannot be read or does not hold mdec
    /// settings, an unknown number of clusters, more clusters than samples, and settings
    /// that do not check.
    pub fn resolve(&self, data: &Dataset, default: Preset) -> Result<PresetSettings> {
        let config = match (
            self.config
                .as_deref()
                .map(read_settings_value)
                .transpose()?,
            self.overrides.clone(),
        ) {
            (Some(mut config), Some(overrides)) => {
                merge(&mut config, overrides);
                Some(config)
            }
            (config, overrides) => config.or(overrides),
        };
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
            (Some(Clusters::Fixed(k)), _, _) => k,
            (Some(Clusters::Search(range)), _, _) => range.max,
            (None, Some(k), _) => k as usize,
            (None, None, Some(classes)) => classes,
            (None, None, None) => {
                return Err(Error::BadInput(
                    "the data has no labels: say how many clusters with --clusters".into(),
                ));
            }
        };
        let for_k = |k: usize| -> Result<PresetSettings> {
            let mut settings = preset.settings(k);
            if let Some(config) = &config {
                let mut merged =
                    serde_json::to_value(&settings).map_err(|e| self.bad_config(e.to_string()))?;
                merge(&mut merged, config.clone());
                settings =
                    serde_json::from_value(merged).map_err(|e| self.bad_config(e.to_string()))?;
            }
            Ok(settings)
        };
        let mut settings = for_k(k)?;
        if let Some(range) = self.k_search() {
            range.check()?;
            if for_k(range.min)?.ae != settings.ae {
                return Err(Error::BadInput(format!(
                    "the {preset} preset's autoencoder depends on the number of clusters, so k cannot be chosen after pretraining: give --clusters a number, or choose a preset whose autoencoder does not depend on k (crops, dec, idec, dcec, dcra)"
                )));
            }
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
        let what = match (&self.config, &self.overrides) {
            (Some(path), None) => path.display().to_string(),
            (Some(path), Some(_)) => format!("{} with the settings given", path.display()),
            (None, _) => "the settings given".to_owned(),
        };
        Error::BadInput(format!("{what}: not mdec settings: {reason}"))
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
    // 0 epochs is the random-initialisation ablation: no pretraining to check.
    if settings.pretrain.epochs > 0 {
        settings.pretrain.clone().check()?;
    }
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
    fn clusters_parse_as_a_number_auto_or_a_range() -> anyhow::Result<()> {
        let parse = |t: &str| t.parse::<Clusters>();
        assert_eq!(parse("6"), Ok(Clusters::Fixed(6)));
        assert_eq!(parse("auto"), Ok(Clusters::Search(KRange::AUTO)));
        assert_eq!(
            parse(" 3..9 "),
            Ok(Clusters::Search(KRange { min: 3, max: 9 }))
        );
        for bad in ["", "six", "1..5", "9..3", "3..", "-2"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        // A search keeps the largest candidate until k is chosen; mdec's latent size is k.
        let search = SettingsSpec {
            clusters: Some(Clusters::Search(KRange { min: 2, max: 5 })),
            ..SettingsSpec::default()
        };
        let s = search.resolve(&data(40)?, Preset::Crops)?;
        assert_eq!(s.cluster.n_clusters, 5);
        let err = search.resolve(&data(40)?, Preset::Mdec).unwrap_err();
        assert!(
            err.to_string()
                .contains("depends on the number of clusters"),
            "{err}"
        );
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
            clusters: Some(Clusters::Fixed(50)),
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
