//! Crops cut from part images around annotated defects, each keeping its source and
//! position: [`Crops`], built from defect masks ([`mask_boxes`]) or from box files
//! ([`read_boxes`]: COCO JSON or CSV).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use image::{ImageBuffer, Luma};
use imageproc::region_labelling::{Connectivity, connected_components};
use ndarray::{Array2, Array4, ArrayView2, ArrayView3, s};
use rayon::prelude::*;
use serde::Deserialize;

use crate::dataset::ImageShape;
use crate::error::{Error, Result};
use crate::raster::{Position, Raster};
use crate::source::{Extent, Place, Source};

/// A box of pixels: rows `y..y + h`, columns `x..x + w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bbox {
    /// Top row.
    pub y: usize,
    /// Left column.
    pub x: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
}

impl Bbox {
    /// The box grown by `margin` pixels on each side, then clipped to a `height × width`
    /// image.
    pub fn grow(self, margin: usize, height: usize, width: usize) -> Bbox {
        let y = self.y.saturating_sub(margin).min(height);
        let x = self.x.saturating_sub(margin).min(width);
        let bottom = (self.y.saturating_add(self.h).saturating_add(margin)).min(height);
        let right = (self.x.saturating_add(self.w).saturating_add(margin)).min(width);
        Bbox {
            y,
            x,
            h: bottom.saturating_sub(y),
            w: right.saturating_sub(x),
        }
    }
}

/// One box of every 8-connected component of non-zero pixels in `mask`, in the raster
/// scan order of each component's first pixel: its bounding box grown by `margin` pixels
/// on each side, then clipped to the mask.
///
/// # Panics
/// If the mask has `2^32` pixels or more (imageproc's limit); [`Crops::from_masks`]
/// refuses such masks with an error first.
pub fn mask_boxes(mask: &Array2<u32>, margin: usize) -> Vec<Bbox> {
    let (height, width) = mask.dim();
    assert!(
        (height as u128) * (width as u128) < 1 << 32,
        "a mask of {height}×{width} has 2^32 pixels or more"
    );
    let binary: ImageBuffer<Luma<u8>, Vec<u8>> =
        ImageBuffer::from_fn(width as u32, height as u32, |x, y| {
            Luma([u8::from(mask[[y as usize, x as usize]] != 0)])
        });
    let labels = connected_components(&binary, Connectivity::Eight, Luma([0]));
    // Per label 1, 2, …: [top, left, bottom, right], bottom and right exclusive.
    let mut bounds: Vec<[usize; 4]> = Vec::new();
    for (x, y, label) in labels.enumerate_pixels() {
        let Some(k) = (label[0] as usize).checked_sub(1) else {
            continue;
        };
        let (y, x) = (y as usize, x as usize);
        if k >= bounds.len() {
            bounds.resize(k + 1, [usize::MAX, usize::MAX, 0, 0]);
        }
        let b = &mut bounds[k];
        *b = [b[0].min(y), b[1].min(x), b[2].max(y + 1), b[3].max(x + 1)];
    }
    bounds
        .into_iter()
        .map(|[top, left, bottom, right]| {
            Bbox {
                y: top,
                x: left,
                h: bottom - top,
                w: right - left,
            }
            .grow(margin, height, width)
        })
        .collect()
}

/// Pairs each image with the mask of the same file stem (`a.png` with `masks/a.npy`), in
/// the order of `images`. Masks without an image are ignored.
///
/// # Errors
/// [`Error::BadInput`] naming an image that has no mask, or several.
pub fn pair_by_stem(images: &[PathBuf], masks: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>> {
    images
        .iter()
        .map(|image| {
            let stem = image.file_stem();
            let found: Vec<&PathBuf> = masks.iter().filter(|m| m.file_stem() == stem).collect();
            match found.as_slice() {
                [mask] => Ok((image.clone(), (*mask).clone())),
                [] => Err(Error::bad_input(
                    image,
                    format!("no mask with the same stem among the {} masks", masks.len()),
                )),
                several => Err(Error::bad_input(
                    image,
                    format!(
                        "several masks with the same stem: {}",
                        several
                            .iter()
                            .map(|m| m.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        })
        .collect()
}

/// One annotated box of a box file: the image it lies in, as written in the file
/// (relative to the images folder), the box in pixels and its class name, if any.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AnnotatedBox {
    /// The image file, as written in the box file.
    pub file: String,
    /// Top row.
    pub y: usize,
    /// Left column.
    pub x: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
    /// The class name (COCO category name, CSV `label` column).
    pub label: Option<String>,
}

impl AnnotatedBox {
    /// The box without its file and label.
    pub fn bbox(&self) -> Bbox {
        Bbox {
            y: self.y,
            x: self.x,
            h: self.h,
            w: self.w,
        }
    }
}

impl fmt::Display for AnnotatedBox {
    /// `a.png (x 3, y 4, w 10, h 12)`: how error messages name a box.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let AnnotatedBox {
            file, y, x, h, w, ..
        } = self;
        write!(f, "{file} (x {x}, y {y}, w {w}, h {h})")
    }
}

/// Reads the boxes of a box file, by extension: COCO JSON (`.json`; labels are category
/// names, float boxes are rounded outward to whole pixels) or CSV (`.csv`; a header
/// `file,x,y,w,h` in any order with an optional `label` column, integer values).
///
/// # Errors
/// [`Error::BadInput`] naming the file for another extension and for content that does
/// not parse: in COCO, an annotation (by its index in `annotations`) whose image or
/// category is not listed or whose box is empty or starts at negative coordinates; in
/// CSV, a missing or unknown column, a non-integer, negative or (for `w`, `h`) zero value,
/// with its line number. [`Error::Io`] when the file cannot be read.
pub fn read_boxes(path: impl AsRef<Path>) -> Result<Vec<AnnotatedBox>> {
    let path = path.as_ref();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parse = match extension.as_deref() {
        Some("json") => parse_coco,
        Some("csv") => parse_csv,
        _ => {
            return Err(Error::bad_input(
                path,
                "expected a .json (coco) or .csv box file",
            ));
        }
    };
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(path, &text)
}

/// The parts of a COCO file that boxes need; other keys are ignored.
#[derive(Deserialize)]
struct Coco {
    images: Vec<CocoImage>,
    annotations: Vec<CocoAnnotation>,
    #[serde(default)]
    categories: Vec<CocoCategory>,
}

#[derive(Deserialize)]
struct CocoImage {
    id: i64,
    file_name: String,
}

#[derive(Deserialize)]
struct CocoAnnotation {
    image_id: i64,
    /// `[x, y, w, h]`.
    bbox: [f64; 4],
    #[serde(default)]
    category_id: Option<i64>,
}

#[derive(Deserialize)]
struct CocoCategory {
    id: i64,
    name: String,
}

fn parse_coco(path: &Path, text: &str) -> Result<Vec<AnnotatedBox>> {
    let coco: Coco = serde_json::from_str(text)
        .map_err(|e| Error::bad_input(path, format!("not a coco annotation file: {e}")))?;
    let files = index_by_id(
        path,
        "images",
        coco.images.iter().map(|i| (i.id, &i.file_name)),
    )?;
    let names = index_by_id(
        path,
        "categories",
        coco.categories.iter().map(|c| (c.id, &c.name)),
    )?;
    coco.annotations
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let bad =
                |reason: String| Error::bad_input(path, format!("annotations[{i}]: {reason}"));
            let file = files
                .get(&a.image_id)
                .ok_or_else(|| bad(format!("image_id {} is not among the images", a.image_id)))?;
            let label = match a.category_id {
                None => None,
                Some(c) => Some(
                    names
                        .get(&c)
                        .ok_or_else(|| bad(format!("category_id {c} is not among the categories")))?
                        .to_string(),
                ),
            };
            let [x, y, w, h] = a.bbox;
            let (left, top, right, bottom) = (x.floor(), y.floor(), (x + w).ceil(), (y + h).ceil());
            if ![left, top, right, bottom].iter().all(|v| v.is_finite()) {
                return Err(bad(format!("bbox {:?} is not finite", a.bbox)));
            }
            if left < 0.0 || top < 0.0 {
                return Err(bad(format!(
                    "bbox {:?} starts at negative coordinates",
                    a.bbox
                )));
            }
            if right <= left || bottom <= top {
                return Err(bad(format!("bbox {:?} is empty", a.bbox)));
            }
            // Casts saturate; a box past the image is refused against the image later.
            Ok(AnnotatedBox {
                file: file.to_string(),
                y: top as usize,
                x: left as usize,
                h: (bottom - top) as usize,
                w: (right - left) as usize,
                label,
            })
        })
        .collect()
}

/// The values of a COCO list by their `id`, refusing a repeated id.
fn index_by_id<'a>(
    path: &Path,
    list: &str,
    items: impl Iterator<Item = (i64, &'a String)>,
) -> Result<HashMap<i64, &'a str>> {
    let mut by_id = HashMap::new();
    for (i, (id, value)) in items.enumerate() {
        if by_id.insert(id, value.as_str()).is_some() {
            return Err(Error::bad_input(
                path,
                format!("{list}[{i}]: id {id} appears twice"),
            ));
        }
    }
    Ok(by_id)
}

/// The columns of a CSV box file; `label` is optional.
const CSV_COLUMNS: [&str; 6] = ["file", "x", "y", "w", "h", "label"];

fn parse_csv(path: &Path, text: &str) -> Result<Vec<AnnotatedBox>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bad =
        |line: usize, reason: String| Error::bad_input(path, format!("line {line}: {reason}"));
    let expected = "expected file,x,y,w,h and optionally label";
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(Error::bad_input(path, format!("no header: {expected}")));
    };
    let header: Vec<String> = header
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    for (i, name) in header.iter().enumerate() {
        if !CSV_COLUMNS.contains(&name.as_str()) {
            return Err(bad(
                header_line,
                format!("unknown column {name:?}: {expected}"),
            ));
        }
        if header[..i].contains(name) {
            return Err(bad(header_line, format!("column {name} appears twice")));
        }
    }
    // Column index of each of CSV_COLUMNS.
    let mut column = [None; CSV_COLUMNS.len()];
    for (slot, name) in column.iter_mut().zip(CSV_COLUMNS) {
        *slot = header.iter().position(|h| h == name);
        if slot.is_none() && name != "label" {
            return Err(bad(
                header_line,
                format!("missing column {name}: {expected}"),
            ));
        }
    }
    let [Some(file), Some(x), Some(y), Some(w), Some(h), label] = column else {
        unreachable!("every column but label was checked above");
    };

    lines
        .map(|(line, text)| {
            let fields: Vec<&str> = text.split(',').map(str::trim).collect();
            if fields.len() != header.len() {
                return Err(bad(
                    line,
                    format!(
                        "{} fields but the header has {}",
                        fields.len(),
                        header.len()
                    ),
                ));
            }
            let int = |index: usize, min: i64| -> Result<usize> {
                let (name, value) = (&header[index], fields[index]);
                let n: i64 = value
                    .parse()
                    .map_err(|_| bad(line, format!("{name} is not an integer: {value:?}")))?;
                let limit = if min > 0 { "positive" } else { "non-negative" };
                if n < min {
                    return Err(bad(line, format!("{name} must be {limit}, got {n}")));
                }
                usize::try_from(n).map_err(|_| bad(line, format!("{name} is too large: {n}")))
            };
            if fields[file].is_empty() {
                return Err(bad(line, "empty file name".to_owned()));
            }
            Ok(AnnotatedBox {
                file: fields[file].to_owned(),
                y: int(y, 0)?,
                x: int(x, 0)?,
                h: int(h, 1)?,
                w: int(w, 1)?,
                label: label
                    .map(|l| fields[l])
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// Crops of part images around defects, resized to one size on demand: a [`Source`]
/// whose samples are the crops, each keeping its part (the [`Raster::name`]) and its box
/// there ([`Source::position`]).
///
/// Built from defect masks ([`Crops::from_masks`]: one crop per connected component) or
/// from annotated boxes ([`Crops::from_boxes`], labelled when every box has a class).
#[derive(Clone, Debug)]
pub struct Crops {
    parts: Vec<Raster>,
    crops: Vec<Crop>,
    class_names: Option<Vec<String>>,
    channels: usize,
    /// `(height, width)` of the samples.
    size: (usize, usize),
}

/// One crop: its part (an index into `Crops::parts`), its box there and its class.
#[derive(Clone, Debug)]
struct Crop {
    part: usize,
    bbox: Bbox,
    label: Option<usize>,
}

impl Crops {
    /// One crop per 8-connected component of each mask ([`mask_boxes`]): part `i` with
    /// mask `i`, each mask given with its file (for messages). Crops are the components'
    /// bounding boxes grown by `margin` and clipped to the image; samples are resized to
    /// `size` (height, width). No labels.
    ///
    /// # Errors
    /// [`Error::CountMismatch`] when there are not as many masks as parts, and the errors
    /// of [`Crops::from_boxes`] about parts and `size`; [`Error::BadInput`] naming a mask
    /// whose size differs from its image's, that has no pixel set, or has `2^32` pixels or
    /// more.
    pub fn from_masks(
        parts: Vec<Raster>,
        masks: Vec<(PathBuf, Array2<u32>)>,
        margin: usize,
        size: (usize, usize),
    ) -> Result<Crops> {
        let channels = check_parts(&parts, size)?;
        if masks.len() != parts.len() {
            return Err(Error::CountMismatch {
                what: "masks",
                expected: parts.len(),
                got: masks.len(),
            });
        }
        let mut crops = Vec::new();
        for (part, (raster, (path, mask))) in parts.iter().zip(&masks).enumerate() {
            let (mh, mw) = mask.dim();
            let (ih, iw) = (raster.height(), raster.width());
            if (mh, mw) != (ih, iw) {
                return Err(Error::bad_input(
                    path,
                    format!(
                        "mask is {mh}×{mw} but its image {} is {ih}×{iw}",
                        raster.name
                    ),
                ));
            }
            if (mh as u128) * (mw as u128) >= 1 << 32 {
                return Err(Error::bad_input(
                    path,
                    format!("mask is {mh}×{mw}: at most 2^32 - 1 pixels are supported"),
                ));
            }
            let boxes = mask_boxes(mask, margin);
            if boxes.is_empty() {
                return Err(Error::bad_input(
                    path,
                    "the mask has no pixels set: no crops",
                ));
            }
            crops.extend(boxes.into_iter().map(|bbox| Crop {
                part,
                bbox,
                label: None,
            }));
        }
        Ok(Crops {
            parts,
            crops,
            class_names: None,
            channels,
            size,
        })
    }

    /// One crop per box, in order: each box lies in the part whose name ends with the
    /// box's `file` (compared by path components, so `parts/a.png` matches `a.png`), grown
    /// by `margin` and clipped to the image; samples are resized to `size` (height,
    /// width). When every box has a label, the classes are the sorted distinct labels
    /// ([`Crops::class_names`]) and [`Source::label`] gives each crop's index there;
    /// otherwise there are no labels (with a warning when only some boxes have one).
    /// `boxes_path` is the box file, for messages.
    ///
    /// # Errors
    /// [`Error::BadParam`] for no parts, [`Error::BadSize`] for a `size` of zero or past
    /// `u32`, [`Error::BadInput`] naming a part whose channel count differs from the first
    /// one's; [`Error::BadInput`] naming `boxes_path` for no boxes, and for a box that
    /// names no part or several, is empty or does not lie inside its image.
    pub fn from_boxes(
        parts: Vec<Raster>,
        boxes: Vec<AnnotatedBox>,
        boxes_path: &Path,
        margin: usize,
        size: (usize, usize),
    ) -> Result<Crops> {
        let channels = check_parts(&parts, size)?;
        if boxes.is_empty() {
            return Err(Error::bad_input(boxes_path, "no boxes: no crops"));
        }
        let class_names: Option<Vec<String>> = boxes
            .iter()
            .map(|b| b.label.clone())
            .collect::<Option<BTreeSet<String>>>()
            .map(|names| names.into_iter().collect());
        if class_names.is_none() && boxes.iter().any(|b| b.label.is_some()) {
            tracing::warn!(
                path = %boxes_path.display(),
                "only some boxes have a label: the crops have no labels"
            );
        }
        let mut part_of_file: HashMap<&str, usize> = HashMap::new();
        let mut crops = Vec::with_capacity(boxes.len());
        for b in &boxes {
            let part = match part_of_file.get(b.file.as_str()) {
                Some(&part) => part,
                None => {
                    let part = find_part(&parts, b, boxes_path)?;
                    part_of_file.insert(&b.file, part);
                    part
                }
            };
            let raster = &parts[part];
            let (height, width) = (raster.height(), raster.width());
            if b.h == 0 || b.w == 0 {
                return Err(Error::bad_input(boxes_path, format!("box {b} is empty")));
            }
            if b.x.saturating_add(b.w) > width || b.y.saturating_add(b.h) > height {
                return Err(Error::bad_input(
                    boxes_path,
                    format!(
                        "box {b} does not lie inside its image {} ({height}×{width})",
                        raster.name
                    ),
                ));
            }
            let label = match (&class_names, &b.label) {
                (Some(names), Some(label)) => names.binary_search(label).ok(),
                _ => None,
            };
            crops.push(Crop {
                part,
                bbox: b.bbox().grow(margin, height, width),
                label,
            });
        }
        Ok(Crops {
            parts,
            crops,
            class_names,
            channels,
            size,
        })
    }

    /// Crop `i` at full resolution: its part's values in its box, `[c, h, w]`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn cut(&self, i: usize) -> ArrayView3<'_, f32> {
        let Crop { part, bbox, .. } = &self.crops[i];
        let Bbox { y, x, h, w } = *bbox;
        self.parts[*part].values.slice(s![.., y..y + h, x..x + w])
    }
}

/// The channel count shared by all parts, after checking `size`.
fn check_parts(parts: &[Raster], size: (usize, usize)) -> Result<usize> {
    let (height, width) = size;
    if height == 0 || width == 0 || u32::try_from(height).is_err() || u32::try_from(width).is_err()
    {
        return Err(Error::BadSize { height, width });
    }
    let Some(first) = parts.first() else {
        return Err(Error::BadParam {
            name: "parts",
            value: 0.0,
            expected: "at least one part image",
        });
    };
    let channels = first.channels();
    if let Some(other) = parts.iter().find(|p| p.channels() != channels) {
        return Err(Error::bad_input(
            &other.name,
            format!(
                "image has {} channels but {} has {channels}",
                other.channels(),
                first.name
            ),
        ));
    }
    Ok(channels)
}

/// The index of the one part whose name ends with the box's file, by path components.
fn find_part(parts: &[Raster], b: &AnnotatedBox, boxes_path: &Path) -> Result<usize> {
    let file: PathBuf = Path::new(&b.file)
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let found: Vec<usize> = (0..parts.len())
        .filter(|&i| Path::new(&parts[i].name).ends_with(&file))
        .collect();
    match found.as_slice() {
        [part] => Ok(*part),
        [] => Err(Error::bad_input(
            boxes_path,
            format!(
                "box {b} names an unknown image: no part image is {}",
                b.file
            ),
        )),
        several => Err(Error::bad_input(
            boxes_path,
            format!(
                "box {b} matches several part images: {}",
                several
                    .iter()
                    .map(|&i| parts[i].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

impl Source for Crops {
    fn len(&self) -> usize {
        self.crops.len()
    }

    fn shape(&self) -> ImageShape {
        ImageShape::new(self.channels, self.size.0, self.size.1)
    }

    /// The crops resized to the sample size with a triangle (bilinear) filter, widened
    /// when shrinking so that every pixel counts, on the values as they are (no clamping).
    fn gather(&self, indices: &[usize]) -> Array4<f32> {
        let (height, width) = self.size;
        let plane = height * width;
        let mut out = Array4::zeros((indices.len(), self.channels, height, width));
        let Some(flat) = out.as_slice_mut() else {
            unreachable!("a new array is contiguous");
        };
        flat.par_chunks_mut(self.channels * plane)
            .zip(indices.par_iter())
            .for_each(|(sample, &i)| {
                let crop = self.cut(i);
                for (channel, out) in crop.outer_iter().zip(sample.chunks_mut(plane)) {
                    resize(channel, height, width, out);
                }
            });
        out
    }

    fn position(&self, i: usize) -> Position {
        let Crop { part, bbox, .. } = &self.crops[i];
        Position {
            source: self.parts[*part].name.clone(),
            y: bbox.y,
            x: bbox.x,
            h: bbox.h,
            w: bbox.w,
        }
    }

    fn place(&self, i: usize) -> Option<Place> {
        let Crop { part, bbox, .. } = &self.crops[i];
        Some(Place {
            input: *part,
            y: bbox.y,
            x: bbox.x,
            h: bbox.h,
            w: bbox.w,
            cell: None,
        })
    }

    fn extents(&self) -> Vec<Extent> {
        self.parts
            .iter()
            .map(|p| Extent {
                name: p.name.clone(),
                height: p.height(),
                width: p.width(),
                grid: None,
            })
            .collect()
    }

    fn input(&self, index: usize) -> Option<&Raster> {
        self.parts.get(index)
    }

    /// The class names that labels index into, sorted; `None` without labels.
    fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }

    fn label(&self, i: usize) -> Option<usize> {
        self.crops[i].label
    }
}

/// Resizes one plane to `height × width` into `out` (row-major), rows then columns, with
/// [`triangle_weights`]. The same size copies the values exactly.
fn resize(src: ArrayView2<'_, f32>, height: usize, width: usize, out: &mut [f32]) {
    let (src_height, src_width) = src.dim();
    let columns = triangle_weights(src_width, width);
    let rows = triangle_weights(src_height, height);
    // Columns first: [src_height, width].
    let mut tmp = Array2::<f32>::zeros((src_height, width));
    for (src_row, mut tmp_row) in src.outer_iter().zip(tmp.outer_iter_mut()) {
        for (value, (start, weights)) in tmp_row.iter_mut().zip(&columns) {
            *value = weights
                .iter()
                .enumerate()
                .map(|(k, wk)| wk * src_row[start + k])
                .sum();
        }
    }
    for (out_row, (start, weights)) in out.chunks_mut(width).zip(&rows) {
        for (x, value) in out_row.iter_mut().enumerate() {
            *value = weights
                .iter()
                .enumerate()
                .map(|(k, wk)| wk * tmp[[start + k, x]])
                .sum();
        }
    }
}

/// For each of `to` output samples resampled from `from` inputs with a triangle filter
/// (as image's `FilterType::Triangle`: its support scaled by the shrink factor): the first
/// input it reads and its normalised weights, zeros left out so that the same size is an
/// exact copy and a NaN only spreads to the samples it weighs in.
fn triangle_weights(from: usize, to: usize) -> Vec<(usize, Vec<f32>)> {
    let ratio = from as f32 / to as f32;
    let scale = ratio.max(1.0);
    (0..to)
        .map(|o| {
            let centre = (o as f32 + 0.5) * ratio;
            let left = ((centre - scale).floor().max(0.0) as usize).min(from - 1);
            let right = ((centre + scale).ceil() as usize).clamp(left + 1, from);
            let taps: Vec<(usize, f32)> = (left..right)
                .map(|i| (i, 1.0 - ((i as f32 + 0.5 - centre) / scale).abs()))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            let sum: f32 = taps.iter().map(|&(_, w)| w).sum();
            let start = taps.first().map_or(left, |&(i, _)| i);
            (start, taps.iter().map(|&(_, w)| w / sum).collect())
        })
        .collect()
}
