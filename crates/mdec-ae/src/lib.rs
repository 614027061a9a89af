//! Autoencoders for mdec on libtorch (`tch`): the `mdec`, `dcec` and `dense` architectures,
//! pretraining with validation, schedules and checkpoints, and the `Encoder` trait that the
//! clustering stage depends on.
//!
//! Filled in by the autoencoder issue.
