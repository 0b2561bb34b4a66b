//! The AWS calls answered from the simulated fleet: one file per service trait of [`crate::aws`]. Each call
//! starts with `Sim::call` (counting, latency, faults: see `faults.rs`), then reads or changes the model.

mod autoscaling;
mod cloudwatch;
mod codedeploy;
mod ecs;
mod elbv2;
mod logs;

use crate::aws::*;

fn page_of(all: &[String], next_token: Option<String>) -> Result<Page, ApiError> {
    let start = match next_token {
        None => 0,
        Some(t) => t
            .strip_prefix("sim:")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= all.len())
            .ok_or_else(|| {
                ApiError::Other(format!("InvalidParameterException: bad nextToken {t}"))
            })?,
    };
    let end = (start + LIST_PAGE as usize).min(all.len());
    Ok(Page {
        arns: all.get(start..end).unwrap_or_default().to_vec(),
        next_token: (end < all.len()).then(|| format!("sim:{end}")),
    })
}

fn too_many(action: &str, n: usize, max: usize) -> Result<(), ApiError> {
    if n > max {
        Err(ApiError::Other(format!(
            "{action}: InvalidParameterException: at most {max} per call, got {n}"
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::aws::Ecs;
    use crate::sim::{Sim, SimOptions};
    use std::time::Duration;

    #[tokio::test]
    async fn pages_hold_at_most_100_and_chain_by_token() {
        let sim = Sim::new(SimOptions {
            services: Some(250),
            latency: Duration::ZERO,
            ..SimOptions::default()
        });
        let first = sim.list_services("production", None).await.unwrap();
        assert_eq!(first.arns.len(), 100);
        let second = sim
            .list_services("production", first.next_token)
            .await
            .unwrap();
        let third = sim
            .list_services("production", second.next_token)
            .await
            .unwrap();
        assert_eq!((second.arns.len(), third.arns.len()), (100, 50));
        assert_eq!(third.next_token, None);
        let bad = sim
            .list_services("production", Some("garbage".into()))
            .await;
        assert!(bad.is_err());
    }
}
