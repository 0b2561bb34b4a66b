//! What a failed AWS call shows: one sentence naming the call, what came back and what to do — never the
//! SDK's debug text — with everything else in the log file at warn level. The real SDK talks to a loopback
//! stub that answers like AWS (or like a broken proxy) in each wire protocol ecsdeck uses: awsJson1_1 (ECS,
//! CloudWatch Logs), rpc-v2-cbor (CloudWatch) and query (ELBv2).

#[path = "support/aws_stub.rs"]
mod aws_stub;

use aws_stub::{LogCapture, Reply, Stub, sdk_config};
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::{ApiError, CloudWatch, Ecs, Elbv2, Logs};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Protocol {
    /// ECS and CloudWatch Logs.
    Json,
    /// CloudWatch metrics and alarms.
    Cbor,
    /// ELBv2.
    Query,
}

#[derive(Clone, Copy, Debug)]
enum Case {
    Html500,
    Denied403,
    Throttled400,
    Expired400,
    Garbage,
    NotHttp,
    Closed,
}

const CASES: [Case; 7] = [
    Case::Html500,
    Case::Denied403,
    Case::Throttled400,
    Case::Expired400,
    Case::Garbage,
    Case::NotHttp,
    Case::Closed,
];

const HTML: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>upstream connect error</p></body></html>";

fn cbor(map: &[(&str, &str)]) -> Vec<u8> {
    let value = ciborium::Value::Map(
        map.iter()
            .map(|(k, v)| {
                (
                    ciborium::Value::Text((*k).into()),
                    ciborium::Value::Text((*v).into()),
                )
            })
            .collect(),
    );
    let mut out = Vec::new();
    ciborium::into_writer(&value, &mut out).unwrap();
    out
}

/// An AWS error in `protocol`'s own format.
fn aws_error(protocol: Protocol, status: u16, code: &str, message: &str) -> Reply {
    match protocol {
        Protocol::Json => aws_stub::json(
            status,
            &serde_json::json!({ "__type": code, "message": message }).to_string(),
        ),
        Protocol::Cbor => Reply::Http {
            status,
            headers: vec![
                ("Content-Type".into(), "application/cbor".into()),
                ("smithy-protocol".into(), "rpc-v2-cbor".into()),
            ],
            body: cbor(&[("__type", code), ("message", message)]),
        },
        Protocol::Query => Reply::Http {
            status,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: format!(
                "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>stub-request</RequestId></ErrorResponse>"
            )
            .into_bytes(),
        },
    }
}

fn reply(protocol: Protocol, case: Case) -> Reply {
    // The codes each protocol's service really sends.
    let (denied, throttled, expired) = match protocol {
        Protocol::Json => (
            "AccessDeniedException",
            "ThrottlingException",
            "ExpiredTokenException",
        ),
        Protocol::Cbor | Protocol::Query => ("AccessDenied", "Throttling", "ExpiredToken"),
    };
    match case {
        Case::Html500 => Reply::Http {
            status: 500,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: HTML.as_bytes().to_vec(),
        },
        Case::Denied403 => aws_error(
            protocol,
            403,
            denied,
            "User: arn:aws:sts::123456789012:assumed-role/readonly/me is not authorized to perform this action",
        ),
        Case::Throttled400 => aws_error(protocol, 400, throttled, "Rate exceeded"),
        Case::Expired400 => aws_error(
            protocol,
            400,
            expired,
            "The security token included in the request is expired",
        ),
        Case::Garbage => Reply::Http {
            status: 200,
            headers: vec![(
                "Content-Type".into(),
                match protocol {
                    Protocol::Json => "application/x-amz-json-1.1".into(),
                    Protocol::Cbor => "application/cbor".into(),
                    Protocol::Query => "text/xml".into(),
                },
            )],
            body: b"\x00\x9f{{<<garbage \xff\xfe not a response".to_vec(),
        },
        Case::NotHttp => Reply::Raw(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02".to_vec()),
        Case::Closed => Reply::Close,
    }
}

/// Calls one operation of `protocol`'s service and returns the error and its IAM action name.
async fn call(protocol: Protocol, api: &SdkApi) -> (ApiError, &'static str) {
    match protocol {
        Protocol::Json => (
            api.list_clusters(None).await.expect_err("the stub fails"),
            "ecs:ListClusters",
        ),
        Protocol::Cbor => (
            api.describe_alarms(None, None)
                .await
                .expect_err("the stub fails"),
            "cloudwatch:DescribeAlarms",
        ),
        Protocol::Query => (
            api.describe_target_groups(&[
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1".into(),
            ])
            .await
            .expect_err("the stub fails"),
            "elasticloadbalancing:DescribeTargetGroups",
        ),
    }
}

/// The line a view shows for an error (`{error} → {hint}`, as the views compose it).
fn shown(e: &ApiError) -> String {
    format!("{e} → {}", e.hint())
}

/// Debug text of SDK types that must never reach the screen.
fn assert_no_debug_text(text: &str) {
    for leak in [
        "ServiceError {",
        "Unhandled(",
        "unhandled error",
        "service error",
        "DispatchFailure",
        "ConnectorError",
        "ResponseError",
        "source:",
        "0x3c",
        "{ ",
    ] {
        assert!(
            !text.contains(leak),
            "debug text {leak:?} on screen: {text}"
        );
    }
}

async fn check(protocol: Protocol, case: Case) {
    let stub = Stub::start(move |_| reply(protocol, case));
    let config = sdk_config(&stub.endpoint).await;
    let api = SdkApi::from_config(&config, Some("oncall".into()));
    let log = LogCapture::start();
    let (err, action) = call(protocol, &api).await;
    let text = shown(&err);
    let context = format!("{protocol:?} {case:?}: {err:?}\n{text}");
    // Expired credentials are not about one call: every call fails the same way, and what to do is the same.
    if !matches!(case, Case::Expired400) {
        assert!(text.contains(action), "the call is named: {context}");
    }
    assert_no_debug_text(&text);
    assert!(
        !text.contains('\n'),
        "one line on screen, the rest in the log: {context}"
    );
    match case {
        Case::Html500 => {
            assert!(
                text.contains(&format!(
                    "{} answered HTTP 500 with an HTML page, not an AWS response",
                    stub.endpoint
                )),
                "{context}"
            );
            assert!(err.is_transient(), "a 5xx may pass: {context}");
            assert!(text.contains("--endpoint-url"), "{context}");
        }
        Case::Denied403 => {
            assert!(
                matches!(&err, ApiError::AccessDenied { action: a, .. } if a == action),
                "{context}"
            );
            assert!(text.contains(&format!("{action} denied")), "{context}");
        }
        Case::Throttled400 => {
            assert!(matches!(err, ApiError::Throttled { .. }), "{context}");
            assert!(text.contains("throttled"), "{context}");
            assert!(err.is_transient(), "{context}");
        }
        Case::Expired400 => {
            assert!(
                matches!(err, ApiError::ExpiredCredentials { .. }),
                "{context}"
            );
            assert!(text.contains("aws sso login --profile oncall"), "{context}");
        }
        Case::Garbage => {
            assert!(matches!(err, ApiError::BadAnswer { .. }), "{context}");
            assert!(
                text.contains(&format!(
                    "{} answered HTTP 200 with a body it could not read, not an AWS response",
                    stub.endpoint
                )),
                "{context}"
            );
        }
        Case::NotHttp => {
            assert!(matches!(err, ApiError::BadAnswer { .. }), "{context}");
            assert!(
                text.contains(&format!(
                    "{} answered with something that is not HTTP",
                    stub.endpoint
                )),
                "{context}"
            );
        }
        Case::Closed => {
            assert!(matches!(err, ApiError::BadAnswer { .. }), "{context}");
            assert!(
                text.contains(&format!(
                    "{} closed the connection before answering",
                    stub.endpoint
                )),
                "{context}"
            );
            assert!(err.is_transient(), "{context}");
        }
    }
    // The log file holds the whole story at warn level: the call, the endpoint, the status and the body.
    let lines = log.lines_with(&stub.endpoint);
    let line = lines
        .iter()
        .find(|l| l.contains("AWS call failed"))
        .unwrap_or_else(|| panic!("nothing logged for {context}\n{}", log.text()));
    assert!(line.contains(" WARN "), "logged at warn: {line}");
    assert!(line.contains(action), "{line}");
    assert!(line.contains(&stub.endpoint), "{line}");
    if let Case::Html500 = case {
        assert!(line.contains("status=Some(500)"), "{line}");
        assert!(line.contains("upstream connect error"), "the body: {line}");
    }
}

#[tokio::test]
async fn ecs_failures_are_one_sentence_and_logged() {
    for case in CASES {
        check(Protocol::Json, case).await;
    }
}

#[tokio::test]
async fn cloudwatch_failures_are_one_sentence_and_logged() {
    for case in CASES {
        check(Protocol::Cbor, case).await;
    }
}

#[tokio::test]
async fn cloudwatch_logs_failures_are_one_sentence_and_logged() {
    for case in CASES {
        let stub = Stub::start(move |_| reply(Protocol::Json, case));
        let api = SdkApi::from_config(&sdk_config(&stub.endpoint).await, Some("oncall".into()));
        let log = LogCapture::start();
        let err = api
            .describe_log_groups(Some("/ecs/"), None)
            .await
            .expect_err("the stub fails");
        let text = shown(&err);
        if !matches!(case, Case::Expired400) {
            assert!(text.contains("logs:DescribeLogGroups"), "{case:?}: {text}");
        }
        assert_no_debug_text(&text);
        assert!(
            log.lines_with(&stub.endpoint)
                .iter()
                .any(|l| l.contains(" WARN ") && l.contains("logs:DescribeLogGroups")),
            "{case:?}: {}",
            log.text()
        );
        if let Case::Html500 = case {
            assert!(text.contains("HTTP 500 with an HTML page"), "{text}");
        }
    }
}

#[tokio::test]
async fn elbv2_failures_are_one_sentence_and_logged() {
    for case in CASES {
        check(Protocol::Query, case).await;
    }
}

#[tokio::test]
async fn a_refused_connection_says_so_with_the_endpoint() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let api = SdkApi::from_config(&sdk_config(&endpoint).await, None);
    let log = LogCapture::start();
    let err = api.list_clusters(None).await.unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(
        text.contains(&format!("{endpoint} refused the connection")),
        "{text}"
    );
    assert!(text.contains("ecs:ListClusters"), "{text}");
    assert_no_debug_text(&text);
    assert!(
        log.lines_with(&endpoint)
            .iter()
            .any(|l| l.contains(" WARN ") && l.contains("ecs:ListClusters")),
        "{}",
        log.text()
    );
}

#[tokio::test]
async fn a_silent_endpoint_times_out_with_the_endpoint_named() {
    let stub = Stub::start(|_| Reply::Silence);
    let api = SdkApi::from_config(&sdk_config(&stub.endpoint).await, None);
    let err = api.list_clusters(None).await.unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(
        text.contains(&format!("{} did not answer in time", stub.endpoint)),
        "{text}"
    );
    assert_no_debug_text(&text);
}
