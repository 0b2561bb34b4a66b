//! The simulated CodeDeploy account: deployments, task sets and traffic over time.

use super::shift::weight_after;
use super::*;

#[test]
fn the_app_spec_names_the_task_definition() {
    assert_eq!(
        app_spec_task_definition(
            "version: 0.0\nResources:\n  - TargetService:\n      Properties:\n        TaskDefinition: arn:aws:ecs:us-east-1:1:task-definition/gateway:8\n"
        )
        .as_deref(),
        Some("arn:aws:ecs:us-east-1:1:task-definition/gateway:8")
    );
    assert_eq!(
        app_spec_task_definition(
            r#"{"Resources":[{"TargetService":{"Properties":{"TaskDefinition": "gateway:9"}}}]}"#
        )
        .as_deref(),
        Some("gateway:9")
    );
    assert_eq!(app_spec_task_definition("version: 0.0"), None);
}

#[test]
fn a_deployment_adds_a_green_set_and_continuing_makes_it_primary() {
    let svc = Service {
        service_name: SERVICE.into(),
        service_arn: "arn:aws:ecs:us-east-1:1:service/production/gateway".into(),
        deployment_controller: Controller::CodeDeploy,
        task_definition: "arn:aws:ecs:us-east-1:1:task-definition/gateway:7".into(),
        desired_count: 3,
        running_count: 3,
        ..Default::default()
    };
    let mut sim = CodeDeploySim::from_service(Some(&svc), 1_000_000_000);
    assert_eq!(sim.task_sets(CLUSTER, SERVICE).len(), 1);
    let req = CreateDeploymentRequest {
        application_name: APPLICATION.into(),
        deployment_group_name: GROUP.into(),
        app_spec: "TaskDefinition: gateway:8".into(),
        ..Default::default()
    };
    let id = sim.create(&req, &svc, 1_000_100_000).unwrap();
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[1].task_definition, "gateway:8");
    assert!(
        sim.create(&req, &svc, 1_000_200_000).is_err(),
        "one at a time"
    );
    let weights = |sim: &CodeDeploySim| -> Vec<(String, f64)> {
        sim.targets(&id, &sim.target_ids(&id).unwrap()).unwrap()[0]
            .task_sets
            .iter()
            .map(|s| (s.label.clone().unwrap(), s.traffic_weight))
            .collect()
    };
    assert_eq!(
        weights(&sim),
        [("Blue".into(), 100.0), ("Green".into(), 0.0)]
    );
    // The group's canary: 10 % at once, the rest 5 min later, then 5 min before blue goes.
    let t = 1_000_300_000;
    sim.continue_(&id, true, t).unwrap();
    assert_eq!(
        weights(&sim),
        [("Blue".into(), 90.0), ("Green".into(), 10.0)]
    );
    sim.tick(t + 299_000);
    assert_eq!(weights(&sim)[1].1, 10.0);
    sim.tick(t + 300_000);
    assert_eq!(weights(&sim)[1].1, 100.0);
    let sets = sim.task_sets(CLUSTER, SERVICE);
    let status: Vec<&str> = sets.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(
        status,
        ["ACTIVE", "PRIMARY"],
        "green is PRIMARY, blue waits to go"
    );
    assert_eq!(
        sim.deployments(std::slice::from_ref(&id))[0].status,
        "InProgress"
    );
    sim.tick(t + 600_000);
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!((sets.len(), sets[0].status.as_str()), (1, "PRIMARY"));
    assert_eq!(sets[0].task_definition, "gateway:8");
    assert_eq!(
        sim.deployments(std::slice::from_ref(&id))[0].status,
        "Succeeded"
    );
    // The next deployment's green goes to the target group production does not use now.
    let next = sim.create(&req, &svc, t + 700_000).unwrap();
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!(sets[0].target_group_arns, [target_group_arn(GREEN_TG)]);
    assert_eq!(sets[1].target_group_arns, [target_group_arn(BLUE_TG)]);
    sim.stop(&next, true, t + 800_000).unwrap();
    assert_eq!(sim.task_sets(CLUSTER, SERVICE).len(), 1);
}

#[test]
fn linear_and_all_at_once_shift_as_their_names_say() {
    let linear = "CodeDeployDefault.ECSLinear10PercentEvery1Minutes";
    assert_eq!(weight_after(linear, 0), 10.0);
    assert_eq!(weight_after(linear, 60_000), 20.0);
    assert_eq!(weight_after(linear, 9 * 60_000), 100.0);
    assert_eq!(weight_after(linear, 20 * 60_000), 100.0);
    assert_eq!(weight_after("CodeDeployDefault.ECSAllAtOnce", 0), 100.0);
    assert_eq!(
        weight_after("CodeDeployDefault.ECSCanary10Percent15Minutes", 899_999),
        10.0
    );
    assert_eq!(weight_after("my-custom", 0), 100.0);
}

#[test]
fn a_deployment_not_continued_within_the_ready_wait_is_stopped() {
    let svc = Service {
        service_name: SERVICE.into(),
        deployment_controller: Controller::CodeDeploy,
        desired_count: 2,
        ..Default::default()
    };
    let mut sim = CodeDeploySim::from_service(Some(&svc), 0);
    let req = CreateDeploymentRequest {
        application_name: APPLICATION.into(),
        deployment_group_name: GROUP.into(),
        ..Default::default()
    };
    let id = sim.create(&req, &svc, 1_000_000).unwrap();
    // Hooks end 95 s in; the group waits 60 min.
    sim.tick(1_000_000 + 95_000 + 3_599_000);
    assert_eq!(
        sim.deployments(std::slice::from_ref(&id))[0].status,
        "Ready"
    );
    sim.tick(1_000_000 + 95_000 + 3_600_000);
    let d = &sim.deployments(&[id])[0];
    assert_eq!(
        (d.status.as_str(), d.error_code.as_deref()),
        ("Stopped", Some("TIMEOUT"))
    );
    assert_eq!(sim.task_sets(CLUSTER, SERVICE).len(), 1, "green is gone");
}
