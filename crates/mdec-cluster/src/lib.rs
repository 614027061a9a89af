//! Deep embedded clustering for mdec on libtorch: k-means on embeddings, the Student's t
//! clustering layer, DEC / IDEC / DCRA losses and the training loop with its presets.
//!
//! Filled in by the clustering issue.
