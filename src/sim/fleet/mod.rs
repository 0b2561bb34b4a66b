//! The simulated fleet: clusters, services and compactly stored tasks, the lookups the calls use, and the
//! materialising of a task into what DescribeTasks returns. `generate` builds the believable demo fleet
//! (names, images, revisions, IPs, events and failures).

mod generate;
pub use generate::storefront_target_group;

use super::{ACCOUNT, REGION, SimOptions};
use crate::aws::*;
use std::collections::{BTreeMap, HashMap};

/// A deterministic stream of pseudo-random numbers (splitmix64): the same seed gives the same fleet.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(super) fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

/// A task kept as a few numbers; `SimCluster::materialise` turns it into a full [`Task`].
#[derive(Debug, Clone)]
pub struct SimTask {
    pub id: String,
    pub service: usize,
    pub revision: i32,
    pub stopped: bool,
    pub started_at: Millis,
    pub az: u8,
    pub ip: u32,
    /// For stopped tasks: index into STOP_REASONS.
    pub stop_reason: u8,
    /// Where the task is in its life (the moving simulator advances it).
    pub phase: Phase,
    /// When it entered `phase`.
    pub phase_at: Millis,
    /// The number of the ECS deployment (`ecs-svc/<n>`) that started it.
    pub deployment: u64,
    /// Why a task the moving simulator stopped stopped: (stop code, reason, exit code).
    pub stopped_note: Option<Box<(String, String, i32)>>,
}

/// A task's life as ECS and the load balancer see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Provisioning,
    Pending,
    /// RUNNING, registered in the target group, health checks not passed yet ("initial").
    Activating,
    /// RUNNING and healthy.
    Running,
    /// RUNNING but failing health checks: ECS stops it.
    Unhealthy,
    /// Being stopped: deregistered, connections draining.
    Draining,
    Stopped,
}

impl Phase {
    /// Counted by ECS as running (or about to be): not draining and not stopped.
    pub fn live(self) -> bool {
        !matches!(self, Phase::Draining | Phase::Stopped)
    }
}

#[derive(Debug, Clone)]
pub struct SimService {
    pub service: Service,
    pub image: String,
    pub containers: Vec<String>,
    /// The newest registered revision of the service's family.
    pub newest_revision: i32,
    /// Revisions whose tasks fail their health checks.
    pub bad_revisions: Vec<i32>,
    /// The service deployments API's records, newest first.
    pub history: Vec<super::deploy::Record>,
    /// Something is under way: the moving simulator steps this service.
    pub moving: bool,
    /// Application Auto Scaling's (min, max), if a scalable target is registered.
    pub scalable: Option<(i32, i32)>,
}

#[derive(Debug, Clone)]
pub struct SimCluster {
    pub cluster: Cluster,
    pub services: Vec<SimService>,
    pub service_arns: Vec<String>,
    by_name: HashMap<String, usize>,
    pub tasks: Vec<SimTask>,
    task_index: HashMap<String, usize>,
}

pub struct Fleet {
    pub clusters: Vec<SimCluster>,
    pub epoch_ms: Millis,
    pub(super) rng: Rng,
    /// Service revision ARN -> task definition ARN (DescribeServiceRevisions).
    pub(super) revisions: HashMap<String, String>,
    /// The moving simulator's clock: the last step it took.
    pub(super) stepped: Millis,
    /// What each service's traffic did when (the metrics follow it; shared with `MetricSim`).
    pub(super) traffic: std::sync::Arc<super::traffic::Traffic>,
}

const AZS: &[&str] = &["us-east-1a", "us-east-1b", "us-east-1c"];
const STOP_REASONS: &[(&str, &str, i32)] = &[
    (
        "EssentialContainerExited",
        "Essential container in task exited",
        137,
    ),
    (
        "ServiceSchedulerInitiated",
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0a1b2c3d4e5f6789)",
        143,
    ),
    (
        "ServiceSchedulerInitiated",
        "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
        0,
    ),
    (
        "EssentialContainerExited",
        "Essential container in task exited",
        1,
    ),
];

pub fn task_definition_arn(family: &str, revision: i32) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}")
}

impl Fleet {
    /// By name or ARN.
    pub fn cluster(&self, name_or_arn: &str) -> Option<&SimCluster> {
        let name = arn_name(name_or_arn);
        self.clusters
            .iter()
            .find(|c| c.cluster.cluster_name == name)
    }

    pub fn cluster_or_err(&self, name_or_arn: &str) -> Result<&SimCluster, ApiError> {
        self.cluster(name_or_arn).ok_or_else(|| {
            ApiError::NotFound(format!("cluster {} not found", arn_name(name_or_arn)))
        })
    }

    pub fn cluster_summary(&self, c: &SimCluster) -> Cluster {
        let mut cluster = c.cluster.clone();
        cluster.active_services_count = c.services.len() as i32;
        cluster.running_tasks_count = c.tasks.iter().filter(|t| !t.stopped).count() as i32;
        cluster.pending_tasks_count = c.services.iter().map(|s| s.service.pending_count).sum();
        cluster
    }

    pub fn task_definition(&self, arn_or_family_rev: &str) -> Option<TaskDefinition> {
        let (family, revision) = family_and_revision(arn_or_family_rev)?;
        let (cluster, service) = self.clusters.iter().find_map(|c| {
            c.services
                .iter()
                .find(|s| family_rev(&s.service.task_definition).starts_with(&format!("{family}:")))
                .map(|s| (c, s))
        })?;
        if revision < 1 || revision > service.newest_revision {
            return None;
        }
        let group = format!(
            "/ecs/{}/{}",
            cluster.cluster.cluster_name, service.service.service_name
        );
        Some(TaskDefinition {
            task_definition_arn: task_definition_arn(family, revision),
            family: family.into(),
            revision,
            cpu: Some("512".into()),
            memory: Some("1024".into()),
            container_definitions: service
                .containers
                .iter()
                .map(|name| {
                    let main = service.containers.first() == Some(name);
                    ContainerDefinition {
                        name: name.to_string(),
                        image: if main {
                            format!("{}:v1.{}.0", service.image, revision)
                        } else {
                            "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0".into()
                        },
                        cpu: if main { 448 } else { 64 },
                        memory: Some(if main { 896 } else { 128 }),
                        essential: Some(main),
                        log_configuration: Some(LogConfiguration {
                            log_driver: "awslogs".into(),
                            options: BTreeMap::from([
                                ("awslogs-group".into(), group.clone()),
                                ("awslogs-region".into(), REGION.into()),
                                ("awslogs-stream-prefix".into(), "ecs".into()),
                            ]),
                        }),
                        environment_names: if main {
                            vec!["APP_ENV".into(), "LOG_LEVEL".into(), "DATABASE_URL".into()]
                        } else {
                            vec![]
                        },
                        secret_names: if main {
                            vec!["DB_PASSWORD".into(), "API_KEY".into()]
                        } else {
                            vec![]
                        },
                        port_mappings: if main {
                            vec!["8080/tcp".into()]
                        } else {
                            vec![]
                        },
                    }
                })
                .collect(),
        })
    }
}

impl SimCluster {
    /// Adds a task the moving simulator started.
    pub(super) fn push_task(&mut self, t: SimTask) {
        self.task_index.insert(t.id.clone(), self.tasks.len());
        self.tasks.push(t);
    }
    pub fn service_index(&self, name_or_arn: &str) -> Option<usize> {
        self.by_name.get(arn_name(name_or_arn)).copied()
    }
    pub fn service(&self, name_or_arn: &str) -> Option<&SimService> {
        self.service_index(name_or_arn)
            .and_then(|i| self.services.get(i))
    }
    pub fn task_by_id(&self, id: &str) -> Option<&SimTask> {
        self.task_index.get(id).and_then(|i| self.tasks.get(*i))
    }
    pub fn task_arn(&self, t: &SimTask) -> String {
        format!(
            "arn:aws:ecs:{REGION}:{ACCOUNT}:task/{}/{}",
            self.cluster.cluster_name, t.id
        )
    }

    pub fn materialise(&self, t: &SimTask) -> Task {
        // A task's service index is set when the task is created and services are never removed, so the
        // service is always there; were it not, the task still shows, without what it would have told.
        let s = self.services.get(t.service);
        let family = s
            .and_then(|s| family_and_revision(&s.service.task_definition))
            .map_or("app", |(f, _)| f);
        let (stop_code, stopped_reason, exit) = match (&t.stopped_note, t.stopped) {
            (Some(note), _) => (Some(note.0.clone()), Some(note.1.clone()), Some(note.2)),
            (None, true) => match wrapping(STOP_REASONS, t.stop_reason as usize) {
                Some((code, reason, exit)) => (
                    Some(code.to_string()),
                    Some(reason.to_string()),
                    Some(*exit),
                ),
                None => (None, None, None),
            },
            (None, false) => (None, None, None),
        };
        let (status, desired) = match t.phase {
            Phase::Provisioning => ("PROVISIONING", "RUNNING"),
            Phase::Pending => ("PENDING", "RUNNING"),
            Phase::Activating | Phase::Running | Phase::Unhealthy => ("RUNNING", "RUNNING"),
            Phase::Draining => ("DEACTIVATING", "STOPPED"),
            Phase::Stopped => ("STOPPED", "STOPPED"),
        };
        let health = if t.stopped
            || matches!(
                t.phase,
                Phase::Provisioning | Phase::Pending | Phase::Activating
            ) {
            "UNKNOWN"
        } else if t.phase == Phase::Unhealthy
            || s.is_some_and(|s| {
                s.service
                    .deployments
                    .iter()
                    .any(|d| d.rollout_state.as_deref() == Some("FAILED"))
                    && t.revision == revision_of(&s.service.task_definition)
            })
        {
            "UNHEALTHY"
        } else {
            "HEALTHY"
        };
        Task {
            task_arn: self.task_arn(t),
            cluster_arn: self.cluster.cluster_arn.clone(),
            task_definition_arn: task_definition_arn(family, t.revision),
            last_status: status.into(),
            desired_status: desired.into(),
            health_status: Some(health.into()),
            launch_type: s.and_then(|s| s.service.launch_type.clone()),
            availability_zone: wrapping(AZS, t.az as usize).map(|az| az.to_string()),
            private_ip: Some(format!("10.0.{}.{}", (t.ip >> 8) & 0xff, t.ip & 0xff)),
            group: s.map(|s| format!("service:{}", s.service.service_name)),
            started_by: Some("ecs-svc/1234567890123456789".into()),
            cpu: Some("512".into()),
            memory: Some("1024".into()),
            created_at: Some(t.started_at - 40_000),
            started_at: Some(t.started_at),
            stopped_at: t.stopped.then(|| {
                if t.stopped_note.is_some() {
                    t.phase_at
                } else {
                    t.started_at + 600_000
                }
            }),
            stop_code,
            stopped_reason,
            containers: s
                .into_iter()
                .flat_map(|s| {
                    s.containers
                        .iter()
                        .enumerate()
                        .map(move |(i, name)| (i, name, &s.image))
                })
                .map(|(i, name, image)| Container {
                    name: name.to_string(),
                    image: if i == 0 {
                        format!("{image}:v1.{}.0", t.revision)
                    } else {
                        "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0".into()
                    },
                    last_status: status.into(),
                    exit_code: if i == 0 { exit } else { exit.map(|_| 0) },
                    reason: None,
                    health_status: Some(health.into()),
                    runtime_id: Some(format!("{}-{}", t.id, 1000 + i)),
                })
                .collect(),
        }
    }
}

/// The `i`-th entry of a table, counting round from the start again past its end (`None` only if it is empty).
fn wrapping<T>(table: &[T], i: usize) -> Option<&T> {
    table.get(i.checked_rem(table.len())?)
}

/// `ecs-svc/123` -> 123.
pub(super) fn deployment_number(id: &str) -> u64 {
    id.rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub(super) fn revision_of(task_definition: &str) -> i32 {
    family_and_revision(task_definition).map_or(1, |(_, r)| r)
}

pub(super) fn event(at: Millis, message: String, id: &mut Rng) -> ServiceEvent {
    ServiceEvent {
        id: format!(
            "{}-{}-{}-{}-{}",
            id.hex(8),
            id.hex(4),
            id.hex(4),
            id.hex(4),
            id.hex(12)
        ),
        created_at: Some(at),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimOptions;

    #[test]
    fn a_task_whose_service_is_gone_still_materialises() {
        let fleet = Fleet::generate(&SimOptions::default());
        let cluster = fleet
            .cluster("production")
            .expect("the demo has a production cluster");
        let mut task = cluster.tasks.first().expect("the demo runs tasks").clone();
        task.service = usize::MAX;
        task.stopped = true;
        task.stop_reason = 200;
        let shown = cluster.materialise(&task);
        assert_eq!(shown.group, None);
        assert!(shown.containers.is_empty());
        assert!(shown.stop_code.is_some());
        assert!(shown.availability_zone.is_some());
    }
}
