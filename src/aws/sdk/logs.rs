//! CloudWatch Logs over the SDK: the [`Logs`] calls of [`SdkApi`].

use super::log_failure;
use super::{SdkApi, opt, owned};
use crate::aws::error::Failure;
use crate::aws::*;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cloudwatchlogs as logs;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::endpoint::EndpointPrefix;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The Logs client. StartLiveTail puts `stream-` before the endpoint's host name (`stream-logs.<region>...`);
/// with an endpoint override (an emulator, a VPC endpoint, a test stub) that name does not exist, so the
/// override is called exactly as given and Live Tail works through `--endpoint-url` too.
pub(super) fn client_config(config: &SdkConfig) -> logs::Config {
    let builder = logs::config::Builder::from(config);
    if config.endpoint_url().is_some() {
        builder.interceptor(NoHostPrefix).build()
    } else {
        builder.build()
    }
}

#[derive(Debug)]
struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    // The operation stores its prefix before execution and the endpoint is applied within each attempt:
    // unsetting it here, in between, leaves the override untouched.
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().unset::<EndpointPrefix>();
        Ok(())
    }
}

/// A Live Tail event, keeping its log group: two groups can have streams of the same name.
fn live_event(e: &logs::types::LiveTailSessionLogEvent) -> LogEvent {
    LogEvent {
        event_id: None,
        log_group: opt(e.log_group_identifier()),
        log_stream_name: owned(e.log_stream_name()),
        timestamp: e.timestamp().unwrap_or_default(),
        ingestion_time: e.ingestion_time(),
        message: owned(e.message()),
    }
}

#[async_trait]
impl Logs for SdkApi {
    async fn describe_log_groups(
        &self,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogGroupPage, ApiError> {
        let out = self
            .logs
            .describe_log_groups()
            .set_log_group_name_prefix(prefix.map(str::to_owned))
            .set_next_token(next_token)
            .limit(50)
            .send()
            .await
            .map_err(|e| self.map_err("logs:DescribeLogGroups", e))?;
        Ok(LogGroupPage {
            groups: out
                .log_groups()
                .iter()
                .map(|g| LogGroup {
                    log_group_name: owned(g.log_group_name()),
                    // Older responses only have `arn`, which ends in `:*`; Live Tail wants it without.
                    log_group_arn: g
                        .log_group_arn()
                        .map(str::to_owned)
                        .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_owned())),
                    creation_time: g.creation_time(),
                    retention_in_days: g.retention_in_days(),
                    stored_bytes: g.stored_bytes(),
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_log_streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogStreamPage, ApiError> {
        // AWS refuses ordering by LastEventTime together with a name prefix.
        let mut call = self
            .logs
            .describe_log_streams()
            .log_group_name(group)
            .set_next_token(next_token);
        call = match prefix {
            Some(p) => call.log_stream_name_prefix(p),
            None => call
                .order_by(logs::types::OrderBy::LastEventTime)
                .descending(true),
        };
        let out = call
            .send()
            .await
            .map_err(|e| self.map_err("logs:DescribeLogStreams", e))?;
        Ok(LogStreamPage {
            streams: out
                .log_streams()
                .iter()
                .map(|s| LogStream {
                    log_stream_name: owned(s.log_stream_name()),
                    first_event_timestamp: s.first_event_timestamp(),
                    last_event_timestamp: s.last_event_timestamp(),
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }

    async fn filter_log_events(&self, req: &FilterRequest) -> Result<FilterPage, ApiError> {
        let out = self
            .logs
            .filter_log_events()
            .log_group_name(&req.group)
            .set_log_stream_names((!req.stream_names.is_empty()).then(|| req.stream_names.clone()))
            .set_log_stream_name_prefix(req.stream_prefix.clone())
            .start_time(req.start)
            .set_end_time(req.end)
            .set_filter_pattern(req.pattern.clone())
            .set_next_token(req.next_token.clone())
            .send()
            .await
            .map_err(|e| self.map_err("logs:FilterLogEvents", e))?;
        Ok(FilterPage {
            events: out
                .events()
                .iter()
                .map(|e| LogEvent {
                    event_id: opt(e.event_id()),
                    log_group: None,
                    log_stream_name: owned(e.log_stream_name()),
                    timestamp: e.timestamp().unwrap_or_default(),
                    ingestion_time: e.ingestion_time(),
                    message: owned(e.message()),
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }

    async fn get_log_events(
        &self,
        group: &str,
        stream: &str,
        start: Option<Millis>,
        next_token: Option<String>,
    ) -> Result<StreamPage, ApiError> {
        let out = self
            .logs
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_start_time(start)
            .start_from_head(true)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("logs:GetLogEvents", e))?;
        Ok(StreamPage {
            events: out
                .events()
                .iter()
                .map(|e| LogEvent {
                    event_id: None,
                    log_group: None,
                    log_stream_name: stream.to_owned(),
                    timestamp: e.timestamp().unwrap_or_default(),
                    ingestion_time: e.ingestion_time(),
                    message: owned(e.message()),
                })
                .collect(),
            next_forward_token: opt(out.next_forward_token()),
        })
    }

    async fn start_live_tail(&self, req: &LiveTailRequest) -> Result<LiveTail, ApiError> {
        let (prefixes, names) = match &req.streams {
            StreamSelector::All => (None, None),
            StreamSelector::Prefixes(p) => (Some(p.clone()), None),
            StreamSelector::Names(n) => (None, Some(n.clone())),
        };
        let out = self
            .logs
            .start_live_tail()
            .set_log_group_identifiers(Some(req.group_arns.clone()))
            .set_log_stream_name_prefixes(prefixes)
            .set_log_stream_names(names)
            .set_log_event_filter_pattern(req.pattern.clone())
            .send()
            .await
            .map_err(|e| self.map_err("logs:StartLiveTail", e))?;
        let failure = Failure {
            action: "logs:StartLiveTail".into(),
            endpoint: self.endpoint_of("logs:StartLiveTail").to_owned(),
            profile: self.profile.clone(),
            ..Failure::default()
        };
        let stream = futures::stream::unfold(Some(out.response_stream), move |receiver| {
            let failure = failure.clone();
            async move {
                let mut receiver = receiver?;
                loop {
                    return match receiver.recv().await {
                        Ok(Some(logs::types::StartLiveTailResponseStream::SessionStart(s))) => {
                            Some((
                                Ok(LiveTailItem::Started {
                                    session_id: owned(s.session_id()),
                                }),
                                Some(receiver),
                            ))
                        }
                        Ok(Some(logs::types::StartLiveTailResponseStream::SessionUpdate(u))) => {
                            let events = u.session_results().iter().map(live_event).collect();
                            let sampled = u.session_metadata().is_some_and(|m| m.sampled());
                            Some((Ok(LiveTailItem::Update { events, sampled }), Some(receiver)))
                        }
                        Ok(Some(_)) => continue,
                        Ok(None) => None,
                        Err(SdkError::ServiceError(e))
                            if e.err().is_session_timeout_exception() =>
                        {
                            // AWS ends every session after three hours this way: the stream is over,
                            // not broken, and the engine reconnects.
                            let reason = DisplayErrorContext(e.err()).to_string();
                            tracing::info!(error = %reason, "Live Tail session timed out");
                            None
                        }
                        Err(e) => {
                            // A modeled exception's name travels in a frame header, not its payload.
                            let modeled = match &e {
                                SdkError::ServiceError(s)
                                    if s.err().is_session_streaming_exception() =>
                                {
                                    Some("SessionStreamingException".to_owned())
                                }
                                _ => None,
                            };
                            let failure = Failure {
                                code: e.code().map(str::to_owned).or(modeled),
                                message: e.message().map(str::to_owned),
                                detail: DisplayErrorContext(&e).to_string(),
                                ..failure
                            };
                            // A stream error ends the session: report it, then stop.
                            Some((Err(log_failure(&failure)), None))
                        }
                    };
                }
            }
        });
        Ok(Box::pin(stream))
    }
}
