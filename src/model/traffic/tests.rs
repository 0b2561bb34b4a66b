use super::*;

const L80: &str = "arn:aws:elasticloadbalancing:r:1:listener/app/shop/1/80";
const L8080: &str = "arn:aws:elasticloadbalancing:r:1:listener/app/shop/1/8080";
const BLUE: &str = "arn:aws:elasticloadbalancing:r:1:targetgroup/shop-blue/1";
const GREEN: &str = "arn:aws:elasticloadbalancing:r:1:targetgroup/shop-green/2";
const OTHER: &str = "arn:aws:elasticloadbalancing:r:1:targetgroup/legacy/3";

fn forward(groups: &[(&str, Option<i32>)]) -> RouteAction {
    RouteAction::Forward {
        order: Some(1),
        target_groups: groups
            .iter()
            .map(|(a, w)| WeightedTargetGroup {
                target_group_arn: (*a).into(),
                weight: *w,
            })
            .collect(),
        stickiness_seconds: None,
    }
}

fn listener(arn: &str, port: i32, actions: Vec<RouteAction>) -> Listener {
    Listener {
        listener_arn: arn.into(),
        load_balancer_arn: "lb".into(),
        port: Some(port),
        protocol: Some("HTTP".into()),
        default_actions: actions,
    }
}

fn test_rule(actions: Vec<RouteAction>) -> Rule {
    Rule {
        rule_arn: "arn:aws:elasticloadbalancing:r:1:listener-rule/app/shop/1/80/10".into(),
        listener_arn: L80.into(),
        priority: "10".into(),
        is_default: false,
        conditions: vec![RuleCondition {
            field: "path-pattern".into(),
            header_name: None,
            values: vec!["/test/*".into()],
        }],
        actions,
    }
}

fn healthy(arn: &str, n: usize) -> GroupHealth {
    GroupHealth {
        target_group_arn: arn.into(),
        healthy: n,
        total: 3,
    }
}

/// Weighted 100/0 on :80 plus a /test/* rule to green, seen from `service`.
fn weighted(service: &str, blue_w: i32, green_w: i32) -> TrafficFacts {
    let (own, other) = if service == "shop-blue" {
        (BLUE, ("shop-green", GREEN))
    } else {
        (GREEN, ("shop-blue", BLUE))
    };
    TrafficFacts {
        service: service.into(),
        own_groups: vec![own.into()],
        others: vec![(other.0.into(), vec![other.1.into()])],
        listeners: vec![listener(
            L80,
            80,
            vec![forward(&[(BLUE, Some(blue_w)), (GREEN, Some(green_w))])],
        )],
        rules: vec![
            test_rule(vec![forward(&[(GREEN, None)])]),
            Rule {
                rule_arn: "default-rule".into(),
                listener_arn: L80.into(),
                priority: "default".into(),
                is_default: true,
                conditions: vec![],
                actions: vec![forward(&[(BLUE, Some(blue_w)), (GREEN, Some(green_w))])],
            },
        ],
        health: vec![healthy(BLUE, 3), healthy(GREEN, 3)],
    }
}

#[test]
fn a_weighted_forward_pairs_the_two_services_from_either_side() {
    for me in ["shop-blue", "shop-green"] {
        let t = analyze(&weighted(me, 100, 0));
        let p = t.pair.as_ref().unwrap();
        assert_eq!(p.blue.service, "shop-blue", "seen from {me}");
        assert_eq!(p.green.service, "shop-green");
        assert_eq!((p.blue.share, p.green.share), (100, 0));
        assert_eq!(p.live.label(), "HTTP:80 default");
        let test = p.test.as_ref().unwrap();
        assert_eq!(test.label(), "HTTP:80 rule 10");
        assert_eq!(test.conditions_text(), "path /test/*");
        // The default rule is the listener's default again: shown once.
        assert_eq!(t.routes.len(), 2);
    }
    // Green stays green while it takes the traffic: the test route names it.
    let t = analyze(&weighted("shop-blue", 10, 90));
    let p = t.pair.unwrap();
    assert_eq!(
        (p.green.service.as_str(), p.green.share),
        ("shop-green", 90)
    );
}

#[test]
fn a_live_listener_and_a_test_listener_pair_too() {
    let facts = TrafficFacts {
        service: "shop-green".into(),
        own_groups: vec![GREEN.into()],
        others: vec![("shop-blue".into(), vec![BLUE.into()])],
        listeners: vec![
            listener(L8080, 8080, vec![forward(&[(GREEN, None)])]),
            listener(L80, 80, vec![forward(&[(BLUE, None)])]),
        ],
        rules: vec![],
        health: vec![healthy(BLUE, 2), healthy(GREEN, 2)],
    };
    let t = analyze(&facts);
    let p = t.pair.as_ref().unwrap();
    assert_eq!(p.live.port, Some(80), "80 is live, 8080 the test listener");
    assert_eq!((p.blue.service.as_str(), p.blue.share), ("shop-blue", 100));
    assert_eq!(p.test.as_ref().unwrap().port, Some(8080));
    // The shift rewrites the live listener's single forward into a weighted one.
    let plan = traffic_plan("prod", "shop-green", &t, Move::Shift(10)).unwrap();
    assert_eq!(
        plan.calls[0].text(),
        format!(
            r#"elasticloadbalancing:ModifyListener {{"ListenerArn":"{L80}","DefaultActions":[{{"Type":"forward","Order":1,"ForwardConfig":{{"TargetGroups":[{{"TargetGroupArn":"{BLUE}","Weight":90}},{{"TargetGroupArn":"{GREEN}","Weight":10}}]}}}}]}}"#
        )
    );
}

#[test]
fn a_service_alone_on_its_listener_has_no_pair_and_says_why() {
    let mut facts = weighted("shop-blue", 100, 0);
    facts.others.clear();
    let t = analyze(&facts);
    assert!(t.pair.unwrap_err().contains("shares no listener"));
    facts.own_groups.clear();
    assert!(
        analyze(&facts)
            .pair
            .unwrap_err()
            .contains("no target group")
    );
}

#[test]
fn switch_shift_and_switch_back_are_exact_requests() {
    let t = analyze(&weighted("shop-blue", 100, 0));
    let shift = traffic_plan("prod", "shop-blue", &t, Move::Shift(10)).unwrap();
    assert_eq!(shift.kind, ActionKind::ShiftTraffic);
    assert_eq!(shift.before, "shop-blue 100 % · shop-green 0 %");
    assert_eq!(shift.after, "shop-blue 90 % · shop-green 10 %");
    assert_eq!(
        shift.calls[0].text(),
        format!(
            r#"elasticloadbalancing:ModifyListener {{"ListenerArn":"{L80}","DefaultActions":[{{"Type":"forward","Order":1,"ForwardConfig":{{"TargetGroups":[{{"TargetGroupArn":"{BLUE}","Weight":90}},{{"TargetGroupArn":"{GREEN}","Weight":10}}]}}}}]}}"#
        )
    );
    let switch = traffic_plan("prod", "shop-blue", &t, Move::Switch).unwrap();
    assert_eq!(switch.after, "shop-blue 0 % · shop-green 100 %");
    // Switching back when blue already has everything: nothing to send.
    assert!(
        traffic_plan("prod", "shop-blue", &t, Move::SwitchBack)
            .unwrap_err()
            .contains("already")
    );
    let t = analyze(&weighted("shop-blue", 0, 100));
    let back = traffic_plan("prod", "shop-blue", &t, Move::SwitchBack).unwrap();
    assert_eq!(back.after, "shop-blue 100 % · shop-green 0 %");
}

#[test]
fn a_live_rule_is_changed_with_modify_rule_and_keeps_stickiness() {
    let mut facts = weighted("shop-blue", 100, 0);
    // Live traffic is a host rule; the listener default is a fixed response.
    facts.listeners[0].default_actions = vec![RouteAction::Other {
        order: Some(1),
        kind: "fixed-response".into(),
    }];
    let mut rule = test_rule(vec![RouteAction::Forward {
        order: Some(1),
        target_groups: vec![
            WeightedTargetGroup {
                target_group_arn: BLUE.into(),
                weight: Some(100),
            },
            WeightedTargetGroup {
                target_group_arn: GREEN.into(),
                weight: Some(0),
            },
        ],
        stickiness_seconds: Some(300),
    }]);
    rule.conditions[0] = RuleCondition {
        field: "host-header".into(),
        header_name: None,
        values: vec!["shop.example.com".into()],
    };
    facts.rules = vec![rule];
    let t = analyze(&facts);
    let plan = traffic_plan("prod", "shop-blue", &t, Move::Shift(50)).unwrap();
    let text = plan.calls[0].text();
    assert!(
        text.starts_with(r#"elasticloadbalancing:ModifyRule {"RuleArn":"#),
        "{text}"
    );
    assert!(
        text.contains(r#""TargetGroupStickinessConfig":{"Enabled":true,"DurationSeconds":300}"#),
        "{text}"
    );
}

#[test]
fn refusals_say_why_and_send_nothing() {
    let t = analyze(&weighted("shop-blue", 100, 0));
    // A typed share outside 0–100: the weights would not add up.
    assert!(
        parse_percent("150")
            .unwrap_err()
            .contains("would not add up")
    );
    assert!(parse_percent("-5").unwrap_err().contains("not a whole"));
    assert!(parse_percent("").is_err());
    assert_eq!(parse_percent(" 37 "), Ok(37));
    assert!(
        traffic_plan("prod", "shop-blue", &t, Move::Shift(101))
            .unwrap_err()
            .contains("would not add up")
    );
    // Green without a healthy target cannot take traffic.
    let mut facts = weighted("shop-blue", 100, 0);
    facts.health[1].healthy = 0;
    let t = analyze(&facts);
    let why = traffic_plan("prod", "shop-blue", &t, Move::Shift(10)).unwrap_err();
    assert!(
        why.contains("shop-green has no healthy target (0 of 3"),
        "{why}"
    );
    // A third group that takes traffic: blue + green would not be 100 %.
    let mut facts = weighted("shop-blue", 100, 0);
    facts.listeners[0].default_actions = vec![forward(&[
        (BLUE, Some(80)),
        (GREEN, Some(0)),
        (OTHER, Some(20)),
    ])];
    let t = analyze(&facts);
    let why = traffic_plan("prod", "shop-blue", &t, Move::Shift(10)).unwrap_err();
    assert!(
        why.contains("would not add up") && why.contains("legacy"),
        "{why}"
    );
    // An action ecsdeck does not model is kept, named, and never rewritten.
    let mut facts = weighted("shop-blue", 100, 0);
    facts.listeners[0].default_actions.insert(
        0,
        RouteAction::Other {
            order: Some(0),
            kind: "authenticate-oidc".into(),
        },
    );
    let t = analyze(&facts);
    let why = traffic_plan("prod", "shop-blue", &t, Move::Switch).unwrap_err();
    assert!(why.contains("authenticate-oidc"), "{why}");
}

#[test]
fn the_verdict_is_green_only_at_100_with_healthy_targets_and_no_worse_5xx() {
    let t = analyze(&weighted("shop-blue", 0, 100));
    let rates = |g: f64, b: f64| vec![(GREEN.to_owned(), g), (BLUE.to_owned(), b)];
    assert!(verdict(&t, &rates(0.5, 0.5)).0);
    let (ok, why) = verdict(&t, &rates(2.0, 0.5));
    assert!(!ok && why.contains("above"), "{why}");
    assert!(!verdict(&t, &[]).0, "no metrics: not green");
    assert!(!verdict(&analyze(&weighted("shop-blue", 50, 50)), &rates(0.0, 0.0)).0);
    let mut facts = weighted("shop-blue", 0, 100);
    facts.health[1].healthy = 0;
    assert!(!verdict(&analyze(&facts), &rates(0.0, 0.0)).0);
}

#[test]
fn audit_texts_and_the_listener_of_a_rule() {
    assert_eq!(
        weights_text(&[forward(&[(BLUE, Some(90)), (GREEN, Some(10))])]),
        "shop-blue 90 · shop-green 10"
    );
    assert_eq!(
        listener_of_rule("arn:aws:elasticloadbalancing:r:1:listener-rule/app/shop/1/80/10")
            .as_deref(),
        Some(L80)
    );
    assert_eq!(listener_of_rule("nope"), None);
}

#[test]
fn the_pairs_numbers_come_from_six_queries_and_missing_is_unknown() {
    let t = analyze(&weighted("shop-blue", 100, 0));
    let pair = t.pair.as_ref().unwrap();
    let queries = metric_queries(pair, "app/shop/1").unwrap();
    let ids: Vec<&str> = queries.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        ["g0_req", "g0_t5xx", "g0_rt", "g1_req", "g1_t5xx", "g1_rt"]
    );
    assert_eq!(
        queries[0].dimensions,
        vec![
            ("LoadBalancer".to_owned(), "app/shop/1".to_owned()),
            (
                "TargetGroup".to_owned(),
                "targetgroup/shop-blue/1".to_owned()
            ),
        ]
    );
    let result = |id: &str, v: f64| MetricResult {
        id: id.into(),
        timestamps: vec![0],
        values: vec![v],
        status: "Complete".into(),
    };
    let m = group_metrics(
        pair,
        &[
            result("g0_req", 1000.0),
            result("g0_t5xx", 5.0),
            result("g1_rt", 0.2),
        ],
    );
    assert_eq!(m[0].five_xx_rate(), Some(0.5));
    // Green: no request counted, so no rate (not 0 %).
    assert_eq!(m[1].requests, None);
    assert_eq!(m[1].five_xx_rate(), None);
    // Requests but no 5XX datapoint: ALB publishes 5XX only when there were some.
    let quiet = GroupMetrics {
        requests: Some(10.0),
        ..Default::default()
    };
    assert_eq!(quiet.five_xx_rate(), Some(0.0));
}
