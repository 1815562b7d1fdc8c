//! A real AWS-compatible server for the tests: moto on 127.0.0.1 at a free port, and in front of
//! it `awsproxy.py` (CloudWatch over Smithy RPC v2 CBOR, request counting, fault injection).
//! Both are processes of the test and die with it. `tests/run.sh` installs them.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fhtop::backend::aws::{AwsBackend, AwsOptions};

pub const DEADLINE: Duration = Duration::from_secs(120);

pub struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_listening(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < DEADLINE,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// moto + the proxy in front of it.
pub struct Aws {
    _moto: Proc,
    _proxy: Proc,
    pub moto_url: String,
    /// What fhtop talks to.
    pub url: String,
    pub dir: PathBuf,
}

impl Aws {
    pub fn start() -> Self {
        let port = free_port();
        let moto = Command::new("python3")
            .arg(harness_dir().join("motoserver.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server is installed (pip install 'moto[server]'; tests/run.sh does)");
        let moto = Proc(moto);
        wait_listening(port, "moto_server");
        let moto_url = format!("http://127.0.0.1:{port}");
        let (proxy, url) = Self::proxy(&moto_url);
        let dir = std::env::temp_dir().join(format!("fhtop-aws-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        std::fs::write(
            dir.join("credentials"),
            "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
        )
        .expect("credentials file");
        Self {
            _moto: moto,
            _proxy: proxy,
            moto_url,
            url,
            dir,
        }
    }

    fn proxy(upstream: &str) -> (Proc, String) {
        let mut child = Command::new("python3")
            .arg(harness_dir().join("awsproxy.py"))
            .args(["--upstream", upstream])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the proxy");
        let out = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .expect("proxy prints its port");
        let port: u16 = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("proxy said {line:?}"));
        (Proc(child), format!("http://127.0.0.1:{port}"))
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.dir.join("credentials")
    }

    /// Runs seed.py against moto in `region` with `args` (its output; a failure panics).
    fn seed_py(&self, region: &str, args: &[&str]) -> std::process::Output {
        let out = Command::new("python3")
            .arg(harness_dir().join("seed.py"))
            .args(["--endpoint", &self.moto_url, "--region", region])
            .args(args)
            .output()
            .expect("python3 runs the seeder");
        assert!(
            out.status.success(),
            "seed.py {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn seed(&self, region: &str, scenario: &str) {
        self.seed_py(region, &["--scenario", scenario]);
    }

    /// The bodies of the objects under `prefix` of `bucket` in `region`, read from moto with
    /// the SDK (what a test counts as delivered).
    #[allow(dead_code)] // not every test binary counts objects
    pub fn objects(&self, region: &str, bucket: &str, prefix: &str) -> Vec<Vec<u8>> {
        use base64::Engine;
        let out = Command::new("python3")
            .arg(harness_dir().join("seed.py"))
            .args([
                "--endpoint",
                &self.moto_url,
                "--region",
                region,
                "--dump",
                bucket,
                prefix,
            ])
            .output()
            .expect("python3 runs the seeder");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                base64::engine::general_purpose::STANDARD
                    .decode(l)
                    .expect("base64")
            })
            .collect()
    }

    /// How many messages the SQS queue `name` in `region` held: received and deleted.
    #[allow(dead_code)] // not every test binary drains queues
    pub fn drain(&self, region: &str, name: &str) -> usize {
        let out = self.seed_py(region, &["--receive", name]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a count")
    }

    /// The binary under test pointed at the proxy in `region` (see [`fhtop_at`]).
    pub fn fhtop(&self, region: &str) -> Command {
        fhtop_at(&self.url, region, &self.credentials_file())
    }

    /// Runs the binary under test in `region` with `args`: (exit code, stdout, stderr).
    pub fn run(&self, region: &str, args: &[&str]) -> (i32, String, String) {
        let out = self.fhtop(region).args(args).output().expect("fhtop runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    /// fhtop's real AWS backend, pointed at the proxy, with credentials from a profile file.
    pub async fn backend(&self, region: &str) -> Arc<AwsBackend> {
        // The emulator has no quota; pacing is tested on its own.
        self.backend_paced(region, 200.0).await
    }

    /// A backend whose Firehose calls go at `firehose_tps` (AWS's own 5/s shows the order in
    /// which a walk reads); everything else unpaced.
    pub async fn backend_paced(&self, region: &str, firehose_tps: f64) -> Arc<AwsBackend> {
        let mut o = AwsOptions::new(None, Some(region.to_string()), Some(self.url.clone()));
        o.credentials_file = Some(self.credentials_file());
        o.firehose_tps = firehose_tps;
        o.events_tps = 200.0;
        o.logs_tps = 200.0;
        Arc::new(AwsBackend::connect(o).await)
    }

    fn control(&self, path: &str, body: &str) -> String {
        http(&self.url, "POST", path, body)
    }

    /// Requests per operation the proxy has seen since the last reset.
    pub fn counts(&self) -> serde_json::Map<String, serde_json::Value> {
        let body = http(&self.url, "GET", "/__stats", "");
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    }

    pub fn count(&self, op: &str) -> u64 {
        self.counts().get(op).and_then(|v| v.as_u64()).unwrap_or(0)
    }

    pub fn reset_counts(&self) {
        self.control("/__reset", "");
    }

    /// Present these rules as managed by an AWS service (ManagedBy in ListRules/DescribeRule).
    pub fn managed(&self, rules: &[&str]) {
        let rules: serde_json::Map<String, serde_json::Value> = rules
            .iter()
            .map(|r| {
                (
                    r.to_string(),
                    serde_json::json!({"ManagedBy": "securityhub.amazonaws.com"}),
                )
            })
            .collect();
        self.present(serde_json::json!({ "rules": rules }));
    }

    /// Present rules / streams with these fields merged into their descriptions, e.g. a stream
    /// whose creation failed: `{"streams": {"s": {"DeliveryStreamStatus": "CREATING_FAILED"}}}`.
    pub fn present(&self, spec: serde_json::Value) {
        self.control("/__present", &spec.to_string());
    }

    /// Fail only `op` requests whose body mentions `needle` (one stream, one rule).
    pub fn fault_one(&self, mode: &str, op: &str, needle: &str) {
        self.control(
            "/__fault",
            &format!(r#"{{"mode":"{mode}","ops":["{op}"],"match":"{needle}"}}"#),
        );
    }

    /// `mode`: throttle, error500, reset, latency, expired, down, none.
    pub fn fault(&self, mode: &str, seconds: f64) {
        self.control(
            "/__fault",
            &format!(r#"{{"mode":"{mode}","seconds":{seconds}}}"#),
        );
    }
}

impl Drop for Aws {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The binary under test pointed at `url` in `region`, with the test credentials and nothing
/// from this machine's environment (no profile, no config file, no IMDS, no stdin).
pub fn fhtop_at(url: &str, region: &str, credentials: &Path) -> Command {
    let mut c = Command::new(crate::common::tmux::binary());
    c.args(["--endpoint-url", url, "--region", region])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    c
}

/// A minimal HTTP/1.1 request on loopback (the control endpoints of the proxy).
pub fn http(base: &str, method: &str, path: &str, body: &str) -> String {
    let hostport = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).expect("proxy reachable");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    resp.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// Poll `f` until it is true, up to the deadline.
pub async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
