//! Pretraining: [`PretrainParams`] → [`pretrain`] / [`resume`] → [`PretrainReport`], with
//! checkpoints and the per-epoch metrics table in the output folder.
//!
//! Output folder layout:
//! - `pretrain.csv`, `pretrain.parquet`: one [`EpochRow`] per epoch;
//! - `checkpoints/epoch-NNNNN/`: `model.safetensors`, `model.json`,
//!   `optimizer.safetensors`, `training.json` (see [`TrainingState`]);
//! - `best/`: `model.safetensors` and `model.json` of the epoch with the lowest
//!   monitored loss.

mod checkpoint;
mod params;
mod train;

pub use checkpoint::{
    BEST_DIR, CHECKPOINTS_DIR, OPTIMIZER_FILE, TRAINING_JSON, TrainingState, latest_checkpoint,
    read_training_state,
};
pub use params::{
    DataPlacement, EarlyStopping, PretrainParams, PretrainParamsError, PretrainValidParams,
    ReconLoss,
};
pub use train::{
    EpochRow, PretrainReport, TABLE_STEM, pretrain, pretrain_or_resume, resume, rows_to_frame,
    split_train_validation,
};
