//! Who a statement's Principal reaches: the role, its session, its account, anyone.

use super::*;

/// The principal's account: the 5th field of an ARN; empty for a service or none.
pub(super) fn account_of(principal: &str) -> &str {
    if principal.starts_with("arn:") {
        principal.split(':').nth(4).unwrap_or("")
    } else {
        ""
    }
}

/// `arn:P:sts::A:assumed-role/ROLE/SESSION` → (A, ROLE).
pub(super) fn session_role(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.split(':').nth(5)?;
    let mut parts = rest.split('/');
    if parts.next()? != "assumed-role" || !arn.contains(":sts::") {
        return None;
    }
    Some((account_of(arn), parts.next()?))
}

/// `arn:P:iam::A:role/PATH/ROLE` → (A, ROLE).
pub(super) fn role_name(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.split(':').nth(5)?;
    let name = rest.strip_prefix("role/")?;
    Some((account_of(arn), name.rsplit('/').next().unwrap_or(name)))
}

/// How a resource-policy principal reaches the request's principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reach {
    /// Not at all.
    No,
    /// The principal itself where it is not a role (a user, a role session, a service) or `*`
    /// (which reaches the role session making the call): not limited by an implicit deny in the
    /// permissions boundary within one account.
    Own,
    /// The role ARN: limited by the permissions boundary.
    Role,
    /// The principal's account: a Deny covers it, an Allow delegates to the account's IAM.
    Account,
    /// Whether it reaches it depends on the named fact.
    Unknown(String),
}

pub(super) fn entry_reach(entry: &str, who: &str) -> Reach {
    if entry == "*" {
        return Reach::Own;
    }
    if who.is_empty() {
        return Reach::No;
    }
    if who.starts_with("Service:") {
        return if entry == who { Reach::Own } else { Reach::No };
    }
    // "You cannot use a wildcard to match part of a principal name or ARN."
    if entry.contains('*') || entry.contains('?') {
        return Reach::No;
    }
    let account = account_of(who);
    if !account.is_empty()
        && entry.starts_with("arn:")
        && entry.ends_with(&format!(":iam::{account}:root"))
    {
        return Reach::Account;
    }
    if entry == who {
        return if role_name(who).is_some() {
            Reach::Role
        } else {
            Reach::Own
        };
    }
    // A session is reached by its role's ARN (as the role: the boundary applies).
    if let (Some(s), Some(r)) = (session_role(who), role_name(entry))
        && s == r
    {
        return Reach::Role;
    }
    // fhtop simulates the role; the real caller is a session of it whose name fhtop does not
    // know.
    if let (Some(r), Some(s)) = (role_name(who), session_role(entry))
        && s == r
    {
        return Reach::Unknown(format!("the role session name ({entry} names one session)"));
    }
    Reach::No
}

pub(super) fn strongest(a: Reach, b: Reach) -> Reach {
    let rank = |r: &Reach| match r {
        Reach::Own => 4,
        Reach::Role => 3,
        Reach::Account => 2,
        Reach::Unknown(_) => 1,
        Reach::No => 0,
    };
    if rank(&b) > rank(&a) { b } else { a }
}

/// How the statement's Principal / NotPrincipal reaches the request's principal.
pub(super) fn principal_reach(st: &Statement, req: &Request, has_boundary: bool) -> Reach {
    let Some(ps) = &st.principals else {
        return Reach::No;
    };
    let reach = ps
        .iter()
        .map(|p| entry_reach(p, req.principal))
        .fold(Reach::No, strongest);
    if !st.not_principal {
        return reach;
    }
    // NotPrincipal. With Deny it always denies a principal that has a permissions boundary
    // (IAM User Guide, "AWS JSON policy elements: NotPrincipal").
    if !st.allow && has_boundary && !req.principal.starts_with("Service:") {
        return Reach::Account;
    }
    let excluded = match reach {
        Reach::No => Tri::No,
        Reach::Unknown(k) => Tri::Unknown(k),
        // "You must also specify the account ARN of the not-denied principal ... AWS might
        // verify the account first, then the role" (same page): excluding the role without its
        // account may not exclude it.
        Reach::Role
            if !st.allow
                && !ps
                    .iter()
                    .any(|p| entry_reach(p, req.principal) == Reach::Account) =>
        {
            Tri::Unknown("NotPrincipal names the role but not its account".into())
        }
        // The caller is a session of the role (Firehose and EventBridge assume it): "you must
        // also include the assumed-role ARN" to exclude it (same page). The role's ARN alone
        // may not exclude the session that calls, whose name fhtop does not know.
        Reach::Role if !st.allow => Tri::Unknown(
            "the role session name (NotPrincipal names the role, not its assumed-role session)"
                .into(),
        ),
        _ => Tri::Yes,
    };
    match excluded {
        Tri::Yes => Reach::No,
        // Allow + NotPrincipal is not a grant to the principal itself: as the role.
        Tri::No => Reach::Role,
        Tri::Unknown(k) => Reach::Unknown(k),
    }
}
