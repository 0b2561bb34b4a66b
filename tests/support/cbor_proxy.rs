//! A translating proxy for aws-sdk-cloudwatch (rpc-v2-cbor) in front of moto (which speaks CloudWatch only
//! as JSON 1.0 and query): CBOR request -> JSON 1.0 with `X-Amz-Target: GraniteServiceVersion20100801.<Op>`
//! -> moto -> JSON response -> CBOR, with the `smithy-protocol: rpc-v2-cbor` header the SDK requires.
//! Timestamps are epoch seconds on both sides (CBOR tag 1). See ../shared/AWS-EMULATOR.md.

use ciborium::value::Value as Cbor;
use serde_json::Value as Json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

const PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";
/// Response members that are timestamps (sent as CBOR tag 1).
const TIMESTAMPS: &[&str] = &[
    "Timestamps",
    "Timestamp",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "AlarmConfigurationUpdatedTimestamp",
];
/// Response members that are doubles (sent as CBOR floats even when whole).
const DOUBLES: &[&str] = &[
    "Values",
    "Threshold",
    "Value",
    "Average",
    "Sum",
    "Minimum",
    "Maximum",
];

pub struct Proxy {
    pub endpoint: String,
    /// GetMetricData calls seen, by anyone using this proxy.
    pub get_metric_data: Arc<AtomicU64>,
}

/// One proxy per test binary, in front of the shared moto server.
pub fn proxy(moto_port: u16) -> &'static Proxy {
    static PROXY: OnceLock<Proxy> = OnceLock::new();
    PROXY.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the CBOR proxy");
        let port = listener.local_addr().unwrap().port();
        let counter = Arc::new(AtomicU64::new(0));
        let seen = counter.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, moto_port, &seen));
            }
        });
        Proxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            get_metric_data: counter,
        }
    })
}

/// Serves one keep-alive connection until the client closes it.
fn serve(stream: TcpStream, moto_port: u16, seen: &AtomicU64) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_owned();
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.trim_end().split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert!(
            header("transfer-encoding").is_none() && header("content-encoding").is_none(),
            "the CBOR proxy handles plain Content-Length bodies only (disable request compression): {headers:?}"
        );
        let length: usize = header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("read the request body");

        let operation = path
            .strip_prefix(PREFIX)
            .unwrap_or_else(|| panic!("the CBOR proxy got an unexpected path {path}"))
            .to_owned();
        if operation == "GetMetricData" {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        let request: Json = if body.is_empty() {
            Json::Object(Default::default())
        } else {
            let cbor: Cbor = ciborium::from_reader(&body[..]).expect("a CBOR request body");
            to_json(&cbor)
        };
        let mut forward: Vec<(&str, String)> = vec![
            ("Content-Type", "application/x-amz-json-1.0".into()),
            (
                "X-Amz-Target",
                format!("GraniteServiceVersion20100801.{operation}"),
            ),
        ];
        // moto takes the region (and the account) from the signature's scope.
        for name in ["authorization", "x-amz-date", "x-amz-security-token"] {
            if let Some(v) = header(name) {
                forward.push((
                    match name {
                        "authorization" => "Authorization",
                        "x-amz-date" => "X-Amz-Date",
                        _ => "X-Amz-Security-Token",
                    },
                    v,
                ));
            }
        }
        let forward_refs: Vec<(&str, &str)> =
            forward.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, reply) =
            super::moto::http(moto_port, "POST", "/", &forward_refs, &request.to_string());
        let json: Json = if reply.trim().is_empty() {
            Json::Object(Default::default())
        } else {
            serde_json::from_str(&reply).unwrap_or_else(|e| {
                panic!("moto answered {operation} with non-JSON ({e}): {reply}")
            })
        };
        let mut encoded = Vec::new();
        ciborium::into_writer(&to_cbor(&json, None), &mut encoded).unwrap();
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/cbor\r\nsmithy-protocol: rpc-v2-cbor\r\nx-amzn-requestid: cbor-proxy\r\nContent-Length: {}\r\n\r\n",
            encoded.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(&encoded).is_err() {
            return;
        }
    }
}

fn to_json(v: &Cbor) -> Json {
    match v {
        Cbor::Integer(i) => Json::from(i128::from(*i) as i64),
        Cbor::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Cbor::Text(s) => Json::String(s.clone()),
        Cbor::Bool(b) => Json::Bool(*b),
        Cbor::Null => Json::Null,
        Cbor::Tag(1, inner) => to_json(inner),
        Cbor::Tag(_, inner) => to_json(inner),
        Cbor::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Cbor::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Cbor::Text(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Cbor::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        _ => Json::Null,
    }
}

/// Epoch seconds from a JSON timestamp: a number, or an ISO 8601 string.
fn seconds(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => {
            let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .or_else(|_| {
                    time::PrimitiveDateTime::parse(
                        s,
                        &time::format_description::well_known::Iso8601::DEFAULT,
                    )
                    .map(|p| p.assume_utc())
                })
                .ok()?;
            Some(t.unix_timestamp_nanos() as f64 / 1e9)
        }
        _ => None,
    }
}

fn to_cbor(v: &Json, key: Option<&str>) -> Cbor {
    let is_time = key.is_some_and(|k| TIMESTAMPS.contains(&k));
    let is_double = key.is_some_and(|k| DOUBLES.contains(&k));
    match v {
        Json::Array(items) => Cbor::Array(items.iter().map(|i| to_cbor(i, key)).collect()),
        Json::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), to_cbor(v, Some(k))))
                .collect(),
        ),
        v if is_time => match seconds(v) {
            Some(s) => Cbor::Tag(1, Box::new(Cbor::Float(s))),
            None => Cbor::Null,
        },
        Json::Number(n) if is_double => Cbor::Float(n.as_f64().unwrap_or(0.0)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Cbor::Integer(i.into()),
            None => Cbor::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Cbor::Text(s.clone()),
        Json::Bool(b) => Cbor::Bool(*b),
        Json::Null => Cbor::Null,
    }
}
