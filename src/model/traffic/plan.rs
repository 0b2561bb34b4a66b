//! The plans of the traffic dialog: switch, a canary shift to N % and switch back, each as the exact
//! ModifyListener / ModifyRule request on the pair's live route, or the reason it is refused.

use super::*;

/// What the traffic dialog offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// All live traffic to green.
    Switch,
    /// Green gets this percentage of live traffic, blue the rest.
    Shift(i32),
    /// All live traffic back to blue.
    SwitchBack,
}

/// The percentage typed for a shift, or what is wrong with it.
pub fn parse_percent(input: &str) -> Result<i32, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("type the share of live traffic for green, 0 to 100".into());
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a whole percentage: type digits only, 0 to 100"
        ));
    }
    match text.parse::<u32>() {
        Ok(n) if n <= 100 => Ok(n as i32),
        _ => Err(format!(
            "{text} %: the weights would not add up — green gets 0 to 100 % and blue the rest"
        )),
    }
}

/// `storefront-blue 100 % · storefront-green 0 %`.
pub fn shares_text(pair: &Pair, blue: i32, green: i32) -> String {
    format!(
        "{} {blue} % · {} {green} %",
        pair.blue.service, pair.green.service
    )
}

/// The exact request for `mv` on the pair's live route, or why it is refused (nothing is sent then).
pub fn traffic_plan(
    cluster: &str,
    service: &str,
    traffic: &Traffic,
    mv: Move,
) -> Result<Plan, String> {
    let pair = traffic.pair.as_ref().map_err(Clone::clone)?;
    let green = match mv {
        Move::Switch => 100,
        Move::SwitchBack => 0,
        Move::Shift(n) => n,
    };
    if !(0..=100).contains(&green) {
        return Err(format!(
            "{green} %: the weights would not add up — green gets 0 to 100 % and blue the rest"
        ));
    }
    let blue = 100 - green;
    let live = &pair.live;
    let others = live.other_actions();
    if !others.is_empty() {
        return Err(format!(
            "{} has actions ecsdeck does not rewrite ({}): change it in the console or CLI; nothing was sent",
            live.label(),
            others.join(", ")
        ));
    }
    let forwards: Vec<&RouteAction> = live.actions.iter().collect();
    let Some(RouteAction::Forward {
        order,
        target_groups,
        stickiness_seconds,
    }) = forwards.first()
    else {
        return Err(format!(
            "{} forwards nowhere: nothing to shift",
            live.label()
        ));
    };
    if forwards.len() != 1 {
        return Err(format!(
            "{} has {} forward actions: ecsdeck rewrites a single one",
            live.label(),
            forwards.len()
        ));
    }
    // Any third group keeps its weight; one that takes traffic would make blue + green ≠ 100 %.
    let mut new_groups = vec![
        TargetGroupWeightRequest {
            target_group_arn: pair.blue.target_group_arn.clone(),
            weight: blue,
        },
        TargetGroupWeightRequest {
            target_group_arn: pair.green.target_group_arn.clone(),
            weight: green,
        },
    ];
    for g in target_groups.iter().filter(|g| {
        g.target_group_arn != pair.blue.target_group_arn
            && g.target_group_arn != pair.green.target_group_arn
    }) {
        if g.weight.unwrap_or(1) > 0 {
            return Err(format!(
                "the weights would not add up: {} also forwards to {} (weight {}); ecsdeck shifts between two target groups only",
                live.label(),
                crate::model::deploy::target_group_name(&g.target_group_arn),
                g.weight.unwrap_or(1)
            ));
        }
        new_groups.push(TargetGroupWeightRequest {
            target_group_arn: g.target_group_arn.clone(),
            weight: 0,
        });
    }
    if new_groups.len() > TARGET_GROUPS_PER_FORWARD {
        return Err(format!(
            "{} would forward to {} target groups; AWS takes at most {TARGET_GROUPS_PER_FORWARD}",
            live.label(),
            new_groups.len()
        ));
    }
    if new_groups.iter().map(|g| g.weight).sum::<i32>() <= 0 {
        return Err(format!(
            "{} would forward to nothing (every weight 0): nothing was sent",
            live.label()
        ));
    }
    for (side, weight) in [(&pair.blue, blue), (&pair.green, green)] {
        if weight == 0 {
            continue;
        }
        match traffic.health_of(&side.target_group_arn) {
            Some(h) if h.healthy > 0 => {}
            Some(h) => {
                return Err(format!(
                    "{} has no healthy target ({} of {} healthy): it cannot take {weight} % of live traffic; nothing was sent",
                    side.service, h.healthy, h.total
                ));
            }
            None => {
                return Err(format!(
                    "the health of {}'s targets is unknown: it cannot take {weight} % of live traffic; nothing was sent",
                    side.service
                ));
            }
        }
    }
    if pair.blue.share == blue && pair.green.share == green {
        return Err(format!(
            "live traffic is already {}: nothing to send — choose another share, or Esc",
            shares_text(pair, blue, green)
        ));
    }
    let action = ForwardActionRequest {
        kind: "forward".into(),
        order: *order,
        forward_config: ForwardConfigRequest {
            target_groups: new_groups,
            target_group_stickiness_config: stickiness_seconds.map(|s| StickinessRequest {
                enabled: true,
                duration_seconds: s,
            }),
        },
    };
    let call = match &live.rule_arn {
        None => Call::ModifyListener(ModifyListenerRequest {
            listener_arn: live.listener_arn.clone(),
            default_actions: vec![action],
        }),
        Some(rule) => Call::ModifyRule(ModifyRuleRequest {
            rule_arn: rule.clone(),
            actions: vec![action],
        }),
    };
    let what = match mv {
        Move::Switch => format!(
            "switch: all live traffic of {} to {}",
            live.label(),
            pair.green.service
        ),
        Move::SwitchBack => format!(
            "switch back: all live traffic of {} to {}",
            live.label(),
            pair.blue.service
        ),
        Move::Shift(n) => format!("shift {n} % of {} to {}", live.label(), pair.green.service),
    };
    Ok(Plan {
        kind: ActionKind::ShiftTraffic,
        cluster: cluster.to_owned(),
        service: service.to_owned(),
        changes: vec![
            what,
            format!(
                "{} {} % → {green} %, {} {} % → {blue} %",
                pair.green.service, pair.green.share, pair.blue.service, pair.blue.share
            ),
        ],
        before: shares_text(pair, pair.blue.share, pair.green.share),
        after: shares_text(pair, blue, green),
        calls: vec![call],
    })
}
