//! The station over real HTTP: files outside the runs are refused (path traversal, links),
//! bad settings get a clear 4xx message, two clients watch one run at once, and the token
//! rule holds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use mdec_cluster::Preset;
use mdec_pipeline::{Clusters, Command, Input, Run, RunSpec, SettingsSpec, Status};
use mdec_station::{Station, StationSpec};
use ndarray::Array4;

/// 60 images 1×8×8 of three kinds, as `.npy` in `dir`.
fn images(dir: &Path) -> Result<PathBuf> {
    let images = Array4::from_shape_fn((60, 1, 8, 8), |(i, _, y, x)| match i % 3 {
        0 => (y < 4) as u8 as f32,
        1 => (x < 4) as u8 as f32,
        _ => 0.05,
    });
    let file = dir.join("images.npy");
    ndarray_npy::write_npy(&file, &images)?;
    Ok(file)
}

/// A finished run `runs/<id>` on `file`.
fn finished_run(runs: &Path, id: &str, file: &Path) -> Result<()> {
    let mut spec = RunSpec::new(
        Command::Run,
        Input::Npy {
            file: file.to_path_buf(),
            labels: None,
        },
        runs.join(id),
    );
    spec.settings = SettingsSpec {
        preset: Some(Preset::Idec),
        clusters: Some(Clusters::Fixed(3)),
        epochs: Some(2),
        max_iter: Some(20),
        batch_size: Some(16),
        seed: Some(1),
        ..SettingsSpec::default()
    };
    spec.device = mdec_ae::DeviceChoice::Cpu;
    let outcome = Run::prepare(spec)?.execute(Vec::new(), mdec_ae::StopFlag::new())?;
    ensure!(outcome.status == Status::Finished);
    Ok(())
}

/// A station on a free loopback port, served from a thread of its own.
fn start(spec: StationSpec) -> Result<SocketAddr> {
    let station = Station::new(spec)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    std::thread::spawn(move || {
        runtime.block_on(mdec_station::serve(
            listener,
            station,
            std::future::pending(),
        ))
    });
    Ok(address)
}

fn spec(runs: &Path, inputs: Vec<Input>) -> StationSpec {
    StationSpec {
        runs: runs.to_path_buf(),
        listen: "127.0.0.1:0".parse().expect("an address"),
        token: None,
        inputs,
        device: mdec_ae::DeviceChoice::Cpu,
    }
}

/// One HTTP/1.1 request; the status and the body. `target` is sent as written (no
/// normalisation of `..`, as an attacker would send it).
fn request(
    address: SocketAddr,
    method: &str,
    target: &str,
    headers: &[&str],
    body: &str,
) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no status in {answer:?}"))?;
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Ok((status, body))
}

fn get(address: SocketAddr, target: &str) -> Result<(u16, String)> {
    request(address, "GET", target, &[], "")
}

fn post_json(address: SocketAddr, target: &str, body: &str) -> Result<(u16, String)> {
    request(
        address,
        "POST",
        target,
        &["Content-Type: application/json"],
        body,
    )
}

#[test]
fn files_outside_a_run_are_refused() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let runs = dir.path().join("runs");
    let file = images(dir.path())?;
    finished_run(&runs, "r", &file)?;
    std::fs::write(dir.path().join("secret.txt"), "secret")?;
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), runs.join("r/link.txt"))?;
    std::os::unix::fs::symlink(dir.path(), runs.join("outside"))?;
    let address = start(spec(&runs, Vec::new()))?;

    let (status, body) = get(address, "/api/runs/r/files/config.json")?;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"settings\""));
    for target in [
        "/api/runs/r/files/../../secret.txt",
        "/api/runs/r/files/..%2f..%2fsecret.txt",
        "/api/runs/r/files/%2e%2e/%2e%2e/secret.txt",
        "/api/runs/r/files/plots/../../../secret.txt",
        "/api/runs/r/files/%2Fetc%2Fpasswd",
        "/api/runs/r/files/link.txt",
        "/api/runs/..%2fr/files/config.json",
        "/api/runs/outside/files/secret.txt",
        "/api/runs/outside/files/runs/r/config.json",
        "/api/runs/r/files/",
    ] {
        let (status, body) = get(address, target)?;
        assert!(
            (400..500).contains(&status) && !body.contains("secret\n") && body != "secret",
            "{target}: {status} {body}"
        );
    }
    let (status, body) = get(address, "/api/runs")?;
    assert_eq!(status, 200);
    let list: serde_json::Value = serde_json::from_str(&body)?;
    let ids: Vec<&str> = list
        .as_array()
        .context("a list")?
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["r"], "the link leading out is not a run");
    assert_eq!(list[0]["status"], "finished");
    Ok(())
}

#[test]
fn bad_settings_get_a_clear_400() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let runs = dir.path().join("runs");
    let file = images(dir.path())?;
    let input = Input::Npy { file, labels: None };
    let address = start(spec(&runs, vec![input]))?;
    let form = |changes: &str| {
        let mut form = serde_json::json!({
            "input": 0, "architecture": "dcec", "latent_dim": 4, "lr": 0.001,
            "schedule": "constant", "noise_std": 0.0, "augment": false, "epochs": 1,
            "max_iter": 0, "clusters": 3, "batch_size": 16, "seed": 0
        });
        let changes: serde_json::Value = serde_json::from_str(changes).expect("JSON");
        for (k, v) in changes.as_object().expect("an object") {
            form[k] = v.clone();
        }
        form.to_string()
    };
    for (changes, expected) in [
        (r#"{"lr": -1}"#, "lr -1"),
        (r#"{"input": 5}"#, "input 5"),
        (r#"{"epochs": 0}"#, "epochs 0"),
        (r#"{"architecture": "crops"}"#, "architecture crops"),
        (r#"{"name": "../escape"}"#, "name \\\"../escape\\\""),
        (
            r#"{"clusters": 100}"#,
            "100 clusters cannot be formed from 60 samples",
        ),
        (r#"{"colour": "red"}"#, "unknown field `colour`"),
        (
            r#"{"schedule": "sometimes"}"#,
            "unknown variant `sometimes`",
        ),
    ] {
        let (status, body) = post_json(address, "/api/train", &form(changes))?;
        assert_eq!(status, 400, "{changes}: {body}");
        assert!(body.contains(expected), "{changes}: {body}");
        assert!(body.starts_with("{\"error\":"), "{body}");
    }
    let (status, body) = post_json(address, "/api/train", "{not json")?;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        std::fs::read_dir(&runs)?.count(),
        0,
        "no refused form left a run folder"
    );
    let (status, body) = post_json(address, "/api/runs/nothing/stop", "")?;
    assert_eq!(status, 404, "{body}");
    Ok(())
}

/// Reads server-sent events until a `finished` record, after line `last` when given (as a
/// reconnecting client does); returns the records' ids.
fn watch(address: SocketAddr, id: &str, last: Option<u64>) -> Result<Vec<u64>> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let resume = last.map_or(String::new(), |n| format!("Last-Event-ID: {n}\r\n"));
    write!(
        stream,
        "GET /api/runs/{id}/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n{resume}\r\n"
    )?;
    let mut ids = Vec::new();
    for line in BufReader::new(stream).lines() {
        let line = line?;
        if let Some(n) = line.strip_prefix("id:") {
            ids.push(n.trim().parse()?);
        }
        if line.starts_with("data:") && line.contains("\"event\":\"finished\"") {
            return Ok(ids);
        }
    }
    anyhow::bail!("the stream ended before the run finished")
}

#[test]
fn two_clients_watch_one_run_at_once() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let runs = dir.path().join("runs");
    let file = images(dir.path())?;
    let address = start(spec(&runs, vec![Input::Npy { file, labels: None }]))?;
    let form = serde_json::json!({
        "input": 0, "name": "both", "architecture": "idec", "latent_dim": 4, "lr": 0.001,
        "schedule": "cosine", "noise_std": 0.1, "augment": false, "epochs": 20,
        "max_iter": 40, "clusters": 3, "batch_size": 16, "seed": 0
    });
    let (status, body) = post_json(address, "/api/train", &form.to_string())?;
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"both\""));
    let (status, body) = post_json(address, "/api/train", &form.to_string())?;
    assert_eq!(status, 409, "the same name twice: {body}");

    let first = std::thread::spawn(move || watch(address, "both", None));
    let second = std::thread::spawn(move || watch(address, "both", None));
    let (status, _) = get(address, "/api/runs")?;
    assert_eq!(status, 200, "a third client is served meanwhile");
    let first = first.join().map_err(|_| anyhow::anyhow!("panic"))??;
    let second = second.join().map_err(|_| anyhow::anyhow!("panic"))??;
    assert!(first.len() >= 20, "every epoch and update: {first:?}");
    assert_eq!(first, second, "both clients get every record, in order");
    assert_eq!(first, (1..=first.len() as u64).collect::<Vec<_>>());

    // A client that reconnects gets only what it missed.
    let last = first.len() as u64 - 2;
    assert_eq!(watch(address, "both", Some(last))?, [last + 1, last + 2]);

    let (status, body) = post_json(address, "/api/runs/both/stop", "")?;
    assert_eq!(status, 409, "an ended run cannot be stopped: {body}");
    let (_, body) = get(address, "/api/runs/both")?;
    let detail: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(detail["info"]["status"], "finished", "{body}");
    assert!(
        detail["pictures"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p == "plots/reconstructions.png")),
        "{body}"
    );
    let (status, body) = get(address, "/api/runs/both/frame")?;
    assert_eq!(status, 200, "{body}");
    let frame: serde_json::Value = serde_json::from_str(&body)?;
    assert_eq!(frame["points"].as_array().map(Vec::len), Some(60));
    Ok(())
}

#[test]
fn a_token_is_needed_beyond_the_loopback_and_checked() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let runs = dir.path().join("runs");
    let mut open = spec(&runs, Vec::new());
    open.listen = "0.0.0.0:8470".parse()?;
    let refused = Station::new(open.clone()).err().map(|e| e.to_string());
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("needs a token")),
        "{refused:?}"
    );
    let mut guarded = spec(&runs, Vec::new());
    guarded.token = Some("s3cret".into());
    let address = start(guarded)?;
    assert_eq!(get(address, "/api/runs")?.0, 401);
    assert_eq!(get(address, "/api/runs?token=wrong")?.0, 401);
    assert_eq!(get(address, "/api/runs?token=s3cret")?.0, 200);
    let (status, _) = request(
        address,
        "GET",
        "/api/runs",
        &["Authorization: Bearer s3cret"],
        "",
    )?;
    assert_eq!(status, 200);
    assert_eq!(get(address, "/?token=s3cret")?.0, 200);
    Ok(())
}
