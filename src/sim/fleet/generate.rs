//! Generation of the simulated fleet: believable names, images, revisions, IPs, events and failures.

use super::*;

const NAMES: &[&str] = &[
    "web",
    "api",
    "checkout",
    "payments",
    "search",
    "auth",
    "cart",
    "catalog",
    "inventory",
    "notifications",
    "orders",
    "recommendations",
    "reviews",
    "shipping",
    "users",
    "gateway",
    "billing",
    "email-worker",
    "image-resizer",
    "reporting",
    "scheduler",
    "analytics-ingest",
    "pricing",
    "fraud-check",
    "media",
    "feature-flags",
];

fn cluster_arn(name: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}")
}

/// How one demo service should look.
struct Plan {
    name: String,
    fargate: bool,
    desired: i32,
    state: Rollout,
}

#[derive(Clone, Copy, PartialEq)]
enum Rollout {
    Steady,
    InProgress,
    Failed,
}

impl Fleet {
    pub fn generate(opts: &SimOptions) -> Fleet {
        let mut rng = Rng(opts.seed);
        let epoch = opts.epoch_ms;
        let desired_for = |rng: &mut Rng| -> i32 {
            opts.tasks_per_service
                .map(|n| n as i32)
                .unwrap_or_else(|| 1 + rng.below(6) as i32)
        };
        let mut specs: Vec<(&str, bool, Vec<Plan>)> = Vec::new();

        let production_count = opts.services.unwrap_or(22);
        let mut production = Vec::with_capacity(production_count);
        for i in 0..production_count {
            let name = match NAMES.get(i) {
                Some(name) => name.to_string(),
                None => format!("{}-{:04}", wrapping(NAMES, i).unwrap_or(&"app"), i),
            };
            let state = match name.as_str() {
                "checkout" => Rollout::InProgress,
                "payments" => Rollout::Failed,
                _ => Rollout::Steady,
            };
            // The demo's troubled services are big enough for their rollouts to read believably.
            let desired = match state {
                Rollout::Steady => desired_for(&mut rng),
                _ => opts.tasks_per_service.map_or(4, |n| n as i32),
            };
            production.push(Plan {
                name,
                fargate: true,
                desired,
                state,
            });
        }
        specs.push(("production", true, production));
        let staging = NAMES
            .iter()
            .take(12)
            .enumerate()
            .map(|(i, n)| Plan {
                name: n.to_string(),
                fargate: i % 3 != 0,
                desired: 1,
                state: Rollout::Steady,
            })
            .collect();
        specs.push(("staging", true, staging));
        let batch = [
            "etl-nightly",
            "thumbnailer",
            "report-builder",
            "queue-consumer",
            "ml-scoring",
            "archiver",
        ]
        .iter()
        .map(|n| Plan {
            name: n.to_string(),
            fargate: false,
            desired: desired_for(&mut rng),
            state: Rollout::Steady,
        })
        .collect();
        specs.push(("batch-ec2", false, batch));

        let mut clusters: Vec<SimCluster> = specs
            .into_iter()
            .map(|(name, fargate_cluster, plans)| {
                build_cluster(name, fargate_cluster, plans, epoch, &mut rng)
            })
            .collect();
        if opts.blue_green
            && let Some(production) = clusters
                .iter_mut()
                .find(|c| c.cluster.cluster_name == "production")
        {
            add_storefront(production, epoch, opts.seed);
        }
        let mut fleet = Fleet {
            clusters,
            epoch_ms: epoch,
            rng,
            revisions: HashMap::new(),
            stepped: epoch,
            traffic: Default::default(),
        };
        fleet.record_history();
        fleet.traffic.observe_all(&fleet.clusters, epoch);
        fleet
    }
}

/// The target group of one half of the demo's blue/green pair (`blue` or `green`).
pub fn storefront_target_group(colour: &str) -> String {
    let id = if colour == "blue" {
        "0b1e0b1e0b1e0b1e"
    } else {
        "06ee406ee406ee40"
    };
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/storefront-{colour}/{id}")
}

/// Adds `storefront-blue` and `storefront-green` to `production`: two services, each with its own target
/// group, that the simulated ALB (`sim::alb`) routes between. Built with a random stream of their own, so the
/// rest of the fleet is the same with or without them.
fn add_storefront(production: &mut SimCluster, epoch: Millis, seed: u64) {
    let mut rng = Rng(seed ^ 0x5707_ef20_47b1_0e13);
    let plans = ["blue", "green"]
        .iter()
        .map(|colour| Plan {
            name: format!("storefront-{colour}"),
            fargate: true,
            desired: 3,
            state: Rollout::Steady,
        })
        .collect();
    let pair = build_cluster(
        &production.cluster.cluster_name,
        true,
        plans,
        epoch,
        &mut rng,
    );
    let offset = production.services.len();
    for (mut s, colour) in pair.services.into_iter().zip(["blue", "green"]) {
        s.service.load_balancers = vec![LoadBalancer {
            target_group_arn: Some(storefront_target_group(colour)),
            alternate_target_group_arn: None,
            load_balancer_name: None,
            container_name: Some(s.service.service_name.clone()),
            container_port: Some(8080),
        }];
        production
            .by_name
            .insert(s.service.service_name.clone(), production.services.len());
        production.service_arns.push(s.service.service_arn.clone());
        production.services.push(s);
    }
    for mut t in pair.tasks {
        t.service += offset;
        production
            .task_index
            .insert(t.id.clone(), production.tasks.len());
        production.tasks.push(t);
    }
}

/// The number of the deployment running `revision` (the primary's if none does).
fn deployment_of(deployments: &[Deployment], revision: i32) -> u64 {
    deployments
        .iter()
        .find(|d| revision_of(&d.task_definition) == revision)
        .or(deployments.first())
        .map(|d| deployment_number(&d.id))
        .unwrap_or(0)
}

fn build_cluster(
    name: &str,
    fargate_cluster: bool,
    plans: Vec<Plan>,
    epoch: Millis,
    rng: &mut Rng,
) -> SimCluster {
    let carn = cluster_arn(name);
    let mut services = Vec::with_capacity(plans.len());
    let mut tasks = Vec::new();
    for (index, plan) in plans.into_iter().enumerate() {
        let revision = 3 + rng.below(60) as i32;
        let family = plan.name.clone();
        let arn = format!(
            "arn:aws:ecs:{REGION}:{ACCOUNT}:service/{name}/{}",
            plan.name
        );
        let created = epoch - (5 + rng.below(400) as i64) * 86_400_000;
        let deployed = epoch - (1 + rng.below(30 * 24) as i64) * 3_600_000;
        let dep_id = |rng: &mut Rng| {
            format!(
                "ecs-svc/{}",
                1_000_000_000_000_000_000u64 + rng.below(8_000_000_000_000_000_000)
            )
        };
        let mut deployments = Vec::new();
        let mut events = Vec::new();
        let sname = &plan.name;
        let (running, pending) = match plan.state {
            Rollout::Steady => {
                deployments.push(Deployment {
                    id: dep_id(rng),
                    status: "PRIMARY".into(),
                    task_definition: task_definition_arn(&family, revision),
                    desired_count: plan.desired,
                    pending_count: 0,
                    running_count: plan.desired,
                    failed_tasks: 0,
                    rollout_state: Some("COMPLETED".into()),
                    rollout_state_reason: Some("ECS deployment ecs-svc completed.".into()),
                    created_at: Some(deployed),
                    updated_at: Some(deployed + 240_000),
                });
                events.push(event(
                    epoch - 3 * 3_600_000,
                    format!("(service {sname}) has reached a steady state."),
                    rng,
                ));
                events.push(event(
                    deployed + 240_000,
                    format!("(service {sname}) (deployment ecs-svc) deployment completed."),
                    rng,
                ));
                (plan.desired, 0)
            }
            Rollout::InProgress => {
                let new_running = (plan.desired / 2).max(1);
                deployments.push(Deployment {
                    id: dep_id(rng),
                    status: "PRIMARY".into(),
                    task_definition: task_definition_arn(&family, revision),
                    desired_count: plan.desired,
                    pending_count: 1,
                    running_count: new_running,
                    failed_tasks: 0,
                    rollout_state: Some("IN_PROGRESS".into()),
                    rollout_state_reason: Some("ECS deployment ecs-svc in progress.".into()),
                    created_at: Some(epoch - 120_000),
                    updated_at: Some(epoch - 20_000),
                });
                deployments.push(Deployment {
                    id: dep_id(rng),
                    status: "ACTIVE".into(),
                    task_definition: task_definition_arn(&family, revision - 1),
                    desired_count: plan.desired,
                    pending_count: 0,
                    running_count: plan.desired - new_running + 1,
                    failed_tasks: 0,
                    rollout_state: Some("COMPLETED".into()),
                    rollout_state_reason: None,
                    created_at: Some(deployed),
                    updated_at: Some(epoch - 120_000),
                });
                events.push(event(epoch - 30_000, format!("(service {sname}) registered 1 targets in (target-group arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{sname}-tg/6d0ecf831eec9f09)"), rng));
                events.push(event(
                    epoch - 60_000,
                    format!(
                        "(service {sname}) has started 1 tasks: (task {}).",
                        rng.hex(32)
                    ),
                    rng,
                ));
                events.push(event(
                    epoch - 110_000,
                    format!(
                        "(service {sname}) has started 2 tasks: (task {}) (task {}).",
                        rng.hex(32),
                        rng.hex(32)
                    ),
                    rng,
                ));
                (plan.desired + 1, 1)
            }
            Rollout::Failed => {
                deployments.push(Deployment {
                    id: dep_id(rng),
                    status: "PRIMARY".into(),
                    task_definition: task_definition_arn(&family, revision),
                    desired_count: plan.desired,
                    pending_count: 0,
                    running_count: 0,
                    failed_tasks: 5,
                    rollout_state: Some("FAILED".into()),
                    rollout_state_reason: Some(
                        "ECS deployment circuit breaker: tasks failed to start.".into(),
                    ),
                    created_at: Some(epoch - 1_500_000),
                    updated_at: Some(epoch - 300_000),
                });
                deployments.push(Deployment {
                    id: dep_id(rng),
                    status: "ACTIVE".into(),
                    task_definition: task_definition_arn(&family, revision - 1),
                    desired_count: plan.desired,
                    pending_count: 0,
                    running_count: plan.desired,
                    failed_tasks: 0,
                    rollout_state: Some("COMPLETED".into()),
                    rollout_state_reason: None,
                    created_at: Some(deployed),
                    updated_at: Some(epoch - 1_500_000),
                });
                events.push(event(epoch - 300_000, format!("(service {sname}) (deployment ecs-svc) deployment failed: tasks failed to start."), rng));
                events.push(event(epoch - 420_000, format!("(service {sname}) (port 8080) is unhealthy in (target-group arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{sname}-tg/1c2d3e4f5a6b7c8d) due to (reason Health checks failed with these codes: [502])."), rng));
                events.push(event(
                    epoch - 600_000,
                    format!(
                        "(service {sname}) has started 2 tasks: (task {}) (task {}).",
                        rng.hex(32),
                        rng.hex(32)
                    ),
                    rng,
                ));
                (plan.desired, 0)
            }
        };
        let fargate = plan.fargate && fargate_cluster;
        let service = Service {
            service_arn: arn.clone(),
            service_name: plan.name.clone(),
            cluster_arn: carn.clone(),
            status: "ACTIVE".into(),
            desired_count: plan.desired,
            running_count: running,
            pending_count: pending,
            task_definition: task_definition_arn(&family, revision),
            launch_type: if fargate {
                Some("FARGATE".into())
            } else if fargate_cluster {
                Some("EC2".into())
            } else {
                None
            },
            capacity_provider_strategy: if fargate_cluster {
                vec![]
            } else {
                vec!["asg-m6i-large".into()]
            },
            deployment_controller: if plan.name == "gateway" {
                Controller::CodeDeploy
            } else {
                Controller::Ecs
            },
            deployment_configuration: DeploymentConfiguration {
                minimum_healthy_percent: Some(100),
                maximum_percent: Some(200),
                circuit_breaker_enable: Some(true),
                circuit_breaker_rollback: Some(plan.state != Rollout::Failed),
            },
            deployments,
            events,
            load_balancers: if plan.name == "gateway" && fargate_cluster {
                // CODE_DEPLOY: ECS reports the production (blue) target group; the pair is CodeDeploy's.
                vec![LoadBalancer {
                    target_group_arn: Some(crate::sim::codedeploy::target_group_arn(
                        crate::sim::codedeploy::BLUE_TG,
                    )),
                    load_balancer_name: None,
                    alternate_target_group_arn: None,
                    container_name: Some(plan.name.clone()),
                    container_port: Some(8080),
                }]
            } else if index % 4 == 3 && plan.state == Rollout::Steady {
                vec![]
            } else {
                vec![LoadBalancer {
                    target_group_arn: Some(format!(
                        "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{}-tg/{}",
                        plan.name,
                        rng.hex(16)
                    )),
                    // The rollout in progress is an ECS blue/green deployment: green is the new revision's.
                    alternate_target_group_arn: (plan.state == Rollout::InProgress).then(|| {
                        format!(
                            "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{}-tg-green/{:016x}",
                            plan.name,
                            index as u64 * 0x9E37_79B9 + 0x1234_5678
                        )
                    }),
                    load_balancer_name: None,
                    container_name: Some(plan.name.clone()),
                    container_port: Some(8080),
                }]
            },
            network_configuration: fargate.then(|| NetworkConfiguration {
                subnets: vec![
                    "subnet-0a1b2c3d4e5f60001".into(),
                    "subnet-0a1b2c3d4e5f60002".into(),
                ],
                security_groups: vec![format!("sg-0{}", rng.hex(16))],
                assign_public_ip: Some("DISABLED".into()),
            }),
            created_at: Some(created),
        };
        let deployments_now = service.deployments.clone();
        let image = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{}", plan.name);
        let containers = if index % 3 == 0 {
            vec![plan.name.clone(), "log-router".to_string()]
        } else {
            vec![plan.name.clone()]
        };
        // Running tasks: all on the current revision, except a rollout in progress keeps some old ones.
        let old_running = match plan.state {
            Rollout::InProgress => running - (plan.desired / 2).max(1),
            _ => 0,
        };
        for n in 0..running {
            // A rollout in progress keeps some old tasks; a failed one still runs only the old revision.
            let rev = if n < old_running || plan.state == Rollout::Failed {
                revision - 1
            } else {
                revision
            };
            tasks.push(SimTask {
                id: rng.hex(32),
                service: index,
                revision: rev,
                stopped: false,
                started_at: deployed.max(epoch - 86_400_000) + rng.below(3_600_000) as i64,
                az: rng.below(3) as u8,
                ip: rng.below(65_536) as u32,
                stop_reason: 0,
                deployment: deployment_of(&deployments_now, rev),
                phase: Phase::Running,
                phase_at: epoch,
                stopped_note: None,
            });
        }
        let stopped = match plan.state {
            Rollout::Failed => 4,
            _ if index % 5 == 1 => 1,
            _ => 0,
        };
        for n in 0..stopped {
            tasks.push(SimTask {
                id: rng.hex(32),
                service: index,
                revision,
                stopped: true,
                started_at: epoch - 1_400_000 + n as i64 * 120_000,
                az: rng.below(3) as u8,
                ip: rng.below(65_536) as u32,
                stop_reason: if plan.state == Rollout::Failed {
                    (n % 2) as u8
                } else {
                    2 + (n % 2) as u8
                },
                deployment: deployment_of(&deployments_now, revision),
                phase: Phase::Stopped,
                phase_at: epoch,
                stopped_note: None,
            });
        }
        services.push(SimService {
            service,
            image,
            containers,
            newest_revision: revision,
            // A failed rollout's revision is a bad one: deploying it again fails again.
            bad_revisions: if plan.state == Rollout::Failed {
                vec![revision]
            } else {
                vec![]
            },
            history: Vec::new(),
            moving: plan.state == Rollout::InProgress,
            // Half the production services scale with Application Auto Scaling.
            scalable: (name == "production" && index % 2 == 0)
                .then(|| ((plan.desired / 2).max(1), (plan.desired * 2).max(2))),
        });
    }
    let service_arns = services
        .iter()
        .map(|s| s.service.service_arn.clone())
        .collect();
    let by_name = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.service.service_name.clone(), i))
        .collect();
    let task_index = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), i))
        .collect();
    SimCluster {
        cluster: Cluster {
            cluster_arn: carn,
            cluster_name: name.into(),
            status: "ACTIVE".into(),
            running_tasks_count: 0,
            pending_tasks_count: 0,
            active_services_count: 0,
            registered_container_instances_count: if fargate_cluster { 0 } else { 4 },
            capacity_providers: if fargate_cluster {
                vec!["FARGATE".into(), "FARGATE_SPOT".into()]
            } else {
                vec!["asg-m6i-large".into()]
            },
        },
        services,
        service_arns,
        by_name,
        tasks,
        task_index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimOptions;

    #[test]
    fn service_names_past_the_name_table_wrap_round_with_a_number() {
        let fleet = Fleet::generate(&SimOptions {
            services: Some(NAMES.len() + 2),
            ..SimOptions::default()
        });
        let production = fleet
            .cluster("production")
            .expect("the demo has a production cluster");
        let names: Vec<&str> = production
            .services
            .iter()
            .map(|s| s.service.service_name.as_str())
            .collect();
        assert_eq!(names.first(), Some(&"web"));
        assert!(names.contains(&"web-0026"), "{names:?}");
        assert!(names.contains(&"api-0027"), "{names:?}");
    }
}
