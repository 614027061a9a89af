//! Datasets for mdec: placeholder, filled in by the foundation issue.
