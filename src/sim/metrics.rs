//! Simulated CloudWatch metrics, alarms and ALB target groups, consistent with the simulated fleet.
//!
//! Every datapoint is a function of (service, metric, minute) and of what the fleet did in that minute.
//! Load follows a daily curve with noise. Before the fleet's start (its history, generated): CPU follows
//! load, a failed rollout raises target 5XX and latency and leaves unhealthy hosts, a rollout in progress
//! adds a host. From the start on, the metrics follow the moving fleet ([`super::traffic`]): requests split
//! across target groups by their share, a bad revision's targets raise 5XX and latency while they take
//! requests, healthy hosts follow target health, CPU follows the running tasks (the same work over more
//! tasks, a starting task's burst). Alarms are evaluated on those minutes. Like ALB, HTTPCode counts are
//! only published for minutes that had some; like CloudWatch, a minute is published a minute after it ends.
//!
//! Over 600 lines: the history and the live minutes are one formula per metric, kept side by side.

use super::fleet::{Fleet, Phase};
use super::traffic::{BAD_ERROR_RATE, Traffic, Window as Live};
use super::{ACCOUNT, REGION};
use crate::aws::*;
use std::collections::HashMap;
use std::sync::Arc;

const MINUTE: Millis = 60_000;
const DAY: Millis = 86_400_000;
/// How long a failed rollout's errors go on after ECS marked it failed (tasks draining, retries).
const FAILURE_TAIL: Millis = 15 * MINUTE;
/// A running task's CPU when it takes no requests, and while it starts up (%).
const IDLE_CPU: f64 = 4.0;
const STARTING_CPU: f64 = 55.0;

/// One simulated target group and what it serves.
#[derive(Debug, Clone)]
struct SimTargetGroup {
    group: TargetGroup,
    cluster: usize,
    service: usize,
    /// Blue/green: the alternate (green) group of its service.
    green: bool,
}

#[derive(Debug, Clone)]
struct Profile {
    cluster: String,
    service: String,
    /// Requests per minute at average load.
    base_rpm: f64,
    seed: u64,
    desired: i32,
    /// (start, end) of a failed rollout's errors.
    failure: Option<(Millis, Millis)>,
    /// (start, end) of a rollout in progress (end: when it is expected to finish).
    rollout: Option<(Millis, Millis)>,
    /// Blue/green: when the green revision's deployment started.
    shift_at: Option<Millis>,
    target_groups: Vec<usize>,
    /// (cluster, service) position in the fleet: its traffic timeline.
    at: (usize, usize),
}

pub struct MetricSim {
    groups: Vec<SimTargetGroup>,
    by_arn: HashMap<String, usize>,
    /// By `TargetGroup` dimension.
    by_dimension: HashMap<String, usize>,
    profiles: Vec<Profile>,
    /// (cluster name, service name) -> profile.
    by_service: HashMap<(String, String), usize>,
    /// Alarm definitions: (name, profile, metric kind).
    alarms: Vec<(String, usize, AlarmKind)>,
    /// What the moving fleet's traffic did, from `epoch` (the fleet's start) on.
    traffic: Arc<Traffic>,
    epoch: Millis,
}

#[derive(Debug, Clone, Copy)]
enum AlarmKind {
    Target5xx,
    Cpu,
}

fn hash(parts: &[u64]) -> u64 {
    let mut z = 0x9E37_79B9_7F4A_7C15u64;
    for p in parts {
        z ^= p.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
    }
    z
}

fn name_seed(s: &str) -> u64 {
    s.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ b as u64).wrapping_mul(1099511628211)
    })
}

/// A number in [0, 1) for these parts.
fn unit(parts: &[u64]) -> f64 {
    (hash(parts) >> 11) as f64 / (1u64 << 53) as f64
}

impl MetricSim {
    fn is_green(&self, group: usize) -> bool {
        self.groups.get(group).is_some_and(|g| g.green)
    }

    pub fn from_fleet(fleet: &Fleet) -> MetricSim {
        let mut groups = Vec::new();
        let mut profiles = Vec::new();
        let mut alarms = Vec::new();
        for (ci, c) in fleet.clusters.iter().enumerate() {
            let cname = &c.cluster.cluster_name;
            let alb = format!(
                "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{cname}-alb/{:016x}",
                hash(&[name_seed(cname)])
            );
            for (si, s) in c.services.iter().enumerate() {
                let svc = &s.service;
                let seed = name_seed(&format!("{cname}/{}", svc.service_name));
                let mut tgs = Vec::new();
                for lb in &svc.load_balancers {
                    for (arn, green) in [
                        (&lb.target_group_arn, false),
                        (&lb.alternate_target_group_arn, true),
                    ] {
                        let Some(arn) = arn else { continue };
                        tgs.push(groups.len());
                        // The name is the middle of `targetgroup/name/id`.
                        let name = target_group_dimension(arn)
                            .and_then(|d| d.split('/').nth(1))
                            .unwrap_or(arn);
                        groups.push(SimTargetGroup {
                            group: TargetGroup {
                                target_group_arn: arn.clone(),
                                target_group_name: name.to_owned(),
                                load_balancer_arns: vec![alb.clone()],
                                port: Some(8080),
                                protocol: Some("HTTP".into()),
                                target_type: Some("ip".into()),
                                health_check_path: Some("/health".into()),
                            },
                            cluster: ci,
                            service: si,
                            green,
                        });
                    }
                }
                let mut failure = None;
                let mut rollout = None;
                for d in &svc.deployments {
                    match (d.rollout_state.as_deref(), d.created_at, d.updated_at) {
                        (Some("FAILED"), Some(from), Some(to)) => {
                            failure = Some((from, to + FAILURE_TAIL))
                        }
                        (Some("IN_PROGRESS"), Some(from), _) => {
                            rollout = Some((from, from + 15 * MINUTE))
                        }
                        _ => {}
                    }
                }
                let has_green = svc
                    .load_balancers
                    .iter()
                    .any(|l| l.alternate_target_group_arn.is_some());
                let shift_at = has_green
                    .then(|| svc.primary_deployment().and_then(|d| d.created_at))
                    .flatten();
                let pi = profiles.len();
                profiles.push(Profile {
                    cluster: cname.clone(),
                    service: svc.service_name.clone(),
                    base_rpm: 300.0 + unit(&[seed, 1]) * 2_700.0,
                    seed,
                    desired: svc.desired_count.max(1),
                    failure,
                    rollout,
                    shift_at,
                    target_groups: tgs.clone(),
                    at: (ci, si),
                });
                if cname == "production" {
                    if !tgs.is_empty() {
                        alarms.push((
                            format!("{cname}-{}-target-5xx", svc.service_name),
                            pi,
                            AlarmKind::Target5xx,
                        ));
                    }
                    alarms.push((
                        format!("{cname}-{}-cpu-high", svc.service_name),
                        pi,
                        AlarmKind::Cpu,
                    ));
                }
            }
        }
        let by_arn = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.group.target_group_arn.clone(), i))
            .collect();
        let by_dimension = groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.group.dimension().map(|d| (d.to_owned(), i)))
            .collect();
        let by_service = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.cluster.clone(), p.service.clone()), i))
            .collect();
        MetricSim {
            groups,
            by_arn,
            by_dimension,
            profiles,
            by_service,
            alarms,
            traffic: fleet.traffic.clone(),
            epoch: fleet.epoch_ms,
        }
    }

    pub fn target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
        arns.iter()
            .map(|a| {
                self.by_arn
                    .get(a)
                    .and_then(|i| self.groups.get(*i))
                    .map(|g| g.group.clone())
                    .ok_or_else(|| {
                        ApiError::NotFound(format!(
                            "target group {a} not found (TargetGroupNotFound)"
                        ))
                    })
            })
            .collect()
    }

    /// The registered targets of a group: its service's running tasks (blue/green: the primary revision's
    /// tasks in green, the others in blue), unhealthy while a failed rollout's errors go on.
    pub fn target_health(
        &self,
        fleet: &Fleet,
        arn: &str,
        now: Millis,
    ) -> Result<Vec<TargetHealth>, ApiError> {
        let g = self
            .by_arn
            .get(arn)
            .and_then(|i| self.groups.get(*i))
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "target group {arn} not found (TargetGroupNotFound)"
                ))
            })?;
        let gone = || ApiError::NotFound(format!("the service of target group {arn} is gone"));
        let cluster = fleet.clusters.get(g.cluster).ok_or_else(gone)?;
        let svc = cluster.services.get(g.service).ok_or_else(gone)?;
        let has_green = svc
            .service
            .load_balancers
            .iter()
            .any(|l| l.alternate_target_group_arn.is_some());
        let primary_rev = super::fleet::revision_of(&svc.service.task_definition);
        let profile = self
            .by_service
            .get(&(
                cluster.cluster.cluster_name.clone(),
                svc.service.service_name.clone(),
            ))
            .and_then(|i| self.profiles.get(*i))
            .ok_or_else(gone)?;
        let failing = profile
            .failure
            .is_some_and(|(from, to)| now >= from && now < to);
        let mut out = Vec::new();
        for t in cluster.tasks.iter().filter(|t| t.service == g.service) {
            if t.stopped
                || matches!(t.phase, Phase::Provisioning | Phase::Pending)
                || (has_green && (t.revision == primary_rev) != g.green)
            {
                continue;
            }
            let task = cluster.materialise(t);
            let (state, reason, description) = match t.phase {
                Phase::Activating => (
                    "initial",
                    Some("Elb.RegistrationInProgress"),
                    Some("Target registration is in progress"),
                ),
                Phase::Unhealthy => (
                    "unhealthy",
                    Some("Target.FailedHealthChecks"),
                    Some("Health checks failed with these codes: [502]"),
                ),
                Phase::Draining => (
                    "draining",
                    Some("Target.DeregistrationInProgress"),
                    Some("Target deregistration is in progress"),
                ),
                _ if failing && out.len() < 2 => (
                    "unhealthy",
                    Some("Target.FailedHealthChecks"),
                    Some("Health checks failed with these codes: [502]"),
                ),
                _ => ("healthy", None, None),
            };
            out.push(TargetHealth {
                id: task.private_ip.unwrap_or_default(),
                port: Some(8080),
                state: state.into(),
                reason: reason.map(str::to_owned),
                description: description.map(str::to_owned),
            });
        }
        Ok(out)
    }

    /// Load at minute `m` (epoch minutes): a daily curve, a 17-minute wobble and noise; about 1 on average.
    fn load(p: &Profile, minute: i64) -> f64 {
        let t = (minute * MINUTE) as f64;
        let daily = (t / DAY as f64 * std::f64::consts::TAU + (p.seed % 7) as f64).sin();
        let wobble = (t / (17 * MINUTE) as f64 * std::f64::consts::TAU).sin();
        1.0 + 0.35 * daily + 0.08 * wobble + 0.12 * (unit(&[p.seed, minute as u64, 2]) - 0.5)
    }

    fn failing(p: &Profile, at: Millis) -> bool {
        p.failure.is_some_and(|(from, to)| at >= from && at < to)
    }

    /// The share of the service's requests a target group got at minute `at` of the history, or in the
    /// live minute `live` (see [`super::traffic::share_of`]). A blue/green deployment under way when the
    /// fleet starts is still scaling up green, which takes production traffic only once it has.
    fn share(&self, p: &Profile, group: usize, live: Option<&Live>) -> f64 {
        if let Some(l) = live {
            return self.live_group(p, group, l).map_or(0.0, |g| g.share);
        }
        let Some(g) = self.groups.get(group) else {
            return 0.0;
        };
        if let Some(w) = self.traffic.history_share(&g.group.target_group_arn) {
            return w;
        }
        let blues = p
            .target_groups
            .iter()
            .filter(|i| !self.is_green(**i))
            .count();
        if g.green {
            0.0
        } else {
            1.0 / blues.max(1) as f64
        }
    }

    /// A target group's part of a live minute.
    fn live_group<'a>(
        &self,
        p: &Profile,
        group: usize,
        live: &'a Live,
    ) -> Option<&'a super::traffic::GroupWindow> {
        let k = p.target_groups.iter().position(|g| *g == group)?;
        live.groups.get(k)
    }

    /// The fleet's traffic in minute `minute`, from the fleet's start on (None before: the history).
    fn live(&self, p: &Profile, minute: i64) -> Option<Live> {
        let from = minute * MINUTE;
        if from + MINUTE <= self.epoch {
            return None;
        }
        self.traffic.window(p.at.0, p.at.1, from, from + MINUTE)
    }

    /// One minute's value of a metric, or None when CloudWatch would have no datapoint.
    fn minute_value(
        &self,
        p: &Profile,
        group: Option<usize>,
        metric: &str,
        stat: Stat,
        minute: i64,
    ) -> Option<f64> {
        let at = minute * MINUTE;
        let load = Self::load(p, minute);
        let failing = Self::failing(p, at);
        let noise = |k: u64| unit(&[p.seed, minute as u64, k]);
        let live = self.live(p, minute);
        let live = live.as_ref();
        let lg = |g: usize| live.and_then(|l| self.live_group(p, g, l));
        let requests = |g: usize| (p.base_rpm * load * self.share(p, g, live)).round();
        // The share of a group's requests its bad revision's targets took (and failed), this minute.
        let bad = |g: usize| lg(g).map_or(0.0, |x| x.bad);
        let rolling = p.rollout.is_some_and(|(from, to)| at >= from && at < to);
        let value = match (metric, group) {
            ("CPUUtilization", None) => {
                let steady = (12.0 + 38.0 * load + 6.0 * noise(3)).min(99.0);
                let (avg, starting) = match live {
                    // The requests' work (what `desired` tasks did at `steady`) spread over the tasks
                    // running now, plus their idle and a starting task's burst.
                    Some(l) => {
                        if l.running < 0.01 {
                            return None;
                        }
                        let work = (steady - IDLE_CPU) * p.desired as f64;
                        let total = work + IDLE_CPU * l.running + STARTING_CPU * l.activating;
                        ((total / l.running).min(99.0), l.activating > 0.0)
                    }
                    None => (steady, false),
                };
                match stat {
                    Stat::Maximum if starting => (STARTING_CPU + 25.0 + 14.0 * noise(4)).min(100.0),
                    Stat::Maximum => (avg + 8.0 + 14.0 * noise(4)).min(100.0),
                    Stat::Minimum => (avg - 6.0).max(0.5),
                    _ => avg,
                }
            }
            ("MemoryUtilization", None) => {
                if live.is_some_and(|l| l.running < 0.01) {
                    return None;
                }
                // A slow leak, reset by a restart every six hours.
                let leak = ((at % (6 * 3_600_000)) as f64 / (6.0 * 3_600_000.0)) * 12.0;
                let avg = 38.0 + leak + 2.0 * noise(5);
                match stat {
                    Stat::Maximum => avg + 3.0 + 3.0 * noise(6),
                    Stat::Minimum => avg - 2.0,
                    _ => avg,
                }
            }
            ("RequestCount", Some(g)) => {
                let r = requests(g);
                if r <= 0.0 {
                    return None;
                }
                r
            }
            ("HTTPCode_Target_5XX_Count", Some(g)) => {
                let base = if failing {
                    0.06 + 0.06 * noise(7)
                } else {
                    0.0015 * noise(7)
                };
                let rate = base + bad(g) * BAD_ERROR_RATE * (0.9 + 0.2 * noise(11));
                let n = (requests(g) * rate).floor();
                if n <= 0.0 {
                    return None;
                }
                n
            }
            ("HTTPCode_ELB_5XX_Count", Some(g)) => {
                let mut n = if failing {
                    (requests(g) * 0.01 * noise(8)).floor()
                } else if noise(8) > 0.97 {
                    1.0
                } else {
                    0.0
                };
                // A group sent requests while it had no target to take them answers 503 itself.
                n += (p.base_rpm * load * lg(g).map_or(0.0, |x| x.no_target)).round();
                if n <= 0.0 {
                    return None;
                }
                n
            }
            ("TargetResponseTime", Some(g)) => {
                if requests(g) <= 0.0 {
                    return None;
                }
                let base = 0.045 + 0.03 * (load - 1.0).max(0.0) + 0.01 * noise(9);
                let mut avg = if failing {
                    base + 0.35 + 0.2 * noise(10)
                } else {
                    base
                };
                // A bad revision's requests time out or fail slowly.
                avg += bad(g) * (0.8 + 0.4 * noise(12));
                match stat {
                    Stat::Maximum => avg * 6.0,
                    _ => avg,
                }
            }
            ("HealthyHostCount", Some(g)) => match lg(g) {
                Some(x) => {
                    let n = match stat {
                        Stat::Maximum => x.healthy_max,
                        Stat::Minimum => x.healthy_min,
                        _ => x.healthy,
                    };
                    // A failed rollout of the history still fails two targets' checks a while.
                    if failing { (n - 2.0).max(0.0) } else { n }
                }
                None => {
                    let share = self.share(p, g, None);
                    if share <= 0.0 && !self.is_green(g) {
                        0.0
                    } else {
                        let mut n = p.desired as f64;
                        if failing {
                            n -= 2.0;
                        }
                        if rolling {
                            n += 1.0;
                        }
                        if self.is_green(g) && p.shift_at.is_some_and(|s| at < s) {
                            0.0
                        } else {
                            n.max(0.0)
                        }
                    }
                }
            },
            ("UnHealthyHostCount", Some(g)) => {
                let history = if failing { 2.0 } else { 0.0 };
                history + lg(g).map_or(0.0, |x| x.unhealthy)
            }
            _ => return None,
        };
        Some(value)
    }

    fn profile_for(&self, q: &MetricQuery) -> Option<(&Profile, Option<usize>)> {
        let dim = |name: &str| {
            q.dimensions
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        match q.namespace.as_str() {
            "AWS/ECS" => {
                let key = (
                    dim("ClusterName")?.to_owned(),
                    dim("ServiceName")?.to_owned(),
                );
                self.by_service
                    .get(&key)
                    .and_then(|i| self.profiles.get(*i))
                    .map(|p| (p, None))
            }
            "AWS/ApplicationELB" => {
                let g = *self.by_dimension.get(dim("TargetGroup")?)?;
                let group = self.groups.get(g)?;
                if dim("LoadBalancer") != group.group.load_balancer_dimension() {
                    return None;
                }
                let p = self
                    .profiles
                    .iter()
                    .find(|p| p.target_groups.contains(&g))?;
                Some((p, Some(g)))
            }
            _ => None,
        }
    }

    /// One query over `[start, end)`: one datapoint per period that has data and has been published by `now`.
    pub fn query(&self, q: &MetricQuery, start: Millis, end: Millis, now: Millis) -> MetricResult {
        let mut result = MetricResult {
            id: q.id.clone(),
            status: "Complete".into(),
            ..Default::default()
        };
        let Some((p, group)) = self.profile_for(q) else {
            return result;
        };
        let period = (q.period_secs.max(60) as i64) * 1000;
        let mut bucket = start;
        while bucket < end {
            // CloudWatch publishes a minute about a minute after it ends.
            let last_published = ((now - MINUTE) / MINUTE) * MINUTE;
            let minutes: Vec<f64> = (bucket / MINUTE..(bucket + period).min(end) / MINUTE)
                .filter(|m| (m + 1) * MINUTE <= last_published)
                .filter_map(|m| self.minute_value(p, group, &q.metric, q.stat, m))
                .collect();
            if !minutes.is_empty() {
                let value = match q.stat {
                    Stat::Sum => minutes.iter().sum(),
                    Stat::Maximum => minutes.iter().cloned().fold(f64::MIN, f64::max),
                    Stat::Minimum => minutes.iter().cloned().fold(f64::MAX, f64::min),
                    Stat::Average => minutes.iter().sum::<f64>() / minutes.len() as f64,
                };
                result.timestamps.push(bucket);
                result.values.push(value);
            }
            bucket += period;
        }
        result
    }

    /// Alarms as CloudWatch would have evaluated them at `now`: 5XX above 50 in 5 minutes, CPU above 85 %.
    /// The minutes follow the fleet, so an alarm fires while a bad revision takes requests (and a while
    /// after, see [`super::traffic::HOLD`]) and goes back to OK once five clean minutes are published.
    pub fn alarms(&self, state: Option<&str>, now: Millis) -> Vec<Alarm> {
        self.alarms
            .iter()
            .filter_map(|(name, pi, kind)| self.evaluate(name, *pi, *kind, now))
            .filter(|a| state.is_none_or(|s| a.state_value == s))
            .collect()
    }

    /// The state of one alarm at `now` ("OK" or "ALARM"), None if there is no such alarm: for whatever
    /// acts on alarms (a CodeDeploy deployment's automatic rollback).
    pub fn alarm_state(&self, name: &str, now: Millis) -> Option<&'static str> {
        let (name, pi, kind) = self.alarms.iter().find(|(n, _, _)| n == name)?;
        let alarm = self.evaluate(name, *pi, *kind, now)?;
        Some(if alarm.state_value == "ALARM" {
            "ALARM"
        } else {
            "OK"
        })
    }

    /// When alarm `name` was first in ALARM between `from` and `now` (its state changes only as minutes are
    /// published, so it is read at `from` and at each minute after), None if it never was: for a CodeDeploy
    /// deployment that watches it from `from` (sim/cd_run.rs takes this as `alarm_since`).
    pub fn alarm_since(&self, name: &str, from: Millis, now: Millis) -> Option<Millis> {
        let (name, pi, kind) = self.alarms.iter().find(|(n, _, _)| n == name)?;
        let mut t = from;
        while t <= now {
            if self
                .evaluate(name, *pi, *kind, t)
                .is_some_and(|a| a.state_value == "ALARM")
            {
                return Some(t);
            }
            t = (t / MINUTE + 1) * MINUTE;
        }
        None
    }

    fn evaluate(&self, name: &str, pi: usize, kind: AlarmKind, now: Millis) -> Option<Alarm> {
        let last = ((now - MINUTE) / MINUTE) * MINUTE;
        {
            {
                let p = self.profiles.get(pi)?;
                let window = last - 5 * MINUTE..last;
                let (namespace, metric, dimensions, value, threshold) = match kind {
                    AlarmKind::Target5xx => {
                        let group = &self.groups.get(*p.target_groups.first()?)?.group;
                        let sum: f64 = (window.start / MINUTE..window.end / MINUTE)
                            .flat_map(|m| {
                                p.target_groups.iter().filter_map(move |g| {
                                    self.minute_value(
                                        p,
                                        Some(*g),
                                        "HTTPCode_Target_5XX_Count",
                                        Stat::Sum,
                                        m,
                                    )
                                })
                            })
                            .sum();
                        (
                            "AWS/ApplicationELB",
                            "HTTPCode_Target_5XX_Count",
                            vec![
                                (
                                    "LoadBalancer".to_owned(),
                                    group.load_balancer_dimension().unwrap_or("").to_owned(),
                                ),
                                (
                                    "TargetGroup".to_owned(),
                                    group.dimension().unwrap_or("").to_owned(),
                                ),
                            ],
                            sum,
                            50.0,
                        )
                    }
                    AlarmKind::Cpu => {
                        let values: Vec<f64> = (window.start / MINUTE..window.end / MINUTE)
                            .filter_map(|m| {
                                self.minute_value(p, None, "CPUUtilization", Stat::Average, m)
                            })
                            .collect();
                        let avg = values.iter().sum::<f64>() / values.len().max(1) as f64;
                        (
                            "AWS/ECS",
                            "CPUUtilization",
                            vec![
                                ("ClusterName".to_owned(), p.cluster.clone()),
                                ("ServiceName".to_owned(), p.service.clone()),
                            ],
                            avg,
                            85.0,
                        )
                    }
                };
                let breaching = value > threshold;
                Some(Alarm {
                    alarm_name: name.to_owned(),
                    state_value: if breaching { "ALARM" } else { "OK" }.into(),
                    state_reason: Some(format!(
                        "Threshold Crossed: 1 datapoint [{value:.1}] was {} the threshold ({threshold:.1}).",
                        if breaching {
                            "greater than"
                        } else {
                            "not greater than"
                        }
                    )),
                    state_updated_at: Some(last),
                    namespace: Some(namespace.into()),
                    metric_name: Some(metric.into()),
                    dimensions,
                })
            }
        }
    }
}
