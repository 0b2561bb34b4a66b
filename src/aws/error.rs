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
    /// Something answered, but not as AWS answers: an HTML error page from a proxy or load balancer, a body
    /// that is not the protocol's, a connection closed before the answer ended. `what` says which.
    #[error("{action} failed: {what}")]
    BadAnswer {
        action: String,
        what: String,
        /// A server-side or connection hiccup (HTTP 5xx, a closed connection) that a retry may get past.
        transient: bool,
    },
    #[error("{0}")]
    Other(String),
}

impl ApiError {
    /// Worth retrying automatically after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Throttled { .. }
                | ApiError::Network(_)
                | ApiError::BadAnswer {
                    transient: true,
                    ..
                }
        )
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
            ApiError::BadAnswer { .. } => "bad answer",
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
            ApiError::BadAnswer { transient, .. } => format!(
                "{}check --endpoint-url and any proxy or VPN in the way; details are in the log file",
                if *transient { "retrying; if it goes on, " } else { "" }
            ),
            ApiError::Other(_) => "retrying; see the log file for details".into(),
        }
    }
}

impl ApiError {
    /// What to do after a change (an action's call) failed: unlike a refresh, it is not retried by itself, so
    /// the hint never says "retrying".
    pub fn action_hint(&self) -> String {
        match self {
            ApiError::Throttled { .. } => {
                "AWS throttled the call and nothing more was sent: wait a moment, then send again".into()
            }
            ApiError::Network(_) => {
                "the call may not have reached AWS and is not retried: check the service, then send again once \
                 the network, VPN or --endpoint-url works"
                    .into()
            }
            ApiError::ExpiredCredentials {
                profile: Some(p), ..
            } => format!("run: aws sso login --profile {p}, then send again"),
            ApiError::ExpiredCredentials { profile: None, .. } => {
                "refresh your credentials (aws sso login, or new session tokens), then send again".into()
            }
            ApiError::BadAnswer { .. } | ApiError::Other(_) => {
                "it is not retried: check the service (its events show whether the change took), see the log \
                 file, then send again"
                    .into()
            }
            _ => self.hint(),
        }
    }
}

/// What the SDK layer learnt about a failed call, free of SDK types so that every branch of [`classify`] is
/// testable on its own.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    /// The IAM action name of the call (`ecs:DescribeServices`).
    pub action: String,
    /// Where the call went (the override, or the service's regional endpoint).
    pub endpoint: String,
    pub profile: Option<String>,
    /// The error code AWS put in its answer, when the answer could be parsed.
    pub code: Option<String>,
    pub message: Option<String>,
    /// What came back over HTTP, when anything did.
    pub answer: Option<Answer>,
    /// The request never got an answer in time (connect or attempt timeout).
    pub timed_out: bool,
    /// Everything the SDK said, for the log file and for recognising errors that have no code.
    pub detail: String,
}

/// An HTTP answer that came back with the failure.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    /// "HTTP 500 with an HTML page": what an on-call engineer needs to recognise a proxy's error page.
    pub fn describe(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let start = text.trim_start().to_ascii_lowercase();
        let content_type = self
            .content_type
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        let body = if self.body.iter().all(u8::is_ascii_whitespace) {
            "an empty body"
        } else if content_type.contains("html")
            || start.starts_with("<!doctype html")
            || start.starts_with("<html")
        {
            "an HTML page"
        } else if content_type.starts_with("text/plain") {
            "a plain-text message"
        } else {
            "a body it could not read"
        };
        format!("HTTP {} with {body}", self.status)
    }
}

/// Maps a failed call to what the user must do. The one place where errors are classified: the SDK layer
/// gathers the facts, the screen shows the result, the log file keeps `detail`.
pub fn classify(f: &Failure) -> ApiError {
    let action = f.action.clone();
    let message = f
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .or_else(|| f.code.clone())
        .unwrap_or_default();
    match f.code.as_deref().unwrap_or("") {
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => {
            return ApiError::Throttled { action, message };
        }
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
            return ApiError::AccessDenied { action, message };
        }
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => {
            return ApiError::ExpiredCredentials {
                profile: f.profile.clone(),
                message,
            };
        }
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "IncompleteSignature"
        | "MissingAuthenticationToken" => {
            return ApiError::NoCredentials(message);
        }
        "ClusterNotFoundException"
        | "ServiceNotFoundException"
        | "ResourceNotFoundException"
        | "TargetGroupNotFound"
        | "TargetGroupNotFoundException"
        | "LoadBalancerNotFound"
        | "ListenerNotFound"
        | "RuleNotFound"
        | "ApplicationDoesNotExistException"
        | "DeploymentGroupDoesNotExistException"
        | "DeploymentDoesNotExistException"
        | "DeploymentTargetDoesNotExistException" => {
            return ApiError::NotFound(message);
        }
        "InvalidParameterException" | "MalformedQueryException" | "ValidationException"
            if action.starts_with("logs:") || action.starts_with("cloudwatch:") =>
        {
            return ApiError::Invalid { action, message };
        }
        "" => {}
        code => {
            // A code AWS sent that this list does not know: AWS's own words are the best description.
            let what = if message == code {
                code.to_owned()
            } else {
                format!("{code}: {}", first_line(&message))
            };
            return ApiError::Other(format!("{action}: {what}"));
        }
    }
    let lower = f.detail.to_ascii_lowercase();
    let endpoint = &f.endpoint;
    if lower.contains("sso") && (lower.contains("expired") || lower.contains("refresh")) {
        ApiError::ExpiredCredentials {
            profile: f.profile.clone(),
            message: "the SSO session has expired".into(),
        }
    } else if lower.contains("expired") && lower.contains("token") {
        ApiError::ExpiredCredentials {
            profile: f.profile.clone(),
            message: "the session token has expired".into(),
        }
    } else if lower.contains("no credentials")
        || lower.contains("credentials provider")
        || lower.contains("credential provider")
        || lower.contains("failed to load credentials")
        || lower.contains("could not find") && lower.contains("profile")
    {
        // The SDK's text lists every provider it tried; the log keeps it, the screen gets the gist.
        ApiError::NoCredentials(
            "none found in the chain (environment, profile, SSO, web identity, container, instance metadata)"
                .into(),
        )
    } else if let Some(answer) = &f.answer {
        ApiError::BadAnswer {
            action,
            what: format!(
                "{endpoint} answered {}, not an AWS response",
                answer.describe()
            ),
            transient: answer.status >= 500,
        }
    } else if lower.contains("connection refused") {
        ApiError::Network(format!("{action}: {endpoint} refused the connection"))
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("nodename nor servname")
    {
        ApiError::Network(format!(
            "{action}: the name of {endpoint} does not resolve (DNS)"
        ))
    } else if f.timed_out || lower.contains("timed out") || lower.contains("timeout") {
        ApiError::Network(format!("{action}: {endpoint} did not answer in time"))
    } else if lower.contains("connection closed")
        || lower.contains("connection reset")
        || lower.contains("incomplete message")
        || lower.contains("unexpected eof")
        || lower.contains("broken pipe")
    {
        ApiError::BadAnswer {
            action,
            what: format!("{endpoint} closed the connection before answering"),
            transient: true,
        }
    } else if lower.contains("invalid http")
        || lower.contains("parse error")
        || lower.contains("invalid response")
        || lower.contains("invalid header")
    {
        ApiError::BadAnswer {
            action,
            what: format!("{endpoint} answered with something that is not HTTP"),
            transient: false,
        }
    } else if lower.contains("checksum")
        || lower.contains("unmarshall")
        || lower.contains("invalid message length")
        || lower.contains("invalid header value type")
    {
        ApiError::BadAnswer {
            action,
            what: format!("the event stream from {endpoint} was not AWS's framing"),
            transient: true,
        }
    } else if lower.contains("dispatch failure") || lower.contains("io error") {
        ApiError::Network(format!("{action}: the connection to {endpoint} failed"))
    } else {
        ApiError::Other(format!(
            "{action}: failed without an answer from {endpoint}"
        ))
    }
}

/// The first line of a text, at most 200 characters: enough to recognise it on screen.
pub fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text);
    let mut chars = line.chars();
    let head: String = chars.by_ref().take(200).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(detail: &str) -> ApiError {
        classify(&Failure {
            action: "ecs:ListClusters".into(),
            endpoint: "https://ecs.eu-west-1.amazonaws.com".into(),
            detail: detail.into(),
            ..Failure::default()
        })
    }

    #[test]
    fn dns_failures_and_timeouts_name_the_endpoint() {
        let dns = network(
            "dispatch failure: io error: client error (Connect): dns error: failed to lookup address information: Name or service not known",
        );
        assert_eq!(
            dns.to_string(),
            "cannot reach AWS: ecs:ListClusters: the name of https://ecs.eu-west-1.amazonaws.com does not resolve (DNS)"
        );
        assert!(dns.is_transient());
        let slow = classify(&Failure {
            timed_out: true,
            ..Failure {
                action: "ecs:ListClusters".into(),
                endpoint: "https://ecs.eu-west-1.amazonaws.com".into(),
                ..Failure::default()
            }
        });
        assert!(
            slow.to_string()
                .contains("https://ecs.eu-west-1.amazonaws.com did not answer in time"),
            "{slow}"
        );
    }

    #[test]
    fn answers_are_described_by_what_they_are() {
        let answer = |status, content_type: &str, body: &str| Answer {
            status,
            content_type: Some(content_type.into()),
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            answer(502, "text/html", "<html>bad gateway</html>").describe(),
            "HTTP 502 with an HTML page"
        );
        assert_eq!(
            answer(500, "application/octet-stream", "  <!DOCTYPE html><p>x").describe(),
            "HTTP 500 with an HTML page"
        );
        assert_eq!(
            answer(503, "text/plain", "upstream overloaded").describe(),
            "HTTP 503 with a plain-text message"
        );
        assert_eq!(
            answer(504, "text/plain", "").describe(),
            "HTTP 504 with an empty body"
        );
        assert_eq!(
            answer(200, "application/json", "{{{").describe(),
            "HTTP 200 with a body it could not read"
        );
    }

    #[test]
    fn an_unknown_aws_code_keeps_aws_words() {
        let e = classify(&Failure {
            action: "ecs:UpdateService".into(),
            code: Some("PlatformUnknownException".into()),
            message: Some("The platform is unknown".into()),
            answer: Some(Answer {
                status: 400,
                ..Answer::default()
            }),
            ..Failure::default()
        });
        assert_eq!(
            e.to_string(),
            "ecs:UpdateService: PlatformUnknownException: The platform is unknown"
        );
    }

    #[test]
    fn first_line_cuts_by_characters_not_bytes() {
        let long = "日本語".repeat(100);
        let cut = first_line(&long);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
        assert_eq!(first_line("one\ntwo"), "one");
    }

    // Moved from sdk.rs: classification is tested where it lives.

    fn failure(action: &str, code: Option<&str>, message: &str, detail: &str) -> Failure {
        Failure {
            action: action.into(),
            endpoint: "https://ecs.eu-west-1.amazonaws.com".into(),
            code: code.map(str::to_owned),
            message: Some(message.into()),
            detail: detail.into(),
            ..Failure::default()
        }
    }

    /// A failed action is not retried: its hint says what to do, never "retrying".
    #[test]
    fn an_actions_hint_never_says_retrying() {
        let all = [
            ApiError::Throttled {
                action: "ecs:UpdateService".into(),
                message: "Rate exceeded".into(),
            },
            ApiError::Network("ecs:UpdateService: connection refused".into()),
            ApiError::ExpiredCredentials {
                profile: Some("prod".into()),
                message: "expired".into(),
            },
            ApiError::Other("boom".into()),
        ];
        for e in all {
            let hint = e.action_hint();
            assert!(!hint.contains("retrying"), "{e:?}: {hint}");
            assert!(hint.contains("send again"), "{e:?}: {hint}");
            assert!(e.hint().contains("retr"), "refreshes do retry: {e:?}");
        }
    }

    #[test]
    fn classify_names_the_denied_action() {
        let e = classify(&failure(
            "ecs:DescribeServices",
            Some("AccessDeniedException"),
            "User is not authorized",
            "",
        ));
        assert_eq!(
            e.to_string(),
            "ecs:DescribeServices denied: User is not authorized"
        );
    }

    #[test]
    fn codedeploy_denials_name_the_action_and_missing_things_are_not_found() {
        let e = classify(&failure(
            "codedeploy:ListApplications",
            Some("AccessDeniedException"),
            "User: arn:aws:sts::1:assumed-role/oncall/x is not authorized to perform: codedeploy:ListApplications",
            "",
        ));
        assert!(
            e.to_string()
                .starts_with("codedeploy:ListApplications denied"),
            "{e}"
        );
        let e = classify(&failure(
            "codedeploy:ListDeployments",
            Some("DeploymentGroupDoesNotExistException"),
            "No Deployment Group found for name: gw",
            "",
        ));
        assert!(matches!(e, ApiError::NotFound(_)), "{e:?}");
    }

    #[test]
    fn classify_expired_sso_tells_the_login_command() {
        let text = "dispatch failure: other: the SSO session has expired or is invalid";
        let e = classify(&Failure {
            profile: Some("prod".into()),
            ..failure("ecs:ListClusters", None, text, text)
        });
        assert!(
            e.hint().contains("aws sso login --profile prod"),
            "{}",
            e.hint()
        );
    }

    #[test]
    fn classify_throttling_and_connection_refused() {
        assert!(matches!(
            classify(&failure(
                "ecs:ListServices",
                Some("ThrottlingException"),
                "Rate exceeded",
                "",
            )),
            ApiError::Throttled { .. }
        ));
        let text = "dispatch failure: io error: Connection refused (os error 111)";
        let e = classify(&failure("ecs:ListServices", None, text, text));
        assert!(matches!(e, ApiError::Network(_)), "{e:?}");
        assert!(
            e.to_string()
                .contains("https://ecs.eu-west-1.amazonaws.com refused"),
            "{e}"
        );
    }
}
