//! The CodeDeploy calls moto lacks, through the real SDK against a recording loopback stub answering with
//! canned AWS JSON: the ECS deployment target (ListDeploymentTargets, BatchGetDeploymentTargets: task sets
//! with traffic weights, lifecycle hooks with diagnostics), and the steering calls ContinueDeployment and
//! StopDeployment; plus CreateDeployment's request and a denial naming the action.

#[path = "support/aws_stub.rs"]
mod aws_stub;

use aws_stub::{Reply, Stub, json, sdk_config};
use ecsdeck::aws::sdk::SdkApi;
use ecsdeck::aws::*;

const TARGETS: &str = r#"{"targetIds":["shop:gateway"]}"#;

/// What AWS answers for an ECS blue/green deployment shifting traffic whose AfterAllowTestTraffic hook failed.
const ECS_TARGET: &str = r#"{
  "deploymentTargets": [{
    "deploymentTargetType": "ECSTarget",
    "ecsTarget": {
      "deploymentId": "d-7Z3Q9XK2B",
      "targetId": "shop:gateway",
      "targetArn": "arn:aws:ecs:eu-west-1:123456789012:service/shop/gateway",
      "lastUpdatedAt": 1763700060.5,
      "status": "Failed",
      "lifecycleEvents": [
        {"lifecycleEventName": "BeforeInstall", "startTime": 1763700000.0, "endTime": 1763700001.0, "status": "Succeeded"},
        {"lifecycleEventName": "Install", "startTime": 1763700001.0, "endTime": 1763700030.0, "status": "Succeeded"},
        {"lifecycleEventName": "AfterAllowTestTraffic", "startTime": 1763700031.0, "endTime": 1763700060.0, "status": "Failed",
         "diagnostics": {"errorCode": "ScriptFailed", "scriptName": "", "message": "The deployment failed because the AfterAllowTestTraffic hook returned Failed", "logTail": ""}},
        {"lifecycleEventName": "AllowTraffic", "status": "Pending"}
      ],
      "taskSetsInfo": [
        {"identifer": "ecs-svc/1111111111111111111", "desiredCount": 4, "pendingCount": 0, "runningCount": 4,
         "status": "PRIMARY", "trafficWeight": 90.0, "targetGroup": {"name": "gw-blue"}, "taskSetLabel": "Blue"},
        {"identifer": "ecs-svc/2222222222222222222", "desiredCount": 4, "pendingCount": 1, "runningCount": 3,
         "status": "ACTIVE", "trafficWeight": 10.0, "targetGroup": {"name": "gw-green"}, "taskSetLabel": "Green"}
      ]
    }
  }]
}"#;

fn handler(r: &aws_stub::Request) -> Reply {
    match r.operation().as_str() {
        "ListDeploymentTargets" => json(200, TARGETS),
        "BatchGetDeploymentTargets" => json(200, ECS_TARGET),
        "ContinueDeployment" => json(200, "{}"),
        "StopDeployment" => json(
            200,
            r#"{"status":"Pending","statusMessage":"Stopping the deployment"}"#,
        ),
        "CreateDeployment" => json(200, r#"{"deploymentId":"d-NEW123456"}"#),
        "ListApplications" => json(
            400,
            r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/readonly/alice is not authorized to perform: codedeploy:ListApplications"}"#,
        ),
        other => json(
            400,
            &format!(r#"{{"__type":"InvalidOperationException","message":"unexpected {other}"}}"#),
        ),
    }
}

#[tokio::test]
async fn the_ecs_target_of_a_deployment_reads_task_sets_traffic_and_hooks() {
    let stub = Stub::start(handler);
    let api = SdkApi::from_config(&sdk_config(&stub.endpoint).await, None);

    let ids = api
        .list_deployment_targets("d-7Z3Q9XK2B", None)
        .await
        .unwrap();
    assert_eq!(ids.names, ["shop:gateway"]);
    let targets = api
        .batch_get_deployment_targets("d-7Z3Q9XK2B", &ids.names)
        .await
        .unwrap();
    let t = &targets[0];
    assert_eq!(t.target_id, "shop:gateway");
    assert_eq!(t.status.as_deref(), Some("Failed"));
    assert_eq!(t.last_updated_at, Some(1_763_700_060_500));
    let sets: Vec<(&str, Option<&str>, f64, Option<&str>)> = t
        .task_sets
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                s.label.as_deref(),
                s.traffic_weight,
                s.target_group.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        sets,
        [
            (
                "ecs-svc/1111111111111111111",
                Some("Blue"),
                90.0,
                Some("gw-blue")
            ),
            (
                "ecs-svc/2222222222222222222",
                Some("Green"),
                10.0,
                Some("gw-green")
            ),
        ]
    );
    assert_eq!(
        (t.task_sets[1].running_count, t.task_sets[1].pending_count),
        (3, 1)
    );
    let failed = t
        .lifecycle_events
        .iter()
        .find(|e| e.status == "Failed")
        .unwrap();
    assert_eq!(failed.name, "AfterAllowTestTraffic");
    assert_eq!(failed.error_code.as_deref(), Some("ScriptFailed"));
    assert!(
        failed
            .message
            .as_deref()
            .unwrap()
            .contains("hook returned Failed")
    );
    assert_eq!(failed.start_time, Some(1_763_700_031_000));
    let pending = t.lifecycle_events.last().unwrap();
    assert_eq!(
        (pending.status.as_str(), pending.start_time),
        ("Pending", None)
    );

    // What went on the wire.
    let sent = stub.received("BatchGetDeploymentTargets");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].json(),
        serde_json::json!({"deploymentId": "d-7Z3Q9XK2B", "targetIds": ["shop:gateway"]})
    );
    assert_eq!(
        stub.received("ListDeploymentTargets")[0].json()["deploymentId"],
        "d-7Z3Q9XK2B"
    );
}

#[tokio::test]
async fn steering_calls_send_what_they_say() {
    let stub = Stub::start(handler);
    let api = SdkApi::from_config(&sdk_config(&stub.endpoint).await, None);

    let done = api.continue_deployment("d-7Z3Q9XK2B", true).await.unwrap();
    // The request id AWS gives (the stub sends one) is what the audit log will keep.
    assert_eq!(done.request_id.as_deref(), Some("stub-request"));
    api.continue_deployment("d-7Z3Q9XK2B", false).await.unwrap();
    let sent: Vec<serde_json::Value> = stub
        .received("ContinueDeployment")
        .iter()
        .map(|r| r.json())
        .collect();
    assert_eq!(
        sent,
        [
            serde_json::json!({"deploymentId": "d-7Z3Q9XK2B", "deploymentWaitType": "READY_WAIT"}),
            serde_json::json!({"deploymentId": "d-7Z3Q9XK2B", "deploymentWaitType": "TERMINATION_WAIT"}),
        ]
    );

    let stopped = api.stop_deployment("d-7Z3Q9XK2B", true).await.unwrap();
    assert_eq!(stopped.value, "Pending");
    assert_eq!(
        stub.received("StopDeployment")[0].json(),
        serde_json::json!({"deploymentId": "d-7Z3Q9XK2B", "autoRollbackEnabled": true})
    );

    let created = api
        .create_deployment(&CreateDeploymentRequest {
            application_name: "AppECS-shop-gateway".into(),
            deployment_group_name: "DgpECS-shop-gateway".into(),
            deployment_config_name: Some("CodeDeployDefault.ECSCanary10Percent5Minutes".into()),
            description: None,
            app_spec: "version: 0.0\n".into(),
        })
        .await
        .unwrap();
    assert_eq!(created.value, "d-NEW123456");
    let body = stub.received("CreateDeployment")[0].json();
    assert_eq!(body["applicationName"], "AppECS-shop-gateway");
    assert_eq!(
        body["deploymentConfigName"],
        "CodeDeployDefault.ECSCanary10Percent5Minutes"
    );
    assert_eq!(body["revision"]["revisionType"], "AppSpecContent");
    assert_eq!(
        body["revision"]["appSpecContent"]["content"],
        "version: 0.0\n"
    );
    assert!(
        body.get("description").is_none(),
        "unset fields are not sent: {body}"
    );
}

#[tokio::test]
async fn a_denied_codedeploy_call_names_the_iam_action() {
    let stub = Stub::start(handler);
    let api = SdkApi::from_config(&sdk_config(&stub.endpoint).await, None);
    let e = api.list_applications(None).await.unwrap_err();
    assert!(matches!(e, ApiError::AccessDenied { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("codedeploy:ListApplications denied"),
        "{e}"
    );
    assert!(
        e.hint().contains("grant codedeploy:ListApplications"),
        "{}",
        e.hint()
    );
}
