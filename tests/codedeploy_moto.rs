//! CodeDeploy through the real AWS SDK against moto server: an application, an ECS deployment group listing
//! a CODE_DEPLOY service and a deployment are created in moto; the poller then finds the group from the
//! service alone and reads the deployment, as it does on the service details screen.
//!
//! moto (5.2.5) traps, met here:
//! - no BatchGetDeploymentGroups (HTTP 500 "not implemented"), only GetDeploymentGroup: the CodeDeploy calls
//!   go through [`shim`], which answers BatchGetDeploymentGroups with one GetDeploymentGroup per name and
//!   passes everything else to moto untouched;
//! - no ListDeploymentTargets / BatchGetDeploymentTargets (tested against a recording stub in
//!   `codedeploy_stub.rs`), so the target of the deployment under way is an error state of its own here;
//! - ListDeployments of a group that does not exist answers an empty list (AWS:
//!   DeploymentGroupDoesNotExistException);
//! - a created deployment stays `Created` (nothing runs it).

mod support;

use aws_sdk_codedeploy as cd;
use aws_sdk_ecs as ecs;
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::*;
use ecsdeck::model::codedeploy::{BlueGreen, CodeDeployState};
use ecsdeck::protocol::{DataUpdate, Msg, Scope};
use ecsdeck::workers::poll::{PollConfig, Poller};
use ecsdeck::workers::retry::Backoff;
use std::sync::Arc;
use std::time::Duration;
use support::moto::{moto, register_fargate, sdk_config};
use tokio::sync::mpsc;

const REGION: &str = "eu-west-3";

/// A loopback shim in front of moto for the CodeDeploy client (see the module's notes).
fn shim(moto_port: u16) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut headers: Vec<(String, String)> = Vec::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = h.trim_end().split_once(':') {
                            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                        }
                    }
                    let get = |name: &str| {
                        headers
                            .iter()
                            .find(|(k, _)| k == name)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    let mut body = vec![0; get("content-length").parse().unwrap_or(0)];
                    reader.read_exact(&mut body).unwrap();
                    let body = String::from_utf8(body).unwrap();
                    let target = get("x-amz-target");
                    let (auth, date) = (get("authorization"), get("x-amz-date"));
                    let call = |target: &str, body: &str| {
                        support::moto::http(
                            moto_port,
                            "POST",
                            "/",
                            &[
                                ("Content-Type", "application/x-amz-json-1.1"),
                                ("X-Amz-Target", target),
                                ("Authorization", &auth),
                                ("X-Amz-Date", &date),
                            ],
                            body,
                        )
                    };
                    let (status, reply) = if target.ends_with(".BatchGetDeploymentGroups") {
                        let req: serde_json::Value = serde_json::from_str(&body).unwrap();
                        let app = req["applicationName"].clone();
                        let mut infos = Vec::new();
                        for name in req["deploymentGroupNames"].as_array().unwrap() {
                            let one = serde_json::json!({"applicationName": app, "deploymentGroupName": name});
                            let (status, reply) =
                                call("CodeDeploy_20141006.GetDeploymentGroup", &one.to_string());
                            assert_eq!(status, 200, "GetDeploymentGroup: {reply}");
                            let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
                            infos.push(v["deploymentGroupInfo"].clone());
                        }
                        (
                            200,
                            serde_json::json!({"deploymentGroupsInfo": infos}).to_string(),
                        )
                    } else {
                        call(&target, &body)
                    };
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-requestid: shim\r\nContent-Length: {}\r\n\r\n",
                        reply.len()
                    );
                    if out.write_all(head.as_bytes()).is_err()
                        || out.write_all(reply.as_bytes()).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// SdkApi through the shim (ECS is JSON 1.1 too and passes through it unchanged).
async fn api(conf: &aws_config::SdkConfig) -> SdkApi {
    let shimmed = sdk_config(&shim(moto().port), conf.region().unwrap().as_ref()).await;
    SdkApi::from_config(&shimmed, None)
}

/// A cluster `shop` with the task definition `gateway:1` and the services named, in `region`.
async fn ecs_seed(
    conf: &aws_config::SdkConfig,
    region: &str,
    services: &[(&str, ecs::types::DeploymentControllerType)],
) -> ecs::Client {
    let ecs = ecs::Client::new(conf);
    let (subnet, security_group) = moto().default_network(region);
    ecs.create_cluster()
        .cluster_name("shop")
        .send()
        .await
        .unwrap();
    register_fargate(&ecs, "gateway").await;
    for (name, controller) in services {
        ecs.create_service()
            .cluster("shop")
            .service_name(*name)
            .task_definition("gateway:1")
            .desired_count(1)
            .launch_type(ecs::types::LaunchType::Fargate)
            .deployment_controller(
                ecs::types::DeploymentController::builder()
                    .r#type(controller.clone())
                    .build()
                    .unwrap(),
            )
            .network_configuration(
                ecs::types::NetworkConfiguration::builder()
                    .awsvpc_configuration(
                        ecs::types::AwsVpcConfiguration::builder()
                            .subnets(&subnet)
                            .security_groups(&security_group)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    ecs
}

async fn seed() -> (aws_config::SdkConfig, String) {
    let moto = moto();
    let conf = sdk_config(&moto.endpoint, REGION).await;
    // Another service first: the group must be found by its ecsServices, not by being the only one.
    let ecs = ecs_seed(
        &conf,
        REGION,
        &[
            ("web", ecs::types::DeploymentControllerType::Ecs),
            ("gateway", ecs::types::DeploymentControllerType::CodeDeploy),
        ],
    )
    .await;
    ecs.create_task_set()
        .cluster("shop")
        .service("gateway")
        .task_definition("gateway:1")
        .launch_type(ecs::types::LaunchType::Fargate)
        .send()
        .await
        .unwrap();

    let client = cd::Client::new(&conf);
    let group = |app: &str, name: &str, cluster: &str, service: &str| {
        client
            .create_deployment_group()
            .application_name(app)
            .deployment_group_name(name)
            .service_role_arn("arn:aws:iam::123456789012:role/ecsCodeDeployRole")
            .deployment_config_name("CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
            .ecs_services(
                cd::types::EcsService::builder()
                    .cluster_name(cluster)
                    .service_name(service)
                    .build(),
            )
            .deployment_style(
                cd::types::DeploymentStyle::builder()
                    .deployment_type(cd::types::DeploymentType::BlueGreen)
                    .deployment_option(cd::types::DeploymentOption::WithTrafficControl)
                    .build(),
            )
            .load_balancer_info(
                cd::types::LoadBalancerInfo::builder()
                    .target_group_pair_info_list(
                        cd::types::TargetGroupPairInfo::builder()
                            .target_groups(cd::types::TargetGroupInfo::builder().name("gw-blue").build())
                            .target_groups(cd::types::TargetGroupInfo::builder().name("gw-green").build())
                            .prod_traffic_route(
                                cd::types::TrafficRoute::builder()
                                    .listener_arns("arn:aws:elasticloadbalancing:eu-west-3:123456789012:listener/app/shop/1/prod")
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .send()
    };
    for app in ["Other", "AppECS-shop-gateway"] {
        client
            .create_application()
            .application_name(app)
            .compute_platform(cd::types::ComputePlatform::Ecs)
            .send()
            .await
            .unwrap();
    }
    group("Other", "other-web", "shop", "web").await.unwrap();
    group(
        "AppECS-shop-gateway",
        "DgpECS-shop-gateway",
        "shop",
        "gateway",
    )
    .await
    .unwrap();
    let appspec = r#"{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"gateway:1","LoadBalancerInfo":{"ContainerName":"gateway","ContainerPort":80}}}}]}"#;
    let deployment = client
        .create_deployment()
        .application_name("AppECS-shop-gateway")
        .deployment_group_name("DgpECS-shop-gateway")
        .revision(
            cd::types::RevisionLocation::builder()
                .revision_type(cd::types::RevisionLocationType::AppSpecContent)
                .app_spec_content(
                    cd::types::AppSpecContent::builder()
                        .content(appspec)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .deployment_id()
        .unwrap()
        .to_owned();
    (conf, deployment)
}

async fn one_refresh(api: Arc<SdkApi>, scope: Scope) -> Vec<DataUpdate> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(
        api,
        tx,
        PollConfig {
            refresh: Duration::from_secs(60),
            concurrency: 2,
            backoff: Backoff {
                base: Duration::from_millis(5),
                cap: Duration::from_millis(20),
                max_attempts: 1,
            },
            pause_per_call: Duration::ZERO,
            busy_refresh: Duration::from_secs(60),
        },
    );
    poller.watch(scope, 1);
    let mut out = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .expect("the refresh finishes")
            .expect("channel open");
        if let Msg::Data { update, .. } = msg {
            let end = matches!(update, DataUpdate::Done { .. } | DataUpdate::Failed { .. });
            out.push(update);
            if end {
                return out;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_group_of_a_code_deploy_service_is_found_and_its_deployment_read() {
    let (conf, deployment) = seed().await;
    let api = Arc::new(api(&conf).await);

    // The calls one by one, through the SDK.
    let apps = api.list_applications(None).await.unwrap();
    assert_eq!(apps.names.len(), 2, "{apps:?}");
    let groups = api
        .batch_get_deployment_groups("AppECS-shop-gateway", &["DgpECS-shop-gateway".into()])
        .await
        .unwrap();
    let g = &groups[0];
    assert_eq!(g.compute_platform.as_deref(), Some("ECS"));
    assert_eq!(
        g.ecs_services,
        [EcsServiceRef {
            service_name: "gateway".into(),
            cluster_name: "shop".into()
        }]
    );
    assert_eq!(
        g.target_group_pairs[0].target_groups,
        ["gw-blue", "gw-green"]
    );
    let sets = api.describe_task_sets("shop", "gateway").await.unwrap();
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(family_rev(&sets[0].task_definition), "gateway:1");

    // The poller, from the service alone.
    let updates = one_refresh(
        api.clone(),
        Scope::Service {
            cluster: "shop".into(),
            service: "gateway".into(),
        },
    )
    .await;
    assert!(
        matches!(updates.last(), Some(DataUpdate::Done { .. })),
        "{updates:?}"
    );
    let bg: BlueGreen = updates
        .iter()
        .find_map(|u| match u {
            DataUpdate::BlueGreen(b) => Some((**b).clone()),
            _ => None,
        })
        .expect("blue/green sections");
    assert_eq!(bg.task_sets.as_ref().map(Vec::len), Ok(1));
    let Some(CodeDeployState::Found(found)) = &bg.codedeploy else {
        panic!("found: {:?}", bg.codedeploy)
    };
    assert_eq!(found.group.deployment_group_name, "DgpECS-shop-gateway");
    assert_eq!(
        found.group.deployment_config_name.as_deref(),
        Some("CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
    );
    let current = found.current().expect("the deployment is read");
    assert_eq!(current.deployment_id, deployment);
    assert_eq!(current.application_name, "AppECS-shop-gateway");
    // moto leaves it Created (under way), and cannot answer for its target: a state, not a failed refresh.
    assert_eq!(current.status, "Created");
    assert!(
        matches!(&found.target, Some(Err(e)) if e.to_string().contains("codedeploy:ListDeploymentTargets")),
        "{:?}",
        found.target
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_no_group_lists_says_how_ecsdeck_looked() {
    const REGION: &str = "ap-south-1";
    let conf = sdk_config(&moto().endpoint, REGION).await;
    ecs_seed(
        &conf,
        REGION,
        &[("orphan", ecs::types::DeploymentControllerType::CodeDeploy)],
    )
    .await;
    let cdc = cd::Client::new(&conf);
    cdc.create_application()
        .application_name("lonely")
        .compute_platform(cd::types::ComputePlatform::Ecs)
        .send()
        .await
        .unwrap();
    let api = Arc::new(api(&conf).await);
    // The trap: AWS says DeploymentGroupDoesNotExistException, moto an empty list.
    let missing = api
        .list_deployments("lonely", "nope", &[], None)
        .await
        .unwrap();
    assert!(missing.names.is_empty());

    let updates = one_refresh(
        api,
        Scope::Service {
            cluster: "shop".into(),
            service: "orphan".into(),
        },
    )
    .await;
    let bg = updates
        .iter()
        .find_map(|u| match u {
            DataUpdate::BlueGreen(b) => Some((**b).clone()),
            _ => None,
        })
        .expect("blue/green sections");
    match bg.codedeploy {
        Some(CodeDeployState::NoGroup(looked)) => {
            assert_eq!((looked.applications, looked.groups), (1, 0))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_deployment_sends_the_app_spec_moto_stores() {
    const REGION: &str = "sa-east-1";
    let conf = sdk_config(&moto().endpoint, REGION).await;
    let cdc = cd::Client::new(&conf);
    cdc.create_application()
        .application_name("AppECS-shop-gateway")
        .compute_platform(cd::types::ComputePlatform::Ecs)
        .send()
        .await
        .unwrap();
    cdc.create_deployment_group()
        .application_name("AppECS-shop-gateway")
        .deployment_group_name("DgpECS-shop-gateway")
        .service_role_arn("arn:aws:iam::123456789012:role/ecsCodeDeployRole")
        .ecs_services(
            cd::types::EcsService::builder()
                .cluster_name("shop")
                .service_name("gateway")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let api = api(&conf).await;
    let app_spec = "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: arn:aws:ecs:sa-east-1:123456789012:task-definition/gateway:2\n        LoadBalancerInfo:\n          ContainerName: gateway\n          ContainerPort: 80\n";
    let created = api
        .create_deployment(&CreateDeploymentRequest {
            application_name: "AppECS-shop-gateway".into(),
            deployment_group_name: "DgpECS-shop-gateway".into(),
            deployment_config_name: Some("CodeDeployDefault.ECSAllAtOnce".into()),
            description: Some("gateway:2 by ecsdeck".into()),
            app_spec: app_spec.into(),
        })
        .await
        .unwrap();
    // What moto stored, read back with GetDeployment.
    let stored = cdc
        .get_deployment()
        .deployment_id(&created.value)
        .send()
        .await
        .unwrap();
    let info = stored.deployment_info().unwrap();
    let revision = info.revision().unwrap();
    assert_eq!(
        revision.revision_type(),
        Some(&cd::types::RevisionLocationType::AppSpecContent)
    );
    assert_eq!(
        revision.app_spec_content().and_then(|c| c.content()),
        Some(app_spec)
    );
    assert_eq!(
        info.deployment_config_name(),
        Some("CodeDeployDefault.ECSAllAtOnce")
    );
    assert_eq!(info.description(), Some("gateway:2 by ecsdeck"));
    // And through ecsdeck's own read.
    let read = api
        .batch_get_deployments(std::slice::from_ref(&created.value))
        .await
        .unwrap();
    assert_eq!(read[0].deployment_group_name, "DgpECS-shop-gateway");
}
