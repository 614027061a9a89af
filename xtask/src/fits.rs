//! A minimal FITS writer: one primary HDU holding a 2-D `f32` image (BITPIX = −32).
//!
//! The header is 80-character ASCII cards (fixed format: keyword in columns 1–8, `= ` in
//! 9–10, a logical or integer right-justified to column 30, a string quoted from column
//! 11 and padded to at least eight characters), closed by `END` and padded with spaces to
//! a multiple of 2880 bytes. The data follow as big-endian IEEE floats, `NAXIS1` (x) the
//! fast axis, padded with zero bytes to a multiple of 2880. Rows are written in the
//! array's order: row 0 of the array is the first row of the file (FITS viewers draw it
//! at the bottom).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The FITS block size: header and data each fill whole blocks.
pub const BLOCK: usize = 2880;

/// The length of a header card.
pub const CARD: usize = 80;

/// A header card beyond the mandatory ones.
#[derive(Clone, Debug, PartialEq)]
pub enum Card {
    /// `KEYWORD = 'text'`, with an optional comment.
    Str(&'static str, String, &'static str),
    /// `KEYWORD = n`, with an optional comment.
    Int(&'static str, i64, &'static str),
    /// `KEYWORD = x` (a real), with an optional comment.
    Real(&'static str, f64, &'static str),
    /// A `COMMENT` card: free text of at most 72 characters.
    Comment(String),
}

/// The header of a 2-D `f32` image `width` × `height` with `extra` cards after the
/// mandatory ones, `END`-terminated and padded to whole blocks.
///
/// # Errors
/// A card longer than 80 characters, a keyword that is not 1–8 of `A-Z 0-9 - _`, or
/// non-ASCII text.
pub fn image_header(width: usize, height: usize, extra: &[Card]) -> Result<Vec<u8>> {
    let mut cards = vec![
        value_card(
            "SIMPLE",
            &format!("{:>20}", "T"),
            "conforms to FITS standard",
        )?,
        value_card("BITPIX", &format!("{:>20}", -32), "IEEE single precision")?,
        value_card("NAXIS", &format!("{:>20}", 2), "number of axes")?,
        value_card("NAXIS1", &format!("{width:>20}"), "width (x), fast axis")?,
        value_card("NAXIS2", &format!("{height:>20}"), "height (y)")?,
    ];
    for card in extra {
        cards.push(match card {
            Card::Str(key, text, note) => value_card(key, &quoted(text), note)?,
            Card::Int(key, n, note) => value_card(key, &format!("{n:>20}"), note)?,
            Card::Real(key, x, note) => value_card(key, &format!("{:>20}", real(*x)), note)?,
            Card::Comment(text) => {
                if text.len() > CARD - 8 {
                    bail!("fits comment longer than 72 characters: {text:?}");
                }
                format!("COMMENT {text}")
            }
        });
    }
    cards.push("END".to_owned());
    let mut header = Vec::with_capacity(BLOCK);
    for card in &cards {
        if !card.is_ascii() || card.len() > CARD {
            bail!("bad fits card {card:?}");
        }
        header.extend_from_slice(format!("{card:<80}").as_bytes());
    }
    header.resize(header.len().div_ceil(BLOCK) * BLOCK, b' ');
    Ok(header)
}

/// The header and data of the image `values` (`[height * width]`, row-major).
///
/// # Errors
/// Those of [`image_header`], and a `values` length that is not `width * height`.
pub fn image_bytes(width: usize, height: usize, values: &[f32], extra: &[Card]) -> Result<Vec<u8>> {
    if values.len() != width * height {
        bail!(
            "fits image of {width} x {height} given {} values",
            values.len()
        );
    }
    let mut bytes = image_header(width, height, extra)?;
    for v in values {
        bytes.extend_from_slice(&v.to_be_bytes());
    }
    bytes.resize(bytes.len().div_ceil(BLOCK) * BLOCK, 0);
    Ok(bytes)
}

/// Writes the image to `path` (see [`image_bytes`]).
///
/// # Errors
/// Those of [`image_bytes`], and I/O errors naming the file.
pub fn write_image(
    path: &Path,
    width: usize,
    height: usize,
    values: &[f32],
    extra: &[Card],
) -> Result<()> {
    let bytes = image_bytes(width, height, values, extra)?;
    let mut file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(&bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `KEYWORD = value / note`, with `value` already formatted.
fn value_card(key: &str, value: &str, note: &str) -> Result<String> {
    let good = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if key.is_empty() || key.len() > 8 || !key.chars().all(good) {
        bail!("bad fits keyword {key:?}");
    }
    let mut card = format!("{key:<8}= {value}");
    if !note.is_empty() {
        card.push_str(" / ");
        card.push_str(note);
    }
    if card.len() > CARD {
        bail!("fits card longer than 80 characters: {card:?}");
    }
    Ok(card)
}

/// A FITS string value: quoted, inner quotes doubled, padded to at least 8 characters.
fn quoted(text: &str) -> String {
    format!("'{:<8}'", text.replace('\'', "''"))
}

/// A FITS real: always with a decimal point or exponent.
fn real(x: f64) -> String {
    let text = format!("{x:?}").replace('e', "E");
    if text.contains(['.', 'E']) || !x.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's cards as trimmed strings, up to and including `END`.
    fn cards(bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for chunk in bytes.chunks(CARD) {
            let card = String::from_utf8_lossy(chunk).trim_end().to_owned();
            let end = card == "END";
            out.push(card);
            if end {
                break;
            }
        }
        out
    }

    #[test]
    fn header_is_whole_blocks_of_cards_in_order() -> Result<()> {
        let extra = [
            Card::Str("BUNIT", "arbitrary".to_owned(), ""),
            Card::Comment("mdec synthetic field, seed 7".to_owned()),
        ];
        let header = image_header(300, 200, &extra)?;
        assert_eq!(header.len(), BLOCK);
        assert!(header.is_ascii());
        let cards = cards(&header);
        assert_eq!(
            cards,
            [
                "SIMPLE  =                    T / conforms to FITS standard",
                "BITPIX  =                  -32 / IEEE single precision",
                "NAXIS   =                    2 / number of axes",
                "NAXIS1  =                  300 / width (x), fast axis",
                "NAXIS2  =                  200 / height (y)",
                "BUNIT   = 'arbitrary'",
                "COMMENT mdec synthetic field, seed 7",
                "END",
            ]
        );
        // Everything after END is spaces.
        assert!(header[8 * CARD..].iter().all(|&b| b == b' '));
        Ok(())
    }

    #[test]
    fn data_are_big_endian_rows_padded_with_zeros() -> Result<()> {
        let (w, h) = (3, 2);
        let values = [1.0f32, -2.5, 3.0, 4.0, 5.0, 1e-3];
        let bytes = image_bytes(w, h, &values, &[])?;
        assert_eq!(bytes.len(), 2 * BLOCK);
        let data = &bytes[BLOCK..];
        let back: Vec<f32> = data[..4 * w * h]
            .chunks(4)
            .map(|b| f32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(back, values);
        assert!(data[4 * w * h..].iter().all(|&b| b == 0));
        assert!(image_bytes(w, h, &values[1..], &[]).is_err());
        Ok(())
    }

    #[test]
    fn a_large_header_spans_blocks_and_bad_cards_fail() -> Result<()> {
        let extra: Vec<Card> = (0..40)
            .map(|i| Card::Comment(format!("line {i}")))
            .chain([Card::Real("DATAMIN", -1.5, ""), Card::Int("SEED", 3, "")])
            .collect();
        let header = image_header(4, 4, &extra)?;
        assert_eq!(header.len(), 2 * BLOCK);
        let cards = cards(&header);
        assert_eq!(cards.len(), 5 + 42 + 1);
        assert!(cards.contains(&format!("{:<8}= {:>20}", "DATAMIN", "-1.5")));
        assert!(image_header(4, 4, &[Card::Int("lower", 1, "")]).is_err());
        assert!(image_header(4, 4, &[Card::Comment("x".repeat(73))]).is_err());
        Ok(())
    }
}
