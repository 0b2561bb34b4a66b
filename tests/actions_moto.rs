//! Actions with the real AWS SDK against moto server: what each action sends, checked through what AWS then
//! says (DescribeServices, DescribeScalableTargets); revisions listed and diffed; StopServiceDeployment, which
//! moto does not implement, checked on the wire against a recording stub.

mod support;

use aws_sdk_ecs as ecs;
use ecsdeck::app::actions::{self, Fetched, Scale};
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::*;
use ecsdeck::protocol::Fetch;
use ecsdeck::protocol::{DialogAnswer, Msg};
use ecsdeck::workers::actions::{Executor, ExecutorConfig};
use std::sync::Arc;
use std::time::Duration;
use support::moto::{moto, recording_stub_server, sdk_config};
use tokio::sync::mpsc;

struct Seeded {
    api: Arc<SdkApi>,
    web1: String,
    web2: String,
}

fn container(
    image: &str,
    port: i32,
    env: &[(&str, &str)],
    secrets: &[&str],
) -> ecs::types::ContainerDefinition {
    let mut c = ecs::types::ContainerDefinition::builder()
        .name("web")
        .image(image)
        .memory(256)
        .port_mappings(
            ecs::types::PortMapping::builder()
                .container_port(port)
                .protocol(ecs::types::TransportProtocol::Tcp)
                .build(),
        );
    for (k, v) in env {
        c = c.environment(
            ecs::types::KeyValuePair::builder()
                .name(*k)
                .value(*v)
                .build(),
        );
    }
    for s in secrets {
        c = c.secrets(
            ecs::types::Secret::builder()
                .name(*s)
                .value_from(format!("arn:aws:ssm:eu-west-1:123456789012:parameter/{s}"))
                .build()
                .unwrap(),
        );
    }
    c.build()
}

async fn register(
    client: &ecs::Client,
    family: &str,
    cpu: &str,
    c: ecs::types::ContainerDefinition,
) -> String {
    client
        .register_task_definition()
        .family(family)
        .requires_compatibilities(ecs::types::Compatibility::Fargate)
        .network_mode(ecs::types::NetworkMode::Awsvpc)
        .cpu(cpu)
        .memory("512")
        .container_definitions(c)
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_owned()
}

async fn seeded(region: &str) -> Seeded {
    let moto = moto();
    let conf = sdk_config(&moto.endpoint, region).await;
    let client = ecs::Client::new(&conf);
    let (subnet, security_group) = moto.default_network(region);
    client
        .create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    let web1 = register(
        &client,
        "web",
        "256",
        container("nginx:1.26", 8080, &[("APP_ENV", "prod")], &["DB_PASSWORD"]),
    )
    .await;
    let web2 = register(
        &client,
        "web",
        "512",
        container(
            "nginx:1.27",
            80,
            &[("APP_ENV", "prod"), ("FEATURE_X", "on")],
            &["DB_PASSWORD", "API_KEY"],
        ),
    )
    .await;
    register(
        &client,
        "web-worker",
        "256",
        container("worker:1", 9000, &[], &[]),
    )
    .await;
    client
        .create_service()
        .cluster("prod")
        .service_name("web")
        .task_definition("web:2")
        .desired_count(2)
        .launch_type(ecs::types::LaunchType::Fargate)
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
    Seeded {
        api: Arc::new(SdkApi::from_config(&conf, Some("prod".into()))),
        web1,
        web2,
    }
}

struct Exec {
    executor: Executor,
    rx: mpsc::UnboundedReceiver<Msg>,
    audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn executor(api: Arc<SdkApi>) -> Exec {
    let (tx, rx) = mpsc::unbounded_channel();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let executor = Executor::new(
        api,
        tx,
        ExecutorConfig {
            read_only: false,
            audit_log: Some(audit.clone()),
            profile: "prod".into(),
            region: "eu-west-1".into(),
        },
    );
    Exec {
        executor,
        rx,
        audit,
        _dir: dir,
    }
}

impl Exec {
    async fn next(&mut self) -> Msg {
        tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("an answer")
            .unwrap()
    }
    async fn run(&mut self, plan: ecsdeck::model::actions::Plan) -> Service {
        self.executor.execute(1, plan);
        match self.next().await {
            Msg::Executed {
                result: Ok(Some(s)),
                audit_error: None,
                ..
            } => *s,
            other => panic!("{other:?}"),
        }
    }
    async fn ask(&mut self, fetch: Fetch) -> DialogAnswer {
        self.executor.fetch(1, fetch);
        match self.next().await {
            Msg::Dialog { answer, .. } => answer,
            other => panic!("{other:?}"),
        }
    }
}

async fn describe(api: &SdkApi) -> Service {
    api.describe_services("prod", &["web".into()])
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn scale_rollback_and_force_send_the_right_update_service() {
    let s = seeded("eu-central-1").await;
    let mut ex = executor(s.api.clone());
    let service = describe(&s.api).await;
    assert_eq!(family_rev(&service.task_definition), "web:2");

    let scale = Scale {
        input: "5".into(),
        autoscaling: Fetched::Ready(None),
        move_bounds: false,
        typed_name: None,
    };
    ex.run(actions::scale_plan("prod", &service, 5, &scale))
        .await;
    assert_eq!(describe(&s.api).await.desired_count, 5);

    let rolled = ex
        .run(ecsdeck::model::actions::rollback_plan(
            "prod", &service, &s.web1,
        ))
        .await;
    assert_eq!(family_rev(&rolled.task_definition), "web:1");
    assert_eq!(family_rev(&describe(&s.api).await.task_definition), "web:1");

    ex.run(ecsdeck::model::actions::force_plan(
        "prod",
        &describe(&s.api).await,
    ))
    .await;
    let after = describe(&s.api).await;
    assert_eq!(
        (after.desired_count, family_rev(&after.task_definition)),
        (5, "web:1")
    );

    // Three calls: each an intent line before it was sent, then an outcome line with moto's request id.
    let all: Vec<serde_json::Value> = std::fs::read_to_string(&ex.audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phases: Vec<&str> = all.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(
        phases,
        [
            "intent", "outcome", "intent", "outcome", "intent", "outcome"
        ]
    );
    let lines: Vec<&serde_json::Value> = all.iter().filter(|l| l["phase"] == "outcome").collect();
    assert_eq!(lines[0]["before"], "desired 2", "read from moto");
    let kinds: Vec<&str> = lines
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["scale", "rollback", "force-deployment"]);
    assert_eq!(lines[1]["before"], "web:2");
    assert_eq!(lines[1]["after"], "web:1");
    assert!(
        lines
            .iter()
            .all(|l| l["outcome"] == "ok" && l["region"] == "eu-west-1")
    );
    assert!(
        lines.iter().all(|l| l["request_id"].is_string()),
        "{lines:?}"
    );

    // An unknown revision is AWS's error, shown, and audited as failed.
    ex.executor.execute(
        2,
        ecsdeck::model::actions::rollback_plan("prod", &service, "web:99"),
    );
    match ex.next().await {
        Msg::Executed { result: Err(e), .. } => assert!(e.contains("UpdateService"), "{e}"),
        other => panic!("{other:?}"),
    }
    let all: Vec<serde_json::Value> = std::fs::read_to_string(&ex.audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let [.., intent, outcome] = all.as_slice() else {
        panic!("{all:?}")
    };
    assert_eq!(intent["phase"], "intent");
    assert_eq!(intent["after"], "web:99");
    assert_eq!(outcome["phase"], "outcome");
    assert_ne!(outcome["outcome"], "ok");
}

#[tokio::test]
async fn revisions_are_listed_newest_first_and_diffed_by_names_never_values() {
    let s = seeded("ap-southeast-2").await;
    let mut ex = executor(s.api.clone());
    let answer = ex
        .ask(Fetch::Revisions {
            cluster: "prod".into(),
            service: "web".into(),
            family: "web".into(),
            current: s.web2.clone(),
            previous: Some(s.web1.clone()),
        })
        .await;
    let DialogAnswer::Revisions(Ok(r)) = answer else {
        panic!("{answer:?}")
    };
    let listed: Vec<&str> = r
        .list
        .iter()
        .map(|x| family_rev(&x.task_definition))
        .collect();
    assert_eq!(listed, ["web:2", "web:1"], "web-worker is another family");
    assert!(r.list[0].primary);
    // moto has no service deployments API: the previous ACTIVE revision stands in, and the dialog says so.
    assert!(
        r.good_source.contains("previous ACTIVE revision"),
        "{}",
        r.good_source
    );
    assert!(r.list[1].good);

    let answer = ex
        .ask(Fetch::Diff {
            from: s.web2.clone(),
            to: s.web1.clone(),
        })
        .await;
    let DialogAnswer::Diff(Ok(diff)) = answer else {
        panic!("{answer:?}")
    };
    let field = |f: &str| {
        diff.iter()
            .find(|l| l.field == f)
            .unwrap_or_else(|| panic!("{f}: {diff:?}"))
    };
    assert_eq!(field("task cpu").to, "256");
    assert_eq!(field("web image").from, "nginx:1.27");
    assert_eq!(field("web ports").to, "8080/tcp");
    assert_eq!(field("web environment").from, "APP_ENV, FEATURE_X");
    assert_eq!(field("web secrets").from, "API_KEY, DB_PASSWORD");
    let all = format!("{diff:?}");
    assert!(
        !all.contains("arn:aws:ssm") && !all.contains("\"on\""),
        "values never shown: {all}"
    );
}

#[tokio::test]
async fn autoscaling_bounds_are_read_and_moved_with_the_desired_count() {
    let s = seeded("ca-central-1").await;
    let mut ex = executor(s.api.clone());
    let answer = ex
        .ask(Fetch::Autoscaling {
            cluster: "prod".into(),
            service: "web".into(),
        })
        .await;
    assert_eq!(answer, DialogAnswer::Autoscaling(Ok(None)));
    s.api
        .register_scalable_target(&ScalableTarget {
            resource_id: scalable_resource_id("prod", "web"),
            min_capacity: 2,
            max_capacity: 4,
        })
        .await
        .unwrap();
    let DialogAnswer::Autoscaling(Ok(Some(target))) = ex
        .ask(Fetch::Autoscaling {
            cluster: "prod".into(),
            service: "web".into(),
        })
        .await
    else {
        panic!()
    };
    assert_eq!((target.min_capacity, target.max_capacity), (2, 4));
    let scale = Scale {
        input: "9".into(),
        autoscaling: Fetched::Ready(Some(target)),
        move_bounds: true,
        typed_name: None,
    };
    let service = describe(&s.api).await;
    ex.run(actions::scale_plan("prod", &service, 9, &scale))
        .await;
    let moved = s
        .api
        .describe_scalable_target("prod", "web")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((moved.min_capacity, moved.max_capacity), (2, 9));
    assert_eq!(describe(&s.api).await.desired_count, 9);
    // The RegisterScalableTarget lines record the bounds, read from AWS before the call.
    let register: Vec<serde_json::Value> = std::fs::read_to_string(&ex.audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| {
            l["request"]
                .as_str()
                .is_some_and(|r| r.starts_with("application-autoscaling:"))
        })
        .collect();
    assert_eq!(register.len(), 2, "{register:?}");
    assert!(
        register
            .iter()
            .all(|l| l["before"] == "min 2 max 4" && l["after"] == "min 2 max 9"),
        "{register:?}"
    );
}

#[tokio::test]
async fn stop_service_deployment_sends_rollback_on_the_wire() {
    let (endpoint, seen) = recording_stub_server(
        200,
        r#"{"serviceDeploymentArn":"arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/abc"}"#,
    );
    let conf = sdk_config(&endpoint, "eu-west-1").await;
    let api = SdkApi::from_config(&conf, None);
    let arn = "arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/abc";
    let out = api.stop_service_deployment(arn).await.unwrap();
    assert_eq!(out.value, arn);
    assert_eq!(out.request_id.as_deref(), Some("stub"));
    let seen = seen.lock().unwrap();
    let request = &seen[0];
    assert!(
        request
            .headers
            .iter()
            .any(|h| h == "x-amz-target: amazonec2containerservicev20141113.stopservicedeployment"),
        "{:?}",
        request.headers
    );
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["serviceDeploymentArn"], arn);
    assert_eq!(body["stopType"], "ROLLBACK");
}
