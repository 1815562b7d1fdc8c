//! The vocabulary of permission decisions, shared by the backend (which reads policies and asks
//! iam:SimulatePrincipalPolicy) and the simulation engine (`iam`).

use std::collections::BTreeMap;

/// Where a policy comes from; decides how it takes part in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached managed or inline policy of the principal.
    Identity,
    /// The principal's permissions boundary.
    Boundary,
    /// A resource-based policy (bucket policy) of the resource being accessed.
    Resource,
    /// The role's trust policy (AssumeRolePolicyDocument): who may assume it. Not part of what
    /// the role may do; evaluated on its own for `sts:AssumeRole`.
    Trust,
}

/// The outcome of evaluating one action on one resource (IAM policy evaluation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Some statement allows it and none denies it.
    Allowed,
    /// No statement allows it (the default deny).
    ImplicitDeny,
    /// A `Deny` statement matches: nothing can override it.
    ExplicitDeny,
    /// A Condition decides it and the value of this key is not known.
    Undetermined(String),
}

impl Decision {
    /// The decision as iam:SimulatePrincipalPolicy spells it: "allowed", "implicitDeny",
    /// "explicitDeny";
    /// or "undetermined".
    pub fn word(&self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ImplicitDeny => "implicitDeny",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::Undetermined(_) => "undetermined",
        }
    }
    /// Whether this is an implicit or explicit deny (`Undetermined` is not).
    pub fn is_denied(&self) -> bool {
        matches!(self, Decision::ImplicitDeny | Decision::ExplicitDeny)
    }
}

/// A statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The policy the statement is in: its name, or as the simulator reports it (`SourcePolicyId`,
    /// type and position).
    pub policy: String,
    /// The statement's `Sid`, when it has one (the simulator does not report it).
    pub sid: Option<String>,
    /// The condition keys of the statement (lower case), when fhtop evaluated it (the
    /// simulator does not report them): a Deny under a condition is met, not removed.
    pub condition_keys: Vec<String>,
}

impl Matched {
    /// What decided a row when no statement did: a fact read outside the policies (a queue or
    /// bus with no policy, a key's state, a resource that does not exist), shown as its policy.
    pub fn fact(what: String) -> Self {
        Self {
            policy: what,
            sid: None,
            condition_keys: vec![],
        }
    }
}

/// One simulated action on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResult {
    /// The IAM action, e.g. "s3:PutObject".
    pub action: String,
    /// The resource ARN the action is on ("*" when the action takes none).
    pub resource: String,
    /// Whether the action is allowed.
    pub decision: Decision,
    /// The statements that decided it (empty for an implicit deny with no matching statement).
    pub matched: Vec<Matched>,
}

/// A principal's policies as read from IAM: (name, kind, document).
pub type NamedPolicies = Vec<(String, PolicyKind, String)>;

/// The context entry (a request's condition keys, lower-cased key → values) saying every
/// `aws:PrincipalTag/KEY` of the principal is in the context (its tags were read), so one not
/// there is absent. A policy cannot name this key (a tag key has no `*`).
pub const PRINCIPAL_TAGS_LISTED: &str = "aws:principaltag/*";

/// The context entry saying every `aws:ResourceTag/KEY` S3 compares is in the context: set for the rows of a general purpose bucket whose ABAC is disabled, where S3 does
/// not evaluate the key at all (Amazon S3 User Guide, "Using tags with S3 general purpose
/// buckets": "S3 evaluates this condition key only after you enable ABAC on your bucket").
pub const RESOURCE_TAGS_LISTED: &str = "aws:resourcetag/*";

/// Is the lower-cased condition key `key` known to be absent from a request with this
/// context: given with no values, or under a prefix listed whole ([`PRINCIPAL_TAGS_LISTED`],
/// [`RESOURCE_TAGS_LISTED`]) without being there itself?
pub fn known_absent(context: &BTreeMap<String, Vec<String>>, key: &str) -> bool {
    match context.get(key) {
        Some(v) => v.is_empty(),
        // The prefix is up to the first `/`: a tag key may hold `/` itself
        // ("aws:principaltag/kubernetes.io/cluster").
        None => key
            .split_once('/')
            .is_some_and(|(prefix, _)| context.contains_key(&format!("{prefix}/*"))),
    }
}
