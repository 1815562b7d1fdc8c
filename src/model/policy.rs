//! The vocabulary of permission decisions, shared by the backend (which reads policies and asks
//! iam:SimulatePrincipalPolicy) and the simulation engine (`iam`).

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    ImplicitDeny,
    ExplicitDeny,
    /// A Condition decides it and the value of this key is not known.
    Undetermined(String),
}

impl Decision {
    pub fn word(&self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ImplicitDeny => "implicitDeny",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::Undetermined(_) => "undetermined",
        }
    }
    pub fn is_denied(&self) -> bool {
        matches!(self, Decision::ImplicitDeny | Decision::ExplicitDeny)
    }
}

/// A statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub policy: String,
    pub sid: Option<String>,
}

/// One simulated action on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimResult {
    pub action: String,
    pub resource: String,
    pub decision: Decision,
    pub matched: Vec<Matched>,
}

/// A principal's policies as read from IAM: (name, kind, document).
pub type NamedPolicies = Vec<(String, PolicyKind, String)>;
