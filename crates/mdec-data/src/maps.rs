//! Cluster maps: where each cluster lies in the inputs that tiles or crops were cut from.
//! [`ClusterMaps`] takes the assignments chunk by chunk (as a streaming prediction makes
//! them) and gives, per input, a map at tile resolution (for a tile grid) and a label
//! image at full resolution, each pixel taking the cluster with the largest summed
//! confidence over the samples covering it.

use ndarray::{Array2, Array3, Axis, s};

use crate::source::{Extent, Source};

/// The maps of one input.
#[derive(Clone, Debug, PartialEq)]
pub struct InputMap {
    /// The input, as in [`Extent::name`].
    pub name: String,
    /// The cluster of every grid cell, `[rows, cols]`, −1 where no tile was kept (masked
    /// out); `None` when samples were not cut on a grid.
    pub tiles: Option<Array2<i32>>,
    /// The cluster of every pixel, `[h, w]`, −1 where no sample covers it.
    pub labels: Array2<i32>,
    /// Pixels per cluster in [`InputMap::labels`].
    pub pixels: Vec<usize>,
}

/// Accumulates per-input votes from assigned samples; see the module docs.
#[derive(Debug)]
pub struct ClusterMaps {
    k: usize,
    extents: Vec<Extent>,
    /// Per input, `[k, h, w]`: summed confidence per cluster and pixel.
    votes: Vec<Array3<f32>>,
    tiles: Vec<Option<Array2<i32>>>,
}

impl ClusterMaps {
    /// Empty maps for the inputs of `source` and `k` clusters; `None` when its samples are
    /// whole images (nothing to map).
    pub fn new(source: &dyn Source, k: usize) -> Option<Self> {
        let extents = source.extents();
        if extents.is_empty() {
            return None;
        }
        let votes = extents
            .iter()
            .map(|e| Array3::zeros((k, e.height, e.width)))
            .collect();
        let tiles = extents
            .iter()
            .map(|e| {
                e.grid
                    .map(|(rows, cols)| Array2::from_elem((rows, cols), -1))
            })
            .collect();
        Some(Self {
            k,
            extents,
            votes,
            tiles,
        })
    }

    /// Records samples `indices` of `source` (the one given to [`ClusterMaps::new`]) with
    /// their clusters and confidences.
    ///
    /// # Panics
    /// If the lengths differ, an index is out of range or a cluster is not below `k`.
    pub fn record(
        &mut self,
        source: &dyn Source,
        indices: &[usize],
        cluster: &[usize],
        confidence: &[f32],
    ) {
        assert_eq!(indices.len(), cluster.len(), "one cluster per sample");
        assert_eq!(indices.len(), confidence.len(), "one confidence per sample");
        for ((&i, &c), &q) in indices.iter().zip(cluster).zip(confidence) {
            assert!(
                c < self.k,
                "cluster {c} of sample {i} is not below k = {}",
                self.k
            );
            let Some(p) = source.place(i) else { continue };
            self.votes[p.input]
                .index_axis_mut(Axis(0), c)
                .slice_mut(s![p.y..p.y + p.h, p.x..p.x + p.w])
                .mapv_inplace(|v| v + q);
            if let (Some(tiles), Some((row, col))) = (&mut self.tiles[p.input], p.cell) {
                tiles[[row, col]] = c as i32;
            }
        }
    }

    /// The maps, one per input, in the order of the source's inputs.
    pub fn finish(self) -> Vec<InputMap> {
        let k = self.k;
        self.extents
            .into_iter()
            .zip(self.votes)
            .zip(self.tiles)
            .map(|((extent, votes), tiles)| {
                let mut pixels = vec![0; k];
                let labels = Array2::from_shape_fn((extent.height, extent.width), |(y, x)| {
                    let column = votes.slice(s![.., y, x]);
                    let (best, score) =
                        column
                            .iter()
                            .enumerate()
                            .fold(
                                (0, 0.0f32),
                                |best, (c, &v)| if v > best.1 { (c, v) } else { best },
                            );
                    if score > 0.0 {
                        pixels[best] += 1;
                        best as i32
                    } else {
                        -1
                    }
                });
                InputMap {
                    name: extent.name,
                    tiles,
                    labels,
                    pixels,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Raster;
    use crate::tiles::{Edge, TileGrid, TileInput, Tiles};

    #[test]
    fn overlapping_tiles_vote_by_confidence() -> anyhow::Result<()> {
        let raster = Raster {
            name: "f.npy".into(),
            values: Array3::zeros((1, 4, 6)),
        };
        let grid = TileGrid {
            size: 4,
            stride: 2,
            edge: Edge::Drop,
            context: 0,
        };
        let tiles = Tiles::new(
            vec![TileInput {
                raster,
                mask: None,
                regions: None,
            }],
            grid,
            None,
        )?;
        assert_eq!(tiles.len(), 2); // x = 0 and x = 2
        let mut maps = ClusterMaps::new(&tiles, 3).ok_or(anyhow::anyhow!("tiles have a map"))?;
        maps.record(&tiles, &[0], &[1], &[0.9]);
        maps.record(&tiles, &[1], &[2], &[0.6]);
        let map = maps.finish().remove(0);
        assert_eq!(
            map.tiles,
            Some(
                Array2::from_shape_vec((1, 2), vec![1, 2])
                    .map_err(|_| crate::Error::ZeroBatchSize)?
            )
        );
        // Columns 0-1: only tile 0; 2-3: both (0.9 beats 0.6); 4-5: only tile 1.
        assert_eq!(map.labels.row(0).to_vec(), vec![1, 1, 1, 1, 2, 2]);
        assert_eq!(map.pixels, vec![0, 16, 8]);
        Ok(())
    }

    #[test]
    fn whole_images_have_no_map() {
        let ds = crate::Dataset::new(ndarray::Array4::zeros((2, 1, 3, 3)));
        assert!(ClusterMaps::new(&ds, 2).is_none());
    }
}
