//! Error messages printed with their source chain (anyhow's `{:#}`, as the CLI prints
//! them) say each thing once.

use anyhow::Result;
use mdec_data::idx::read_idx_images;
use mdec_data::npy::read_npy_images;
use mdec_data::{FolderOptions, LoadOptions, load_folder, load_path};

/// `err` through anyhow with its chain: names `file` and says "os error 2" exactly once.
fn says_once(err: mdec_data::Error, file: &str) {
    let chain = format!("{:#}", anyhow::Error::from(err));
    assert_eq!(chain.matches("os error 2").count(), 1, "{chain}");
    assert!(chain.contains(file), "{chain}");
}

#[test]
fn a_missing_file_is_reported_once_by_every_loader() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let missing = |name: &str| dir.path().join(name);
    says_once(
        load_folder(missing("photos"), &FolderOptions::default()).unwrap_err(),
        "photos",
    );
    says_once(read_npy_images(missing("x.npy")).unwrap_err(), "x.npy");
    says_once(
        read_idx_images(missing("train-images-idx3-ubyte")).unwrap_err(),
        "train-images-idx3-ubyte",
    );
    says_once(
        load_path(missing("data.npy"), &LoadOptions::default()).unwrap_err(),
        "data.npy",
    );
    Ok(())
}
