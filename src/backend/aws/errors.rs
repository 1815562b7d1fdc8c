//! An SDK error as fhtop's [`BackendError`]: its kind from the AWS error code, the permission
//! it lacks, a short message; and SDK timestamps as chrono's.

use aws_sdk_firehose::config::http::HttpResponse;
use aws_sdk_firehose::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};

use crate::backend::{BackendError, ErrorKind, Op};

/// Turn any SDK error into what fhtop needs to know: throttled, expired, denied, network...
pub(crate) fn classify<E>(op: Op, e: SdkError<E, HttpResponse>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = e.code().unwrap_or("").to_string();
    let msg = e.message().unwrap_or("").to_string();
    let full = format!("{}", DisplayErrorContext(&e));
    let lower = full.to_lowercase();
    let status = e.raw_response().map(|r| r.status().as_u16());
    // An answer that arrived but could not be read: a response error, or a "service error"
    // without a code on a 2xx status (the SDK could not parse a successful answer).
    let undecodable = match &e {
        SdkError::ResponseError(_) => true,
        SdkError::ServiceError(_) => {
            code.is_empty() && status.is_some_and(|s| (200..300).contains(&s))
        }
        _ => false,
    };
    let kind = match &e {
        // The server answered: only its error code says what went wrong (the text around it
        // holds response headers such as "connection: close", which mean nothing).
        SdkError::ServiceError(_) if code.is_empty() => ErrorKind::Other,
        SdkError::ServiceError(_) => kind_of_code(&code, &msg.to_lowercase()),
        SdkError::TimeoutError(_) => ErrorKind::Network,
        SdkError::DispatchFailure(d) if d.is_timeout() || d.is_io() => ErrorKind::Network,
        // The answer arrived but could not be decoded (e.g. a required field missing).
        SdkError::ResponseError(_) => ErrorKind::Other,
        _ => kind_of_code(&code, &lower),
    };
    let message = match kind {
        ErrorKind::ExpiredCredentials => format!(
            "{op}: AWS credentials expired ({}); refresh them (e.g. `aws sso login`) and fhtop picks them up",
            if code.is_empty() {
                "token expired"
            } else {
                &code
            }
        ),
        ErrorKind::Auth if code.is_empty() => {
            format!("{op}: no usable AWS credentials: {}", short(&full))
        }
        ErrorKind::Network => format!("{op}: cannot reach AWS: {}", short(&full)),
        // An answer that arrived but could not be read: say so, not "a server error".
        _ if undecodable => format!(
            "could not decode the {op} answer{}: {}",
            status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
            short(&full)
        ),
        _ if !code.is_empty() => format!("{op}: {code}: {msg}"),
        _ => match status {
            Some(s) => format!("{op}: HTTP {s} without an error code"),
            None => format!("{op}: {}", short(&full)),
        },
    };
    BackendError::new(kind, message).during(op)
}

fn kind_of_code(code: &str, lower: &str) -> ErrorKind {
    match code {
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "LimitExceededException"
        | "ProvisionedThroughputExceededException" => ErrorKind::Throttled,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            ErrorKind::ExpiredCredentials
        }
        "AccessDenied" | "AccessDeniedException" => ErrorKind::Denied,
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "AuthFailure"
        | "MissingAuthenticationToken" => ErrorKind::Auth,
        "ResourceNotFoundException"
        | "ResourceNotFound"
        | "NoSuchEntity"
        | "NoSuchEntityException"
        | "NoSuchBucket"
        | "NotFoundException" => ErrorKind::NotFound,
        _ if lower.contains("expired") && (lower.contains("token") || lower.contains("sso")) => {
            ErrorKind::ExpiredCredentials
        }
        _ if lower.contains("credentials") || lower.contains("no credential") => ErrorKind::Auth,
        _ if lower.contains("connection") || lower.contains("dispatch failure") => {
            ErrorKind::Network
        }
        _ => ErrorKind::Other,
    }
}

/// The innermost useful part of a long error chain, on one line.
fn short(s: &str) -> String {
    let one = s.replace('\n', " ");
    // DisplayErrorContext ends with the Debug form of the error: " (DispatchFailure(..."
    let cut = one
        .match_indices(" (")
        .map(|(i, _)| i)
        .find(|&i| {
            one[i + 2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
        })
        .unwrap_or(one.len());
    crate::text::fit(&one[..cut], 300)
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
