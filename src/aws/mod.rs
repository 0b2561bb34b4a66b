//! The AWS boundary: one trait per AWS service, each in the file that holds that service's domain types
//! ([`ecs`], [`logs`], [`cloudwatch`], [`elbv2`], [`autoscaling`]), the errors classified in one place
//! ([`error`]), and the production implementation over the official SDK ([`sdk`], one file per service).
//!
//! The traits mirror AWS call granularity (one page, one batch) so that batching, concurrency, pacing and
//! retries live above them, in the workers, and behave the same against the SDK and the simulator.
//!
//! [`Api`] is every service at once: what the app and the workers hold (`Arc<dyn Api>`). A worker that needs
//! one service may take just that trait. The next services (STS for the caller's identity, SSM for
//! `execute-command` sessions, CodeDeploy for blue/green deployments it controls) each get a file here, a
//! file in `sdk/` and a file in `crate::sim`, and join [`Api`]'s list.

pub mod autoscaling;
pub mod cloudwatch;
pub mod ecs;
pub mod elbv2;
pub mod error;
pub mod logs;
pub mod sdk;

pub use autoscaling::*;
pub use cloudwatch::*;
pub use ecs::*;
pub use elbv2::*;
pub use error::ApiError;
pub use logs::*;

/// Epoch milliseconds. Plain integers keep the reducer free of clocks and time zones.
pub type Millis = i64;

/// What a mutating call returned, with the request id AWS gave it (for the audit log).
#[derive(Debug, Clone, PartialEq)]
pub struct Mutated<T> {
    pub value: T,
    pub request_id: Option<String>,
}

/// The resource name at the end of an ARN (`.../name`).
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Every AWS service ecsdeck calls. Implemented by whatever implements all of them (the SDK, the simulator).
pub trait Api: Ecs + Logs + CloudWatch + Elbv2 + AutoScaling {}

impl<T: Ecs + Logs + CloudWatch + Elbv2 + AutoScaling + ?Sized> Api for T {}
