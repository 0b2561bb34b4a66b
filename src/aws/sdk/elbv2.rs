//! Elastic Load Balancing v2 over the SDK: the [`Elbv2`] calls of [`SdkApi`].

use super::{SdkApi, opt, owned};
use crate::aws::*;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2 as elb;
use aws_types::request_id::RequestId;

#[async_trait]
impl Elbv2 for SdkApi {
    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
        let out = self
            .elb
            .describe_target_groups()
            .set_target_group_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:DescribeTargetGroups", e))?;
        Ok(out
            .target_groups()
            .iter()
            .map(|t| TargetGroup {
                target_group_arn: owned(t.target_group_arn()),
                target_group_name: owned(t.target_group_name()),
                load_balancer_arns: t.load_balancer_arns().to_vec(),
                port: t.port(),
                protocol: t.protocol().map(|p| p.as_str().to_owned()),
                target_type: t.target_type().map(|p| p.as_str().to_owned()),
                health_check_path: opt(t.health_check_path()),
            })
            .collect())
    }

    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError> {
        let out = self
            .elb
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:DescribeTargetHealth", e))?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let health = d.target_health();
                TargetHealth {
                    id: owned(d.target().and_then(|t| t.id())),
                    port: d.target().and_then(|t| t.port()),
                    state: health
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: health
                        .and_then(|h| h.reason())
                        .map(|r| r.as_str().to_owned()),
                    description: health.and_then(|h| opt(h.description())),
                }
            })
            .collect())
    }

    async fn describe_listeners(&self, load_balancer_arn: &str) -> Result<Vec<Listener>, ApiError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .elb
                .describe_listeners()
                .load_balancer_arn(load_balancer_arn)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.map_err("elasticloadbalancing:DescribeListeners", e))?;
            out.extend(page.listeners().iter().map(listener));
            marker = opt(page.next_marker()).filter(|m| !m.is_empty());
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    async fn describe_rules(&self, listener_arn: &str) -> Result<Vec<Rule>, ApiError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .elb
                .describe_rules()
                .listener_arn(listener_arn)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.map_err("elasticloadbalancing:DescribeRules", e))?;
            out.extend(page.rules().iter().map(|r| rule(listener_arn, r)));
            marker = opt(page.next_marker()).filter(|m| !m.is_empty());
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    async fn modify_listener(
        &self,
        req: &ModifyListenerRequest,
    ) -> Result<Mutated<Listener>, ApiError> {
        let out = self
            .elb
            .modify_listener()
            .listener_arn(&req.listener_arn)
            .set_default_actions(Some(
                req.default_actions.iter().map(forward_request).collect(),
            ))
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:ModifyListener", e))?;
        Ok(Mutated {
            value: out.listeners().first().map(listener).unwrap_or_default(),
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn modify_rule(&self, req: &ModifyRuleRequest) -> Result<Mutated<Rule>, ApiError> {
        let out = self
            .elb
            .modify_rule()
            .rule_arn(&req.rule_arn)
            .set_actions(Some(req.actions.iter().map(forward_request).collect()))
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:ModifyRule", e))?;
        Ok(Mutated {
            value: out.rules().first().map(|r| rule("", r)).unwrap_or_default(),
            request_id: out.request_id().map(str::to_owned),
        })
    }
}

/// An action as ecsdeck models it: a forward (its one group, or its weighted groups), or any other type by
/// name (never rewritten).
fn route_action(a: &elb::types::Action) -> RouteAction {
    let kind = a
        .r#type()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    if kind != "forward" {
        return RouteAction::Other {
            order: a.order(),
            kind,
        };
    }
    let config = a.forward_config();
    let mut target_groups: Vec<WeightedTargetGroup> = config
        .map(|c| {
            c.target_groups()
                .iter()
                .map(|t| WeightedTargetGroup {
                    target_group_arn: owned(t.target_group_arn()),
                    weight: t.weight(),
                })
                .collect()
        })
        .unwrap_or_default();
    // A forward written with TargetGroupArn alone: AWS reports it both ways; the config wins when present.
    if target_groups.is_empty()
        && let Some(arn) = a.target_group_arn()
    {
        target_groups.push(WeightedTargetGroup {
            target_group_arn: arn.to_owned(),
            weight: None,
        });
    }
    RouteAction::Forward {
        order: a.order(),
        target_groups,
        stickiness_seconds: config
            .and_then(|c| c.target_group_stickiness_config())
            .filter(|s| s.enabled() == Some(true))
            .map(|s| s.duration_seconds().unwrap_or(0)),
    }
}

fn condition(c: &elb::types::RuleCondition) -> RuleCondition {
    let field = owned(c.field());
    let header = c.http_header_config();
    // The typed configs carry the values; the legacy `Values` is only set for path and host.
    let mut values: Vec<String> = match field.as_str() {
        "path-pattern" => c
            .path_pattern_config()
            .map(|p| p.values().to_vec())
            .unwrap_or_default(),
        "host-header" => c
            .host_header_config()
            .map(|p| p.values().to_vec())
            .unwrap_or_default(),
        "http-header" => header.map(|h| h.values().to_vec()).unwrap_or_default(),
        "http-request-method" => c
            .http_request_method_config()
            .map(|p| p.values().to_vec())
            .unwrap_or_default(),
        "source-ip" => c
            .source_ip_config()
            .map(|p| p.values().to_vec())
            .unwrap_or_default(),
        "query-string" => c
            .query_string_config()
            .map(|q| {
                q.values()
                    .iter()
                    .map(|kv| format!("{}={}", kv.key().unwrap_or("*"), kv.value().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default(),
        _ => vec![],
    };
    if values.is_empty() {
        values = c.values().to_vec();
    }
    RuleCondition {
        field,
        header_name: header.and_then(|h| opt(h.http_header_name())),
        values,
    }
}

fn listener(l: &elb::types::Listener) -> Listener {
    Listener {
        listener_arn: owned(l.listener_arn()),
        load_balancer_arn: owned(l.load_balancer_arn()),
        port: l.port(),
        protocol: l.protocol().map(|p| p.as_str().to_owned()),
        default_actions: l.default_actions().iter().map(route_action).collect(),
    }
}

fn rule(listener_arn: &str, r: &elb::types::Rule) -> Rule {
    Rule {
        rule_arn: owned(r.rule_arn()),
        listener_arn: listener_arn.to_owned(),
        priority: owned(r.priority()),
        is_default: r.is_default() == Some(true),
        conditions: r.conditions().iter().map(condition).collect(),
        actions: r.actions().iter().map(route_action).collect(),
    }
}

/// The SDK's action for a forward request, field for field.
fn forward_request(a: &ForwardActionRequest) -> elb::types::Action {
    let mut config = elb::types::ForwardActionConfig::builder();
    for t in &a.forward_config.target_groups {
        config = config.target_groups(
            elb::types::TargetGroupTuple::builder()
                .target_group_arn(&t.target_group_arn)
                .weight(t.weight)
                .build(),
        );
    }
    if let Some(s) = &a.forward_config.target_group_stickiness_config {
        config = config.target_group_stickiness_config(
            elb::types::TargetGroupStickinessConfig::builder()
                .enabled(s.enabled)
                .duration_seconds(s.duration_seconds)
                .build(),
        );
    }
    elb::types::Action::builder()
        .r#type(elb::types::ActionTypeEnum::Forward)
        .set_order(a.order)
        .forward_config(config.build())
        .build()
}
