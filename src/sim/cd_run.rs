//! One ECS blue/green deployment as CodeDeploy runs it, as a pure function of time and of what was done to it
//! (ContinueDeployment, StopDeployment) and of the group's alarms: the lifecycle steps in order, the wait
//! before rerouting, the traffic shift by the deployment configuration (all at once, canary, linear), the wait
//! before the original (blue) task set is terminated, and how a failing hook, an alarm or a stop ends it
//! (with the traffic back on blue when the group rolls back).
//!
//! The simulated CodeDeploy account (`sim/codedeploy`) asks [`Run::at`] what a deployment looks like now;
//! nothing here keeps a clock, so every stage can be tested at the exact millisecond it begins and ends.

use crate::aws::Millis;

/// How production traffic moves to the replacement (green) task set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    AllAtOnce,
    /// `percent` first, the rest `minutes` later.
    Canary {
        percent: u32,
        minutes: u32,
    },
    /// `percent` more every `minutes`.
    Linear {
        percent: u32,
        minutes: u32,
    },
}

const MINUTE: Millis = 60_000;

impl Shift {
    /// The predefined ECS configurations (`CodeDeployDefault.ECSCanary10Percent5Minutes`,
    /// `…ECSLinear10PercentEvery1Minutes`, `…ECSAllAtOnce`); a custom one is not known by its name.
    pub fn predefined(name: &str) -> Option<Shift> {
        let rest = name.strip_prefix("CodeDeployDefault.ECS")?;
        if rest == "AllAtOnce" {
            return Some(Shift::AllAtOnce);
        }
        let number = |s: &str| -> Option<(u32, usize)> {
            let digits = s.chars().take_while(char::is_ascii_digit).count();
            Some((s.get(..digits)?.parse().ok()?, digits))
        };
        let (kind, rest) = if let Some(r) = rest.strip_prefix("Canary") {
            ("canary", r)
        } else {
            ("linear", rest.strip_prefix("Linear")?)
        };
        let (percent, used) = number(rest)?;
        let rest = rest.get(used..)?;
        let rest = match kind {
            "canary" => rest.strip_prefix("Percent")?,
            _ => rest.strip_prefix("PercentEvery")?,
        };
        let (minutes, used) = number(rest)?;
        if !matches!(rest.get(used..)?, "Minutes" | "Minute") || !(1..=99).contains(&percent) {
            return None;
        }
        Some(match kind {
            "canary" => Shift::Canary { percent, minutes },
            _ => Shift::Linear { percent, minutes },
        })
    }

    /// Green's share of production traffic (0–100) `elapsed` after the shift began, and how long after the
    /// shift began it next changes (None once it is all green).
    pub fn weight_at(&self, elapsed: Millis) -> (u32, Option<Millis>) {
        match *self {
            Shift::AllAtOnce => (100, None),
            Shift::Canary { percent, minutes } => {
                let interval = Millis::from(minutes) * MINUTE;
                if elapsed < interval {
                    (percent, Some(interval))
                } else {
                    (100, None)
                }
            }
            Shift::Linear { percent, minutes } => {
                let interval = (Millis::from(minutes) * MINUTE).max(1);
                let steps = u32::try_from(elapsed.max(0) / interval)
                    .unwrap_or(u32::MAX)
                    .saturating_add(1);
                let weight = percent.saturating_mul(steps).min(100);
                let next = (weight < 100).then(|| Millis::from(steps) * interval);
                (weight, next)
            }
        }
    }

    /// How long the shift takes, from its first step to all traffic on green.
    pub fn duration(&self) -> Millis {
        match *self {
            Shift::AllAtOnce => 0,
            Shift::Canary { minutes, .. } => Millis::from(minutes) * MINUTE,
            Shift::Linear { percent, minutes } => {
                let steps = 100u32.div_ceil(percent.max(1));
                Millis::from(steps.saturating_sub(1)) * Millis::from(minutes) * MINUTE
            }
        }
    }
}

/// The lifecycle of an ECS blue/green deployment, in order; the hooks (a Lambda function each) are the five
/// `Before…`/`After…` steps.
pub const STEPS: [&str; 8] = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
];

const INSTALL: usize = 1;
const AFTER_TEST_TRAFFIC: usize = 4;
const ALLOW_TRAFFIC: usize = 6;

pub fn is_hook(step: &str) -> bool {
    step.starts_with("Before") || step.starts_with("After")
}

/// What the deployment group and the simulator decide about one deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub shift: Shift,
    /// How long each step other than the shift takes (Install twice as long: it starts the green tasks).
    pub step: Millis,
    /// `STOP_DEPLOYMENT` with this wait: the deployment waits this long for ContinueDeployment once test
    /// traffic is on green, and is stopped when nobody continued it. None: `CONTINUE_DEPLOYMENT`.
    pub ready_wait: Option<Millis>,
    /// How long the original task set is kept after all traffic is on green.
    pub termination_wait: Millis,
    /// The hook whose function reports Failed, with the function's message.
    pub failing_hook: Option<(&'static str, String)>,
    /// The group rolls back when a deployment fails (DEPLOYMENT_FAILURE) or an alarm stops it
    /// (DEPLOYMENT_STOP_ON_ALARM), and on a StopDeployment that asks for it.
    pub auto_rollback: bool,
    /// The group watches its alarms during the deployment.
    pub alarms_enabled: bool,
}

/// How a deployment ended before it succeeded.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// A hook's function reported failure (or the wait before rerouting ran out): `Failed`.
    Failed {
        at: Millis,
        step: usize,
        why: String,
    },
    /// StopDeployment, or an alarm: `Stopped`.
    Stopped {
        at: Millis,
        rollback: bool,
        why: String,
    },
}

/// What one lifecycle step shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    /// Pending, InProgress, Succeeded, Failed, Skipped.
    pub status: &'static str,
    pub start: Option<Millis>,
    pub end: Option<Millis>,
    /// The hook function's message when it failed.
    pub message: Option<String>,
}

/// A wait the deployment is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Test traffic is on green; production traffic shifts on ContinueDeployment or is stopped at `until`.
    Reroute { until: Millis },
    /// All traffic is on green; blue is terminated at `until` (or on ContinueDeployment).
    Termination { until: Millis },
}

/// The deployment at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Now {
    /// CodeDeploy's words: InProgress, Ready, Succeeded, Failed, Stopped.
    pub status: &'static str,
    pub steps: Vec<Step>,
    /// Green's share of production traffic, 0–100.
    pub green_weight: u32,
    /// The test listener routes to green.
    pub test_on_green: bool,
    /// When the traffic next moves by the configuration.
    pub next_shift: Option<Millis>,
    pub wait: Option<Wait>,
    /// The green task set exists (created by Install, removed by a rollback); blue until terminated.
    pub green_exists: bool,
    pub blue_exists: bool,
    /// Traffic went back to blue, and why.
    pub rolled_back: Option<String>,
    pub completed: Option<Millis>,
    pub end: Option<End>,
}

/// One deployment: its plan, when it began and what was done to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub plan: Plan,
    pub started: Millis,
    /// ContinueDeployment during the wait before rerouting.
    pub continued: Option<Millis>,
    /// ContinueDeployment during the termination wait.
    pub terminate_now: Option<Millis>,
    /// StopDeployment: when, and whether to roll back.
    pub stopped: Option<(Millis, bool)>,
}

/// When each step starts and ends, as far as time alone decides (no end, no alarm).
struct Timeline {
    starts: [Millis; 8],
    ends: [Millis; 8],
    /// When the deployment leaves the wait before rerouting; None while it still waits (or waited too long).
    ready_until: Option<Millis>,
    termination_until: Millis,
}

impl Run {
    pub fn new(plan: Plan, started: Millis) -> Run {
        Run {
            plan,
            started,
            continued: None,
            terminate_now: None,
            stopped: None,
        }
    }

    fn timeline(&self) -> Timeline {
        let step = self.plan.step;
        let mut starts = [0; 8];
        let mut ends = [0; 8];
        let mut t = self.started;
        let mut ready_until = None;
        for (i, (s, e)) in starts.iter_mut().zip(ends.iter_mut()).enumerate() {
            if i == AFTER_TEST_TRAFFIC + 1 {
                // The wait before rerouting: until ContinueDeployment, or at most `ready_wait`.
                if let Some(wait) = self.plan.ready_wait {
                    let resumed = self.continued.filter(|c| *c <= t + wait).map(|c| c.max(t));
                    ready_until = Some(t + wait);
                    t = resumed.unwrap_or(Millis::MAX / 4);
                }
            }
            *s = t;
            t += match i {
                INSTALL => 2 * step,
                ALLOW_TRAFFIC => self.plan.shift.duration().max(step),
                _ => step,
            };
            *e = t;
        }
        let termination_until = match self.terminate_now {
            Some(at) if at >= t => at.min(t + self.plan.termination_wait),
            _ => t + self.plan.termination_wait,
        };
        Timeline {
            starts,
            ends,
            ready_until,
            termination_until,
        }
    }

    /// How the deployment ends before succeeding, if it does by `now`: the first of a failing hook, the wait
    /// before rerouting running out, a StopDeployment, an alarm (`alarm_since`: when a group alarm went
    /// into ALARM).
    fn end(&self, line: &Timeline, now: Millis, alarm_since: Option<Millis>) -> Option<End> {
        let done = line.termination_until;
        let mut ends: Vec<End> = Vec::new();
        if let Some((hook, why)) = &self.plan.failing_hook
            && let Some(i) = STEPS.iter().position(|s| s == hook)
            && let Some(at) = line.ends.get(i)
        {
            ends.push(End::Failed {
                at: *at,
                step: i,
                why: why.clone(),
            });
        }
        if let (Some(until), None) = (line.ready_until, self.continued) {
            ends.push(End::Stopped {
                at: until,
                rollback: false,
                why: "nobody continued the deployment before the wait for rerouting ran out".into(),
            });
        }
        if let Some((at, rollback)) = self.stopped {
            ends.push(End::Stopped {
                at,
                rollback,
                why: "stopped by a user (StopDeployment)".into(),
            });
        }
        if self.plan.alarms_enabled
            && let Some(at) = alarm_since
        {
            ends.push(End::Stopped {
                at: at.max(self.started),
                rollback: self.plan.auto_rollback,
                why: "a deployment group alarm went into ALARM".into(),
            });
        }
        ends.into_iter()
            .filter(|e| e.at() < done && e.at() <= now)
            .min_by_key(End::at)
    }

    /// The deployment at `now`.
    pub fn at(&self, now: Millis, alarm_since: Option<Millis>) -> Now {
        let line = self.timeline();
        let end = self.end(&line, now, alarm_since);
        let stop_at = end.as_ref().map(End::at);
        // Time as far as the deployment went: everything after an end did not happen.
        let t = stop_at.map_or(now, |s| s.min(now));
        let steps: Vec<Step> = STEPS
            .iter()
            .zip(line.starts.iter().zip(line.ends.iter()))
            .enumerate()
            .map(|(i, (name, (&start, &finish)))| {
                let failed_here = matches!(&end, Some(End::Failed { step, .. }) if *step == i);
                let status = if failed_here {
                    "Failed"
                } else if finish <= t {
                    "Succeeded"
                } else if start <= t && stop_at.is_none() {
                    "InProgress"
                } else if stop_at.is_some() {
                    "Skipped"
                } else {
                    "Pending"
                };
                Step {
                    name,
                    status,
                    start: (start <= t).then_some(start),
                    end: (finish <= t || failed_here).then_some(finish.min(t)),
                    message: failed_here
                        .then(|| match &end {
                            Some(End::Failed { why, .. }) => Some(why.clone()),
                            _ => None,
                        })
                        .flatten(),
                }
            })
            .collect();
        let shift_start = line.starts[ALLOW_TRAFFIC];
        let (mut green_weight, next) = if t >= shift_start {
            self.plan.shift.weight_at(t - shift_start)
        } else {
            (0, None)
        };
        let mut next_shift = next.map(|n| shift_start + n).filter(|_| stop_at.is_none());
        let test_on_green = t >= line.ends[AFTER_TEST_TRAFFIC - 1];
        let mut green_exists = t >= line.starts[INSTALL];
        let mut blue_exists = now < line.termination_until || stop_at.is_some();
        let rollback = match &end {
            Some(End::Failed { why, .. }) if self.plan.auto_rollback => Some(why.clone()),
            Some(End::Stopped {
                rollback: true,
                why,
                ..
            }) => Some(why.clone()),
            _ => None,
        };
        if rollback.is_some() {
            green_weight = 0;
            next_shift = None;
            green_exists = false;
            blue_exists = true;
        }
        let wait = match (&end, line.ready_until) {
            (None, Some(until)) if now >= line.ends[AFTER_TEST_TRAFFIC] && now < line.starts[5] => {
                Some(Wait::Reroute { until })
            }
            (None, _) if now >= line.ends[ALLOW_TRAFFIC + 1] && now < line.termination_until => {
                Some(Wait::Termination {
                    until: line.termination_until,
                })
            }
            _ => None,
        };
        let (status, completed) = match &end {
            Some(End::Failed { at, .. }) => ("Failed", Some(*at)),
            Some(End::Stopped { at, .. }) => ("Stopped", Some(*at)),
            None if now >= line.termination_until => ("Succeeded", Some(line.termination_until)),
            None if matches!(wait, Some(Wait::Reroute { .. })) => ("Ready", None),
            None => ("InProgress", None),
        };
        Now {
            status,
            steps,
            green_weight,
            test_on_green: test_on_green && rollback.is_none(),
            next_shift,
            wait,
            green_exists,
            blue_exists,
            rolled_back: rollback,
            completed,
            end,
        }
    }

    /// ContinueDeployment: ends the wait before rerouting (`traffic_wait`) or the termination wait.
    pub fn continue_(&mut self, now: Millis, alarm_since: Option<Millis>) -> Result<(), String> {
        let state = self.at(now, alarm_since);
        match (state.wait, self.continued) {
            (Some(Wait::Reroute { .. }), None) => {
                self.continued = Some(now);
                Ok(())
            }
            (Some(Wait::Termination { .. }), _) => {
                self.terminate_now = Some(now);
                Ok(())
            }
            _ => Err(format!(
                "the deployment is {} and not waiting: there is nothing to continue",
                state.status
            )),
        }
    }

    /// StopDeployment, rolling back if asked.
    pub fn stop(
        &mut self,
        now: Millis,
        rollback: bool,
        alarm_since: Option<Millis>,
    ) -> Result<(), String> {
        let state = self.at(now, alarm_since);
        if state.completed.is_some() {
            return Err(format!("the deployment is {} already", state.status));
        }
        self.stopped = Some((now, rollback));
        Ok(())
    }
}

impl End {
    pub fn at(&self) -> Millis {
        match self {
            End::Failed { at, .. } | End::Stopped { at, .. } => *at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_000_000_000;
    const S: Millis = 5_000;

    fn plan(shift: Shift) -> Plan {
        Plan {
            shift,
            step: S,
            ready_wait: None,
            termination_wait: 5 * MINUTE,
            failing_hook: None,
            auto_rollback: true,
            alarms_enabled: true,
        }
    }

    fn statuses(now: &Now) -> Vec<&'static str> {
        now.steps.iter().map(|s| s.status).collect()
    }

    #[test]
    fn predefined_configurations_are_read_by_name() {
        assert_eq!(
            Shift::predefined("CodeDeployDefault.ECSCanary10Percent5Minutes"),
            Some(Shift::Canary {
                percent: 10,
                minutes: 5
            })
        );
        assert_eq!(
            Shift::predefined("CodeDeployDefault.ECSLinear10PercentEvery1Minutes"),
            Some(Shift::Linear {
                percent: 10,
                minutes: 1
            })
        );
        assert_eq!(
            Shift::predefined("CodeDeployDefault.ECSAllAtOnce"),
            Some(Shift::AllAtOnce)
        );
        for custom in [
            "my-canary",
            "CodeDeployDefault.AllAtOnce",
            "CodeDeployDefault.ECSCanary0Percent5Minutes",
            "CodeDeployDefault.ECSCanary10Percent5Hours",
        ] {
            assert_eq!(Shift::predefined(custom), None, "{custom}");
        }
    }

    #[test]
    fn linear_moves_a_step_each_interval_and_says_when_the_next_comes() {
        let linear = Shift::Linear {
            percent: 30,
            minutes: 1,
        };
        assert_eq!(linear.weight_at(0), (30, Some(MINUTE)));
        assert_eq!(linear.weight_at(MINUTE - 1), (30, Some(MINUTE)));
        assert_eq!(linear.weight_at(MINUTE), (60, Some(2 * MINUTE)));
        assert_eq!(linear.weight_at(2 * MINUTE), (90, Some(3 * MINUTE)));
        assert_eq!(linear.weight_at(3 * MINUTE), (100, None));
        assert_eq!(linear.duration(), 3 * MINUTE);
    }

    #[test]
    fn a_canary_runs_every_step_in_order_and_succeeds_after_the_termination_wait() {
        let run = Run::new(
            plan(Shift::Canary {
                percent: 10,
                minutes: 1,
            }),
            T0,
        );
        let before = run.at(T0 + 1, None);
        assert_eq!(before.status, "InProgress");
        assert_eq!(before.steps[0].status, "InProgress");
        assert!(!before.green_exists && before.blue_exists);
        // BeforeInstall 5 s, Install 10 s, AfterInstall, AllowTestTraffic, AfterAllowTestTraffic,
        // BeforeAllowTraffic 5 s each: the shift starts at 35 s.
        let shift = T0 + 35 * 1000;
        let test = run.at(shift - 1, None);
        assert!(test.test_on_green && test.green_exists);
        assert_eq!(test.green_weight, 0);
        let canary = run.at(shift, None);
        assert_eq!(canary.green_weight, 10);
        assert_eq!(canary.next_shift, Some(shift + MINUTE));
        assert_eq!(canary.steps[6].status, "InProgress");
        let all = run.at(shift + MINUTE, None);
        assert_eq!(all.green_weight, 100);
        assert_eq!(all.next_shift, None);
        let waiting = run.at(shift + MINUTE + S, None);
        assert_eq!(
            waiting.wait,
            Some(Wait::Termination {
                until: shift + MINUTE + S + 5 * MINUTE
            })
        );
        assert_eq!(waiting.status, "InProgress");
        assert!(waiting.blue_exists);
        let done = run.at(shift + MINUTE + S + 5 * MINUTE, None);
        assert_eq!(done.status, "Succeeded");
        assert!(statuses(&done).iter().all(|s| *s == "Succeeded"));
        assert!(!done.blue_exists && done.green_exists);
    }

    #[test]
    fn a_failing_hook_fails_the_deployment_and_rolls_back() {
        let mut p = plan(Shift::AllAtOnce);
        p.failing_hook = Some((
            "AfterAllowTestTraffic",
            "smoke test: GET /health 503".into(),
        ));
        let run = Run::new(p, T0);
        let failed_at = T0 + 30 * 1000;
        assert_eq!(run.at(failed_at - 1, None).status, "InProgress");
        let now = run.at(failed_at + 10_000, None);
        assert_eq!(now.status, "Failed");
        assert_eq!(
            statuses(&now),
            [
                "Succeeded",
                "Succeeded",
                "Succeeded",
                "Succeeded",
                "Failed",
                "Skipped",
                "Skipped",
                "Skipped"
            ]
        );
        assert_eq!(
            now.steps[4].message.as_deref(),
            Some("smoke test: GET /health 503")
        );
        assert_eq!(now.green_weight, 0);
        assert!(!now.green_exists && now.blue_exists && !now.test_on_green);
        assert!(now.rolled_back.is_some());
        assert_eq!(now.completed, Some(failed_at));
    }

    #[test]
    fn an_alarm_during_the_canary_stops_it_and_traffic_goes_back_to_blue() {
        let run = Run::new(
            plan(Shift::Canary {
                percent: 10,
                minutes: 5,
            }),
            T0,
        );
        let alarm = T0 + 35_000 + 2 * MINUTE;
        assert_eq!(run.at(alarm - 1, Some(alarm)).green_weight, 10);
        let now = run.at(alarm + 1, Some(alarm));
        assert_eq!(now.status, "Stopped");
        assert_eq!(now.green_weight, 0);
        assert!(
            now.rolled_back
                .as_deref()
                .is_some_and(|w| w.contains("alarm"))
        );
        assert_eq!(now.steps[6].status, "Skipped");
        // An alarm after the deployment succeeded changes nothing.
        let late = T0 + 35_000 + 5 * MINUTE + S + 5 * MINUTE;
        assert_eq!(run.at(late + 1, Some(late)).status, "Succeeded");
    }

    #[test]
    fn the_wait_before_rerouting_holds_until_continued_or_stops_when_it_runs_out() {
        let mut p = plan(Shift::AllAtOnce);
        p.ready_wait = Some(10 * MINUTE);
        let mut run = Run::new(p, T0);
        let ready = T0 + 30 * 1000;
        assert!(run.continue_(ready - 1, None).is_err(), "not waiting yet");
        let now = run.at(ready + MINUTE, None);
        assert_eq!(now.status, "Ready");
        assert_eq!(
            now.wait,
            Some(Wait::Reroute {
                until: ready + 10 * MINUTE
            })
        );
        assert_eq!(now.green_weight, 0);
        // Nobody continues: stopped when the wait runs out, no traffic moved.
        let expired = run.at(ready + 10 * MINUTE, None);
        assert_eq!(expired.status, "Stopped");
        assert_eq!(expired.green_weight, 0);
        // Continued after one minute: traffic moves at once (all at once), then the termination wait.
        run.continue_(ready + MINUTE, None).unwrap();
        let moved = run.at(ready + MINUTE + S, None);
        assert_eq!(moved.status, "InProgress");
        assert_eq!(moved.green_weight, 100);
        // ContinueDeployment in the termination wait ends it at once.
        let waiting = ready + MINUTE + 3 * S;
        assert!(matches!(
            run.at(waiting, None).wait,
            Some(Wait::Termination { .. })
        ));
        run.continue_(waiting, None).unwrap();
        assert_eq!(run.at(waiting, None).status, "Succeeded");
        assert!(run.continue_(waiting + 1, None).is_err());
    }

    #[test]
    fn stop_with_or_without_rollback() {
        let mut run = Run::new(
            plan(Shift::Linear {
                percent: 10,
                minutes: 1,
            }),
            T0,
        );
        let at = T0 + 35_000 + 3 * MINUTE;
        assert_eq!(run.at(at, None).green_weight, 40);
        let mut kept = run.clone();
        run.stop(at, true, None).unwrap();
        let now = run.at(at + 1, None);
        assert_eq!((now.status, now.green_weight), ("Stopped", 0));
        assert!(now.rolled_back.is_some());
        // Without a rollback the traffic stays where it was.
        kept.stop(at, false, None).unwrap();
        let now = kept.at(at + MINUTE, None);
        assert_eq!((now.status, now.green_weight), ("Stopped", 40));
        assert!(now.rolled_back.is_none());
        assert!(kept.stop(at + MINUTE, true, None).is_err(), "already over");
    }
}
