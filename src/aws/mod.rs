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
pub mod codedeploy;
pub mod ecs;
pub mod elbv2;
pub mod error;
pub mod logs;
pub mod sdk;

pub use autoscaling::*;
pub use cloudwatch::*;
pub use codedeploy::*;
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
pub trait Api: Ecs + Logs + CloudWatch + Elbv2 + AutoScaling + CodeDeploy {}

impl<T: Ecs + Logs + CloudWatch + Elbv2 + AutoScaling + CodeDeploy + ?Sized> Api for T {}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The SDK crates stay behind `sdk/`: the rest of the program sees only the service traits and domain
    /// types, so the simulator can stand in for AWS anywhere and an SDK upgrade touches one directory.
    #[test]
    fn only_the_sdk_directory_names_the_sdk_crates() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let sdk = src.join("aws").join("sdk");
        // Spelled in pieces so this test does not find itself.
        let crates = [
            concat!("aws", "_sdk_"),
            concat!("aws", "_smithy_"),
            concat!("aws", "_config"),
            concat!("aws", "_types"),
        ];
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut found = Vec::new();
        for file in files.iter().filter(|f| !f.starts_with(&sdk)) {
            let text = std::fs::read_to_string(file).expect("a source file is readable");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if crates.iter().any(|c| code.contains(c)) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
        assert!(files.len() > 20, "walked {} files only", files.len());
        assert!(
            found.is_empty(),
            "outside src/aws/sdk/:\n{}",
            found.join("\n")
        );
    }
}
