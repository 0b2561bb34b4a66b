//! `SdkApi`: the production [`Api`] over the official AWS SDK. The only module that imports `aws_sdk_*`.

use super::error::{Answer, Failure, classify};
use super::*;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_applicationautoscaling as aas;
use aws_sdk_cloudwatch as cw;
use aws_sdk_cloudwatchlogs as logs;
use aws_sdk_ecs as ecs;
use aws_sdk_elasticloadbalancingv2 as elb;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::endpoint::EndpointPrefix;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;
use std::time::Duration;

/// Where to connect and as whom; everything optional falls back to the standard AWS chain.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

pub struct SdkApi {
    ecs: ecs::Client,
    logs: logs::Client,
    cw: cw::Client,
    elb: elb::Client,
    aas: aas::Client,
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
            ecs: ecs::Client::new(config),
            logs: logs::Client::from_conf(logs_config(config)),
            cw: cw::Client::from_conf(
                cw::config::Builder::from(cloudwatch)
                    // Large PutMetricData bodies are gzipped by default; ecsdeck only reads.
                    .disable_request_compression(true)
                    .build(),
            ),
            elb: elb::Client::new(config),
            aas: aas::Client::new(config),
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

/// The Logs client. StartLiveTail puts `stream-` before the endpoint's host name (`stream-logs.<region>...`);
/// with an endpoint override (an emulator, a VPC endpoint, a test stub) that name does not exist, so the
/// override is called exactly as given and Live Tail works through `--endpoint-url` too.
fn logs_config(config: &SdkConfig) -> logs::Config {
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
        }
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

fn millis(t: Option<&aws_smithy_types::DateTime>) -> Option<Millis> {
    t.and_then(|t| t.to_millis().ok())
}

fn owned(s: Option<&str>) -> String {
    s.unwrap_or_default().to_owned()
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

/// DescribeServices/Clusters report unknown names as `failures`, not errors.
fn failures_to_error(action: &str, failures: &[ecs::types::Failure]) -> Option<ApiError> {
    let f = failures.first()?;
    let reason = f.reason().unwrap_or("unknown failure");
    let what = f.arn().unwrap_or("resource");
    if reason == "MISSING" {
        Some(ApiError::NotFound(format!("{} not found", arn_name(what))))
    } else {
        Some(ApiError::Other(format!("{action}: {what}: {reason}")))
    }
}

fn convert_cluster(c: &ecs::types::Cluster) -> Cluster {
    Cluster {
        cluster_arn: owned(c.cluster_arn()),
        cluster_name: owned(c.cluster_name()),
        status: owned(c.status()),
        running_tasks_count: c.running_tasks_count(),
        pending_tasks_count: c.pending_tasks_count(),
        active_services_count: c.active_services_count(),
        registered_container_instances_count: c.registered_container_instances_count(),
        capacity_providers: c.capacity_providers().to_vec(),
    }
}

fn convert_service(s: &ecs::types::Service) -> Service {
    let dc = s.deployment_configuration();
    let cb = dc.and_then(|d| d.deployment_circuit_breaker());
    Service {
        service_arn: owned(s.service_arn()),
        service_name: owned(s.service_name()),
        cluster_arn: owned(s.cluster_arn()),
        status: owned(s.status()),
        desired_count: s.desired_count(),
        running_count: s.running_count(),
        pending_count: s.pending_count(),
        task_definition: owned(s.task_definition()),
        launch_type: s.launch_type().map(|l| l.as_str().to_owned()),
        capacity_provider_strategy: s
            .capacity_provider_strategy()
            .iter()
            .map(|c| c.capacity_provider().to_owned())
            .collect(),
        deployment_controller: s
            .deployment_controller()
            .map(|d| Controller::parse(d.r#type().as_str()))
            .unwrap_or_default(),
        deployment_configuration: DeploymentConfiguration {
            minimum_healthy_percent: dc.and_then(|d| d.minimum_healthy_percent()),
            maximum_percent: dc.and_then(|d| d.maximum_percent()),
            circuit_breaker_enable: cb.map(|c| c.enable()),
            circuit_breaker_rollback: cb.map(|c| c.rollback()),
        },
        deployments: s
            .deployments()
            .iter()
            .map(|d| Deployment {
                id: owned(d.id()),
                status: owned(d.status()),
                task_definition: owned(d.task_definition()),
                desired_count: d.desired_count(),
                pending_count: d.pending_count(),
                running_count: d.running_count(),
                failed_tasks: d.failed_tasks(),
                rollout_state: d.rollout_state().map(|r| r.as_str().to_owned()),
                rollout_state_reason: opt(d.rollout_state_reason()),
                created_at: millis(d.created_at()),
                updated_at: millis(d.updated_at()),
            })
            .collect(),
        events: s
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: owned(e.id()),
                created_at: millis(e.created_at()),
                message: owned(e.message()),
            })
            .collect(),
        load_balancers: s
            .load_balancers()
            .iter()
            .map(|l| LoadBalancer {
                target_group_arn: opt(l.target_group_arn()),
                alternate_target_group_arn: l
                    .advanced_configuration()
                    .and_then(|a| opt(a.alternate_target_group_arn())),
                load_balancer_name: opt(l.load_balancer_name()),
                container_name: opt(l.container_name()),
                container_port: l.container_port(),
            })
            .collect(),
        network_configuration: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|a| NetworkConfiguration {
                subnets: a.subnets().to_vec(),
                security_groups: a.security_groups().to_vec(),
                assign_public_ip: a.assign_public_ip().map(|p| p.as_str().to_owned()),
            }),
        created_at: millis(s.created_at()),
    }
}

fn convert_task(t: &ecs::types::Task) -> Task {
    let private_ip = t
        .attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| opt(d.value()))
        .or_else(|| {
            t.containers()
                .iter()
                .flat_map(|c| c.network_interfaces())
                .find_map(|n| opt(n.private_ipv4_address()))
        });
    Task {
        task_arn: owned(t.task_arn()),
        cluster_arn: owned(t.cluster_arn()),
        task_definition_arn: owned(t.task_definition_arn()),
        last_status: owned(t.last_status()),
        desired_status: owned(t.desired_status()),
        health_status: t.health_status().map(|h| h.as_str().to_owned()),
        launch_type: t.launch_type().map(|l| l.as_str().to_owned()),
        availability_zone: opt(t.availability_zone()),
        private_ip,
        group: opt(t.group()),
        started_by: opt(t.started_by()),
        cpu: opt(t.cpu()),
        memory: opt(t.memory()),
        created_at: millis(t.created_at()),
        started_at: millis(t.started_at()),
        stopped_at: millis(t.stopped_at()),
        stop_code: t.stop_code().map(|s| s.as_str().to_owned()),
        stopped_reason: opt(t.stopped_reason()),
        containers: t
            .containers()
            .iter()
            .map(|c| Container {
                name: owned(c.name()),
                image: owned(c.image()),
                last_status: owned(c.last_status()),
                exit_code: c.exit_code(),
                reason: opt(c.reason()),
                health_status: c.health_status().map(|h| h.as_str().to_owned()),
                runtime_id: opt(c.runtime_id()),
            })
            .collect(),
    }
}

fn convert_task_definition(td: &ecs::types::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        task_definition_arn: owned(td.task_definition_arn()),
        family: owned(td.family()),
        revision: td.revision(),
        cpu: opt(td.cpu()),
        memory: opt(td.memory()),
        container_definitions: td
            .container_definitions()
            .iter()
            .map(|c| ContainerDefinition {
                name: owned(c.name()),
                image: owned(c.image()),
                cpu: c.cpu(),
                memory: c.memory(),
                essential: c.essential(),
                log_configuration: c.log_configuration().map(|l| LogConfiguration {
                    log_driver: l.log_driver().as_str().to_owned(),
                    options: l
                        .options()
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                }),
                environment_names: c
                    .environment()
                    .iter()
                    .filter_map(|kv| opt(kv.name()))
                    .collect(),
                secret_names: c.secrets().iter().map(|s| s.name().to_owned()).collect(),
                port_mappings: c
                    .port_mappings()
                    .iter()
                    .map(|p| {
                        let proto = p.protocol().map(|p| p.as_str()).unwrap_or("tcp");
                        match (p.container_port(), p.host_port()) {
                            (Some(c), Some(h)) if h != c && h != 0 => format!("{c}/{proto}->{h}"),
                            (Some(c), _) => format!("{c}/{proto}"),
                            (None, _) => format!("?/{proto}"),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[async_trait]
impl Api for SdkApi {
    async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError> {
        let out = self
            .ecs
            .list_clusters()
            .max_results(LIST_PAGE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListClusters", e))?;
        Ok(Page {
            arns: out.cluster_arns().to_vec(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_clusters(&self, clusters: &[String]) -> Result<Vec<Cluster>, ApiError> {
        let out = self
            .ecs
            .describe_clusters()
            .set_clusters(Some(clusters.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeClusters", e))?;
        Ok(out.clusters().iter().map(convert_cluster).collect())
    }

    async fn list_services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        let out = self
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(LIST_PAGE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListServices", e))?;
        Ok(Page {
            arns: out.service_arns().to_vec(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> Result<Vec<Service>, ApiError> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(services.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeServices", e))?;
        if out.services().is_empty()
            && let Some(err) = failures_to_error("ecs:DescribeServices", out.failures())
        {
            return Err(err);
        }
        Ok(out.services().iter().map(convert_service).collect())
    }

    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        desired: DesiredStatus,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        let status = match desired {
            DesiredStatus::Running => ecs::types::DesiredStatus::Running,
            DesiredStatus::Stopped => ecs::types::DesiredStatus::Stopped,
        };
        let out = self
            .ecs
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_owned))
            .desired_status(status)
            .max_results(LIST_PAGE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListTasks", e))?;
        Ok(Page {
            arns: out.task_arns().to_vec(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> Result<Vec<Task>, ApiError> {
        let out = self
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(tasks.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeTasks", e))?;
        Ok(out.tasks().iter().map(convert_task).collect())
    }

    async fn describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<TaskDefinition, ApiError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeTaskDefinition", e))?;
        out.task_definition()
            .map(convert_task_definition)
            .ok_or_else(|| ApiError::NotFound(format!("task definition {task_definition}")))
    }

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

    async fn get_metric_data(&self, req: &MetricRequest) -> Result<MetricPage, ApiError> {
        let queries = req.queries.iter().map(|q| {
            let metric = cw::types::Metric::builder()
                .namespace(&q.namespace)
                .metric_name(&q.metric)
                .set_dimensions(Some(
                    q.dimensions
                        .iter()
                        .map(|(n, v)| cw::types::Dimension::builder().name(n).value(v).build())
                        .collect(),
                ))
                .build();
            cw::types::MetricDataQuery::builder()
                .id(&q.id)
                .metric_stat(
                    cw::types::MetricStat::builder()
                        .metric(metric)
                        .period(q.period_secs)
                        .stat(q.stat.as_str())
                        .build(),
                )
                .return_data(true)
                .build()
        });
        let out = self
            .cw
            .get_metric_data()
            .set_metric_data_queries(Some(queries.collect()))
            .start_time(aws_smithy_types::DateTime::from_millis(req.start))
            .end_time(aws_smithy_types::DateTime::from_millis(req.end))
            .scan_by(cw::types::ScanBy::TimestampAscending)
            .set_next_token(req.next_token.clone())
            .send()
            .await
            .map_err(|e| self.map_err("cloudwatch:GetMetricData", e))?;
        Ok(MetricPage {
            results: out
                .metric_data_results()
                .iter()
                .map(|r| MetricResult {
                    id: owned(r.id()),
                    timestamps: r
                        .timestamps()
                        .iter()
                        .filter_map(|t| t.to_millis().ok())
                        .collect(),
                    values: r.values().to_vec(),
                    status: r
                        .status_code()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_else(|| "Complete".into()),
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_alarms(
        &self,
        state: Option<&str>,
        next_token: Option<String>,
    ) -> Result<AlarmPage, ApiError> {
        let out = self
            .cw
            .describe_alarms()
            .set_state_value(state.map(cw::types::StateValue::from))
            .alarm_types(cw::types::AlarmType::MetricAlarm)
            .max_records(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("cloudwatch:DescribeAlarms", e))?;
        let dims = |d: &[cw::types::Dimension]| -> Vec<(String, String)> {
            d.iter()
                .map(|d| (owned(d.name()), owned(d.value())))
                .collect()
        };
        Ok(AlarmPage {
            alarms: out
                .metric_alarms()
                .iter()
                .map(|a| {
                    let mut dimensions = dims(a.dimensions());
                    for m in a.metrics() {
                        if let Some(metric) = m.metric_stat().and_then(|s| s.metric()) {
                            dimensions.extend(dims(metric.dimensions()));
                        }
                    }
                    Alarm {
                        alarm_name: owned(a.alarm_name()),
                        state_value: a
                            .state_value()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                        state_reason: opt(a.state_reason()),
                        state_updated_at: millis(a.state_updated_timestamp()),
                        namespace: opt(a.namespace()),
                        metric_name: opt(a.metric_name()),
                        dimensions,
                    }
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
        let out = self
            .elb
            .describe_target_groups()
            .set_target_group_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:DescribeTargetGroups", e))?;
        Ok(out
            .target_groups()
            .iter()
            .map(|t| TargetGroup {
                target_group_arn: owned(t.target_group_arn()),
                target_group_name: owned(t.target_group_name()),
                load_balancer_arns: t.load_balancer_arns().to_vec(),
                port: t.port(),
                protocol: t.protocol().map(|p| p.as_str().to_owned()),
                target_type: t.target_type().map(|p| p.as_str().to_owned()),
                health_check_path: opt(t.health_check_path()),
            })
            .collect())
    }

    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError> {
        let out = self
            .elb
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:DescribeTargetHealth", e))?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let health = d.target_health();
                TargetHealth {
                    id: owned(d.target().and_then(|t| t.id())),
                    port: d.target().and_then(|t| t.port()),
                    state: health
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: health
                        .and_then(|h| h.reason())
                        .map(|r| r.as_str().to_owned()),
                    description: health.and_then(|h| opt(h.description())),
                }
            })
            .collect())
    }

    async fn update_service(
        &self,
        req: &UpdateServiceRequest,
    ) -> Result<Mutated<Service>, ApiError> {
        let out = self
            .ecs
            .update_service()
            .cluster(&req.cluster)
            .service(&req.service)
            .set_desired_count(req.desired_count)
            .set_task_definition(req.task_definition.clone())
            .set_force_new_deployment(req.force_new_deployment.then_some(true))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:UpdateService", e))?;
        let service = out
            .service()
            .map(convert_service)
            .ok_or_else(|| ApiError::NotFound(format!("service {}", req.service)))?;
        Ok(Mutated {
            value: service,
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        let out = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(ecs::types::TaskDefinitionStatus::Active)
            .sort(ecs::types::SortOrder::Desc)
            .set_next_token(next_token)
            .max_results(LIST_PAGE)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListTaskDefinitions", e))?;
        // familyPrefix is a prefix: `web` also lists `web-worker`. Newest first even where sort is ignored.
        let mut arns: Vec<(i32, String)> = out
            .task_definition_arns()
            .iter()
            .filter_map(|a| match family_and_revision(a) {
                Some((f, r)) if f == family => Some((r, a.clone())),
                _ => None,
            })
            .collect();
        arns.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
        let arns = arns.into_iter().map(|(_, a)| a).collect();
        Ok(Page {
            arns,
            next_token: opt(out.next_token()),
        })
    }

    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<ServiceDeploymentBrief>, ApiError> {
        let out = self
            .ecs
            .list_service_deployments()
            .cluster(cluster)
            .service(service)
            .max_results(20)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListServiceDeployments", e))?;
        Ok(out
            .service_deployments()
            .iter()
            .map(|d| ServiceDeploymentBrief {
                service_deployment_arn: owned(d.service_deployment_arn()),
                status: d
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_reason: opt(d.status_reason()),
                target_service_revision_arn: opt(d.target_service_revision_arn()),
                started_at: millis(d.started_at()).or(millis(d.created_at())),
                finished_at: millis(d.finished_at()),
            })
            .collect())
    }

    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceDeployment>, ApiError> {
        const ACTION: &str = "ecs:DescribeServiceDeployments";
        let out = self
            .ecs
            .describe_service_deployments()
            .set_service_deployment_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err(ACTION, e))?;
        if out.service_deployments().is_empty()
            && let Some(e) = failures_to_error(ACTION, out.failures())
        {
            return Err(e);
        }
        let monitor = |s: Option<&ecs::types::ServiceDeploymentRollbackMonitorsStatus>| {
            s.map(|s| s.as_str().to_owned()).unwrap_or_default()
        };
        Ok(out
            .service_deployments()
            .iter()
            .map(|d| ServiceDeployment {
                service_deployment_arn: owned(d.service_deployment_arn()),
                status: d
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_reason: opt(d.status_reason()),
                lifecycle_stage: d.lifecycle_stage().map(|s| s.as_str().to_owned()),
                target_service_revision_arn: d.target_service_revision().and_then(|r| opt(r.arn())),
                source_service_revision_arns: d
                    .source_service_revisions()
                    .iter()
                    .filter_map(|r| opt(r.arn()))
                    .collect(),
                circuit_breaker: d.deployment_circuit_breaker().map(|c| CircuitBreakerState {
                    status: monitor(c.status()),
                    failure_count: c.failure_count(),
                    threshold: c.threshold(),
                }),
                alarms: d.alarms().map(|a| DeploymentAlarms {
                    status: monitor(a.status()),
                    alarm_names: a.alarm_names().to_vec(),
                    triggered_alarm_names: a.triggered_alarm_names().to_vec(),
                }),
                rollback_reason: d.rollback().and_then(|r| opt(r.reason())),
                rollback_revision_arn: d.rollback().and_then(|r| opt(r.service_revision_arn())),
                started_at: millis(d.started_at()).or(millis(d.created_at())),
                finished_at: millis(d.finished_at()),
            })
            .collect())
    }

    async fn describe_service_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceRevision>, ApiError> {
        let out = self
            .ecs
            .describe_service_revisions()
            .set_service_revision_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeServiceRevisions", e))?;
        Ok(out
            .service_revisions()
            .iter()
            .map(|r| ServiceRevision {
                service_revision_arn: owned(r.service_revision_arn()),
                task_definition: owned(r.task_definition()),
            })
            .collect())
    }

    async fn stop_service_deployment(&self, arn: &str) -> Result<Mutated<String>, ApiError> {
        let out = self
            .ecs
            .stop_service_deployment()
            .service_deployment_arn(arn)
            .stop_type(ecs::types::StopServiceDeploymentStopType::Rollback)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:StopServiceDeployment", e))?;
        Ok(Mutated {
            value: out
                .service_deployment_arn()
                .map(str::to_owned)
                .unwrap_or_else(|| arn.to_owned()),
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn describe_scalable_target(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalableTarget>, ApiError> {
        let id = scalable_resource_id(cluster, service);
        let out = self
            .aas
            .describe_scalable_targets()
            .service_namespace(aas::types::ServiceNamespace::Ecs)
            .scalable_dimension(aas::types::ScalableDimension::EcsServiceDesiredCount)
            .resource_ids(&id)
            .send()
            .await
            .map_err(|e| self.map_err("application-autoscaling:DescribeScalableTargets", e))?;
        Ok(out
            .scalable_targets()
            .iter()
            .find(|t| t.resource_id() == id)
            .map(|t| ScalableTarget {
                resource_id: t.resource_id().to_owned(),
                min_capacity: t.min_capacity(),
                max_capacity: t.max_capacity(),
            }))
    }

    async fn register_scalable_target(
        &self,
        target: &ScalableTarget,
    ) -> Result<Mutated<()>, ApiError> {
        let out = self
            .aas
            .register_scalable_target()
            .service_namespace(aas::types::ServiceNamespace::Ecs)
            .scalable_dimension(aas::types::ScalableDimension::EcsServiceDesiredCount)
            .resource_id(&target.resource_id)
            .min_capacity(target.min_capacity)
            .max_capacity(target.max_capacity)
            .send()
            .await
            .map_err(|e| self.map_err("application-autoscaling:RegisterScalableTarget", e))?;
        Ok(Mutated {
            value: (),
            request_id: out.request_id().map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(action: &str, code: Option<&str>, message: &str, detail: &str) -> Failure {
        Failure {
            action: action.into(),
            endpoint: "https://ecs.eu-west-1.amazonaws.com".into(),
            code: code.map(str::to_owned),
            message: Some(message.into()),
            detail: detail.into(),
            ..Failure::default()
        }
    }

    #[test]
    fn classify_names_the_denied_action() {
        let e = classify(&failure(
            "ecs:DescribeServices",
            Some("AccessDeniedException"),
            "User is not authorized",
            "",
        ));
        assert_eq!(
            e.to_string(),
            "ecs:DescribeServices denied: User is not authorized"
        );
    }

    #[test]
    fn classify_expired_sso_tells_the_login_command() {
        let text = "dispatch failure: other: the SSO session has expired or is invalid";
        let e = classify(&Failure {
            profile: Some("prod".into()),
            ..failure("ecs:ListClusters", None, text, text)
        });
        assert!(
            e.hint().contains("aws sso login --profile prod"),
            "{}",
            e.hint()
        );
    }

    #[test]
    fn classify_throttling_and_connection_refused() {
        assert!(matches!(
            classify(&failure(
                "ecs:ListServices",
                Some("ThrottlingException"),
                "Rate exceeded",
                "",
            )),
            ApiError::Throttled { .. }
        ));
        let text = "dispatch failure: io error: Connection refused (os error 111)";
        let e = classify(&failure("ecs:ListServices", None, text, text));
        assert!(matches!(e, ApiError::Network(_)), "{e:?}");
        assert!(
            e.to_string()
                .contains("https://ecs.eu-west-1.amazonaws.com refused"),
            "{e}"
        );
    }
}
