//! `SdkApi`: the production [`Api`](super::Api) over the official AWS SDK. This module holds the connection,
//! the clients and what every service shares (error mapping, small converters); each service's trait is
//! implemented in its own file beside it (`ecs.rs`, `logs.rs`, `cloudwatch.rs`, `elbv2.rs`,
//! `autoscaling.rs`). This directory is the only code that imports `aws_sdk_*`.

mod autoscaling;
mod cloudwatch;
mod codedeploy;
mod ecs;
mod elbv2;
mod logs;

use super::Millis;
use super::error::{Answer, ApiError, Failure, classify};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::time::Duration;

/// Where to connect and as whom; everything optional falls back to the standard AWS chain.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

pub struct SdkApi {
    ecs: aws_sdk_ecs::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    cw: aws_sdk_cloudwatch::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    aas: aws_sdk_applicationautoscaling::Client,
    cd: aws_sdk_codedeploy::Client,
    profile: Option<String>,
    endpoints: Endpoints,
}

impl SdkApi {
    /// Builds the clients from the normal credential chain (env, profiles, SSO, assume-role, container and
    /// instance roles). `AWS_ENDPOINT_URL` is honoured by aws-config itself; `endpoint_url` overrides it.
    pub async fn connect(conn: &Connection) -> SdkApi {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &conn.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &conn.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &conn.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        // Retries of throttling and network errors happen above the trait, where they are visible.
        loader = loader
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1))
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        let config = loader.load().await;
        let profile = conn
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok());
        SdkApi::from_config(&config, profile)
    }

    pub fn from_config(config: &SdkConfig, profile: Option<String>) -> SdkApi {
        Self::from_configs(config, config, profile)
    }

    /// CloudWatch (metrics, alarms) from its own configuration: another endpoint, for one (the tests put a
    /// CBOR-to-JSON proxy in front of moto for it).
    pub fn from_configs(
        config: &SdkConfig,
        cloudwatch: &SdkConfig,
        profile: Option<String>,
    ) -> SdkApi {
        SdkApi {
            ecs: aws_sdk_ecs::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(logs::client_config(config)),
            cw: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(cloudwatch)
                    // Large PutMetricData bodies are gzipped by default; ecsdeck only reads.
                    .disable_request_compression(true)
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            aas: aws_sdk_applicationautoscaling::Client::new(config),
            cd: aws_sdk_codedeploy::Client::new(config),
            profile,
            endpoints: Endpoints::of(config, cloudwatch),
        }
    }

    /// The region the clients resolved (shown in the header).
    pub fn region(&self) -> Option<String> {
        self.ecs.config().region().map(|r| r.to_string())
    }

    /// Where calls of `action`'s service go: shown in network errors, since "connection refused" alone does
    /// not say whether the VPN, the proxy or `--endpoint-url` is at fault.
    fn endpoint_of(&self, action: &str) -> &str {
        let e = &self.endpoints;
        match action.split(':').next().unwrap_or_default() {
            "logs" => &e.logs,
            "cloudwatch" => &e.cloudwatch,
            "elasticloadbalancing" => &e.elb,
            "application-autoscaling" => &e.autoscaling,
            "codedeploy" => &e.codedeploy,
            _ => &e.ecs,
        }
    }

    fn map_err<E>(&self, action: &str, err: SdkError<E, HttpResponse>) -> ApiError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let failure = Failure {
            action: action.to_owned(),
            endpoint: self.endpoint_of(action).to_owned(),
            profile: self.profile.clone(),
            code: err.code().map(str::to_owned),
            message: err.message().map(str::to_owned),
            answer: err.raw_response().map(answer_of),
            timed_out: match &err {
                SdkError::TimeoutError(_) => true,
                SdkError::DispatchFailure(d) => d.is_timeout(),
                _ => false,
            },
            detail: DisplayErrorContext(&err).to_string(),
        };
        log_failure(&failure)
    }
}

/// Classifies a failure and writes everything known about it to the log file: the screen shows one
/// sentence and points there, so the log must hold the rest.
fn log_failure(failure: &Failure) -> ApiError {
    let mapped = classify(failure);
    let answer = failure.answer.as_ref();
    // An error answer's body says what went wrong. A 2xx body that failed to read is AWS's data — for
    // DescribeTaskDefinition it holds environment values, which never reach the log: its length only.
    let body = answer.map(|a| {
        if a.status >= 300 {
            let text = String::from_utf8_lossy(&a.body);
            text.chars().take(2_000).collect::<String>()
        } else {
            format!(
                "({} bytes of a {} answer, not logged)",
                a.body.len(),
                a.status
            )
        }
    });
    tracing::warn!(
        action = %failure.action,
        endpoint = %failure.endpoint,
        code = ?failure.code,
        status = ?answer.map(|a| a.status),
        content_type = ?answer.and_then(|a| a.content_type.as_deref()),
        body = ?body,
        error = %failure.detail,
        shown = %mapped,
        "AWS call failed"
    );
    mapped
}

fn answer_of(response: &HttpResponse) -> Answer {
    Answer {
        status: response.status().as_u16(),
        content_type: response.headers().get("content-type").map(str::to_owned),
        body: response
            .body()
            .bytes()
            .map(<[u8]>::to_vec)
            .unwrap_or_default(),
    }
}

/// The endpoint each client calls, as [`SdkApi::endpoint_of`] reports it.
#[derive(Debug, Clone, Default)]
struct Endpoints {
    ecs: String,
    logs: String,
    cloudwatch: String,
    elb: String,
    autoscaling: String,
    codedeploy: String,
}

impl Endpoints {
    fn of(config: &SdkConfig, cloudwatch: &SdkConfig) -> Endpoints {
        let at = |config: &SdkConfig, prefix: &str| match config.endpoint_url() {
            Some(url) => url.to_owned(),
            None => {
                let region = config.region().map(|r| r.to_string());
                format!(
                    "https://{prefix}.{}.amazonaws.com",
                    region.as_deref().unwrap_or("<no region>")
                )
            }
        };
        Endpoints {
            ecs: at(config, "ecs"),
            logs: at(config, "logs"),
            cloudwatch: at(cloudwatch, "monitoring"),
            elb: at(config, "elasticloadbalancing"),
            autoscaling: at(config, "application-autoscaling"),
            codedeploy: at(config, "codedeploy"),
        }
    }
}

fn millis(t: Option<&aws_smithy_types::DateTime>) -> Option<Millis> {
    t.and_then(|t| t.to_millis().ok())
}

fn owned(s: Option<&str>) -> String {
    s.unwrap_or_default().to_owned()
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}
