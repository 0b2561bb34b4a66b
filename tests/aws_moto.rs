//! The real AWS SDK against moto server: every call the app makes, and the mapping of AWS errors to what
//! the user sees. Each test uses its own region, so tests share one server without seeing each other's data.

mod support;

use aws_sdk_ecs as ecs;
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::{ApiError, DesiredStatus, Ecs};
use support::moto::{moto, sdk_config, stub_server};

struct Seeded {
    api: SdkApi,
    ecs: ecs::Client,
}

async fn seeded(region: &str) -> Seeded {
    let moto = moto();
    let conf = sdk_config(&moto.endpoint, region).await;
    let client = ecs::Client::new(&conf);
    let (subnet, security_group) = moto.default_network(region);
    for cluster in ["alpha", "beta"] {
        client
            .create_cluster()
            .cluster_name(cluster)
            .send()
            .await
            .unwrap();
    }
    let log = ecs::types::LogConfiguration::builder()
        .log_driver(ecs::types::LogDriver::Awslogs)
        .options("awslogs-group", "/ecs/web")
        .options("awslogs-stream-prefix", "ecs")
        .options("awslogs-region", region)
        .build()
        .unwrap();
    client
        .register_task_definition()
        .family("web")
        .requires_compatibilities(ecs::types::Compatibility::Fargate)
        .network_mode(ecs::types::NetworkMode::Awsvpc)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ecs::types::ContainerDefinition::builder()
                .name("web")
                .image("nginx:1.27")
                .memory(256)
                .log_configuration(log)
                .environment(
                    ecs::types::KeyValuePair::builder()
                        .name("APP_ENV")
                        .value("prod")
                        .build(),
                )
                .secrets(
                    ecs::types::Secret::builder()
                        .name("DB_PASSWORD")
                        .value_from("arn:aws:ssm:eu-west-1:123456789012:parameter/db")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let network = ecs::types::NetworkConfiguration::builder()
        .awsvpc_configuration(
            ecs::types::AwsVpcConfiguration::builder()
                .subnets(&subnet)
                .security_groups(&security_group)
                .assign_public_ip(ecs::types::AssignPublicIp::Disabled)
                .build()
                .unwrap(),
        )
        .build();
    client
        .create_service()
        .cluster("alpha")
        .service_name("web")
        .task_definition("web:1")
        .desired_count(2)
        .launch_type(ecs::types::LaunchType::Fargate)
        .network_configuration(network.clone())
        .deployment_configuration(
            ecs::types::DeploymentConfiguration::builder()
                .minimum_healthy_percent(50)
                .maximum_percent(200)
                .deployment_circuit_breaker(
                    ecs::types::DeploymentCircuitBreaker::builder()
                        .enable(true)
                        .rollback(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    client
        .run_task()
        .cluster("alpha")
        .task_definition("web:1")
        .count(2)
        .launch_type(ecs::types::LaunchType::Fargate)
        .group("service:web")
        .started_by("ecs-svc/0001")
        .network_configuration(network)
        .send()
        .await
        .unwrap();
    Seeded {
        api: SdkApi::from_config(&conf, None),
        ecs: client,
    }
}

#[tokio::test]
async fn clusters_are_listed_and_described() {
    let s = seeded("eu-west-1").await;
    let page = s.api.list_clusters(None).await.unwrap();
    assert_eq!(page.arns.len(), 2);
    assert_eq!(page.next_token, None);
    let mut clusters = s.api.describe_clusters(&page.arns).await.unwrap();
    clusters.sort_by(|a, b| a.cluster_name.cmp(&b.cluster_name));
    assert_eq!(clusters[0].cluster_name, "alpha");
    assert_eq!(clusters[0].status, "ACTIVE");
    // moto leaves activeServicesCount at 0 and counts pending tasks its own way: counts are checked
    // against a canned AWS response below.
    assert_eq!(clusters[1].cluster_name, "beta");
    assert!(clusters[0].cluster_arn.ends_with(":cluster/alpha"));
}

#[tokio::test]
async fn services_are_listed_and_described_with_deployments_and_configuration() {
    let s = seeded("eu-west-2").await;
    let page = s.api.list_services("alpha", None).await.unwrap();
    assert_eq!(page.arns.len(), 1);
    let services = s.api.describe_services("alpha", &page.arns).await.unwrap();
    let web = &services[0];
    assert_eq!(web.service_name, "web");
    assert_eq!(web.desired_count, 2);
    assert_eq!(web.launch_type.as_deref(), Some("FARGATE"));
    assert_eq!(ecsdeck::aws::family_rev(&web.task_definition), "web:1");
    // moto does not echo deploymentConfiguration; see the canned-response test below.
    let primary = web.primary_deployment().expect("a PRIMARY deployment");
    assert_eq!(primary.rollout_state.as_deref(), Some("IN_PROGRESS"));
    assert!(primary.created_at.is_some());
    let network = web.network_configuration.as_ref().unwrap();
    assert_eq!(network.assign_public_ip.as_deref(), Some("DISABLED"));
    assert_eq!(network.subnets.len(), 1);
}

#[tokio::test]
async fn tasks_are_listed_by_status_and_described_with_containers() {
    let s = seeded("us-west-2").await;
    let running = s
        .api
        .list_tasks("alpha", Some("web"), DesiredStatus::Running, None)
        .await
        .unwrap();
    assert_eq!(running.arns.len(), 2);
    let tasks = s.api.describe_tasks("alpha", &running.arns).await.unwrap();
    assert_eq!(tasks.len(), 2);
    let task = &tasks[0];
    assert_eq!(task.service_name(), Some("web"));
    assert_eq!(ecsdeck::aws::family_rev(&task.task_definition_arn), "web:1");
    assert_eq!(task.containers.len(), 1);
    assert_eq!(task.containers[0].name, "web");
    assert_eq!(task.id().len(), 36, "moto ids are UUIDs: {}", task.id());

    // A stopped task moves to the STOPPED listing.
    s.ecs
        .stop_task()
        .cluster("alpha")
        .task(&task.task_arn)
        .reason("scaled in")
        .send()
        .await
        .unwrap();
    let stopped = s
        .api
        .list_tasks("alpha", None, DesiredStatus::Stopped, None)
        .await
        .unwrap();
    assert_eq!(stopped.arns, vec![task.task_arn.clone()]);
    let stopped = s.api.describe_tasks("alpha", &stopped.arns).await.unwrap();
    assert_eq!(stopped[0].stopped_reason.as_deref(), Some("scaled in"));
}

#[tokio::test]
async fn task_definitions_carry_log_configuration_and_names_but_never_values() {
    let s = seeded("ap-southeast-2").await;
    let def = s.api.describe_task_definition("web:1").await.unwrap();
    assert_eq!((def.family.as_str(), def.revision), ("web", 1));
    let web = &def.container_definitions[0];
    let log = web.log_configuration.as_ref().unwrap();
    assert_eq!(log.awslogs_group(), Some("/ecs/web"));
    assert_eq!(log.awslogs_stream_prefix(), Some("ecs"));
    assert_eq!(web.environment_names, vec!["APP_ENV"]);
    assert_eq!(web.secret_names, vec!["DB_PASSWORD"]);
    let json = serde_json::to_string(&def).unwrap();
    assert!(
        !json.contains("prod\""),
        "an environment value leaked: {json}"
    );
    assert!(
        !json.contains("parameter/db"),
        "a secret reference leaked: {json}"
    );
}

#[tokio::test]
async fn unknown_clusters_and_services_are_not_found() {
    let s = seeded("ca-central-1").await;
    let err = s
        .api
        .describe_services("nope", &["web".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    let err = s
        .api
        .describe_services("alpha", &["ghost".into()])
        .await
        .unwrap_err();
    match err {
        ApiError::NotFound(m) => assert!(m.contains("ghost"), "{m}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let err = s
        .api
        .describe_task_definition("nothing:9")
        .await
        .unwrap_err();
    assert!(!matches!(err, ApiError::Network(_)), "{err:?}");
}

async fn stub_api(body: &'static str, status: u16) -> SdkApi {
    let endpoint = stub_server(status, body);
    SdkApi::from_config(
        &sdk_config(&endpoint, "eu-west-1").await,
        Some("prod".into()),
    )
}

#[tokio::test]
async fn access_denied_names_the_iam_action() {
    let api = stub_api(
        r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/ro/me is not authorized to perform: ecs:DescribeServices"}"#,
        400,
    )
    .await;
    let err = api.describe_services("c", &["s".into()]).await.unwrap_err();
    match &err {
        ApiError::AccessDenied { action, .. } => assert_eq!(action, "ecs:DescribeServices"),
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("ecs:DescribeServices denied"),
        "{err}"
    );
}

#[tokio::test]
async fn throttling_and_expired_tokens_are_recognised() {
    let api = stub_api(
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        400,
    )
    .await;
    let err = api.list_services("c", None).await.unwrap_err();
    assert!(matches!(err, ApiError::Throttled { .. }), "{err:?}");
    assert!(err.is_transient());

    let api = stub_api(
        r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#,
        400,
    )
    .await;
    let err = api.list_clusters(None).await.unwrap_err();
    assert!(
        matches!(err, ApiError::ExpiredCredentials { .. }),
        "{err:?}"
    );
    assert!(
        err.hint().contains("aws sso login --profile prod"),
        "{}",
        err.hint()
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_network_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = sdk_config(&format!("http://127.0.0.1:{port}"), "eu-west-1").await;
    let err = SdkApi::from_config(&conf, None)
        .list_clusters(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(err.is_transient());
}

/// A DescribeServices response as AWS sends it, for the fields moto leaves out.
const DESCRIBE_SERVICES: &str = r#"{"services":[{"serviceArn":"arn:aws:ecs:eu-west-1:123456789012:service/prod/web","serviceName":"web","clusterArn":"arn:aws:ecs:eu-west-1:123456789012:cluster/prod","status":"ACTIVE","desiredCount":4,"runningCount":3,"pendingCount":1,"launchType":"FARGATE","taskDefinition":"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42","deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100},"deploymentController":{"type":"CODE_DEPLOY"},"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09","containerName":"web","containerPort":8080}],"deployments":[{"id":"ecs-svc/1","status":"PRIMARY","taskDefinition":"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42","desiredCount":4,"pendingCount":1,"runningCount":3,"failedTasks":2,"rolloutState":"FAILED","rolloutStateReason":"ECS deployment circuit breaker: tasks failed to start.","createdAt":1763700000.5}],"events":[{"id":"e1","createdAt":1763700100,"message":"(service web) has reached a steady state."}],"createdAt":1700000000}],"failures":[]}"#;

#[tokio::test]
async fn every_service_field_the_views_show_is_mapped_from_the_sdk() {
    let api = stub_api(DESCRIBE_SERVICES, 200).await;
    let services = api
        .describe_services("prod", &["web".into()])
        .await
        .unwrap();
    let web = &services[0];
    assert_eq!(
        (web.desired_count, web.running_count, web.pending_count),
        (4, 3, 1)
    );
    assert_eq!(
        web.deployment_controller,
        ecsdeck::aws::Controller::CodeDeploy
    );
    let dc = &web.deployment_configuration;
    assert_eq!(
        (dc.minimum_healthy_percent, dc.maximum_percent),
        (Some(100), Some(200))
    );
    assert_eq!(
        (dc.circuit_breaker_enable, dc.circuit_breaker_rollback),
        (Some(true), Some(false))
    );
    assert_eq!(web.load_balancers[0].container_port, Some(8080));
    let d = &web.deployments[0];
    assert_eq!(
        (d.failed_tasks, d.rollout_state.as_deref()),
        (2, Some("FAILED"))
    );
    assert_eq!(d.created_at, Some(1_763_700_000_500));
    assert_eq!(web.events[0].created_at, Some(1_763_700_100_000));
    assert_eq!(web.created_at, Some(1_700_000_000_000));
}
