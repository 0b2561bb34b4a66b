//! Live Tail through the real SDK, end to end: a loopback stub answers StartLiveTail with a real event stream
//! (frames encoded by `aws-smithy-eventstream`, as CloudWatch Logs sends them over HTTP/1.1), reached at the
//! endpoint override as given — the SDK's `stream-` host prefix is dropped, as it must be for `--endpoint-url`.

#[path = "support/aws_stub.rs"]
mod aws_stub;

use aws_stub::{LogCapture, Reply, Step, Stub, event, exception, json, sdk_config};
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::{ApiError, LiveTailItem, LiveTailRequest, Logs, Millis, StreamSelector};
use ecsdeck::protocol::{TailStatus, TailUpdate, Transport};
use ecsdeck::workers::clock::now_ms;
use ecsdeck::workers::retry::Backoff;
use ecsdeck::workers::tail::{LogSource, Pacer, TailConfig, TailSpec, Tailer};
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ARN_A: &str = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/a";
const ARN_B: &str = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/b";

fn session_start() -> Step {
    event(
        "sessionStart",
        &serde_json::json!({
            "requestId": "req-1",
            "sessionId": "session-1",
            "logGroupIdentifiers": [ARN_A, ARN_B],
        })
        .to_string(),
    )
}

/// A SessionUpdate with `(group ARN, stream, timestamp, message)` events.
fn session_update(events: &[(&str, &str, Millis, &str)], sampled: Option<bool>) -> Step {
    let results: Vec<_> = events
        .iter()
        .map(|(group, stream, ts, message)| {
            serde_json::json!({
                "logGroupIdentifier": group,
                "logStreamName": stream,
                "timestamp": ts,
                "ingestionTime": ts + 50,
                "message": message,
            })
        })
        .collect();
    let mut body = serde_json::json!({ "sessionResults": results });
    if let Some(sampled) = sampled {
        body["sessionMetadata"] = serde_json::json!({ "sampled": sampled });
    }
    event("sessionUpdate", &body.to_string())
}

fn request() -> LiveTailRequest {
    LiveTailRequest {
        group_arns: vec![ARN_A.into(), ARN_B.into()],
        streams: StreamSelector::All,
        pattern: None,
    }
}

async fn api_for(stub: &Stub) -> SdkApi {
    SdkApi::from_config(&sdk_config(&stub.endpoint).await, None)
}

async fn collect(api: &SdkApi) -> Vec<Result<LiveTailItem, ApiError>> {
    let stream = api
        .start_live_tail(&request())
        .await
        .expect("the session opens");
    tokio::time::timeout(Duration::from_secs(10), stream.collect::<Vec<_>>())
        .await
        .expect("the stream ends")
}

#[tokio::test]
async fn a_session_runs_through_the_sdk_at_the_endpoint_override() {
    let ts = 1_763_700_000_000;
    let stub = Stub::start(move |r| match r.operation().as_str() {
        "StartLiveTail" => Reply::Stream(vec![
            session_start(),
            session_update(
                &[
                    (ARN_A, "ecs/web/1", ts, "from a"),
                    (ARN_B, "ecs/web/1", ts + 1, "from b"),
                ],
                None,
            ),
            session_update(&[(ARN_B, "ecs/web/2", ts + 2, "busy")], Some(true)),
            session_update(&[(ARN_A, "ecs/web/3", ts + 3, "calm")], Some(false)),
            // AWS ends every session after three hours with this exception.
            exception("SessionTimeoutException", "Session timed out"),
        ]),
        _ => json(
            400,
            r#"{"__type":"InvalidOperationException","message":"unexpected"}"#,
        ),
    });
    let api = api_for(&stub).await;
    let items = collect(&api).await;

    let sent = stub.received("StartLiveTail");
    assert_eq!(sent.len(), 1);
    let host = sent[0].header("host").unwrap_or_default();
    assert_eq!(
        format!("http://{host}"),
        stub.endpoint,
        "no stream- prefix on an endpoint override"
    );
    assert_eq!(
        sent[0].json()["logGroupIdentifiers"],
        serde_json::json!([ARN_A, ARN_B])
    );

    let items: Vec<LiveTailItem> = items
        .into_iter()
        .map(|i| i.expect("a session timeout ends the stream, it is not an error"))
        .collect();
    assert_eq!(items.len(), 4, "{items:#?}");
    assert_eq!(
        items[0],
        LiveTailItem::Started {
            session_id: "session-1".into()
        }
    );
    let LiveTailItem::Update { events, sampled } = &items[1] else {
        panic!("an update: {:?}", items[1]);
    };
    assert!(!sampled, "no sessionMetadata: not sampled");
    let got: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.log_group.as_deref(),
                e.log_stream_name.as_str(),
                e.timestamp,
                e.ingestion_time,
                e.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(ARN_A), "ecs/web/1", ts, Some(ts + 50), "from a"),
            (Some(ARN_B), "ecs/web/1", ts + 1, Some(ts + 51), "from b"),
        ],
        "each event keeps its group"
    );
    assert!(
        matches!(&items[2], LiveTailItem::Update { sampled: true, events } if events.len() == 1),
        "{:?}",
        items[2]
    );
    assert!(
        matches!(&items[3], LiveTailItem::Update { sampled: false, events } if events.len() == 1),
        "{:?}",
        items[3]
    );
}

#[tokio::test]
async fn a_mid_stream_error_ends_the_session_with_one_sentence_and_a_log_line() {
    let ts = 1_763_700_000_000;
    let stub = Stub::start(move |_| {
        Reply::Stream(vec![
            session_start(),
            session_update(&[(ARN_A, "ecs/web/1", ts, "before")], None),
            exception(
                "SessionStreamingException",
                "Internal error while streaming the session",
            ),
            // Never read: the session is over.
            session_update(&[(ARN_A, "ecs/web/1", ts + 1, "after")], None),
        ])
    });
    let api = api_for(&stub).await;
    let log = LogCapture::start();
    let items = collect(&api).await;
    assert_eq!(items.len(), 3, "{items:#?}");
    assert!(matches!(items[0], Ok(LiveTailItem::Started { .. })));
    assert!(
        matches!(&items[1], Ok(LiveTailItem::Update { events, .. }) if events[0].message == "before")
    );
    let err = items[2]
        .as_ref()
        .expect_err("the exception ends the session");
    let shown = format!("{err} → {}", err.hint());
    assert!(shown.contains("logs:StartLiveTail"), "{shown}");
    assert!(shown.contains("SessionStreamingException"), "{shown}");
    assert!(
        shown.contains("Internal error while streaming the session"),
        "{shown}"
    );
    for leak in [
        "ServiceError {",
        "Unhandled(",
        "unhandled error",
        "service error",
    ] {
        assert!(!shown.contains(leak), "{leak}: {shown}");
    }
    assert!(
        log.lines_with(&stub.endpoint)
            .iter()
            .any(|l| l.contains(" WARN ") && l.contains("logs:StartLiveTail")),
        "{}",
        log.text()
    );
}

#[tokio::test]
async fn a_dropped_connection_mid_stream_is_an_error_not_an_end() {
    let stub = Stub::start(|_| Reply::Stream(vec![session_start(), Step::Drop]));
    let api = api_for(&stub).await;
    let items = collect(&api).await;
    assert_eq!(items.len(), 2, "{items:#?}");
    let err = items[1]
        .as_ref()
        .expect_err("a cut stream is not a clean end");
    let shown = format!("{err} → {}", err.hint());
    assert!(shown.contains("logs:StartLiveTail"), "{shown}");
    assert!(err.is_transient(), "worth reconnecting: {err:?}");
    for leak in ["ServiceError {", "Unhandled(", "unhandled error", "{ "] {
        assert!(!shown.contains(leak), "{leak}: {shown}");
    }
}

#[tokio::test]
async fn a_garbled_frame_mid_stream_is_an_error_in_one_sentence() {
    let stub = Stub::start(|_| {
        let mut garbage = vec![0, 0, 0, 40, 0, 0, 0, 8, 1, 2, 3, 4];
        garbage.extend_from_slice(b"not an event stream frame at all");
        Reply::Stream(vec![session_start(), Step::Frame(garbage), Step::Hang])
    });
    let api = api_for(&stub).await;
    let items = collect(&api).await;
    assert_eq!(items.len(), 2, "{items:#?}");
    let err = items[1]
        .as_ref()
        .expect_err("a broken frame ends the session");
    let shown = format!("{err} → {}", err.hint());
    assert!(
        shown.contains(&format!(
            "logs:StartLiveTail failed: the event stream from {} was not AWS's framing",
            stub.endpoint
        )),
        "{shown}"
    );
    assert!(err.is_transient(), "worth reconnecting: {err:?}");
}

#[tokio::test]
async fn a_refused_session_is_classified_like_any_call() {
    let stub = Stub::start(|_| {
        json(
            400,
            r#"{"__type":"AccessDeniedException","message":"not authorized to perform: logs:StartLiveTail"}"#,
        )
    });
    let api = api_for(&stub).await;
    let err = match api.start_live_tail(&request()).await {
        Ok(_) => panic!("the stub refuses"),
        Err(e) => e,
    };
    assert!(
        matches!(&err, ApiError::AccessDenied { action, .. } if action == "logs:StartLiveTail"),
        "{err:?}"
    );
}

/// Two groups whose streams share a prefix: events of the second group must move the second group's
/// watermark, so the fill after the session ends starts where that group's events were, and the first
/// group's fill still starts at the beginning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tail_engine_routes_live_events_by_their_group() {
    let now = now_ms();
    let since = now - 600_000;
    let late = now - 5_000;
    let sessions = Arc::new(Mutex::new(0u32));
    let count = sessions.clone();
    let stub = Stub::start(move |r| match r.operation().as_str() {
        "DescribeLogGroups" => {
            let prefix = r.json()["logGroupNamePrefix"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let arn = format!("arn:aws:logs:eu-west-1:123456789012:log-group:{prefix}");
            json(
                200,
                &serde_json::json!({"logGroups": [{
                    "logGroupName": prefix,
                    "arn": format!("{arn}:*"),
                    "logGroupArn": arn,
                }]})
                .to_string(),
            )
        }
        "FilterLogEvents" => json(200, r#"{"events":[]}"#),
        "StartLiveTail" => {
            let mut n = count.lock().unwrap();
            *n += 1;
            if *n == 1 {
                Reply::Stream(vec![
                    session_start(),
                    // Give the engine time to start its first fill before anything else arrives.
                    Step::Pause(Duration::from_millis(300)),
                    session_update(&[(ARN_B, "ecs/web/7", late, "only b writes")], None),
                    Step::Pause(Duration::from_millis(300)),
                    exception("SessionTimeoutException", "Session timed out"),
                ])
            } else {
                Reply::Stream(vec![session_start(), Step::Hang])
            }
        }
        _ => json(
            400,
            r#"{"__type":"InvalidOperationException","message":"unexpected"}"#,
        ),
    });
    let api = Arc::new(api_for(&stub).await);
    let seen: Arc<Mutex<(Vec<String>, Vec<TailStatus>)>> = Arc::default();
    let sink = seen.clone();
    let _tailer = Tailer::spawn(
        api,
        Arc::new(Pacer::new(100.0)),
        TailConfig {
            poll_interval: Duration::from_millis(200),
            lag: Duration::from_secs(30),
            backoff: Backoff {
                base: Duration::from_millis(20),
                cap: Duration::from_millis(200),
                max_attempts: u32::MAX,
            },
            live_retry: Duration::from_secs(2),
            ..TailConfig::default()
        },
        Box::new(move |_, update| {
            let mut s = sink.lock().unwrap();
            match update {
                TailUpdate::Lines(lines) => s.0.extend(lines.into_iter().map(|l| l.message)),
                TailUpdate::Status(st) => s.1.push(st),
                _ => {}
            }
        }),
    );
    let prefix = StreamSelector::Prefixes(vec!["ecs/web".into()]);
    _tailer.tail_spec(
        Some(TailSpec {
            sources: vec![
                LogSource {
                    group: "/ecs/a".into(),
                    streams: prefix.clone(),
                },
                LogSource {
                    group: "/ecs/b".into(),
                    streams: prefix,
                },
            ],
            since,
            pattern: None,
            service: None,
        }),
        1,
    );

    // Wait for the second session's fill: two FilterLogEvents per fill, one per group.
    let deadline = Instant::now() + Duration::from_secs(15);
    let fills = loop {
        let fills = stub.received("FilterLogEvents");
        if *sessions.lock().unwrap() >= 2 && fills.len() >= 4 {
            break fills;
        }
        assert!(
            Instant::now() < deadline,
            "no refill after the session ended: {} sessions, {} FilterLogEvents",
            sessions.lock().unwrap(),
            fills.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let start_of = |group: &str| -> Vec<i64> {
        fills
            .iter()
            .filter(|r| r.json()["logGroupName"] == group)
            .map(|r| r.json()["startTime"].as_i64().unwrap_or_default())
            .collect()
    };
    assert_eq!(
        start_of("/ecs/a"),
        vec![since, since],
        "group a wrote nothing"
    );
    assert_eq!(
        start_of("/ecs/b"),
        vec![since, late - 30_000],
        "group b's refill starts at its own watermark minus the lag"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.0, vec!["only b writes".to_owned()]);
    assert!(
        seen.1.iter().any(|s| s.transport == Transport::LiveTail),
        "the engine ran on Live Tail through the SDK"
    );
}
