//! Figures for mdec: training curves, embedding scatter frames and their GIF, reconstructions,
//! cluster montages and confusion matrices, drawn from plain arrays and tables.
//!
//! This crate never depends on libtorch. It is filled in by the visualisation issue.
