//! ALB blue/green with the real AWS SDK against moto server: a pair seeded in moto (an ALB, a listener with a
//! weighted forward, a /test/* rule, two target groups, two ECS services with loadBalancers) is found through
//! the traffic dialog's lookup; switch, shift and switch back are sent by the executor and verified by
//! reading the listener back; live traffic on a host rule is shifted with ModifyRule; a shift to a target
//! group with no healthy target is refused with nothing sent.
//!
//! moto 5.2.5 (checked here): ForwardConfig weights, path-pattern and host-header conditions, DescribeRules
//! (with the listener's default rule, which mirrors its default actions), ModifyListener and ModifyRule all
//! work; DescribeTargetHealth reports every registered target healthy, so "no healthy target" is seeded as
//! a group without targets.

mod support;

use aws_sdk_ecs as ecs;
use aws_sdk_elasticloadbalancingv2 as elb;
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::model::traffic::{Move, Traffic, traffic_plan};
use ecsdeck::protocol::{DialogAnswer, Fetch, Msg};
use ecsdeck::workers::actions::{Executor, ExecutorConfig};
use std::sync::Arc;
use std::time::Duration;
use support::moto::{moto, register_fargate, sdk_config};
use tokio::sync::mpsc;

struct Env {
    elb: elb::Client,
    listener: String,
    /// The live rule (host store.example.com), when live traffic is routed by a rule.
    live_rule: Option<String>,
    blue: String,
    green: String,
    executor: Executor,
    rx: mpsc::UnboundedReceiver<Msg>,
    audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn target_group(elb: &elb::Client, name: &str, vpc: &str) -> String {
    elb.create_target_group()
        .name(name)
        .protocol(elb::types::ProtocolEnum::Http)
        .port(8080)
        .vpc_id(vpc)
        .target_type(elb::types::TargetTypeEnum::Ip)
        .send()
        .await
        .unwrap()
        .target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_owned()
}

fn forward(groups: &[(&str, i32)]) -> elb::types::Action {
    let mut config = elb::types::ForwardActionConfig::builder();
    for (arn, w) in groups {
        config = config.target_groups(
            elb::types::TargetGroupTuple::builder()
                .target_group_arn(*arn)
                .weight(*w)
                .build(),
        );
    }
    elb::types::Action::builder()
        .r#type(elb::types::ActionTypeEnum::Forward)
        .forward_config(config.build())
        .build()
}

/// `store-blue` (100) and `store-green` (0) behind HTTP:80 of one ALB, a /test/* rule to green, both services
/// in cluster `prod` of `region`; green has targets only when `green_targets`. With `live_on_rule` the
/// listener's default is a fixed 404 and live traffic is a host rule's weighted forward.
async fn env(region: &str, green_targets: bool, live_on_rule: bool) -> Env {
    let moto = moto();
    let conf = sdk_config(&moto.endpoint, region).await;
    let elb = elb::Client::new(&conf);
    let ecs = ecs::Client::new(&conf);
    let vpc = moto.ec2_first(region, "DescribeVpcs", "vpcId");
    let subnets = moto.ec2_all(region, "DescribeSubnets", "subnetId");
    let lb = elb
        .create_load_balancer()
        .name("store")
        .set_subnets(Some(subnets.into_iter().take(2).collect()))
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    let blue = target_group(&elb, "store-blue", &vpc).await;
    let green = target_group(&elb, "store-green", &vpc).await;
    let listener = elb
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(elb::types::ProtocolEnum::Http)
        .port(80)
        .default_actions(if live_on_rule {
            elb::types::Action::builder()
                .r#type(elb::types::ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    elb::types::FixedResponseActionConfig::builder()
                        .status_code("404")
                        .build(),
                )
                .build()
        } else {
            forward(&[(&blue, 100), (&green, 0)])
        })
        .send()
        .await
        .unwrap()
        .listeners()[0]
        .listener_arn()
        .unwrap()
        .to_owned();
    let live_rule = if live_on_rule {
        let rule = elb
            .create_rule()
            .listener_arn(&listener)
            .priority(5)
            .conditions(
                elb::types::RuleCondition::builder()
                    .field("host-header")
                    .host_header_config(
                        elb::types::HostHeaderConditionConfig::builder()
                            .values("store.example.com")
                            .build(),
                    )
                    .build(),
            )
            .actions(forward(&[(&blue, 100), (&green, 0)]))
            .send()
            .await
            .unwrap();
        Some(rule.rules()[0].rule_arn().unwrap().to_owned())
    } else {
        None
    };
    elb.create_rule()
        .listener_arn(&listener)
        .priority(10)
        .conditions(
            elb::types::RuleCondition::builder()
                .field("path-pattern")
                .path_pattern_config(
                    elb::types::PathPatternConditionConfig::builder()
                        .values("/test/*")
                        .build(),
                )
                .build(),
        )
        .actions(
            elb::types::Action::builder()
                .r#type(elb::types::ActionTypeEnum::Forward)
                .target_group_arn(&green)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut with_targets = vec![(&blue, "172.31.0.10")];
    if green_targets {
        with_targets.push((&green, "172.31.0.20"));
    }
    for (tg, ip) in with_targets {
        elb.register_targets()
            .target_group_arn(tg)
            .targets(
                elb::types::TargetDescription::builder()
                    .id(ip)
                    .port(8080)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let (subnet, security_group) = moto.default_network(region);
    ecs.create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    register_fargate(&ecs, "store").await;
    for (name, tg) in [
        ("store-blue", Some(&blue)),
        ("store-green", Some(&green)),
        ("worker", None),
    ] {
        let mut req = ecs
            .create_service()
            .cluster("prod")
            .service_name(name)
            .task_definition("store:1")
            .desired_count(1)
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
            );
        if let Some(tg) = tg {
            req = req.load_balancers(
                ecs::types::LoadBalancer::builder()
                    .target_group_arn(tg)
                    .container_name("store")
                    .container_port(8080)
                    .build(),
            );
        }
        req.send().await.unwrap();
    }
    let api = Arc::new(SdkApi::from_config(&conf, Some("prod".into())));
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
            region: region.into(),
        },
    );
    Env {
        elb,
        listener,
        live_rule,
        blue,
        green,
        executor,
        rx,
        audit,
        _dir: dir,
    }
}

impl Env {
    async fn next(&mut self) -> Msg {
        tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("an answer")
            .unwrap()
    }

    /// What the traffic dialog of `service` learns.
    async fn traffic(&mut self, service: &str, own: &str) -> Traffic {
        self.executor.fetch(
            1,
            Fetch::Traffic {
                cluster: "prod".into(),
                service: service.into(),
                target_groups: vec![own.to_owned()],
            },
        );
        match self.next().await {
            Msg::Dialog {
                answer: DialogAnswer::Traffic(Ok(t)),
                ..
            } => t,
            other => panic!("{other:?}"),
        }
    }

    async fn send(&mut self, service: &str, own: &str, mv: Move) {
        let t = self.traffic(service, own).await;
        let plan = traffic_plan("prod", service, &t, mv).unwrap();
        self.executor.execute(2, plan);
        match self.next().await {
            Msg::Executed {
                result: Ok(None),
                audit_error: None,
                ..
            } => {}
            other => panic!("{other:?}"),
        }
    }

    /// The live weights as ELB reports them now (the live rule's, or the listener's): (blue, green).
    async fn weights(&self) -> (i32, i32) {
        let actions = match &self.live_rule {
            Some(rule) => self
                .elb
                .describe_rules()
                .rule_arns(rule)
                .send()
                .await
                .unwrap()
                .rules()[0]
                .actions()
                .to_vec(),
            None => self
                .elb
                .describe_listeners()
                .listener_arns(&self.listener)
                .send()
                .await
                .unwrap()
                .listeners()[0]
                .default_actions()
                .to_vec(),
        };
        let config = actions[0].forward_config().unwrap();
        let w = |arn: &str| {
            config
                .target_groups()
                .iter()
                .find(|t| t.target_group_arn() == Some(arn))
                .and_then(|t| t.weight())
                .unwrap()
        };
        (w(&self.blue), w(&self.green))
    }
}

#[tokio::test]
async fn the_pair_is_found_and_switch_shift_and_switch_back_change_the_listener() {
    let mut env = env("ap-northeast-3", true, false).await;
    let (blue, green) = (env.blue.clone(), env.green.clone());
    let t = env.traffic("store-blue", &blue).await;
    let pair = t.pair.clone().unwrap();
    assert_eq!(
        (pair.blue.service.as_str(), pair.blue.share),
        ("store-blue", 100)
    );
    assert_eq!(
        (pair.green.service.as_str(), pair.green.share),
        ("store-green", 0)
    );
    assert_eq!(pair.live.label(), "HTTP:80 default");
    let test = pair.test.unwrap();
    assert_eq!(test.conditions_text(), "path /test/*");
    assert_eq!(t.health_of(&green).map(|h| h.healthy), Some(1));
    // From the green side the same pair.
    let t = env.traffic("store-green", &green).await;
    assert_eq!(t.pair.unwrap().blue.service, "store-blue");

    env.send("store-blue", &blue, Move::Shift(10)).await;
    assert_eq!(env.weights().await, (90, 10));
    env.send("store-blue", &blue, Move::Switch).await;
    assert_eq!(env.weights().await, (0, 100));
    env.send("store-green", &green, Move::SwitchBack).await;
    assert_eq!(env.weights().await, (100, 0));
    // The test rule was never touched.
    let rules = env
        .elb
        .describe_rules()
        .listener_arn(&env.listener)
        .send()
        .await
        .unwrap();
    let test_rule = rules
        .rules()
        .iter()
        .find(|r| r.priority() == Some("10"))
        .unwrap();
    assert_eq!(
        test_rule.actions()[0].target_group_arn(),
        Some(green.as_str())
    );
    let audit = std::fs::read_to_string(&env.audit).unwrap();
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "{audit}");
    assert_eq!(lines[0]["before"], "store-blue 100 · store-green 0");
    assert_eq!(lines[0]["after"], "store-blue 90 · store-green 10");
    assert!(lines[1]["request_id"].is_string(), "{audit}");
}

#[tokio::test]
async fn a_shift_to_a_group_without_healthy_targets_is_refused_with_nothing_sent() {
    let mut env = env("ap-northeast-2", false, false).await;
    let blue = env.blue.clone();
    let t = env.traffic("store-blue", &blue).await;
    assert_eq!(t.health_of(&env.green).map(|h| h.healthy), Some(0));
    let why = traffic_plan("prod", "store-blue", &t, Move::Shift(10)).unwrap_err();
    assert!(
        why.contains("store-green has no healthy target (0 of 0 healthy)"),
        "{why}"
    );
    assert_eq!(env.weights().await, (100, 0));
    assert!(!env.audit.exists(), "nothing was sent, nothing logged");
}

#[tokio::test]
async fn live_traffic_on_a_host_rule_is_shifted_with_modify_rule_and_the_fixed_response_is_kept() {
    let mut env = env("ap-southeast-3", true, true).await;
    let blue = env.blue.clone();
    let t = env.traffic("store-blue", &blue).await;
    let pair = t.pair.clone().unwrap();
    assert_eq!(pair.live.label(), "HTTP:80 rule 5");
    assert_eq!(pair.live.conditions_text(), "host store.example.com");
    // The listener's default (a fixed response) reaches no target group: not one of the pair's routes, and
    // left as it is by the shift (checked below).
    assert!(
        t.routes.iter().all(|r| r.rule_arn.is_some()),
        "the default (fixed-response) reaches no target group: {:?}",
        t.routes
    );
    let plan = traffic_plan("prod", "store-blue", &t, Move::Shift(50)).unwrap();
    assert!(
        plan.calls[0]
            .text()
            .starts_with("elasticloadbalancing:ModifyRule "),
        "{}",
        plan.calls[0].text()
    );
    env.send("store-blue", &blue, Move::Shift(50)).await;
    assert_eq!(env.weights().await, (50, 50));
    let listener = env
        .elb
        .describe_listeners()
        .listener_arns(&env.listener)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listener.listeners()[0].default_actions()[0]
            .r#type()
            .map(|t| t.as_str()),
        Some("fixed-response")
    );
    let audit = std::fs::read_to_string(&env.audit).unwrap();
    assert!(
        audit.contains(r#""before":"store-blue 100 · store-green 0""#),
        "the rule's weights read just before: {audit}"
    );
}
