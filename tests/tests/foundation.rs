//! End-to-end checks of the foundation: `mdec info` sees libtorch, `mdec data inspect` reads
//! datasets and reports bad ones with the bad-data exit code.

use std::path::Path;

use anyhow::Result;
use mdec_data::idx::{IdxArray, write_idx};
use mdec_tests::mdec;
use ndarray::Array4;

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn info_reports_libtorch_and_devices() -> Result<()> {
    let output = mdec().arg("info").output()?;
    let text = stdout_of(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(concat!("mdec ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("libtorch 2.11.0"), "{text}");
    assert!(text.contains("loaded from /"), "{text}");
    assert!(text.contains("libtorch_cpu.so"), "{text}");
    assert!(text.contains("cpu: "), "{text}");
    // The linker must not drop libtorch_cuda.so (`--as-needed`) when libtorch ships it,
    // or a GPU machine would never see its GPU.
    let lib = text
        .split("loaded from ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .map(Path::new)
        .and_then(Path::parent)
        .expect("libtorch path in the output");
    if lib.join("libtorch_cuda.so").exists() {
        assert!(text.contains("libtorch_cuda.so loaded: yes"), "{text}");
    }
    Ok(())
}

/// Writes a tiny MNIST-like folder: 12 training and 4 test images of 3 classes.
fn write_fake_mnist(dir: &Path) -> Result<()> {
    for (prefix, n) in [("train", 12), ("t10k", 4)] {
        let images = Array4::from_shape_fn((n, 1, 5, 4), |(i, _, y, x)| {
            ((i * 7 + y * 4 + x) % 256) as f32 / 255.0
        });
        let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
        write_idx(
            dir.join(format!("{prefix}-images-idx3-ubyte")),
            &IdxArray::from_unit_images(&images),
        )?;
        write_idx(
            dir.join(format!("{prefix}-labels-idx1-ubyte")),
            &IdxArray::from_labels(&labels)?,
        )?;
    }
    Ok(())
}

#[test]
fn data_inspect_prints_count_shape_balance_and_range() -> Result<()> {
    let dir = tempfile::tempdir()?;
    write_fake_mnist(dir.path())?;
    let output = mdec().args(["data", "inspect"]).arg(dir.path()).output()?;
    let text = stdout_of(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("16"), "count of 12 + 4 images: {text}");
    assert!(text.contains("1×5×4"), "shape: {text}");
    // Classes 0, 1, 2 over 16 samples: 6, 5, 5.
    assert!(
        text.contains('6') && text.contains('5'),
        "class balance: {text}"
    );
    Ok(())
}

#[test]
fn data_inspect_of_a_corrupt_file_names_it_and_exits_with_the_bad_data_code() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("images-idx3-ubyte");
    std::fs::write(&bad, b"\x00\x00\x08\x03\x00\x00\x00\x05\x00\x00")?;
    let output = mdec().args(["data", "inspect"]).arg(&bad).output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&bad.display().to_string()), "{stderr}");
    Ok(())
}

#[test]
fn bad_usage_exits_with_code_2() -> Result<()> {
    let output = mdec().arg("no-such-command").output()?;
    assert_eq!(output.status.code(), Some(2));
    Ok(())
}
