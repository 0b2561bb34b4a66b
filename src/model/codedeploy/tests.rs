//! Group finding, deployment order, config names and the CodeDeploy verdict.

use super::*;
use crate::aws::EcsServiceRef;

fn group(name: &str, platform: Option<&str>, services: &[(&str, &str)]) -> DeploymentGroup {
    DeploymentGroup {
        application_name: "app".into(),
        deployment_group_name: name.into(),
        compute_platform: platform.map(str::to_owned),
        ecs_services: services
            .iter()
            .map(|(c, s)| EcsServiceRef {
                cluster_name: (*c).into(),
                service_name: (*s).into(),
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn the_group_is_the_ecs_one_listing_cluster_and_service() {
    let groups = [
        group("server", Some("Server"), &[("production", "gateway")]),
        group("other-cluster", Some("ECS"), &[("staging", "gateway")]),
        group("other-service", Some("ECS"), &[("production", "web")]),
        group(
            "gw",
            Some("ECS"),
            &[("production", "web"), ("production", "gateway")],
        ),
    ];
    let found =
        find_group(&groups, "production", "gateway").map(|g| g.deployment_group_name.as_str());
    assert_eq!(found, Some("gw"));
    // The cluster may come as an ARN (the service's clusterArn).
    let by_arn = find_group(
        &groups,
        "arn:aws:ecs:us-east-1:123456789012:cluster/staging",
        "gateway",
    );
    assert_eq!(
        by_arn.map(|g| g.deployment_group_name.as_str()),
        Some("other-cluster")
    );
    assert_eq!(find_group(&groups, "production", "search"), None);
    assert_eq!(find_group(&groups, "batch", "gateway"), None);
}

fn dep(id: &str, status: &str, created: i64) -> CdDeployment {
    CdDeployment {
        deployment_id: id.into(),
        status: status.into(),
        create_time: Some(created),
        ..Default::default()
    }
}

#[test]
fn under_way_first_then_newest() {
    let mut d = vec![
        dep("old-ok", "Succeeded", 100),
        dep("queued", "Queued", 400),
        dep("new-failed", "Failed", 300),
        dep("running", "InProgress", 200),
        dep("stopped", "Stopped", 250),
    ];
    order_deployments(&mut d);
    let ids: Vec<&str> = d.iter().map(|d| d.deployment_id.as_str()).collect();
    assert_eq!(
        ids,
        ["running", "queued", "new-failed", "stopped", "old-ok"]
    );
    assert!(under_way("Baking") && under_way("Ready") && !under_way("Succeeded"));
}

#[test]
fn config_names_read_as_what_they_do() {
    assert_eq!(
        config_label("CodeDeployDefault.ECSCanary10Percent5Minutes"),
        "canary: 10% then the rest after 5 min"
    );
    assert_eq!(
        config_label("CodeDeployDefault.ECSLinear10PercentEvery1Minutes"),
        "linear: 10% every 1 min"
    );
    assert_eq!(
        config_label("CodeDeployDefault.ECSLinear10PercentEvery3Minutes"),
        "linear: 10% every 3 min"
    );
    assert_eq!(
        config_label("CodeDeployDefault.ECSAllAtOnce"),
        "all at once"
    );
    assert_eq!(
        config_label("gateway-canary-25"),
        "custom (gateway-canary-25)"
    );
    // A predefined name this version does not know is not guessed at.
    assert_eq!(
        config_label("CodeDeployDefault.OneAtATime"),
        "predefined (CodeDeployDefault.OneAtATime)"
    );
}

fn watched(status: &str, sets: &[&str], alarms_firing: &[&str]) -> BlueGreen {
    BlueGreen {
        task_sets: Ok(sets
            .iter()
            .map(|s| TaskSet {
                status: (*s).into(),
                computed_desired_count: 2,
                running_count: 2,
                ..Default::default()
            })
            .collect()),
        codedeploy: Some(CodeDeployState::Found(Box::new(Found {
            group: DeploymentGroup {
                alarm_names: vec!["gw-5xx".into()],
                alarms_enabled: true,
                deployment_config_name: Some("CodeDeployDefault.ECSCanary10Percent5Minutes".into()),
                ..Default::default()
            },
            deployments: Ok(vec![CdDeployment {
                deployment_id: "d-1".into(),
                status: status.into(),
                error_code: (status == "Stopped").then(|| "ALARM_ACTIVE".into()),
                rollback_info: (status == "Stopped").then(|| crate::aws::RollbackInfo {
                    rollback_message: Some("rolled back to the original task set".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            target: None,
            alarms_firing: Some(Ok(alarms_firing.iter().map(|a| (*a).to_owned()).collect())),
        }))),
    }
}

#[test]
fn the_codedeploy_verdict_is_green_only_when_done_clean() {
    let ok = outcome(&watched("Succeeded", &["PRIMARY"], &[]), &[], 0).unwrap();
    assert!(matches!(ok, Outcome::Succeeded(_)), "{ok:?}");
    // An alarm of the group firing, or the original task set still there: amber, never green.
    let firing = outcome(&watched("Succeeded", &["PRIMARY"], &["gw-5xx"]), &[], 0).unwrap();
    assert!(
        matches!(&firing, Outcome::Deployed(t) if t.contains("gw-5xx in ALARM")),
        "{firing:?}"
    );
    let two = outcome(&watched("Succeeded", &["PRIMARY", "ACTIVE"], &[]), &[], 0).unwrap();
    assert!(matches!(two, Outcome::Deployed(_)), "{two:?}");
    // A rollback is a failure of the new revision.
    let stopped = outcome(&watched("Stopped", &["PRIMARY"], &[]), &[], 0).unwrap();
    assert!(
        matches!(&stopped, Outcome::Failed(t) if t.contains("rolled back")),
        "{stopped:?}"
    );
    let ready = outcome(&watched("Ready", &["PRIMARY", "ACTIVE"], &[]), &[], 0).unwrap();
    assert!(
        matches!(&ready, Outcome::InProgress(t) if t.contains("ready to reroute") && t.contains("canary: 10%")),
        "{ready:?}"
    );
    // No CodeDeploy at all (an EXTERNAL service): the ECS verdict stands.
    let external = BlueGreen {
        task_sets: Ok(vec![]),
        codedeploy: None,
    };
    assert_eq!(outcome(&external, &[], 0), None);
}

#[test]
fn a_deployment_waiting_to_reroute_says_when_codedeploy_stops_it() {
    let mut bg = watched("Ready", &["PRIMARY", "ACTIVE"], &[]);
    let Some(CodeDeployState::Found(found)) = &mut bg.codedeploy else {
        unreachable!()
    };
    found.group.ready_action = Some("STOP_DEPLOYMENT".into());
    found.group.ready_wait_minutes = Some(60);
    if let Ok(d) = &mut found.deployments {
        d[0].start_time = Some(1_000_000);
    }
    // Counted from the end of the last hook that ran, not from the start.
    found.target = Some(Ok(EcsDeploymentTarget {
        lifecycle_events: vec![crate::aws::LifecycleEvent {
            name: "AfterAllowTestTraffic".into(),
            status: "Succeeded".into(),
            end_time: Some(1_060_000),
            ..Default::default()
        }],
        ..Default::default()
    }));
    assert_eq!(ready_deadline(found), Some(1_060_000 + 3_600_000));
    let text = outcome(&bg, &[], 1_060_000 + 600_000).unwrap();
    assert!(
        text.text()
            .contains("CodeDeploy stops it in 50 min if it is not continued"),
        "{text:?}"
    );
    // A group that continues by itself has no such deadline.
    let Some(CodeDeployState::Found(found)) = &mut bg.codedeploy else {
        unreachable!()
    };
    found.group.ready_action = Some("CONTINUE_DEPLOYMENT".into());
    assert_eq!(ready_deadline(found), None);
}

#[test]
fn the_next_shift_comes_from_the_allow_traffic_start_and_the_configuration() {
    assert_eq!(
        shift_steps("CodeDeployDefault.ECSCanary10Percent5Minutes"),
        Some((10, 90, 5))
    );
    assert_eq!(
        shift_steps("CodeDeployDefault.ECSLinear10PercentEvery3Minutes"),
        Some((10, 10, 3))
    );
    assert_eq!(
        shift_steps("CodeDeployDefault.ECSAllAtOnce"),
        Some((100, 100, 0))
    );
    assert_eq!(shift_steps("my-custom"), None);
    let mut bg = watched("InProgress", &["PRIMARY", "ACTIVE"], &[]);
    let Some(CodeDeployState::Found(found)) = &mut bg.codedeploy else {
        unreachable!()
    };
    found.target = Some(Ok(EcsDeploymentTarget {
        lifecycle_events: vec![crate::aws::LifecycleEvent {
            name: "AllowTraffic".into(),
            status: "InProgress".into(),
            start_time: Some(1_000_000),
            ..Default::default()
        }],
        task_sets: vec![crate::aws::CdTaskSet {
            label: Some("Green".into()),
            traffic_weight: 10.0,
            ..Default::default()
        }],
        ..Default::default()
    }));
    // Canary 10 % for 5 min: one more step, 5 min after the start; none after it.
    assert_eq!(
        next_shift(found, 1_000_000 + 60_000),
        Some(1_000_000 + 300_000)
    );
    assert_eq!(next_shift(found, 1_000_000 + 300_000), None);
    let text = outcome(&bg, &[], 1_000_000 + 60_000).unwrap();
    assert!(
        text.text()
            .contains("green takes 10% of production traffic; next shift in 4m00s"),
        "{text:?}"
    );
    // Linear 10 % every 1 min: nine more steps.
    let Some(CodeDeployState::Found(found)) = &mut bg.codedeploy else {
        unreachable!()
    };
    if let Ok(d) = &mut found.deployments {
        d[0].deployment_config_name =
            Some("CodeDeployDefault.ECSLinear10PercentEvery1Minutes".into());
    }
    assert_eq!(
        next_shift(found, 1_000_000 + 30_000),
        Some(1_000_000 + 60_000)
    );
    assert_eq!(
        next_shift(found, 1_000_000 + 530_000),
        Some(1_000_000 + 540_000)
    );
    assert_eq!(next_shift(found, 1_000_000 + 540_000), None);
}

#[test]
fn looking_says_where_it_looked() {
    let looked = Looked {
        applications: 2,
        groups: 3,
        ecs_groups: 1,
    };
    let text = looked.describe("production", "web");
    assert!(text.contains("production/web"), "{text}");
    assert!(
        text.contains("2 application(s), 3 group(s), 1 of them ECS"),
        "{text}"
    );
}
