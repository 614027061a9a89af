//! Public-API tests of `read_raster` and `read_mask` on generated PNG, TIFF, `.npy` and
//! FITS files.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Result, ensure};
use image::{ImageBuffer, Luma, Rgb, Rgba};
use mdec_data::raster::Planes;
use mdec_data::{Error, Raster, RasterOptions, read_mask, read_raster};
use ndarray::{Array2, Array3, ArrayD, IxDyn, array};
use ndarray_npy::write_npy;
use tiff::encoder::{TiffEncoder, colortype::Gray16};

fn channels() -> RasterOptions {
    RasterOptions::default()
}

fn separate() -> RasterOptions {
    RasterOptions {
        planes: Planes::Separate,
        ..Default::default()
    }
}

/// The one raster a file gives with planes as channels.
fn read_one(path: &Path, options: &RasterOptions) -> Result<Raster> {
    let mut rasters = read_raster(path, options)?;
    ensure!(rasters.len() == 1, "{} rasters", rasters.len());
    Ok(rasters.remove(0))
}

/// The message of an error that must name `path`.
fn message_naming(err: &Error, path: &Path) -> String {
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "{message:?} does not name {}",
        path.display()
    );
    message
}

// --- PNG ---------------------------------------------------------------------------------

#[test]
fn gray8_png_scaled_by_255() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("gray.png");
    let pixels = vec![0u8, 51, 102, 153, 204, 255];
    ImageBuffer::<Luma<u8>, _>::from_raw(3, 2, pixels.clone())
        .ok_or_else(|| anyhow::anyhow!("buffer"))?
        .save(&path)?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.name, path.display().to_string());
    let expected = Array3::from_shape_vec((1, 2, 3), pixels)?.mapv(|v| f32::from(v) / 255.0);
    assert_eq!(raster.values, expected);
    Ok(())
}

#[test]
fn rgb16_png_scaled_by_65535_channels_first() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rgb16.png");
    // 2×2 pixels, interleaved R, G, B.
    let pixels: Vec<u16> = vec![0, 1, 2, 100, 1000, 10000, 30000, 40000, 50000, 65535, 7, 8];
    ImageBuffer::<Rgb<u16>, _>::from_raw(2, 2, pixels.clone())
        .ok_or_else(|| anyhow::anyhow!("buffer"))?
        .save(&path)?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.values.dim(), (3, 2, 2));
    for (i, &v) in pixels.iter().enumerate() {
        let (pixel, channel) = (i / 3, i % 3);
        assert_eq!(
            raster.values[[channel, pixel / 2, pixel % 2]],
            f32::from(v) / 65535.0
        );
    }
    Ok(())
}

#[test]
fn rgba_png_keeps_four_channels() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("rgba.png");
    let pixels = vec![255u8, 0, 0, 255, 0, 255, 0, 0];
    ImageBuffer::<Rgba<u8>, _>::from_raw(2, 1, pixels)
        .ok_or_else(|| anyhow::anyhow!("buffer"))?
        .save(&path)?;
    let raster = read_one(&path, &separate())?;
    assert_eq!(raster.name, path.display().to_string());
    assert_eq!(raster.channels(), 4);
    assert_eq!((raster.height(), raster.width()), (1, 2));
    assert_eq!(
        (raster.values[[0, 0, 0]], raster.values[[0, 0, 1]]),
        (1.0, 0.0)
    ); // red
    assert_eq!(raster.values[[3, 0, 0]], 1.0);
    assert_eq!(raster.values[[3, 0, 1]], 0.0);
    Ok(())
}

// --- TIFF --------------------------------------------------------------------------------

/// Writes 16-bit gray pages of `(width, height, values)`.
fn write_tiff(path: &Path, pages: &[(u32, u32, Vec<u16>)]) -> Result<()> {
    let mut encoder = TiffEncoder::new(File::create(path)?)?;
    for (w, h, values) in pages {
        encoder.write_image::<Gray16>(*w, *h, values)?;
    }
    Ok(())
}

fn three_pages() -> Vec<(u32, u32, Vec<u16>)> {
    (0..3u16)
        .map(|p| (3, 2, (0..6).map(|i| p * 20000 + i * 1000).collect()))
        .collect()
}

#[test]
fn multi_page_tiff_as_channels() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("stack.tif");
    let pages = three_pages();
    write_tiff(&path, &pages)?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.name, path.display().to_string());
    assert_eq!(raster.values.dim(), (3, 2, 3));
    for (p, (_, _, values)) in pages.iter().enumerate() {
        for (i, &v) in values.iter().enumerate() {
            assert_eq!(raster.values[[p, i / 3, i % 3]], f32::from(v) / 65535.0);
        }
    }
    Ok(())
}

#[test]
fn multi_page_tiff_as_separate_rasters() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("stack.tif");
    let pages = three_pages();
    write_tiff(&path, &pages)?;
    let rasters = read_raster(&path, &separate())?;
    assert_eq!(rasters.len(), 3);
    for (p, (raster, (_, _, values))) in rasters.iter().zip(&pages).enumerate() {
        assert_eq!(raster.name, format!("{}#{p}", path.display()));
        assert_eq!(raster.values.dim(), (1, 2, 3));
        let expected: Vec<f32> = values.iter().map(|&v| f32::from(v) / 65535.0).collect();
        assert_eq!(raster.values.iter().copied().collect::<Vec<_>>(), expected);
    }
    Ok(())
}

#[test]
fn tiff_pages_of_different_sizes_are_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("mixed.tif");
    write_tiff(&path, &[(3, 2, vec![0; 6]), (2, 2, vec![0; 4])])?;
    let err = read_raster(&path, &channels())
        .err()
        .ok_or_else(|| anyhow::anyhow!("read"))?;
    let message = message_naming(&err, &path);
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
    assert!(message.contains("page 1"), "{message}");
    Ok(())
}

// --- .npy --------------------------------------------------------------------------------

#[test]
fn npy_2d_f32_is_one_channel() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("a.npy");
    let values = array![[0.5f32, -1.25, 3.0], [1e6, 0.0, 7.5]];
    write_npy(&path, &values)?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.values, values.insert_axis(ndarray::Axis(0)));
    Ok(())
}

#[test]
fn npy_i16_keeps_negative_data_values() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("signed.npy");
    write_npy(&path, &array![[-32768i16, -3], [0, 32767]])?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.values, array![[[-32768.0f32, -3.0], [0.0, 32767.0]]]);
    Ok(())
}

/// A `[c, h, w]` array with distinct values.
fn cube(c: usize, h: usize, w: usize) -> Array3<f32> {
    Array3::from_shape_fn((c, h, w), |(k, y, x)| (k * 100 + y * 10 + x) as f32)
}

#[test]
fn npy_3d_channels_first_and_last_are_guessed() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let expected = cube(3, 5, 6);
    let first = dir.path().join("chw.npy");
    write_npy(&first, &expected)?;
    assert_eq!(read_one(&first, &channels())?.values, expected);
    let last = dir.path().join("hwc.npy");
    write_npy(&last, &expected.view().permuted_axes([1, 2, 0]))?;
    assert_eq!(read_one(&last, &channels())?.values, expected);
    Ok(())
}

#[test]
fn npy_3d_explicit_plane_axis() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // [2, 5, 3] is guessed channels-first; axis 2 reads it as 3 planes of 2×5.
    let expected = cube(3, 2, 5);
    let path = dir.path().join("hwc.npy");
    write_npy(&path, &expected.view().permuted_axes([1, 2, 0]))?;
    let options = RasterOptions {
        plane_axis: Some(2),
        planes: Planes::Separate,
    };
    let rasters = read_raster(&path, &options)?;
    assert_eq!(rasters.len(), 3);
    for (k, raster) in rasters.iter().enumerate() {
        assert_eq!(raster.name, format!("{}#{k}", path.display()));
        assert_eq!(
            raster.values.index_axis(ndarray::Axis(0), 0),
            expected.index_axis(ndarray::Axis(0), k)
        );
    }
    let guessed = read_one(&path, &channels())?;
    assert_eq!(guessed.values.dim(), (2, 5, 3));
    let options = RasterOptions {
        plane_axis: Some(1),
        ..Default::default()
    };
    let err = read_raster(&path, &options)
        .err()
        .ok_or_else(|| anyhow::anyhow!("axis 1"))?;
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
    message_naming(&err, &path);
    Ok(())
}

#[test]
fn npy_4d_and_nan_are_errors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("4d.npy");
    write_npy(&path, &ArrayD::<f32>::zeros(IxDyn(&[1, 2, 3, 4])))?;
    let err = read_raster(&path, &channels())
        .err()
        .ok_or_else(|| anyhow::anyhow!("4-d"))?;
    assert!(matches!(err, Error::BadRank { got: 4, .. }), "{err:?}");
    message_naming(&err, &path);

    let path = dir.path().join("nan.npy");
    write_npy(&path, &array![[1.0f32, 2.0], [f32::NAN, 4.0]])?;
    let err = read_raster(&path, &channels())
        .err()
        .ok_or_else(|| anyhow::anyhow!("nan"))?;
    assert!(matches!(err, Error::NonFinite { index: 2, .. }), "{err:?}");
    message_naming(&err, &path);
    Ok(())
}

#[test]
fn unknown_format_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "not an image")?;
    let err = read_raster(&path, &channels())
        .err()
        .ok_or_else(|| anyhow::anyhow!("txt"))?;
    let message = message_naming(&err, &path);
    assert!(
        message.contains("PNG") && message.contains("FITS"),
        "{message}"
    );
    Ok(())
}

// --- FITS --------------------------------------------------------------------------------

/// One header of 80-character cards, ended by `END` and padded to 2880 bytes.
fn fits_header(cards: &[(&str, &str)]) -> Vec<u8> {
    let mut text: String = cards
        .iter()
        .map(|(key, value)| format!("{key:<8}= {value:>20}{:50}", ""))
        .collect();
    text.push_str(&format!("{:<80}", "END"));
    let mut bytes = text.into_bytes();
    bytes.resize(bytes.len().div_ceil(2880) * 2880, b' ');
    bytes
}

/// A data unit: big-endian bytes padded with zeros to 2880 bytes.
fn fits_data(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.resize(bytes.len().div_ceil(2880) * 2880, 0);
    bytes
}

fn i16_be(values: &[i16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn write(dir: &Path, name: &str, parts: &[Vec<u8>]) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, parts.concat())?;
    Ok(path)
}

#[test]
fn fits_i16_with_bzero_gives_unsigned_physical_values() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // 3 wide, 2 high; stored = physical − 32768.
    let physical: Vec<u32> = vec![0, 1, 2, 32768, 40000, 65535];
    let stored: Vec<i16> = physical
        .iter()
        .map(|&v| (v as i32 - 32768) as i16)
        .collect();
    let header = fits_header(&[
        ("SIMPLE", "T"),
        ("BITPIX", "16"),
        ("NAXIS", "2"),
        ("NAXIS1", "3"),
        ("NAXIS2", "2"),
        ("BZERO", "32768"),
        ("BSCALE", "1"),
    ]);
    let path = write(
        dir.path(),
        "u16.fits",
        &[header, fits_data(i16_be(&stored))],
    )?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.name, path.display().to_string());
    let expected = Array3::from_shape_vec((1, 2, 3), physical)?.mapv(|v| v as f32);
    assert_eq!(raster.values, expected);
    // Row order as stored: (row 0, column 1) is the second value in the file.
    assert_eq!(raster.values[[0, 0, 1]], 1.0);
    Ok(())
}

#[test]
fn fits_f32_keeps_nan() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let values = [1.5f32, f32::NAN, -2.0, 4.25];
    let header = fits_header(&[
        ("SIMPLE", "T"),
        ("BITPIX", "-32"),
        ("NAXIS", "2"),
        ("NAXIS1", "2"),
        ("NAXIS2", "2"),
    ]);
    let data = values.iter().flat_map(|v| v.to_be_bytes()).collect();
    let path = write(dir.path(), "float.FITS", &[header, fits_data(data)])?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.values.dim(), (1, 2, 2));
    assert_eq!(raster.values[[0, 0, 0]], 1.5);
    assert!(raster.values[[0, 0, 1]].is_nan());
    assert_eq!(raster.values[[0, 1, 0]], -2.0);
    assert_eq!(raster.values[[0, 1, 1]], 4.25);
    Ok(())
}

#[test]
fn fits_blank_integers_become_nan() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let header = fits_header(&[
        ("SIMPLE", "T"),
        ("BITPIX", "16"),
        ("NAXIS", "2"),
        ("NAXIS1", "2"),
        ("NAXIS2", "1"),
        ("BSCALE", "0.5"),
        ("BZERO", "10.0"),
        ("BLANK", "-32768"),
    ]);
    let path = write(
        dir.path(),
        "blank.fits",
        &[header, fits_data(i16_be(&[-32768, 4]))],
    )?;
    let raster = read_one(&path, &channels())?;
    assert!(raster.values[[0, 0, 0]].is_nan());
    assert_eq!(raster.values[[0, 0, 1]], 12.0);
    Ok(())
}

#[test]
fn fits_cube_gives_planes() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let stored: Vec<i16> = (0..18).collect(); // 3 planes of 2×3
    let header = fits_header(&[
        ("SIMPLE", "T"),
        ("BITPIX", "16"),
        ("NAXIS", "3"),
        ("NAXIS1", "3"),
        ("NAXIS2", "2"),
        ("NAXIS3", "3"),
    ]);
    let path = write(
        dir.path(),
        "cube.fit",
        &[header, fits_data(i16_be(&stored))],
    )?;
    let raster = read_one(&path, &channels())?;
    let expected = Array3::from_shape_vec((3, 2, 3), stored)?.mapv(f32::from);
    assert_eq!(raster.values, expected);
    let rasters = read_raster(&path, &separate())?;
    assert_eq!(rasters.len(), 3);
    assert_eq!(rasters[2].name, format!("{}#2", path.display()));
    assert_eq!(rasters[2].values[[0, 1, 2]], 17.0);
    Ok(())
}

#[test]
fn fits_image_extension_after_empty_primary() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let primary = fits_header(&[("SIMPLE", "T"), ("BITPIX", "8"), ("NAXIS", "0")]);
    let extension = fits_header(&[
        ("XTENSION", "'IMAGE   '"),
        ("BITPIX", "16"),
        ("NAXIS", "2"),
        ("NAXIS1", "2"),
        ("NAXIS2", "2"),
        ("PCOUNT", "0"),
        ("GCOUNT", "1"),
    ]);
    let data = fits_data(i16_be(&[-5, 6, 7, 8]));
    let path = write(dir.path(), "ext.fts", &[primary, extension, data])?;
    let raster = read_one(&path, &channels())?;
    assert_eq!(raster.values, array![[[-5.0f32, 6.0], [7.0, 8.0]]]);
    Ok(())
}

#[test]
fn fits_without_image_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let primary = fits_header(&[("SIMPLE", "T"), ("BITPIX", "8"), ("NAXIS", "0")]);
    let path = write(dir.path(), "empty.fits", &[primary])?;
    let err = read_raster(&path, &channels())
        .err()
        .ok_or_else(|| anyhow::anyhow!("empty"))?;
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
    let message = message_naming(&err, &path);
    assert!(message.contains("no image data"), "{message}");
    Ok(())
}

#[test]
fn truncated_fits_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let header = fits_header(&[
        ("SIMPLE", "T"),
        ("BITPIX", "16"),
        ("NAXIS", "2"),
        ("NAXIS1", "100"),
        ("NAXIS2", "100"),
    ]);
    let path = write(dir.path(), "cut.fits", &[header, i16_be(&[1; 1000])])?;
    let err = read_raster(&path, &channels())
        .err()
        .ok_or_else(|| anyhow::anyhow!("cut"))?;
    assert!(matches!(err, Error::Truncated { .. }), "{err:?}");
    message_naming(&err, &path);
    Ok(())
}

// --- masks -------------------------------------------------------------------------------

#[test]
fn png_mask_values() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("mask.png");
    ImageBuffer::<Luma<u8>, _>::from_raw(3, 2, vec![0u8, 1, 2, 0, 255, 7])
        .ok_or_else(|| anyhow::anyhow!("buffer"))?
        .save(&path)?;
    assert_eq!(read_mask(&path)?, array![[0u32, 1, 2], [0, 255, 7]]);
    let path = dir.path().join("regions16.png");
    ImageBuffer::<Luma<u16>, _>::from_raw(2, 1, vec![3u16, 60000])
        .ok_or_else(|| anyhow::anyhow!("buffer"))?
        .save(&path)?;
    assert_eq!(read_mask(&path)?, array![[3u32, 60000]]);
    Ok(())
}

#[test]
fn npy_masks_of_bool_u8_and_i64() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bool.npy");
    write_npy(&path, &array![[true, false], [false, true]])?;
    assert_eq!(read_mask(&path)?, array![[1u32, 0], [0, 1]]);
    let path = dir.path().join("u8.npy");
    write_npy(&path, &array![[0u8, 200], [3, 4]])?;
    assert_eq!(read_mask(&path)?, array![[0u32, 200], [3, 4]]);
    let path = dir.path().join("i64.npy");
    write_npy(&path, &array![[0i64, 70000], [12, 1]])?;
    assert_eq!(read_mask(&path)?, array![[0u32, 70000], [12, 1]]);
    Ok(())
}

#[test]
fn negative_and_float_masks_are_errors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("negative.npy");
    let mut values = Array2::<i64>::zeros((5, 8));
    values[[4, 7]] = -3;
    write_npy(&path, &values)?;
    let err = read_mask(&path)
        .err()
        .ok_or_else(|| anyhow::anyhow!("negative"))?;
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
    let message = message_naming(&err, &path);
    assert!(
        message.contains("-3") && message.contains("(row 4, column 7)"),
        "{message}"
    );

    let path = dir.path().join("float.npy");
    write_npy(&path, &array![[0.0f32, 1.0]])?;
    let err = read_mask(&path)
        .err()
        .ok_or_else(|| anyhow::anyhow!("float"))?;
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
    message_naming(&err, &path);

    let path = dir.path().join("3d.npy");
    write_npy(&path, &Array3::<u8>::zeros((2, 2, 2)))?;
    let err = read_mask(&path)
        .err()
        .ok_or_else(|| anyhow::anyhow!("3-d"))?;
    assert!(matches!(err, Error::BadInput { .. }), "{err:?}");
    Ok(())
}
