//! Clustering metrics for mdec: placeholder, filled in by the foundation issue.
