//! What the simulated fleet's traffic is doing, moment by moment, for the metrics to follow: per service a
//! timeline of samples (tasks running and starting; per target group its share of the service's requests,
//! healthy and unhealthy targets, targets taking requests and how many of those run a bad revision), taken at
//! generation and again each time the moving simulator recounts a service (every step and call, see
//! `Fleet::refresh_counts`). `MetricSim` reads a minute of it with [`Traffic::window`].
//!
//! Simplifications, each for a reason:
//! - A bad revision's task takes its round-robin share of requests from registration until it is
//!   deregistered, and answers [`BAD_ERROR_RATE`] of them with a 5XX: in AWS a target fails a few health
//!   checks (30 s apart) before the load balancer stops sending to it; the simulator's health checks fail in
//!   one step.
//! - Its errors are held for [`HOLD`] after it stops taking requests: the moving simulator runs in seconds
//!   what ECS and ALB take minutes for (`pace`), while CloudWatch's periods are real minutes, so without the
//!   hold the demo's 20-second bad deploy would be a sliver of one minute's datapoint.
//! - A target group's share comes from [`share_of`], today from the service's deployments.

use super::fleet::{Fleet, Phase, SimCluster, SimService, SimTask, revision_of};
use crate::aws::{Millis, Service};
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// The share of its requests a bad revision's task answers with a 5XX.
pub const BAD_ERROR_RATE: f64 = 0.6;
/// How long a bad target's errors go on in the metrics after it stops taking requests (see the module doc).
pub const HOLD: Millis = 120_000;
/// Samples kept per service; a demo left running for days drops its oldest half past this.
const KEEP: usize = 20_000;

/// One target group at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GroupState {
    /// Its share of the service's requests, 0 to 1.
    pub share: f64,
    pub healthy: u16,
    pub unhealthy: u16,
    /// Targets the load balancer sends requests to.
    pub serving: u16,
    /// Of those, the ones running a bad revision.
    pub bad: u16,
}

/// A service at one moment; it holds until the next sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub at: Millis,
    /// Tasks RUNNING (starting up, healthy or failing their checks).
    pub running: u16,
    /// Of those, tasks still starting up (registered, health checks not passed yet).
    pub activating: u16,
    /// In the order of [`target_groups`].
    pub groups: Vec<GroupState>,
}

impl Sample {
    fn same_state(&self, other: &Sample) -> bool {
        self.running == other.running
            && self.activating == other.activating
            && self.groups == other.groups
    }
}

/// One target group over a window: time averages, the extremes seen, the held bad share.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupWindow {
    pub share: f64,
    pub healthy: f64,
    pub healthy_min: f64,
    pub healthy_max: f64,
    pub unhealthy: f64,
    /// The share of the group's requests that went to a bad revision's targets (held for [`HOLD`]).
    pub bad: f64,
    /// The share of the service's requests sent to this group while it had no target to take them.
    pub no_target: f64,
}

/// A service over a window (a minute).
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub running: f64,
    pub activating: f64,
    pub groups: Vec<GroupWindow>,
}

/// The timelines of every service, by (cluster, service) position (services are never removed).
#[derive(Debug, Default)]
pub struct Traffic {
    timelines: RwLock<HashMap<(usize, usize), Vec<Sample>>>,
    /// Target group -> its share of live traffic as the ALB listeners decide it (`sim::alb`); where one is
    /// set it is the truth (see [`share_of`]).
    live: RwLock<HashMap<String, f64>>,
    /// The first shares handed over (the listeners as generated): what the history before the fleet's start
    /// had, so a later shift does not rewrite it.
    history: RwLock<Option<HashMap<String, f64>>>,
}

/// A service's target groups in a fixed order, each with whether it is the alternate (green) one.
pub fn target_groups(svc: &Service) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    for lb in &svc.load_balancers {
        if let Some(arn) = &lb.target_group_arn {
            out.push((arn.as_str(), false));
        }
        if let Some(arn) = &lb.alternate_target_group_arn {
            out.push((arn.as_str(), true));
        }
    }
    out
}

/// What a service's tasks add up to (see [`Counts::add`]).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    running: u16,
    activating: u16,
    /// (healthy, unhealthy, serving, bad) of the blue side and of the green side.
    sides: [(u16, u16, u16, u16); 2],
}

/// What decides where a service's tasks go.
struct Context<'a> {
    svc: &'a SimService,
    blue_green: bool,
    primary_revision: i32,
}

impl<'a> Context<'a> {
    fn of(svc: &'a SimService) -> Context<'a> {
        Context {
            svc,
            blue_green: svc
                .service
                .load_balancers
                .iter()
                .any(|l| l.alternate_target_group_arn.is_some()),
            primary_revision: revision_of(&svc.service.task_definition),
        }
    }
}

impl Counts {
    fn add(&mut self, cx: &Context, t: &SimTask) {
        if t.stopped
            || !matches!(
                t.phase,
                Phase::Activating | Phase::Running | Phase::Unhealthy
            )
        {
            return;
        }
        self.running = self.running.saturating_add(1);
        if t.phase == Phase::Activating {
            self.activating = self.activating.saturating_add(1);
        }
        let bad = cx.svc.bad_revisions.contains(&t.revision);
        // Blue/green: the primary revision's tasks are in the green group (as DescribeTargetHealth says).
        let side = usize::from(cx.blue_green && t.revision == cx.primary_revision);
        let Some(s) = self.sides.get_mut(side) else {
            return;
        };
        let one = |n: &mut u16| *n = n.saturating_add(1);
        match t.phase {
            Phase::Running => one(&mut s.0),
            Phase::Unhealthy => one(&mut s.1),
            _ => {}
        }
        if t.phase == Phase::Running || bad {
            one(&mut s.2);
            if bad {
                one(&mut s.3);
            }
        }
    }
}

/// The share of its service's requests target group `arn` gets now: THE one place shares are decided.
///
/// Today from the deployments: every group of a service without an alternate group gets an equal part;
/// ECS blue/green moves all production traffic to green once the primary (green) revision is scaled up —
/// `desired` healthy targets — or the deployment is done, and until then blue has it all.
///
/// A listener's weighted forward (src/sim/alb.rs, handed over with [`Traffic::set_live`]) is the truth
/// wherever one forwards to the group; `Sim` samples the services again when a listener changes
/// (ModifyListener / ModifyRule), so the metrics see a shift when it happens.
fn share_of(
    svc: &Service,
    groups: &[(&str, bool)],
    arn: &str,
    counts: &Counts,
    live: &HashMap<String, f64>,
) -> f64 {
    if let Some(w) = live.get(arn) {
        return *w;
    }
    let Some(&(_, green)) = groups.iter().find(|(a, _)| *a == arn) else {
        return 0.0;
    };
    let greens = groups.iter().filter(|(_, g)| *g).count();
    let blues = groups.len() - greens;
    if greens == 0 {
        return 1.0 / blues.max(1) as f64;
    }
    let in_progress = svc
        .primary_deployment()
        .is_some_and(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"));
    let green_healthy = counts.sides.get(1).map_or(0, |s| s.0);
    let switched = !in_progress || i32::from(green_healthy) >= svc.desired_count;
    match (green, switched) {
        (true, true) => 1.0 / greens as f64,
        (false, false) => 1.0 / blues.max(1) as f64,
        _ => 0.0,
    }
}

fn sample(cx: &Context, counts: &Counts, at: Millis, live: &HashMap<String, f64>) -> Sample {
    let groups = target_groups(&cx.svc.service);
    let states = groups
        .iter()
        .map(|(arn, green)| {
            let (healthy, unhealthy, serving, bad) = counts
                .sides
                .get(usize::from(*green))
                .copied()
                .unwrap_or_default();
            GroupState {
                share: share_of(&cx.svc.service, &groups, arn, counts, live),
                healthy,
                unhealthy,
                serving,
                bad,
            }
        })
        .collect();
    Sample {
        at,
        running: counts.running,
        activating: counts.activating,
        groups: states,
    }
}

fn overlap(from: Millis, until: Millis, a: Millis, b: Millis) -> Millis {
    (until.min(b) - from.max(a)).max(0)
}

impl Traffic {
    fn record(&self, c: usize, s: usize, sample: Sample) {
        let mut all = self
            .timelines
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let line = all.entry((c, s)).or_default();
        match line.last() {
            Some(last) if last.same_state(&sample) => return,
            // Two changes in one instant: the later one is what held.
            Some(last) if last.at >= sample.at => {
                line.pop();
            }
            _ => {}
        }
        line.push(sample);
        if line.len() > KEEP {
            line.drain(..KEEP / 2);
        }
    }

    /// The live shares the ALB listeners give their target groups now (replacing the last ones).
    pub(super) fn set_live(&self, shares: HashMap<String, f64>) {
        self.history
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| shares.clone());
        *self.live.write().unwrap_or_else(PoisonError::into_inner) = shares;
    }

    /// A target group's share of live traffic in the history before the fleet's start, where the
    /// listeners decide it.
    pub(super) fn history_share(&self, arn: &str) -> Option<f64> {
        self.history
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|h| h.get(arn).copied())
    }

    fn live(&self) -> HashMap<String, f64> {
        self.live
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Samples every service of the generated fleet at `at` (one pass over each cluster's tasks).
    pub(super) fn observe_all(&self, clusters: &[SimCluster], at: Millis) {
        let live = self.live();
        for (c, cluster) in clusters.iter().enumerate() {
            let contexts: Vec<Context> = cluster.services.iter().map(Context::of).collect();
            let mut counts = vec![Counts::default(); contexts.len()];
            for t in &cluster.tasks {
                if let (Some(cx), Some(n)) = (contexts.get(t.service), counts.get_mut(t.service)) {
                    n.add(cx, t);
                }
            }
            for (s, (cx, n)) in contexts.iter().zip(&counts).enumerate() {
                self.record(c, s, sample(cx, n, at, &live));
            }
        }
    }

    /// A service's traffic over `[a, b)`, or None when it has no timeline. The first sample stands for the
    /// time before it (the fleet as generated).
    pub fn window(&self, c: usize, s: usize, a: Millis, b: Millis) -> Option<Window> {
        let all = self
            .timelines
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let line = all.get(&(c, s))?;
        let span = (b - a).max(1) as f64;
        let first = line.partition_point(|x| x.at <= a - HOLD).saturating_sub(1);
        let mut w = Window::default();
        for (i, x) in line.iter().enumerate().skip(first) {
            if x.at >= b {
                break;
            }
            let from = if i == 0 { Millis::MIN } else { x.at };
            let until = line.get(i + 1).map_or(Millis::MAX, |n| n.at);
            let part = overlap(from, until, a, b) as f64 / span;
            let held = overlap(from, until.saturating_add(HOLD), a, b) as f64 / span;
            if w.groups.len() < x.groups.len() {
                w.groups.resize(
                    x.groups.len(),
                    GroupWindow {
                        healthy_min: f64::MAX,
                        ..GroupWindow::default()
                    },
                );
            }
            w.running += f64::from(x.running) * part;
            w.activating += f64::from(x.activating) * part;
            for (g, gw) in x.groups.iter().zip(w.groups.iter_mut()) {
                if part > 0.0 {
                    let healthy = f64::from(g.healthy);
                    gw.share += g.share * part;
                    gw.healthy += healthy * part;
                    gw.unhealthy += f64::from(g.unhealthy) * part;
                    gw.healthy_min = gw.healthy_min.min(healthy);
                    gw.healthy_max = gw.healthy_max.max(healthy);
                    if g.serving == 0 {
                        gw.no_target += g.share * part;
                    }
                }
                if g.serving > 0 && g.bad > 0 {
                    let bad = f64::from(g.bad) / f64::from(g.serving);
                    gw.bad = gw.bad.max(bad * held);
                }
            }
        }
        for g in &mut w.groups {
            if g.healthy_min == f64::MAX {
                g.healthy_min = 0.0;
            }
        }
        Some(w)
    }
}

impl Fleet {
    /// Samples one service's traffic at `t` (after every step and call that recounts it).
    pub(super) fn observe(&self, c: usize, s: usize, t: Millis) {
        let Some(cluster) = self.clusters.get(c) else {
            return;
        };
        let Some(svc) = cluster.services.get(s) else {
            return;
        };
        let cx = Context::of(svc);
        let mut counts = Counts::default();
        for task in cluster.tasks.iter().filter(|x| x.service == s) {
            counts.add(&cx, task);
        }
        let live = self.traffic.live();
        self.traffic.record(c, s, sample(&cx, &counts, t, &live));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{MetricQuery, Stat, TargetGroup};
    use crate::sim::{MetricSim, SimOptions};

    const MINUTE: Millis = 60_000;

    fn sum(metrics: &MetricSim, metric: &str, g: &TargetGroup, range: (Millis, Millis)) -> f64 {
        let q = MetricQuery {
            id: "m".into(),
            namespace: "AWS/ApplicationELB".into(),
            metric: metric.into(),
            dimensions: vec![
                (
                    "LoadBalancer".into(),
                    g.load_balancer_dimension().unwrap_or_default().into(),
                ),
                (
                    "TargetGroup".into(),
                    g.dimension().unwrap_or_default().into(),
                ),
            ],
            stat: Stat::Sum,
            period_secs: 60,
        };
        metrics
            .query(&q, range.0, range.1, range.1 + 10 * MINUTE)
            .values
            .iter()
            .sum()
    }

    /// Blue takes `1 - share` with healthy targets; green `share`, its 4 targets `bad` of them bad.
    fn weighted(at: Millis, share: f64, bad: u16) -> Sample {
        let group = |share, bad| GroupState {
            share,
            healthy: 4,
            unhealthy: 0,
            serving: 4,
            bad,
        };
        Sample {
            at,
            running: 8,
            activating: 0,
            groups: vec![group(1.0 - share, 0), group(share, bad)],
        }
    }

    #[test]
    fn a_bad_revision_at_a_tenth_of_the_traffic_gives_a_tenth_of_its_error_rate() {
        let fleet = Fleet::generate(&SimOptions::default());
        let metrics = MetricSim::from_fleet(&fleet);
        let c = fleet
            .clusters
            .iter()
            .position(|x| x.cluster.cluster_name == "production")
            .expect("production");
        let cluster = fleet.clusters.get(c).expect("production");
        let s = cluster.service_index("checkout").expect("checkout");
        let arns = cluster.services[s].service.target_group_arns();
        let groups = metrics.target_groups(&arns).expect("its target groups");
        let [blue, green] = groups.as_slice() else {
            panic!("checkout is blue/green: {arns:?}")
        };
        // A listener forwarding 10 % to green, whose targets all run a bad revision, for 30 minutes;
        // then green's revision is replaced by a good one.
        let t0 = fleet.epoch_ms + 10 * MINUTE;
        fleet.traffic.record(c, s, weighted(t0, 0.1, 4));
        fleet
            .traffic
            .record(c, s, weighted(t0 + 30 * MINUTE, 0.1, 0));

        let during = (t0 + MINUTE, t0 + 21 * MINUTE);
        let requests = |g| sum(&metrics, "RequestCount", g, during);
        let errors = |g| sum(&metrics, "HTTPCode_Target_5XX_Count", g, during);
        let all = requests(blue) + requests(green);
        let rate = (errors(blue) + errors(green)) / all;
        let expected = 0.1 * BAD_ERROR_RATE;
        assert!(
            (rate - expected).abs() < 0.15 * expected,
            "service 5XX rate {rate:.4}, expected about {expected:.4}"
        );
        let green_part = requests(green) / all;
        assert!(
            (green_part - 0.1).abs() < 0.01,
            "green took {green_part:.3}"
        );
        let green_rate = errors(green) / requests(green);
        assert!(
            (green_rate - BAD_ERROR_RATE).abs() < 0.15 * BAD_ERROR_RATE,
            "{green_rate:.3}"
        );
        assert!(errors(blue) / requests(blue) < 0.003);

        // Past the hold after the bad targets left, the service is back to its baseline.
        let after = (t0 + 30 * MINUTE + HOLD + MINUTE, t0 + 60 * MINUTE);
        let errors_after = sum(&metrics, "HTTPCode_Target_5XX_Count", green, after)
            + sum(&metrics, "HTTPCode_Target_5XX_Count", blue, after);
        let requests_after = sum(&metrics, "RequestCount", green, after)
            + sum(&metrics, "RequestCount", blue, after);
        assert!(
            errors_after / requests_after < 0.003,
            "{errors_after} of {requests_after}"
        );
    }

    #[test]
    fn a_window_averages_over_time_and_holds_a_bad_targets_errors() {
        let traffic = Traffic::default();
        let t0 = 1_000 * MINUTE;
        traffic.record(0, 0, weighted(t0, 0.0, 0));
        // 15 s of green at half the traffic with one bad target of four, then back.
        traffic.record(0, 0, weighted(t0 + 30_000, 0.5, 1));
        traffic.record(0, 0, weighted(t0 + 45_000, 0.0, 0));
        let w = traffic.window(0, 0, t0, t0 + MINUTE).expect("a timeline");
        let green = w.groups.get(1).copied().unwrap_or_default();
        assert!((green.share - 0.125).abs() < 1e-9, "{green:?}");
        // Held from 30 s on: half the minute at a quarter bad.
        assert!((green.bad - 0.125).abs() < 1e-9, "{green:?}");
        let next = traffic
            .window(0, 0, t0 + MINUTE, t0 + 2 * MINUTE)
            .expect("a timeline");
        let held = next.groups.get(1).copied().unwrap_or_default();
        assert!((held.bad - 0.25).abs() < 1e-9, "{held:?}");
        assert_eq!(held.share, 0.0);
        let gone = traffic
            .window(0, 0, t0 + 4 * MINUTE, t0 + 5 * MINUTE)
            .expect("a timeline");
        assert_eq!(gone.groups.get(1).map(|g| g.bad), Some(0.0));
        // Nothing recorded for a service: no timeline.
        assert!(traffic.window(0, 1, t0, t0 + MINUTE).is_none());
    }
}
