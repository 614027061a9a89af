//! Benchmark: render a 10,000-point scatter frame (median of 7) and stream a 60-frame GIF,
//! reporting peak RSS growth. Run with `cargo run --release -p mdec-viz --example bench`.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use mdec_viz::{GifOptions, GifWriter, Projection, ScatterOptions, scatter_frame};
use ndarray::Array2;

/// Peak resident set size in KiB (Linux `VmHWM`), if readable.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> anyhow::Result<()> {
    let (n, d, k) = (10_000usize, 10usize, 10usize);
    let mut state = 42u64;
    let mut rand = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 40) as f32) / (1u64 << 24) as f32
    };
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let z = Array2::from_shape_fn(
        (n, d),
        |(i, j)| if j == labels[i] { 5.0 } else { 0.0 } + 2.0 * (rand() - 0.5),
    );

    let t = Instant::now();
    let projection = Projection::fit_pca(z.view())?;
    let fit_ms = t.elapsed().as_secs_f64() * 1e3;
    let options = ScatterOptions {
        bounds: Some(projection.bounds()),
        ..ScatterOptions::default()
    };
    let xy = projection.project(z.view())?;

    let mut times = Vec::new();
    let mut frame = None;
    for rep in 0..7 {
        let t = Instant::now();
        let f = scatter_frame(
            xy.view(),
            &labels,
            Some(&labels),
            &format!("step {rep}  ACC 0.900"),
            &options,
        )?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        frame = Some(f);
    }
    times.sort_by(f64::total_cmp);
    let frame = frame.ok_or_else(|| anyhow::anyhow!("no frame"))?;
    println!("PCA fit, n = {n}, d = {d}: {fit_ms:.1} ms");
    println!(
        "scatter frame, {n} points, two panels {}x{}: median {:.1} ms (min {:.1}, max {:.1}, 7 runs)",
        frame.width(),
        frame.height(),
        times[3],
        times[0],
        times[6]
    );

    let dir = std::env::temp_dir().join(format!("mdec-viz-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.gif");
    let hwm_before = vm_hwm_kib();
    let t = Instant::now();
    let mut gif = GifWriter::create(&path, frame.width(), frame.height(), &GifOptions::default())?;
    let mut hwm_after_10 = None;
    for step in 0..60 {
        // Embeddings drift a little each update; the projection stays fixed.
        let s = 1.0 + 0.01 * step as f32;
        let zs = z.mapv(|v| v * s);
        let xy = projection.project(zs.view())?;
        let f = scatter_frame(
            xy.view(),
            &labels,
            Some(&labels),
            &format!("step {}  ACC 0.900", step * 140),
            &options,
        )?;
        gif.push_frame(&f)?;
        if step == 9 {
            hwm_after_10 = vm_hwm_kib();
        }
    }
    gif.finish()?;
    let gif_s = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path)?.len();
    let hwm_after = vm_hwm_kib();
    println!(
        "60-frame GIF (project + render + encode each frame): {gif_s:.2} s, {:.1} MiB",
        size as f64 / (1 << 20) as f64
    );
    if let (Some(a), Some(b), Some(c)) = (hwm_before, hwm_after_10, hwm_after) {
        println!(
            "peak RSS (VmHWM): {:.1} MiB before GIF, {:.1} MiB after 10 frames, {:.1} MiB after 60 frames (growth {:.1} MiB)",
            a as f64 / 1024.0,
            b as f64 / 1024.0,
            c as f64 / 1024.0,
            (c.saturating_sub(a)) as f64 / 1024.0
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
