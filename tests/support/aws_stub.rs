//! A loopback HTTP/1.1 server that answers the real SDK with whatever a test scripts: AWS errors in each wire
//! protocol, HTML pages from a "proxy", garbage, dropped connections, and Live Tail event streams framed with
//! `aws-smithy-eventstream` exactly as CloudWatch Logs frames them. Every request is recorded.
#![allow(dead_code)]

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the stub received.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The operation, whatever the protocol: `X-Amz-Target` (JSON), the path (rpc-v2-cbor) or `Action=`
    /// (query).
    pub fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        if let Some(op) = self.path.split("/operation/").nth(1) {
            return op.to_owned();
        }
        let body = String::from_utf8_lossy(&self.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What the stub does with a request.
pub enum Reply {
    /// A complete HTTP answer.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// HTTP 200 with an event stream body, written chunk by chunk as the steps say.
    Stream(Vec<Step>),
    /// Read the request, then close the connection without a byte.
    Close,
    /// Bytes that are not HTTP at all.
    Raw(Vec<u8>),
    /// Never answer (for timeouts).
    Silence,
}

pub enum Step {
    Frame(Vec<u8>),
    Pause(Duration),
    /// Keep the stream open without sending anything more (until the test ends).
    Hang,
    /// Drop the connection in the middle of the stream, without the closing chunk.
    Drop,
}

pub type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Stub {
    pub endpoint: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Stub {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let record = requests.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let record = record.clone();
                std::thread::spawn(move || serve(stream, handler.as_ref(), &record));
            }
        });
        Stub {
            endpoint: format!("http://127.0.0.1:{port}"),
            requests,
        }
    }

    /// The requests received so far for `operation`.
    pub fn received(&self, operation: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.operation() == operation)
            .cloned()
            .collect()
    }
}

fn serve(stream: TcpStream, handler: &Handler, record: &Mutex<Vec<Request>>) {
    let mut writer = stream.try_clone().expect("clone the socket");
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let mut request = Request {
        method: parts.next().unwrap_or_default().to_owned(),
        path: parts.next().unwrap_or_default().to_owned(),
        ..Request::default()
    };
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim().to_owned();
            if name == "content-length" {
                length = value.parse().unwrap_or(0);
            }
            request.headers.push((name, value));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    request.body = body;
    let reply = handler(&request);
    record.lock().unwrap().push(request);
    match reply {
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Stub\r\nContent-Length: {}\r\nConnection: close\r\nx-amzn-requestid: stub-request\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = writer.write_all(head.as_bytes());
            let _ = writer.write_all(&body);
        }
        Reply::Stream(steps) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nx-amzn-requestid: stub-stream\r\n\r\n";
            if writer.write_all(head.as_bytes()).is_err() {
                return;
            }
            for step in steps {
                match step {
                    Step::Frame(bytes) => {
                        let chunk = [
                            format!("{:x}\r\n", bytes.len()).into_bytes(),
                            bytes,
                            b"\r\n".to_vec(),
                        ]
                        .concat();
                        if writer
                            .write_all(&chunk)
                            .and_then(|_| writer.flush())
                            .is_err()
                        {
                            return;
                        }
                    }
                    Step::Pause(d) => std::thread::sleep(d),
                    Step::Hang => loop {
                        std::thread::sleep(Duration::from_secs(60));
                    },
                    Step::Drop => {
                        let _ = writer.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                }
            }
            let _ = writer.write_all(b"0\r\n\r\n");
        }
        Reply::Close => {
            let _ = writer.shutdown(std::net::Shutdown::Both);
        }
        Reply::Raw(bytes) => {
            let _ = writer.write_all(&bytes);
            let _ = writer.shutdown(std::net::Shutdown::Both);
        }
        Reply::Silence => loop {
            std::thread::sleep(Duration::from_secs(60));
        },
    }
}

/// A JSON answer (awsJson1_1: ECS, CloudWatch Logs).
pub fn json(status: u16, body: &str) -> Reply {
    Reply::Http {
        status,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn frame(headers: Vec<(&'static str, &'static str)>, payload: &str) -> Vec<u8> {
    let mut message = Message::new(payload.as_bytes().to_vec());
    for (name, value) in headers {
        message = message.add_header(Header::new(name, HeaderValue::String(value.into())));
    }
    let mut out = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&message, &mut out).expect("encode a frame");
    out
}

/// A Live Tail event frame (`sessionStart`, `sessionUpdate`) with a JSON payload.
pub fn event(event_type: &'static str, payload: &str) -> Step {
    Step::Frame(frame(
        vec![
            (":message-type", "event"),
            (":event-type", event_type),
            (":content-type", "application/json"),
        ],
        payload,
    ))
}

/// A modeled exception frame (`SessionTimeoutException`, `SessionStreamingException`).
pub fn exception(exception_type: &'static str, message: &str) -> Step {
    Step::Frame(frame(
        vec![
            (":message-type", "exception"),
            (":exception-type", exception_type),
            (":content-type", "application/json"),
        ],
        &serde_json::json!({ "message": message }).to_string(),
    ))
}

/// An SDK configuration for the stub: static credentials, no SDK retries, short timeouts.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(2))
                .build(),
        )
        .load()
        .await
}

/// Everything written through `tracing` by this test binary, as the log file would hold it. One global
/// subscriber: tests run on several threads, and a thread-local one misses events whose call sites another
/// thread registered first. Tests pick their own lines out by something unique, such as their stub's port.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn start() -> LogCapture {
        static CAPTURE: std::sync::OnceLock<LogCapture> = std::sync::OnceLock::new();
        CAPTURE
            .get_or_init(|| {
                let capture = LogCapture::default();
                let writer = capture.clone();
                let subscriber = tracing_subscriber::fmt()
                    .with_ansi(false)
                    .with_max_level(tracing::Level::INFO)
                    .with_writer(move || writer.clone())
                    .finish();
                tracing::subscriber::set_global_default(subscriber)
                    .expect("the only global subscriber of this test binary");
                capture
            })
            .clone()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The captured lines that mention `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(needle))
            .map(str::to_owned)
            .collect()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
