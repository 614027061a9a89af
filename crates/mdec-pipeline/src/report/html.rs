//! `report.html`: `report.md` as HTML with every picture of the run folder embedded as a
//! data URI, then the per-cluster galleries, the least confident samples and the settings.
//! It makes no request when opened: no scripts, no fonts, no links it loads.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use mdec_cluster::Assignments;
use mdec_data::Dataset;
use polars::prelude::DataFrame;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::layout::RunLayout;

/// Samples listed as outliers to review: the least confident of the run.
pub const OUTLIERS: usize = 24;

/// The outliers' pictures, relative to the run folder.
pub const OUTLIER_DIR: &str = "plots/outliers";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
img{max-width:100%}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
pre{background:#f4f4f4;padding:1em;overflow:auto}.gallery figure{display:inline-block;margin:.5em}\
.outliers img{width:64px;image-rendering:pixelated}";

/// The HTML page of the run (see the module docs).
pub(super) fn page(
    run: &RunLayout,
    config: &RunConfig,
    markdown: &str,
    data: Option<&Dataset>,
) -> Result<String> {
    let mut body = String::new();
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: embedded(run, &dest_url).map_or(dest_url, CowStr::from),
            title,
            id,
        }),
        other => other,
    });
    pulldown_cmark::html::push_html(&mut body, events);
    let names = crate::export::read_saved_names(run, config.settings.cluster.n_clusters)
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cluster names left out of the report");
            Default::default()
        });
    galleries(run, &names, &mut body).map_err(|e| format_error(run, e))?;
    outliers(run, data, &mut body)?;
    let settings = serde_json::to_string_pretty(config).map_err(|e| Error::Json {
        path: run.config(),
        source: e,
    })?;
    write!(
        body,
        "<h2>Settings</h2>\n<details><summary>config.json</summary><pre>{}</pre></details>\n",
        escape(&settings)
    )
    .map_err(|e| format_error(run, e))?;
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mdec run: {}</title>\
         <style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        escape(&run.root().display().to_string())
    ))
}

/// `relative` (a picture of the run folder) as a data URI, when it is one.
fn embedded(run: &RunLayout, relative: &str) -> Option<String> {
    let mime = match Path::new(relative).extension()?.to_str()? {
        "png" => "image/png",
        "gif" => "image/gif",
        _ => return None,
    };
    if relative.contains("..") {
        return None;
    }
    let bytes = std::fs::read(run.join(relative)).ok()?;
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// Each cluster's montage (most and least confident samples), with its name when given.
fn galleries(
    run: &RunLayout,
    names: &std::collections::BTreeMap<usize, String>,
    body: &mut String,
) -> std::fmt::Result {
    let montages = run.pictures("plots/montages");
    if montages.is_empty() {
        return Ok(());
    }
    writeln!(
        body,
        "<h2>Galleries</h2>\n<p>Each cluster's most confident samples (top rows) and least confident (bottom rows).</p>\n<div class=\"gallery\">"
    )?;
    for montage in montages {
        let relative = format!("plots/montages/{montage}");
        let Some(uri) = embedded(run, &relative) else {
            continue;
        };
        let Some(cluster) = montage
            .strip_prefix("cluster_")
            .and_then(|m| m.strip_suffix(".png"))
            .and_then(|m| m.parse::<usize>().ok())
        else {
            continue;
        };
        let name = names
            .get(&cluster)
            .map(|n| format!(" ({})", escape(n)))
            .unwrap_or_default();
        writeln!(
            body,
            "<figure><img src=\"{uri}\" alt=\"cluster {cluster}\"><figcaption>cluster {cluster}{name}</figcaption></figure>"
        )?;
    }
    writeln!(body, "</div>")
}

/// The [`OUTLIERS`] least confident samples, with their pictures when the images are known.
fn outliers(run: &RunLayout, data: Option<&Dataset>, body: &mut String) -> Result<()> {
    let path = run.assignments();
    if !path.is_file() {
        return Ok(());
    }
    let frame = mdec_data::table::read_table(&path)?;
    let assignments = Assignments::from_frame(&frame)?;
    let mut order: Vec<usize> = (0..assignments.len()).collect();
    order.sort_by(|&a, &b| assignments.confidence[a].total_cmp(&assignments.confidence[b]));
    order.truncate(OUTLIERS);
    let images = data.filter(|d| d.len() == assignments.len());
    let pictures = run.join(OUTLIER_DIR);
    if let Some(data) = images {
        mdec_data::atomic::replace_dir(&pictures, |tmp: &Path| -> Result<()> {
            for &i in &order {
                mdec_viz::save_sample(data.images().view(), i, tmp.join(format!("{i:06}.png")))?;
            }
            Ok(())
        })?;
    }
    let described = describe(&frame);
    (|| -> std::fmt::Result {
        writeln!(
            body,
            "<h2>Outliers to review</h2>\n<p>The {} least confident samples (confidence: the largest soft assignment).</p>\n<table class=\"outliers\"><tr><th>sample</th><th></th><th>cluster</th><th>confidence</th></tr>",
            order.len()
        )?;
        for &i in &order {
            let picture = embedded(run, &format!("{OUTLIER_DIR}/{i:06}.png"))
                .filter(|_| images.is_some())
                .map(|uri| format!("<img src=\"{uri}\" alt=\"sample {i}\">"))
                .unwrap_or_default();
            writeln!(
                body,
                "<tr><td>{}</td><td>{picture}</td><td>{}</td><td>{:.3}</td></tr>",
                escape(&described(i)),
                assignments.cluster[i],
                assignments.confidence[i]
            )?;
        }
        writeln!(body, "</table>")
    })()
    .map_err(|e| format_error(run, e))
}

/// A formatting failure while writing `report.html`.
fn format_error(run: &RunLayout, e: std::fmt::Error) -> Error {
    Error::io(
        &run.report_html(),
        "cannot format",
        std::io::Error::other(e),
    )
}

/// How a sample is named in the tables: its file, or its source and position, or its index.
fn describe(frame: &DataFrame) -> impl Fn(usize) -> String + '_ {
    let text = |name: &str| frame.column(name).ok().and_then(|c| c.str().ok().cloned());
    let number = |name: &str| {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.cast(&polars::prelude::DataType::Int64).ok())
            .and_then(|c| c.i64().ok().cloned())
    };
    let (name, source, y, x) = (text("name"), text("source"), number("y"), number("x"));
    move |i| {
        if let Some(n) = name.as_ref().and_then(|c| c.get(i)) {
            return format!("#{i} {n}");
        }
        match (source.as_ref().and_then(|c| c.get(i)), &y, &x) {
            (Some(s), Some(y), Some(x)) => format!(
                "#{i} {s} at y {}, x {}",
                y.get(i).unwrap_or_default(),
                x.get(i).unwrap_or_default()
            ),
            _ => format!("#{i}"),
        }
    }
}

/// Text as HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
