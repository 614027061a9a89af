//! Per-sample outputs as data: [`Assignments`] (cluster, confidence, q row) and
//! embeddings, with their dataframes (the CLI writes them with
//! `mdec_data::table::write_table`).

use ndarray::Array2;
use polars::prelude::{Column, DataFrame, DataType, NamedFrom, Series};
use tch::{Kind, Tensor};

use crate::error::{Error, Result};
use crate::train::tensor_to_array2;

/// The assignment of every sample: its cluster (argmax q), the confidence (max q) and the
/// full soft assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignments {
    /// Cluster of each sample.
    pub cluster: Vec<usize>,
    /// `max_j q_ij` of each sample.
    pub confidence: Vec<f32>,
    /// Soft assignments `[n, k]`; rows sum to 1.
    pub q: ndarray::Array2<f32>,
}

impl Assignments {
    /// Builds the assignments from soft assignments `q` (`[n, k]`, any device).
    ///
    /// # Errors
    /// [`Error::EmbeddingShape`] unless `q` is 2-d, [`Error::Torch`] on copy failures.
    pub fn from_q(q: &Tensor) -> Result<Self> {
        let q = tensor_to_array2(&q.f_to_kind(Kind::Float)?)?;
        let (cluster, confidence) = q
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold((0usize, f32::NEG_INFINITY), |best, (j, &v)| {
                        if v > best.1 { (j, v) } else { best }
                    })
            })
            .unzip();
        Ok(Self {
            cluster,
            confidence,
            q,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.cluster.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.cluster.is_empty()
    }

    /// A dataframe with `index`, `name` (when given), `label` (when given), `cluster`,
    /// `confidence` and `q_0 … q_{k−1}`.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when `names` or `labels` have another length,
    /// [`Error::Table`] if polars rejects a column.
    pub fn to_frame(
        &self,
        names: Option<&[String]>,
        labels: Option<&[usize]>,
    ) -> Result<DataFrame> {
        let n = self.len();
        let mut columns: Vec<Column> =
            vec![Series::new("index".into(), (0..n as u64).collect::<Vec<u64>>()).into()];
        if let Some(names) = names {
            check_len("names", names.len(), n)?;
            columns.push(Series::new("name".into(), names.to_vec()).into());
        }
        if let Some(labels) = labels {
            check_len("labels", labels.len(), n)?;
            columns.push(
                Series::new(
                    "label".into(),
                    labels.iter().map(|&l| l as u64).collect::<Vec<u64>>(),
                )
                .into(),
            );
        }
        columns.push(
            Series::new(
                "cluster".into(),
                self.cluster.iter().map(|&c| c as u64).collect::<Vec<u64>>(),
            )
            .into(),
        );
        columns.push(Series::new("confidence".into(), self.confidence.clone()).into());
        for (j, col) in self.q.columns().into_iter().enumerate() {
            columns.push(Series::new(format!("q_{j}").into(), col.to_vec()).into());
        }
        Ok(DataFrame::new(n, columns)?)
    }
}

impl Assignments {
    /// Reads the assignments back from a frame written by [`Assignments::to_frame`]
    /// (columns `cluster`, `confidence` and `q_0 … q_{k−1}`; other columns are ignored).
    /// Without `q_*` columns, q is one-hot on the cluster.
    ///
    /// # Errors
    /// [`Error::Table`] when `cluster` is missing or a column has another type or nulls.
    pub fn from_frame(frame: &DataFrame) -> Result<Self> {
        let n = frame.height();
        let nulls = |name: &str| Error::Incompatible {
            path: "assignments".into(),
            reason: format!("column {name} has empty values"),
        };
        let cluster = frame
            .column("cluster")?
            .cast(&DataType::UInt64)?
            .u64()?
            .iter()
            .map(|c| c.map(|c| c as usize).ok_or_else(|| nulls("cluster")))
            .collect::<Result<Vec<usize>>>()?;
        let floats = |name: &str, column: &Column| -> Result<Vec<f32>> {
            column
                .cast(&DataType::Float32)?
                .f32()?
                .iter()
                .map(|v| v.ok_or_else(|| nulls(name)))
                .collect()
        };
        let mut q_columns = Vec::new();
        while let Ok(column) = frame.column(&format!("q_{}", q_columns.len())) {
            q_columns.push(floats("q", column)?);
        }
        let confidence = match frame.column("confidence") {
            Ok(column) => floats("confidence", column)?,
            Err(_) => vec![1.0; n],
        };
        let q = if q_columns.is_empty() {
            let k = cluster.iter().max().map_or(0, |&c| c + 1);
            Array2::from_shape_fn((n, k), |(i, j)| f32::from(u8::from(cluster[i] == j)))
        } else {
            Array2::from_shape_fn((n, q_columns.len()), |(i, j)| q_columns[j][i])
        };
        if cluster.len() != n || confidence.len() != n || cluster.iter().any(|&c| c >= q.ncols()) {
            return Err(Error::Incompatible {
                path: "assignments".into(),
                reason: format!(
                    "{} clusters and {} confidences for {n} rows and {} q columns",
                    cluster.len(),
                    confidence.len(),
                    q.ncols()
                ),
            });
        }
        Ok(Self {
            cluster,
            confidence,
            q,
        })
    }
}

/// A dataframe of embeddings `[n, d]`: `index`, `name` (when given), `z_0 … z_{d−1}`.
///
/// # Errors
/// [`Error::Incompatible`] when `names` has another length, [`Error::Table`] if polars
/// rejects a column.
pub fn embeddings_frame(zs: &Array2<f32>, names: Option<&[String]>) -> Result<DataFrame> {
    let n = zs.nrows();
    let mut columns: Vec<Column> =
        vec![Series::new("index".into(), (0..n as u64).collect::<Vec<u64>>()).into()];
    if let Some(names) = names {
        check_len("names", names.len(), n)?;
        columns.push(Series::new("name".into(), names.to_vec()).into());
    }
    for (j, col) in zs.columns().into_iter().enumerate() {
        columns.push(Series::new(format!("z_{j}").into(), col.to_vec()).into());
    }
    Ok(DataFrame::new(n, columns)?)
}

fn check_len(what: &str, got: usize, n: usize) -> Result<()> {
    if got == n {
        Ok(())
    } else {
        Err(Error::Incompatible {
            path: what.into(),
            reason: format!("{got} {what} for {n} samples"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_take_the_argmax_and_build_a_frame() -> anyhow::Result<()> {
        let q = Tensor::from_slice(&[0.7f32, 0.2, 0.1, 0.1, 0.3, 0.6]).view([2, 3]);
        let a = Assignments::from_q(&q)?;
        assert_eq!(a.cluster, vec![0, 2]);
        assert_eq!(a.confidence, vec![0.7, 0.6]);
        let frame = a.to_frame(Some(&["a.png".into(), "b.png".into()]), Some(&[1, 0]))?;
        assert_eq!(frame.shape(), (2, 8));
        assert_eq!(Assignments::from_frame(&frame)?, a);
        let bare = frame.select(["cluster"])?;
        let one_hot = Assignments::from_frame(&bare)?;
        assert_eq!(
            (one_hot.cluster.clone(), one_hot.q.dim()),
            (vec![0, 2], (2, 3))
        );
        assert!(a.to_frame(None, Some(&[1])).is_err());
        let zs = Array2::from_shape_vec((2, 2), vec![1.0f32, 2.0, 3.0, 4.0])?;
        assert_eq!(embeddings_frame(&zs, None)?.shape(), (2, 3));
        Ok(())
    }
}
