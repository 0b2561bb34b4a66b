//! Live Tail through `--endpoint-url`: against moto server, StartLiveTail reaches the emulator (the SDK's
//! `stream-` host prefix is dropped for an endpoint override) and its answer is decoded, each event keeping
//! its log group. moto answers with one snapshot of stored events and closes, so streaming itself is tested
//! against the event-stream stub (tests/livetail_stub.rs). One group only: moto 5.2.5 resolves every
//! `logGroupIdentifiers` ARN to the region's last-created group (its lookup loop never breaks).

mod support;

use aws_sdk_cloudwatchlogs as logs;
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::{LiveTailItem, LiveTailRequest, Logs, StreamSelector};
use futures::StreamExt;
use std::time::Duration;
use support::moto::{moto, sdk_config};

#[tokio::test]
async fn live_tail_reaches_an_emulator_through_the_endpoint_override() {
    let conf = sdk_config(&moto().endpoint, "sa-east-1").await;
    let client = logs::Client::new(&conf);
    let api = SdkApi::from_config(&conf, None);
    let group = "/ecs/live";
    {
        client
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .unwrap();
        client
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name("ecs/web/1")
            .send()
            .await
            .unwrap();
        client
            .put_log_events()
            .log_group_name(group)
            .log_stream_name("ecs/web/1")
            .log_events(
                logs::types::InputLogEvent::builder()
                    .timestamp(ecsdeck::workers::clock::now_ms())
                    .message(format!("hello from {group}"))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let page = api.describe_log_groups(Some(group), None).await.unwrap();
    let arn = page.groups[0].log_group_arn.clone().expect("an ARN");

    let stream = api
        .start_live_tail(&LiveTailRequest {
            group_arns: vec![arn.clone()],
            streams: StreamSelector::All,
            pattern: None,
        })
        .await
        .expect("Live Tail connects through the endpoint override");
    let items = tokio::time::timeout(Duration::from_secs(10), stream.collect::<Vec<_>>())
        .await
        .expect("moto closes the session");
    let items: Vec<LiveTailItem> = items.into_iter().map(|i| i.unwrap()).collect();
    assert!(
        matches!(items.first(), Some(LiveTailItem::Started { .. })),
        "{items:?}"
    );
    let events: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            LiveTailItem::Update { events, .. } => Some(events.clone()),
            LiveTailItem::Started { .. } => None,
        })
        .flatten()
        .map(|e| (e.log_group, e.message))
        .collect();
    assert_eq!(events, vec![(Some(arn), "hello from /ecs/live".to_owned())]);
}
