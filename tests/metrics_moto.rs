//! Metrics, alarms and target groups with the real AWS SDK against moto. aws-sdk-cloudwatch speaks
//! rpc-v2-cbor, which moto does not: its calls go through the translating proxy in support/cbor_proxy.rs.
//! ELBv2 (awsQuery) and ECS talk to moto directly. Each test uses its own region.

mod support;

use aws_sdk_cloudwatch as cw;
use aws_sdk_ecs as ecs;
use aws_sdk_elasticloadbalancingv2 as elb;
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::{ApiError, CloudWatch, Elbv2, MetricRequest, Millis, TargetGroup};
use ecsdeck::model::metrics::{ChartId, MetricsData, Window, fetch_range, plan};
use ecsdeck::protocol::{MetricsRequest, MetricsUpdate};
use ecsdeck::workers::metrics::{MetricsConfig, MetricsWorker};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::cbor_proxy::proxy;
use support::moto::{moto, register_fargate, sdk_config};

const MINUTE: Millis = 60_000;

struct Env {
    api: SdkApi,
    cw: cw::Client,
    ecs: ecs::Client,
    tg_arn: String,
    lb_arn: String,
}

/// An ALB with a listener forwarding to one target group of two IP targets, in `region`.
async fn env(region: &str) -> Env {
    let moto = moto();
    let proxy = proxy(moto.port);
    let conf = sdk_config(&moto.endpoint, region).await;
    let cw_conf = sdk_config(&proxy.endpoint, region).await;
    let api = SdkApi::from_configs(&conf, &cw_conf, None);
    let cw = cw::Client::from_conf(
        cw::config::Builder::from(&cw_conf)
            .disable_request_compression(true)
            .build(),
    );
    let elb = elb::Client::new(&conf);
    let vpc = moto.ec2_first(region, "DescribeVpcs", "vpcId");
    let subnets = moto.ec2_all(region, "DescribeSubnets", "subnetId");
    let lb = elb
        .create_load_balancer()
        .name("shop")
        .set_subnets(Some(subnets.into_iter().take(2).collect()))
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    let tg = elb
        .create_target_group()
        .name("web-tg")
        .protocol(elb::types::ProtocolEnum::Http)
        .port(8080)
        .vpc_id(vpc)
        .target_type(elb::types::TargetTypeEnum::Ip)
        .health_check_path("/health")
        .send()
        .await
        .unwrap();
    let tg_arn = tg.target_groups()[0].target_group_arn().unwrap().to_owned();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(elb::types::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            elb::types::Action::builder()
                .r#type(elb::types::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();
    for ip in ["172.31.0.10", "172.31.0.11"] {
        elb.register_targets()
            .target_group_arn(&tg_arn)
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
    Env {
        api,
        cw,
        ecs: ecs::Client::new(&conf),
        tg_arn,
        lb_arn,
    }
}

fn dims(pairs: &[(&str, &str)]) -> Vec<cw::types::Dimension> {
    pairs
        .iter()
        .map(|(n, v)| cw::types::Dimension::builder().name(*n).value(*v).build())
        .collect()
}

async fn put(
    env: &Env,
    namespace: &str,
    metric: &str,
    d: &[(&str, &str)],
    points: &[(Millis, f64)],
) {
    let data = points
        .iter()
        .map(|(t, v)| {
            cw::types::MetricDatum::builder()
                .metric_name(metric)
                .set_dimensions(Some(dims(d)))
                .timestamp(aws_smithy_types::DateTime::from_millis(*t))
                .value(*v)
                .build()
        })
        .collect();
    env.cw
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricData {metric}: {e:?}"));
}

fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as Millis
}

#[tokio::test]
async fn target_groups_their_load_balancers_and_target_health_via_elbv2() {
    let env = env("eu-west-3").await;
    let groups = env
        .api
        .describe_target_groups(std::slice::from_ref(&env.tg_arn))
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g.target_group_name, "web-tg");
    assert_eq!(g.load_balancer_arns, vec![env.lb_arn.clone()]);
    assert_eq!(g.port, Some(8080));
    assert_eq!(g.health_check_path.as_deref(), Some("/health"));
    // The metric dimensions are the ARNs' tails.
    assert_eq!(g.dimension(), env.tg_arn.rsplit_once(':').map(|(_, t)| t));
    assert!(g.dimension().unwrap().starts_with("targetgroup/web-tg/"));
    assert_eq!(
        g.load_balancer_dimension(),
        env.lb_arn.split_once(":loadbalancer/").map(|(_, t)| t)
    );
    assert!(
        g.load_balancer_dimension()
            .unwrap()
            .starts_with("app/shop/")
    );

    let mut health = env.api.describe_target_health(&env.tg_arn).await.unwrap();
    health.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(
        health
            .iter()
            .map(|t| (t.id.as_str(), t.port, t.state.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("172.31.0.10", Some(8080), "healthy"),
            ("172.31.0.11", Some(8080), "healthy")
        ]
    );

    let missing = env.tg_arn.replace("web-tg", "gone-tg");
    let err = env
        .api
        .describe_target_groups(&[missing])
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn seeded_metrics_come_back_as_the_charted_values_in_one_call() {
    let env = env("ap-south-2").await;
    let tg: TargetGroup = env
        .api
        .describe_target_groups(std::slice::from_ref(&env.tg_arn))
        .await
        .unwrap()
        .remove(0);
    let (lb_dim, tg_dim) = (
        tg.load_balancer_dimension().unwrap(),
        tg.dimension().unwrap(),
    );
    let alb = [("LoadBalancer", lb_dim), ("TargetGroup", tg_dim)];
    let ecs_dims = [("ClusterName", "prod"), ("ServiceName", "web")];
    let base = (now_ms() / MINUTE - 8) * MINUTE;
    let at = |m: i64| base + m * MINUTE;
    put(
        &env,
        "AWS/ECS",
        "CPUUtilization",
        &ecs_dims,
        &[(at(0), 20.0), (at(1), 35.5), (at(3), 80.0)],
    )
    .await;
    put(
        &env,
        "AWS/ApplicationELB",
        "RequestCount",
        &alb,
        &[
            (at(0), 100.0),
            (at(1), 200.0),
            (at(2), 400.0),
            (at(3), 50.0),
        ],
    )
    .await;
    // ALB publishes 5XX only for minutes that had some.
    put(
        &env,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        &alb,
        &[(at(1), 20.0), (at(3), 5.0)],
    )
    .await;

    let (queries, charts) = plan("prod", "web", std::slice::from_ref(&tg), Window::M15, false);
    let (start, end) = fetch_range(
        now_ms(),
        Window::M15,
        queries[0].period_secs,
        None,
        5 * MINUTE,
    );
    let calls_before = proxy(moto().port)
        .get_metric_data
        .load(std::sync::atomic::Ordering::SeqCst);
    let page = env
        .api
        .get_metric_data(&MetricRequest {
            queries,
            start,
            end,
            next_token: None,
        })
        .await
        .unwrap();
    assert_eq!(page.next_token, None);
    let calls = proxy(moto().port)
        .get_metric_data
        .load(std::sync::atomic::Ordering::SeqCst)
        - calls_before;
    assert!(calls >= 1, "the call went through the CBOR proxy");

    let mut data = MetricsData::default();
    data.merge(start, end, 60_000, &page.results);
    let series = |chart: ChartId, label: &str| {
        let spec = charts
            .iter()
            .find(|c| c.id == chart)
            .unwrap()
            .series
            .iter()
            .find(|s| s.label == label)
            .unwrap();
        data.values(spec, base)
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        series(ChartId::Cpu, "avg"),
        vec![Some(20.0), Some(35.5), None, Some(80.0)]
    );
    assert_eq!(
        series(ChartId::Requests, "web-tg"),
        vec![Some(100.0), Some(200.0), Some(400.0), Some(50.0)]
    );
    // Missing 5XX minutes are zeros; the rate is 5XX / requests.
    assert_eq!(
        series(ChartId::Errors, "target"),
        vec![Some(0.0), Some(20.0), Some(0.0), Some(5.0)]
    );
    assert_eq!(
        series(ChartId::ErrorRate, "web-tg"),
        vec![Some(0.0), Some(10.0), Some(0.0), Some(10.0)]
    );
    // Nothing was published for memory: no values, not zeros.
    assert!(series(ChartId::Memory, "avg").iter().all(Option::is_none));
}

#[tokio::test]
async fn alarms_by_dimension_with_their_state() {
    let env = env("sa-east-1").await;
    let tg_dim = env.tg_arn.rsplit_once(':').unwrap().1.to_owned();
    let lb_dim = env
        .lb_arn
        .split_once(":loadbalancer/")
        .unwrap()
        .1
        .to_owned();
    let alarm = |name: &str, namespace: &str, metric: &str, d: Vec<cw::types::Dimension>| {
        env.cw
            .put_metric_alarm()
            .alarm_name(name)
            .namespace(namespace)
            .metric_name(metric)
            .set_dimensions(Some(d))
            .statistic(cw::types::Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(10.0)
            .comparison_operator(cw::types::ComparisonOperator::GreaterThanThreshold)
            .send()
    };
    alarm(
        "web-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dims(&[("LoadBalancer", &lb_dim), ("TargetGroup", &tg_dim)]),
    )
    .await
    .unwrap();
    alarm(
        "web-cpu",
        "AWS/ECS",
        "CPUUtilization",
        dims(&[("ClusterName", "prod"), ("ServiceName", "web")]),
    )
    .await
    .unwrap();
    alarm(
        "api-cpu",
        "AWS/ECS",
        "CPUUtilization",
        dims(&[("ClusterName", "prod"), ("ServiceName", "api")]),
    )
    .await
    .unwrap();
    env.cw
        .set_alarm_state()
        .alarm_name("web-5xx")
        .state_value(cw::types::StateValue::Alarm)
        .state_reason(
            "Threshold Crossed: 1 datapoint [42.0] was greater than the threshold (10.0).",
        )
        .send()
        .await
        .unwrap();

    let all = env.api.describe_alarms(None, None).await.unwrap();
    assert_eq!(all.alarms.len(), 3);
    let mut mine: Vec<&str> = all
        .alarms
        .iter()
        .filter(|a| a.watches("prod", "web", &[tg_dim.as_str()]))
        .map(|a| a.alarm_name.as_str())
        .collect();
    mine.sort();
    assert_eq!(mine, vec!["web-5xx", "web-cpu"]);

    let firing = env.api.describe_alarms(Some("ALARM"), None).await.unwrap();
    assert_eq!(firing.alarms.len(), 1);
    let a = &firing.alarms[0];
    assert_eq!(a.alarm_name, "web-5xx");
    assert!(a.in_alarm());
    assert!(a.state_reason.as_deref().unwrap().contains("42.0"));
    assert_eq!(a.metric_name.as_deref(), Some("HTTPCode_Target_5XX_Count"));
    assert!(a.state_updated_at.is_some());
}

#[tokio::test]
async fn the_worker_charts_a_moto_service_with_one_get_metric_data_per_refresh() {
    let region = "ca-central-1";
    let env = env(region).await;
    let moto = moto();
    let (subnet, security_group) = moto.default_network(region);
    env.ecs
        .create_cluster()
        .cluster_name("prod")
        .send()
        .await
        .unwrap();
    register_fargate(&env.ecs, "web").await;
    env.ecs
        .create_service()
        .cluster("prod")
        .service_name("web")
        .task_definition("web")
        .desired_count(0)
        .launch_type(ecs::types::LaunchType::Fargate)
        .load_balancers(
            ecs::types::LoadBalancer::builder()
                .target_group_arn(&env.tg_arn)
                .container_name("web")
                .container_port(8080)
                .build(),
        )
        .network_configuration(
            ecs::types::NetworkConfiguration::builder()
                .awsvpc_configuration(
                    ecs::types::AwsVpcConfiguration::builder()
                        .subnets(subnet)
                        .security_groups(security_group)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let tg_dim = env.tg_arn.rsplit_once(':').unwrap().1.to_owned();
    let lb_dim = env
        .lb_arn
        .split_once(":loadbalancer/")
        .unwrap()
        .1
        .to_owned();
    let base = (now_ms() / MINUTE - 5) * MINUTE;
    put(
        &env,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        &[("LoadBalancer", &lb_dim), ("TargetGroup", &tg_dim)],
        &[(base, 7.0)],
    )
    .await;

    let updates: Arc<Mutex<Vec<MetricsUpdate>>> = Arc::default();
    let sink = updates.clone();
    let worker = MetricsWorker::spawn(
        Arc::new(env.api),
        MetricsConfig {
            refresh: Duration::from_millis(300),
            ..MetricsConfig::default()
        },
        Box::new(move |generation, u| {
            assert_eq!(generation, 9);
            sink.lock().unwrap().push(u)
        }),
    );
    worker.watch(
        Some(MetricsRequest::Service {
            cluster: "prod".into(),
            service: "web".into(),
            window: Window::H1,
            compact: false,
        }),
        9,
    );
    let data = |u: &[MetricsUpdate]| {
        u.iter()
            .filter_map(|u| match u {
                MetricsUpdate::Data {
                    start,
                    end,
                    calls,
                    results,
                    ..
                } => Some((*start, *end, *calls, results.clone())),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    for _ in 0..200 {
        if data(&updates.lock().unwrap()).len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.watch(None, 10);
    let updates = updates.lock().unwrap().clone();
    let failures: Vec<_> = updates
        .iter()
        .filter(|u| {
            matches!(
                u,
                MetricsUpdate::DataFailed(_) | MetricsUpdate::ServiceFailed(_)
            )
        })
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    let fetched = data(&updates);
    assert!(fetched.len() >= 2, "two refreshes: {updates:?}");
    // Exactly one GetMetricData per refresh; the second asks again from 5 minutes before the first's end.
    assert!(fetched.iter().all(|(_, _, calls, _)| *calls == 1));
    assert_eq!(fetched[0].1 - fetched[0].0, Window::H1.millis());
    assert_eq!(fetched[1].0, fetched[0].1 - 5 * MINUTE);
    let t5xx = fetched[0].3.iter().find(|r| r.id == "t0_t5xx").unwrap();
    assert_eq!(t5xx.timestamps, vec![base]);
    assert_eq!(t5xx.values, vec![7.0]);
    assert!(
        updates.iter().any(|u| matches!(u,
        MetricsUpdate::TargetGroups(Ok(g)) if g.len() == 1 && g[0].target_group_arn == env.tg_arn))
    );
    assert!(updates.iter().any(|u| matches!(u,
        MetricsUpdate::Health { result: Ok(t), .. } if t.len() == 2)));
    assert!(
        updates
            .iter()
            .any(|u| matches!(u, MetricsUpdate::Alarms(Ok(_))))
    );
    // The target groups are resolved once, not every refresh.
    assert_eq!(
        updates
            .iter()
            .filter(|u| matches!(u, MetricsUpdate::TargetGroups(_)))
            .count(),
        1
    );
}
