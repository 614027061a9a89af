//! [`Tiles`]: a [`Source`] of square tiles cut on demand from large inputs (images, data
//! cubes, FITS fields) on a regular grid, with an optional mask per input that keeps only
//! tiles inside it, and optional region labels (for scoring against known regions).
//!
//! Memory is the inputs themselves plus, with a mask, four bytes per kept tile: a tile's
//! place is computed from its index.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ndarray::{Array2, Array4, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::ImageShape;
use crate::error::{Error, Result};
use crate::raster::{Position, Raster};
use crate::source::{Extent, Place, Source};
use crate::stretch::{Limits, Stretch};

/// What happens where the grid does not fit the input exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// Tiles that would cross the right or bottom edge are left out (the default): a strip
    /// narrower than the stride may stay uncovered.
    #[default]
    Drop,
    /// One more row and column of tiles, moved inward to end at the edge, so that every
    /// pixel is covered (those tiles overlap their neighbours more).
    Cover,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Edge::Drop => "drop",
            Edge::Cover => "cover",
        })
    }
}

impl FromStr for Edge {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "drop" => Ok(Edge::Drop),
            "cover" => Ok(Edge::Cover),
            _ => Err(format!("unknown edge policy {s:?}: expected drop or cover")),
        }
    }
}

/// The tile grid: square tiles of `size` pixels every `stride` pixels, each seen with
/// `context` pixels around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TileGrid {
    /// Side of a tile in pixels.
    pub size: usize,
    /// Step between tiles in pixels; below `size`, tiles overlap.
    pub stride: usize,
    /// The edge policy.
    #[serde(default)]
    pub edge: Edge,
    /// Pixels of context on every side: a sample is the [`TileGrid::window`] centred on its
    /// tile (moved inward at the image's edges), while its position, its label and the maps
    /// stay those of the tile. Statistics of a larger window are steadier, at the same map
    /// resolution.
    #[serde(default)]
    pub context: usize,
}

impl TileGrid {
    /// Checks the sizes.
    ///
    /// # Errors
    /// [`Error::BadParam`] for a zero size or stride.
    pub fn check(&self) -> Result<()> {
        for (name, value) in [("tile size", self.size), ("tile stride", self.stride)] {
            if value == 0 {
                return Err(Error::BadParam {
                    name,
                    value: 0.0,
                    expected: "at least 1 pixel",
                });
            }
        }
        Ok(())
    }

    /// The side of a sample: the tile and its context, `size + 2 · context`.
    pub fn window(&self) -> usize {
        self.size + 2 * self.context
    }

    /// The start of the window of the tile at `start` along a side of `len` pixels
    /// (`len >= window`): centred on the tile, moved inward to fit.
    fn window_start(&self, start: usize, len: usize) -> usize {
        start.saturating_sub(self.context).min(len - self.window())
    }

    /// The starts of the tiles along a side of `len` pixels (`len >= size`).
    fn starts(&self, len: usize) -> Vec<usize> {
        let last = len - self.size;
        let mut starts: Vec<usize> = (0..=last).step_by(self.stride).collect();
        if self.edge == Edge::Cover && starts.last() != Some(&last) {
            starts.push(last);
        }
        starts
    }
}

/// One large input to tile: its values, and optionally a mask and a region-label image of
/// the same height and width (with the files they came from, for errors).
#[derive(Clone, Debug)]
pub struct TileInput {
    /// The values, in the file's units.
    pub raster: Raster,
    /// Keep only tiles with at least half of their pixels set in this mask.
    pub mask: Option<(PathBuf, Array2<u32>)>,
    /// Known regions: a tile's label is the region covering most of it.
    pub regions: Option<(PathBuf, Array2<u32>)>,
}

struct Tiled {
    raster: Raster,
    ys: Vec<usize>,
    xs: Vec<usize>,
    /// Grid cells (row-major) kept by the mask; every cell without a mask.
    kept: Option<Vec<u32>>,
    regions: Option<Array2<u32>>,
    limits: Vec<Limits>,
}

impl Tiled {
    fn len(&self) -> usize {
        self.kept
            .as_ref()
            .map_or(self.ys.len() * self.xs.len(), Vec::len)
    }

    fn cell(&self, j: usize) -> (usize, usize) {
        let cell = self.kept.as_ref().map_or(j, |kept| kept[j] as usize);
        (cell / self.xs.len(), cell % self.xs.len())
    }
}

/// Tiles of one or more large inputs, scaled to [0, 1] per input and channel by a
/// [`Stretch`] (or taken as they are).
pub struct Tiles {
    grid: TileGrid,
    channels: usize,
    inputs: Vec<Tiled>,
    /// Index of the first tile of each input, then the total.
    offsets: Vec<usize>,
}

impl fmt::Debug for Tiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tiles")
            .field("grid", &self.grid)
            .field("inputs", &self.inputs.len())
            .field("tiles", &self.len())
            .finish()
    }
}

impl Tiles {
    /// Lays the grid over every input, scales each with `stretch` (values are kept as they
    /// are without one, but for blank, non-finite pixels, which become 0 either way) and
    /// applies the masks.
    ///
    /// # Errors
    /// [`Error::BadInput`] naming the file for a tile larger than an input, inputs with
    /// different channel counts, a mask or region image of another size, an empty mask or
    /// one that keeps no tile; [`Error::BadParam`] for a bad grid or stretch.
    pub fn new(inputs: Vec<TileInput>, grid: TileGrid, stretch: Option<&Stretch>) -> Result<Self> {
        grid.check()?;
        if let Some(stretch) = stretch {
            stretch.check()?;
        }
        let channels = inputs.first().map_or(0, |i| i.raster.channels());
        let mut tiled = Vec::with_capacity(inputs.len());
        for TileInput {
            mut raster,
            mask,
            regions,
        } in inputs
        {
            let path = PathBuf::from(&raster.name);
            let (h, w) = (raster.height(), raster.width());
            if grid.window() > h || grid.window() > w {
                let what = if grid.context == 0 {
                    format!("tile {s}×{s}", s = grid.size)
                } else {
                    format!(
                        "tile {s}×{s} with {c} px of context ({v}×{v})",
                        s = grid.size,
                        c = grid.context,
                        v = grid.window()
                    )
                };
                return Err(Error::bad_input(
                    &path,
                    format!(
                        "{what} is larger than the image ({h}×{w}): choose a tile size and context of at most {} together",
                        h.min(w)
                    ),
                ));
            }
            if raster.channels() != channels {
                return Err(Error::bad_input(
                    &path,
                    format!(
                        "{} channels, but the first input has {channels}: tiled inputs must agree",
                        raster.channels()
                    ),
                ));
            }
            for (what, image) in [("mask", &mask), ("region image", &regions)] {
                if let Some((file, image)) = image {
                    check_size(what, file, image, &raster)?;
                }
            }
            let (ys, xs) = (grid.starts(h), grid.starts(w));
            let kept = match &mask {
                Some((file, mask)) => Some(kept_cells(file, mask, &ys, &xs, grid.size)?),
                None => None,
            };
            let limits = match stretch {
                Some(stretch) => stretch.apply(&mut raster.values),
                None => {
                    // Blank pixels (NaN) cannot be trained on: 0, as the stretch makes them.
                    raster
                        .values
                        .mapv_inplace(|v| if v.is_finite() { v } else { 0.0 });
                    Vec::new()
                }
            };
            tiled.push(Tiled {
                raster,
                ys,
                xs,
                kept,
                regions: regions.map(|(_, r)| r),
                limits,
            });
        }
        let mut offsets = vec![0];
        for input in &tiled {
            offsets.push(offsets.last().copied().unwrap_or(0) + input.len());
        }
        Ok(Self {
            grid,
            channels,
            inputs: tiled,
            offsets,
        })
    }

    /// The grid.
    pub fn grid(&self) -> TileGrid {
        self.grid
    }

    /// The stretch limits found for each input (one per channel; empty without a stretch).
    pub fn limits(&self) -> Vec<(&str, &[Limits])> {
        self.inputs
            .iter()
            .map(|t| (t.raster.name.as_str(), t.limits.as_slice()))
            .collect()
    }

    fn locate(&self, i: usize) -> (usize, usize) {
        assert!(
            i < self.len(),
            "tile {i} out of range for {} tiles",
            self.len()
        );
        let input = self.offsets.partition_point(|&o| o <= i) - 1;
        (input, i - self.offsets[input])
    }
}

impl Source for Tiles {
    fn len(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    fn shape(&self) -> ImageShape {
        ImageShape::new(self.channels, self.grid.window(), self.grid.window())
    }

    /// The windows of the tiles (the tiles themselves without context).
    fn gather(&self, indices: &[usize]) -> Array4<f32> {
        let s = self.grid.window();
        let c = self.channels;
        let mut data = vec![0.0f32; indices.len() * c * s * s];
        data.par_chunks_mut(c * s * s)
            .zip(indices.par_iter())
            .for_each(|(tile, &i)| {
                let (input, j) = self.locate(i);
                let tiled = &self.inputs[input];
                let (row, col) = tiled.cell(j);
                let (y, x) = (
                    self.grid.window_start(tiled.ys[row], tiled.raster.height()),
                    self.grid.window_start(tiled.xs[col], tiled.raster.width()),
                );
                let cut = tiled.raster.values.slice(s![.., y..y + s, x..x + s]);
                for (to, from) in tile.iter_mut().zip(cut.iter()) {
                    *to = *from;
                }
            });
        Array4::from_shape_vec((indices.len(), c, s, s), data)
            .unwrap_or_else(|_| unreachable!("the buffer holds n × c × s × s values"))
    }

    fn position(&self, i: usize) -> Position {
        let (input, j) = self.locate(i);
        let tiled = &self.inputs[input];
        let (row, col) = tiled.cell(j);
        Position {
            source: tiled.raster.name.clone(),
            y: tiled.ys[row],
            x: tiled.xs[col],
            h: self.grid.size,
            w: self.grid.size,
        }
    }

    fn place(&self, i: usize) -> Option<Place> {
        let (input, j) = self.locate(i);
        let tiled = &self.inputs[input];
        let (row, col) = tiled.cell(j);
        Some(Place {
            input,
            y: tiled.ys[row],
            x: tiled.xs[col],
            h: self.grid.size,
            w: self.grid.size,
            cell: Some((row, col)),
        })
    }

    fn extents(&self) -> Vec<Extent> {
        self.inputs
            .iter()
            .map(|t| Extent {
                name: t.raster.name.clone(),
                height: t.raster.height(),
                width: t.raster.width(),
                grid: Some((t.ys.len(), t.xs.len())),
            })
            .collect()
    }

    fn input(&self, index: usize) -> Option<&Raster> {
        self.inputs.get(index).map(|t| &t.raster)
    }

    /// The region covering most of the tile (the smallest such region on a tie).
    fn label(&self, i: usize) -> Option<usize> {
        let place = self.place(i)?;
        let regions = self.inputs[place.input].regions.as_ref()?;
        let tile = regions.slice(s![place.y..place.y + place.h, place.x..place.x + place.w]);
        let mut counts: Vec<usize> = Vec::new();
        for &r in tile {
            let r = r as usize;
            if counts.len() <= r {
                counts.resize(r + 1, 0);
            }
            counts[r] += 1;
        }
        counts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(r, _)| r)
    }
}

fn check_size(what: &str, file: &Path, image: &Array2<u32>, raster: &Raster) -> Result<()> {
    let (h, w) = image.dim();
    if (h, w) != (raster.height(), raster.width()) {
        return Err(Error::bad_input(
            file,
            format!(
                "the {what} is {h}×{w} but its image {} is {}×{}",
                raster.name,
                raster.height(),
                raster.width()
            ),
        ));
    }
    Ok(())
}

/// The grid cells (row-major) with at least half of their pixels set in `mask`.
fn kept_cells(
    file: &Path,
    mask: &Array2<u32>,
    ys: &[usize],
    xs: &[usize],
    size: usize,
) -> Result<Vec<u32>> {
    if mask.iter().all(|&v| v == 0) {
        return Err(Error::bad_input(
            file,
            "the mask has no pixels set: no tiles",
        ));
    }
    let kept: Vec<u32> = (0..ys.len() * xs.len())
        .filter(|&cell| {
            let (y, x) = (ys[cell / xs.len()], xs[cell % xs.len()]);
            let set = mask
                .slice(s![y..y + size, x..x + size])
                .iter()
                .filter(|&&v| v > 0)
                .count();
            2 * set >= size * size
        })
        .map(|cell| cell as u32)
        .collect();
    if kept.is_empty() {
        return Err(Error::bad_input(
            file,
            format!(
                "no {size}×{size} tile has half of its pixels in the mask: choose smaller tiles"
            ),
        ));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array3, Axis};

    fn raster(h: usize, w: usize) -> Raster {
        Raster {
            name: "field.npy".into(),
            values: Array3::from_shape_fn((1, h, w), |(_, y, x)| (y * w + x) as f32),
        }
    }

    fn input(h: usize, w: usize) -> TileInput {
        TileInput {
            raster: raster(h, w),
            mask: None,
            regions: None,
        }
    }

    #[test]
    fn grid_drops_or_covers_the_edge() {
        let drop = TileGrid {
            size: 4,
            stride: 3,
            edge: Edge::Drop,
            context: 0,
        };
        assert_eq!(drop.starts(11), vec![0, 3, 6]);
        let cover = TileGrid {
            edge: Edge::Cover,
            ..drop
        };
        assert_eq!(cover.starts(11), vec![0, 3, 6, 7]);
        assert_eq!(cover.starts(10), vec![0, 3, 6], "already ends at the edge");
    }

    #[test]
    fn tiles_cut_exactly_their_recorded_position() -> Result<()> {
        let grid = TileGrid {
            size: 4,
            stride: 2,
            edge: Edge::Cover,
            context: 0,
        };
        let tiles = Tiles::new(vec![input(9, 13), input(4, 4)], grid, None)?;
        assert_eq!(tiles.len(), 4 * 6 + 1);
        let all: Vec<usize> = (0..tiles.len()).collect();
        let batch = tiles.gather(&all);
        for i in all {
            let p = tiles.position(i);
            let source = &tiles.inputs[tiles.place(i).map_or(0, |p| p.input)].raster;
            assert_eq!(p.source, source.name);
            let cut = source.values.slice(s![.., p.y..p.y + p.h, p.x..p.x + p.w]);
            assert_eq!(batch.index_axis(Axis(0), i), cut, "tile {i}");
        }
        assert_eq!(
            tiles.position(tiles.len() - 1).y,
            0,
            "the second input's only tile"
        );
        Ok(())
    }

    #[test]
    fn context_windows_centre_on_their_tile_and_move_inward_at_the_edges() -> Result<()> {
        let grid = TileGrid {
            size: 4,
            stride: 4,
            edge: Edge::Drop,
            context: 2,
        };
        let tiles = Tiles::new(vec![input(12, 16)], grid, None)?;
        assert_eq!(tiles.shape(), ImageShape::new(1, 8, 8));
        assert_eq!(tiles.len(), 3 * 4);
        let batch = tiles.gather(&[0, 5, 11]);
        let values = &tiles.inputs[0].raster.values;
        // Tile (4, 4) is inside: its window starts 2 px up and left. Tile (0, 0) is at the
        // corner and tile (8, 12) at the far corner: their windows move inward.
        for (at, i, window) in [(1, 5, (2, 2)), (0, 0, (0, 0)), (2, 11, (4, 8))] {
            let p = tiles.position(i);
            assert_eq!((p.h, p.w), (4, 4), "the position stays the tile's");
            let (y, x) = window;
            let cut = values.slice(s![.., y..y + 8, x..x + 8]);
            assert_eq!(batch.index_axis(Axis(0), at), cut, "tile {i} at {p:?}");
            assert!(y <= p.y && p.y + 4 <= y + 8 && x <= p.x && p.x + 4 <= x + 8);
        }
        let too_wide = TileGrid { context: 5, ..grid };
        let err = Tiles::new(vec![input(12, 16)], too_wide, None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("field.npy") && err.contains("14×14"), "{err}");
        Ok(())
    }

    #[test]
    fn a_mask_keeps_tiles_half_inside_and_regions_label_by_majority() -> Result<()> {
        let mut mask = Array2::zeros((8, 8));
        mask.slice_mut(s![0..4, 0..6]).fill(1);
        let mut regions = Array2::zeros((8, 8));
        regions.slice_mut(s![.., 3..]).fill(2);
        let grid = TileGrid {
            size: 4,
            stride: 4,
            edge: Edge::Drop,
            context: 0,
        };
        let tiles = Tiles::new(
            vec![TileInput {
                raster: raster(8, 8),
                mask: Some(("m.png".into(), mask)),
                regions: Some(("r.npy".into(), regions)),
            }],
            grid,
            None,
        )?;
        // Top-left fully inside, top-right half inside; the bottom row outside.
        assert_eq!(tiles.len(), 2);
        assert_eq!((tiles.position(1).y, tiles.position(1).x), (0, 4));
        assert_eq!(
            tiles.label(0),
            Some(0),
            "columns 0..3 region 0, column 3 region 2"
        );
        assert_eq!(tiles.label(1), Some(2));
        assert_eq!(tiles.place(1).and_then(|p| p.cell), Some((0, 1)));
        Ok(())
    }

    #[test]
    fn bad_inputs_name_the_file() {
        let grid = TileGrid {
            size: 16,
            stride: 8,
            edge: Edge::Drop,
            context: 0,
        };
        let err = Tiles::new(vec![input(8, 40)], grid, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("field.npy") && err.contains("larger than the image"),
            "{err}"
        );
        let grid = TileGrid { size: 4, ..grid };
        let empty = TileInput {
            mask: Some(("empty.png".into(), Array2::zeros((8, 40)))),
            ..input(8, 40)
        };
        let err = Tiles::new(vec![empty], grid, None).unwrap_err().to_string();
        assert!(
            err.contains("empty.png") && err.contains("no pixels set"),
            "{err}"
        );
        let other = TileInput {
            mask: Some(("small.png".into(), Array2::ones((8, 39)))),
            ..input(8, 40)
        };
        let err = Tiles::new(vec![other], grid, None).unwrap_err().to_string();
        assert!(
            err.contains("small.png") && err.contains("8×39") && err.contains("8×40"),
            "{err}"
        );
    }
}
