//! The simulated CodeDeploy account: deployments, task sets and traffic over time.

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

fn gateway() -> Service {
    Service {
        service_name: SERVICE.into(),
        service_arn: "arn:aws:ecs:us-east-1:1:service/production/gateway".into(),
        deployment_controller: Controller::CodeDeploy,
        task_definition: "arn:aws:ecs:us-east-1:1:task-definition/gateway:7".into(),
        desired_count: 3,
        running_count: 3,
        ..Default::default()
    }
}

fn request() -> CreateDeploymentRequest {
    CreateDeploymentRequest {
        application_name: APPLICATION.into(),
        deployment_group_name: GROUP.into(),
        app_spec: "TaskDefinition: gateway:8".into(),
        ..Default::default()
    }
}

const STEP: Millis = 1_000;
const T0: Millis = 1_000_000_000;
/// BeforeInstall, Install (two steps), AfterInstall, AllowTestTraffic, AfterAllowTestTraffic: then the wait.
const READY: Millis = T0 + 6 * STEP;

fn weights(sim: &CodeDeploySim, id: &str) -> Vec<(String, f64)> {
    sim.targets(id, &sim.target_ids(id).unwrap()).unwrap()[0]
        .task_sets
        .iter()
        .map(|s| (s.label.clone().unwrap(), s.traffic_weight))
        .collect()
}

fn status(sim: &CodeDeploySim, id: &str) -> String {
    sim.deployments(&[id.to_owned()])[0].status.clone()
}

#[test]
fn a_canary_waits_to_reroute_shifts_10_then_100_and_blue_goes_after_the_termination_wait() {
    let svc = gateway();
    let mut sim = CodeDeploySim::from_service(Some(&svc), T0 - 86_400_000);
    sim.step_ms = STEP;
    assert_eq!(sim.task_sets(CLUSTER, SERVICE).len(), 1);
    let id = sim.create(&request(), &svc, T0).unwrap();
    assert_eq!(status(&sim, &id), "InProgress");
    assert!(
        sim.create(&request(), &svc, T0 + 1).is_err(),
        "one at a time"
    );
    sim.tick(READY);
    assert_eq!(status(&sim, &id), "Ready");
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[1].task_definition, "gateway:8");
    assert_eq!(
        weights(&sim, &id),
        [("Blue".into(), 100.0), ("Green".into(), 0.0)]
    );
    // The group's canary: 10 % at once, the rest 5 min later, then 5 min before blue goes.
    let t = READY + 60_000;
    sim.continue_(&id, true, t).unwrap();
    sim.tick(t + STEP);
    assert_eq!(weights(&sim, &id)[1].1, 10.0);
    sim.tick(t + STEP + 299_000);
    assert_eq!(weights(&sim, &id)[1].1, 10.0);
    sim.tick(t + STEP + 300_000);
    assert_eq!(weights(&sim, &id)[1].1, 100.0);
    let statuses: Vec<String> = sim
        .task_sets(CLUSTER, SERVICE)
        .iter()
        .map(|s| s.status.clone())
        .collect();
    assert_eq!(
        statuses,
        ["ACTIVE", "PRIMARY"],
        "green is PRIMARY, blue waits to go"
    );
    assert_eq!(status(&sim, &id), "InProgress");
    sim.tick(t + STEP + 300_000 + STEP + 300_000);
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!((sets.len(), sets[0].status.as_str()), (1, "PRIMARY"));
    assert_eq!(sets[0].task_definition, "gateway:8");
    assert_eq!(status(&sim, &id), "Succeeded");
    // The next deployment's green goes to the target group production does not use now.
    let later = t + 3_600_000;
    let next = sim.create(&request(), &svc, later).unwrap();
    sim.tick(later + 10 * STEP);
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!(sets[0].target_group_arns, [target_group_arn(GREEN_TG)]);
    assert_eq!(sets[1].target_group_arns, [target_group_arn(BLUE_TG)]);
    // Stopped with a rollback: green goes, blue is PRIMARY again, the deployment says why.
    sim.stop(&next, true, later + 11 * STEP).unwrap();
    assert_eq!(status(&sim, &next), "Stopped");
    let sets = sim.task_sets(CLUSTER, SERVICE);
    assert_eq!((sets.len(), sets[0].status.as_str()), (1, "PRIMARY"));
    let d = &sim.deployments(&[next])[0];
    assert!(d.rollback_info.is_some(), "{d:?}");
}

#[test]
fn a_deployment_not_continued_within_the_ready_wait_is_stopped() {
    let svc = gateway();
    let mut sim = CodeDeploySim::from_service(Some(&svc), 0);
    sim.step_ms = STEP;
    let id = sim.create(&request(), &svc, T0).unwrap();
    // The group waits 60 min.
    sim.tick(READY + 3_599_000);
    assert_eq!(status(&sim, &id), "Ready");
    sim.tick(READY + 3_600_000);
    let d = &sim.deployments(std::slice::from_ref(&id))[0];
    assert_eq!(
        (d.status.as_str(), d.error_code.as_deref()),
        ("Stopped", Some("TIMEOUT"))
    );
}

#[test]
fn a_group_alarm_stops_and_rolls_back_a_deployment() {
    let svc = gateway();
    let mut sim = CodeDeploySim::from_service(Some(&svc), 0);
    sim.step_ms = STEP;
    let id = sim.create(&request(), &svc, T0).unwrap();
    sim.alarm_since.insert(id.clone(), T0 + 3 * STEP);
    sim.tick(READY);
    let d = &sim.deployments(std::slice::from_ref(&id))[0];
    assert_eq!(
        (d.status.as_str(), d.error_code.as_deref()),
        ("Stopped", Some("ALARM_ACTIVE"))
    );
    assert_eq!(sim.task_sets(CLUSTER, SERVICE).len(), 1, "green is gone");
}
