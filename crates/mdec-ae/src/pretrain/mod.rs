//! Pretraining: [`PretrainParams`] → [`pretrain`] / [`resume`] → [`PretrainReport`], with
//! checkpoints and the per-epoch metrics table in the output folders.
//!
//! Output layout ([`PretrainLayout`]; a bare path puts everything in one folder):
//! - `pretrain.csv`, `pretrain.parquet`: one [`EpochRow`] per epoch;
//! - `checkpoints/epoch-NNNNN/`: `model.safetensors`, `model.json`,
//!   `optimizer.safetensors`, `training.json` (see [`TrainingState`]);
//! - `best/`: `model.safetensors` and `model.json` of the epoch with the lowest
//!   monitored loss.
//!
//! A [`StopFlag`](crate::StopFlag) in the params stops a run between two batches with a
//! checkpoint of the batch it reached ([`Error::Interrupted`](crate::Error::Interrupted));
//! [`resume`] continues from that batch as if never stopped.

mod checkpoint;
mod layerwise;
mod layout;
mod params;
mod train;

pub use checkpoint::{
    BEST_DIR, CHECKPOINTS_DIR, OPTIMIZER_FILE, TRAINING_JSON, TrainingState, latest_checkpoint,
    read_training_state,
};
pub use layout::PretrainLayout;
pub use params::{
    DataPlacement, EarlyStopping, Layerwise, PretrainParams, PretrainParamsError,
    PretrainValidParams, ReconLoss, SelfAugmentation,
};
pub use train::{
    EpochRow, PretrainReport, TABLE_STEM, pretrain, pretrain_or_resume, resume, rows_from_frame,
    rows_to_frame, split_train_validation,
};
