//! moto server for the AWS-layer tests: installed on first use into a venv under `target/`, started once per
//! test binary on 127.0.0.1 with a free port, stopped when the test process exits (its stdin closes).
//! If it cannot be installed or started, the tests FAIL with the reason; they never skip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub const MOTO_VERSION: &str = "5.2.5";

pub struct Moto {
    pub endpoint: String,
    pub port: u16,
    _child: Mutex<Child>,
    _stdin: Mutex<ChildStdin>,
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot {what}: {e} (is python3 with venv and pip installed?)"));
    assert!(
        out.status.success(),
        "cannot {what}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every Python package the tests install, pinned with versions and hashes.
const REQUIREMENTS: &str = include_str!("moto-requirements.txt");

/// FNV-1a of the requirements: a changed pin installs afresh into a new venv rather than over the old one.
fn requirements_id() -> String {
    let hash = REQUIREMENTS
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("{hash:016x}")
}

/// The venv's python, installing moto first if needed. Test binaries run in parallel: a file lock makes
/// one of them install while the others wait.
pub fn python() -> PathBuf {
    let venv = target_dir().join(format!("moto-venv-{}", requirements_id()));
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!(".installed-moto-{MOTO_VERSION}"));
    if marker.exists() {
        return python;
    }
    std::fs::create_dir_all(target_dir()).unwrap();
    let lock = std::fs::File::create(target_dir().join("moto-venv.lock")).unwrap();
    lock.lock().expect("lock the moto install");
    if !marker.exists() {
        let python3 = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(
            Command::new(&python3)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "create a Python venv for moto",
        );
        let requirements =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto-requirements.txt");
        run(
            Command::new(venv.join("bin").join("pip"))
                .args([
                    "install",
                    "--disable-pip-version-check",
                    "--quiet",
                    "--require-hashes",
                    "-r",
                ])
                .arg(&requirements),
            "install moto and its pinned dependencies into target/moto-venv-* (PyPI must be reachable)",
        );
        std::fs::write(&marker, MOTO_VERSION).unwrap();
    }
    python
}

const SERVER: &str = r#"
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"#;

/// How long moto may take to print its port (first start imports a lot of Python).
const START_TIMEOUT: Duration = Duration::from_secs(90);

pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        // moto's stderr goes to a file, so a failed start can say why.
        let stderr_path = target_dir().join(format!("moto-{}.stderr", std::process::id()));
        let stderr = std::fs::File::create(&stderr_path).expect("create moto's stderr file");
        let mut child = Command::new(python())
            .args(["-c", SERVER])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start moto server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
        });
        let failed = |why: String, child: &mut Child| -> ! {
            let _ = child.kill();
            let said = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            let tail: Vec<&str> = said.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "moto server did not start: {why}\nits stderr ({}):\n{}",
                stderr_path.display(),
                tail.join("\n")
            )
        };
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => failed(format!("cannot read its port: {e}"), &mut child),
            Err(_) => failed(
                format!("no port printed within {}s", START_TIMEOUT.as_secs()),
                &mut child,
            ),
        };
        let port: u16 = match line.trim().parse() {
            Ok(port) => port,
            Err(_) => failed(format!("it printed {line:?} instead of a port"), &mut child),
        };
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            _child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
        };
        // DescribeTasks would otherwise advance every task one state per call.
        let (status, body) = http(
            port,
            "POST",
            "/moto-api/state-manager/set-transition",
            &[("Content-Type", "application/json")],
            r#"{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000000}}"#,
        );
        assert_eq!(status, 201, "freeze moto's task states: {body}");
        moto
    })
}

/// An SDK configuration for `endpoint` in `region` with static test credentials and no SDK retries (moto's
/// occasional 500s should fail fast, not back off).
/// Registers `family:1` in moto: one Fargate container of the same name (nginx), 256 CPU / 512 MiB — the
/// plain task definition most seeded services need.
pub async fn register_fargate(ecs: &aws_sdk_ecs::Client, family: &str) {
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode};
    ecs.register_task_definition()
        .family(family)
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(NetworkMode::Awsvpc)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name(family)
                .image("nginx:1.27")
                .memory(256)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

pub async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

/// A bare HTTP/1.1 request to 127.0.0.1:port; returns the status and body.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

impl Moto {
    /// A subnet and security group of moto's default VPC in `region` (awsvpc tasks need real ones). Two EC2
    /// query calls: the tests seed ECS through the SDK and need no EC2 SDK for this lookup.
    pub fn default_network(&self, region: &str) -> (String, String) {
        (
            self.ec2_first(region, "DescribeSubnets", "subnetId"),
            self.ec2_first(region, "DescribeSecurityGroups", "groupId"),
        )
    }

    /// Every `<tag>` value of an EC2 query call's answer in `region` (moto's default VPC, its subnets...).
    pub fn ec2_all(&self, region: &str, action: &str, tag: &str) -> Vec<String> {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=test/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, body) = http(
            self.port,
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &auth),
            ],
            &format!("Action={action}&Version=2016-11-15"),
        );
        assert_eq!(status, 200, "{action}: {body}");
        let open = format!("<{tag}>");
        body.split(&open)
            .skip(1)
            .filter_map(|rest| rest.split('<').next().map(str::to_owned))
            .collect()
    }

    pub fn ec2_first(&self, region: &str, action: &str, tag: &str) -> String {
        self.ec2_all(region, action, tag)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{action}: no {tag} in moto's answer"))
    }
}

/// A one-trick HTTP server on 127.0.0.1 that answers every request with `status` and a JSON `body`, for
/// driving the real SDK into error responses moto cannot produce (AccessDenied, throttling, expired tokens).
pub fn stub_server(status: u16, body: &'static str) -> String {
    recording_stub_server(status, body).0
}

/// One request a stub server received: its header lines (lower-cased names) and body.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub headers: Vec<String>,
    pub body: String,
}

/// [`stub_server`] that also keeps every request it answered, for checking what the SDK sent.
pub fn recording_stub_server(
    status: u16,
    body: &'static str,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.trim_end().to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push(lower);
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            record.lock().unwrap().push(Recorded {
                headers,
                body: String::from_utf8_lossy(&request).into_owned(),
            });
            let reply = format!(
                "HTTP/1.1 {status} Error\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-requestid: stub\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (format!("http://127.0.0.1:{port}"), seen)
}
