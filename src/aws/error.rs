//! Errors from the AWS boundary, classified so the UI can say what failed, why, and what to do.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// The account's API rate limit was hit; callers back off and retry.
    #[error("{action} throttled by AWS: {message}")]
    Throttled { action: String, message: String },
    /// The caller is authenticated but not allowed to run `action` (an IAM action name).
    #[error("{action} denied: {message}")]
    AccessDenied { action: String, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    /// Credentials existed but have expired (SSO session, session token).
    #[error("credentials expired: {message}")]
    ExpiredCredentials {
        profile: Option<String>,
        message: String,
    },
    /// No credentials could be found, or AWS does not recognise them.
    #[error("no valid credentials: {0}")]
    NoCredentials(String),
    /// The endpoint could not be reached (DNS, connection refused, timeout).
    #[error("cannot reach AWS: {0}")]
    Network(String),
    /// AWS rejected what was asked (a malformed filter pattern, a bad parameter): retrying will not help.
    #[error("{action} rejected: {message}")]
    Invalid { action: String, message: String },
    #[error("{0}")]
    Other(String),
}

impl ApiError {
    /// Worth retrying automatically after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Throttled { .. } | ApiError::Network(_))
    }

    /// A few words for the header badge.
    pub fn label(&self) -> &'static str {
        match self {
            ApiError::Throttled { .. } => "throttled",
            ApiError::Network(_) => "unreachable",
            ApiError::AccessDenied { .. } => "access denied",
            ApiError::ExpiredCredentials { .. } => "credentials expired",
            ApiError::NoCredentials(_) => "no credentials",
            ApiError::NotFound(_) => "not found",
            ApiError::Invalid { .. } => "rejected",
            ApiError::Other(_) => "failing",
        }
    }

    /// One line telling the on-call engineer what to do about it.
    pub fn hint(&self) -> String {
        match self {
            ApiError::Throttled { .. } => {
                "backing off and retrying; other tools on this account share the same rate limit".into()
            }
            ApiError::AccessDenied { action, .. } => {
                format!("grant {action} to this role or user, or switch profile (--profile)")
            }
            ApiError::NotFound(_) => "it may have been deleted; press Esc to go back".into(),
            ApiError::ExpiredCredentials {
                profile: Some(p), ..
            } => format!("run: aws sso login --profile {p}   (ecsdeck retries by itself)"),
            ApiError::ExpiredCredentials { profile: None, .. } => {
                "refresh your credentials (aws sso login, or new session tokens); ecsdeck retries by itself".into()
            }
            ApiError::NoCredentials(_) => {
                "set AWS_PROFILE or pass --profile, run aws configure / aws sso login, or try --demo".into()
            }
            ApiError::Network(_) => {
                "retrying; check the network, VPN or --endpoint-url".into()
            }
            ApiError::Invalid { .. } => "change what was asked (see the message) and try again".into(),
            ApiError::Other(_) => "retrying; see the log file for details".into(),
        }
    }
}
