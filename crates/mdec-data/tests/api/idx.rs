//! IDX round trips and malformed files.

use std::io::Write;

use anyhow::Result;
use mdec_data::Error;
use mdec_data::idx::{
    IdxArray, IdxData, encode_idx, load_idx_pair, read_idx, read_idx_images, read_idx_labels,
    write_idx,
};
use proptest::prelude::*;

fn arb_idx() -> impl Strategy<Value = IdxArray> {
    let dims = prop::collection::vec(1usize..5, 1..4);
    (dims, 0u8..6).prop_flat_map(|(dims, kind)| {
        let n: usize = dims.iter().product();
        let data = match kind {
            0 => prop::collection::vec(any::<u8>(), n)
                .prop_map(IdxData::U8)
                .boxed(),
            1 => prop::collection::vec(any::<i8>(), n)
                .prop_map(IdxData::I8)
                .boxed(),
            2 => prop::collection::vec(any::<i16>(), n)
                .prop_map(IdxData::I16)
                .boxed(),
            3 => prop::collection::vec(any::<i32>(), n)
                .prop_map(IdxData::I32)
                .boxed(),
            4 => prop::collection::vec(-1e6f32..1e6, n)
                .prop_map(IdxData::F32)
                .boxed(),
            _ => prop::collection::vec(-1e6f64..1e6, n)
                .prop_map(IdxData::F64)
                .boxed(),
        };
        data.prop_map(move |d| IdxArray::new(dims.clone(), d).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn write_read_round_trip(array in arb_idx(), gz in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if gz { "a-idx.gz" } else { "a-idx" });
        write_idx(&path, &array).unwrap();
        prop_assert_eq!(read_idx(&path).unwrap(), array);
    }
}

#[test]
fn gzip_detected_by_magic_not_name() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let array = IdxArray::new(
        vec![2, 2, 2],
        IdxData::U8(vec![0, 51, 102, 153, 204, 255, 0, 0]),
    )?;
    let gz = dir.path().join("x.gz");
    write_idx(&gz, &array)?;
    let renamed = dir.path().join("images-idx3-ubyte");
    std::fs::rename(&gz, &renamed)?;
    assert_eq!(std::fs::read(&renamed)?[..2], [0x1f, 0x8b]);
    let images = read_idx_images(&renamed)?;
    assert_eq!(images.dim(), (2, 1, 2, 2));
    assert_eq!(images[[0, 0, 0, 1]], 0.2);
    assert_eq!(images[[0, 0, 1, 1]], 0.6);
    assert_eq!(images[[1, 0, 0, 0]], 0.8);
    Ok(())
}

#[test]
fn images_survive_unit_round_trip() -> Result<()> {
    let dir = tempfile::tempdir()?;
    for c in [1, 3] {
        let images = crate::byte_images(5, c, 4, 3, 9);
        let path = dir.path().join(format!("img{c}.gz"));
        write_idx(&path, &IdxArray::from_unit_images(&images))?;
        let back = read_idx_images(&path)?;
        assert_eq!(back.dim(), images.dim());
        assert!(back.iter().zip(&images).all(|(a, b)| (a - b).abs() < 1e-6));
    }
    Ok(())
}

#[test]
fn truncated_file_is_an_error_naming_it() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("short-idx3-ubyte");
    let bytes = encode_idx(&IdxArray::new(vec![3, 2, 2], IdxData::U8(vec![1; 12]))?)?;
    std::fs::write(&path, &bytes[..bytes.len() - 5])?;
    let err = read_idx(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Truncated {
                expected: 28,
                actual: 23,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("short-idx3-ubyte"));
    // Truncated inside the header too.
    std::fs::write(&path, &bytes[..6])?;
    assert!(matches!(read_idx(&path), Err(Error::Truncated { .. })));
    Ok(())
}

#[test]
fn truncated_gzip_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x.gz");
    write_idx(
        &path,
        &IdxArray::new(
            vec![400],
            IdxData::U8((0..400).map(|i| (i * 7) as u8).collect()),
        )?,
    )?;
    let bytes = std::fs::read(&path)?;
    std::fs::write(&path, &bytes[..bytes.len() / 2])?;
    let err = read_idx(&path).unwrap_err();
    assert!(
        matches!(err, Error::Gzip { .. } | Error::Truncated { .. }),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn trailing_bytes_are_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("long");
    let mut bytes = encode_idx(&IdxArray::new(vec![2], IdxData::U8(vec![1, 2]))?)?;
    bytes.extend_from_slice(&[0, 0, 0]);
    std::fs::write(&path, bytes)?;
    assert!(matches!(
        read_idx(&path),
        Err(Error::TrailingBytes { extra: 3, .. })
    ));
    Ok(())
}

#[test]
fn wrong_magic_and_type_are_errors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bad");
    std::fs::File::create(&path)?.write_all(&[0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 5])?;
    let err = read_idx(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadMagic {
                got: 0x1234_0801,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("bad"));
    std::fs::write(&path, [0, 0, 0x07, 0x01, 0, 0, 0, 1, 5])?;
    assert!(matches!(
        read_idx(&path),
        Err(Error::UnsupportedIdxType { code: 0x07, .. })
    ));
    Ok(())
}

#[test]
fn labels_need_one_dimension_and_images_three_or_four() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x");
    write_idx(&path, &IdxArray::new(vec![2, 2], IdxData::U8(vec![0; 4]))?)?;
    assert!(matches!(
        read_idx_labels(&path),
        Err(Error::BadRank { got: 2, .. })
    ));
    assert!(matches!(
        read_idx_images(&path),
        Err(Error::BadRank { got: 2, .. })
    ));
    write_idx(&path, &IdxArray::new(vec![2], IdxData::I32(vec![3, -1]))?)?;
    assert!(matches!(
        read_idx_labels(&path),
        Err(Error::BadLabel {
            value: -1,
            index: 1,
            ..
        })
    ));
    Ok(())
}

#[test]
fn image_label_count_mismatch() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (x, y) = (dir.path().join("x"), dir.path().join("y"));
    write_idx(
        &x,
        &IdxArray::from_unit_images(&crate::byte_images(4, 1, 3, 3, 1)),
    )?;
    write_idx(&y, &IdxArray::from_labels(&[1, 2, 3])?)?;
    let err = load_idx_pair(&x, &y).unwrap_err();
    assert!(
        matches!(
            err,
            Error::FileCountMismatch {
                images: 4,
                labels: 3,
                ..
            }
        ),
        "{err:?}"
    );
    write_idx(&y, &IdxArray::from_labels(&[1, 2, 3, 300])?)?;
    let ds = load_idx_pair(&x, &y)?;
    assert_eq!(ds.labels(), Some(&[1, 2, 3, 300][..]));
    Ok(())
}
