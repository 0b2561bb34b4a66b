//! Resolving what to tail: from a service, task or container to log groups and streams, via the task definitions' awslogs options.

use super::*;
use crate::aws::*;
use crate::protocol::{LogRequest, LogTarget};
use std::collections::BTreeMap;

/// The groups and streams of a request, from the awslogs options of its task definitions' containers
/// (stream name = `prefix/container/task-id`), with notes on containers that cannot be tailed.
pub async fn resolve(
    api: &dyn Api,
    request: &LogRequest,
) -> Result<(TailSpec, Vec<String>, Vec<String>), ApiError> {
    let mut groups: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut add = |group: &str, stream: Option<String>| {
        let entry = groups.entry(group.to_owned()).or_insert(Some(vec![]));
        match (entry.as_mut(), stream) {
            (Some(list), Some(s)) => {
                if !list.contains(&s) {
                    list.push(s);
                }
            }
            _ => *entry = None, // the whole group
        }
    };
    let (service, by_name) = match &request.target {
        LogTarget::Group { name } => {
            add(name, None);
            (None, false)
        }
        LogTarget::Service {
            cluster,
            service,
            task_definitions,
        } => {
            for td in task_definitions {
                let def = api.describe_task_definition(td).await?;
                for c in &def.container_definitions {
                    if let Some((group, prefix)) = container_source(c, &def, None, &mut notes) {
                        add(&group, prefix);
                    }
                }
            }
            (Some((cluster.clone(), service.clone())), false)
        }
        LogTarget::Task {
            task_arn,
            task_definition,
            container,
            ..
        } => {
            let def = api.describe_task_definition(task_definition).await?;
            let id = arn_name(task_arn);
            for c in def
                .container_definitions
                .iter()
                .filter(|c| container.as_ref().is_none_or(|n| &c.name == n))
            {
                if let Some((group, prefix)) = container_source(c, &def, Some(id), &mut notes) {
                    add(&group, prefix);
                }
            }
            (None, true)
        }
    };
    let mut sources = Vec::new();
    let mut described = Vec::new();
    for (group, streams) in groups {
        if sources.len() == 10 {
            notes.push(format!(
                "more than 10 log groups: {group} and later ones are not tailed (Live Tail's limit)"
            ));
            break;
        }
        let (streams, text) = match streams {
            None => (StreamSelector::All, "all streams".to_owned()),
            Some(list) => {
                let text = list
                    .iter()
                    .map(|s| if by_name { s.clone() } else { format!("{s}*") })
                    .collect::<Vec<_>>()
                    .join(", ");
                if by_name {
                    (StreamSelector::Names(list), text)
                } else {
                    (StreamSelector::Prefixes(list), text)
                }
            }
        };
        described.push(format!("{group}: {text}"));
        sources.push(LogSource { group, streams });
    }
    Ok((
        TailSpec {
            sources,
            since: request.since,
            pattern: request.pattern.clone(),
            service,
        },
        described,
        notes,
    ))
}

/// (group, stream prefix or name) of one container, or a note saying why it cannot be tailed.
pub(super) fn container_source(
    c: &ContainerDefinition,
    def: &TaskDefinition,
    task_id: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<(String, Option<String>)> {
    let rev = format!("{}:{}", def.family, def.revision);
    let Some(log) = &c.log_configuration else {
        notes.push(format!(
            "container {} ({rev}) has no log configuration: its output is not in CloudWatch Logs",
            c.name
        ));
        return None;
    };
    let Some(group) = log.awslogs_group() else {
        notes.push(format!(
            "container {} ({rev}) logs with the {} driver, not awslogs: not shown here",
            c.name, log.log_driver
        ));
        return None;
    };
    match log.awslogs_stream_prefix() {
        Some(prefix) => Some((
            group.to_owned(),
            Some(match task_id {
                Some(id) => format!("{prefix}/{}/{id}", c.name),
                None => format!("{prefix}/{}/", c.name),
            }),
        )),
        None => {
            notes.push(format!(
                "container {} ({rev}) sets no awslogs-stream-prefix: its streams are named by container id, so the whole group {group} is tailed",
                c.name
            ));
            Some((group.to_owned(), None))
        }
    }
}

pub fn common_prefix(prefixes: &[String]) -> String {
    let Some(first) = prefixes.first() else {
        return String::new();
    };
    let mut len = first.len();
    for p in prefixes.iter().skip(1) {
        len = len.min(
            first
                .bytes()
                .zip(p.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first
        .get(..first.floor_char_boundary(len))
        .unwrap_or_default()
        .to_owned()
}
