//! The decision: the principal's side (identity policies ∧ boundary), then a resource policy
//! beside it, same account or across accounts.

use super::condition::applies;
use super::principal::*;
use super::*;

/// What the principal's own policies decide for one request: identity ∧ permissions
/// boundary, the boundary alone and the explicit denies. Built from the policies
/// ([`principal_side`]) or from `iam:SimulatePrincipalPolicy`'s answer
/// ([`PrincipalSide::from_decision`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalSide {
    /// A Deny in an identity policy or the boundary applies.
    pub deny: Tri,
    /// The denies that apply.
    pub denies: Vec<Matched>,
    /// Identity policies allow it and the boundary (if any) does too.
    pub granted: Tri,
    /// The identity allows that apply.
    pub allows: Vec<Matched>,
    /// The boundary allows it (Yes when there is no boundary).
    pub boundary: Tri,
    /// The boundary's name, when the principal has one.
    pub boundary_name: Option<String>,
    /// Statements a condition could not decide.
    pub unknowns: Vec<Matched>,
    /// Identity policies allow it but the boundary does not.
    pub blocked_by_boundary: Option<String>,
    /// Keys taken as absent.
    pub assumed_absent: Vec<String>,
}

impl PrincipalSide {
    /// From an engine's decision on identity ∧ boundary (`iam:SimulatePrincipalPolicy`), with
    /// the boundary alone as fhtop evaluated it (`Tri::Yes` and no name when there is none).
    pub fn from_decision(
        d: &Decision,
        matched: &[Matched],
        boundary: Tri,
        boundary_name: Option<String>,
    ) -> Self {
        let (deny, granted) = match d {
            Decision::ExplicitDeny => (Tri::Yes, Tri::No),
            Decision::Allowed => (Tri::No, Tri::Yes),
            Decision::ImplicitDeny => (Tri::No, Tri::No),
            // An engine that could not decide may have stopped on a Deny it could not
            // evaluate: the deny is as unknown as the grant, never "no deny".
            Decision::Undetermined(k) => (Tri::Unknown(k.clone()), Tri::Unknown(k.clone())),
        };
        let denies = if deny == Tri::Yes {
            matched.to_vec()
        } else {
            vec![]
        };
        let allows = if granted == Tri::Yes {
            matched.to_vec()
        } else {
            vec![]
        };
        let unknowns = if matches!(d, Decision::Undetermined(_)) {
            matched.to_vec()
        } else {
            vec![]
        };
        Self {
            deny,
            denies,
            granted,
            allows,
            boundary,
            boundary_name,
            unknowns,
            blocked_by_boundary: None,
            assumed_absent: vec![],
        }
    }
}

fn matched_of(p: &Policy, st: &Statement) -> Matched {
    Matched {
        policy: p.name.clone(),
        sid: st.sid.clone(),
        condition_keys: st
            .conditions
            .iter()
            .map(|c| c.key.to_ascii_lowercase())
            .collect(),
    }
}

/// Identity policies and the permissions boundary among `policies` (others are ignored) for
/// one request.
pub fn principal_side(policies: &[Policy], req: &Request) -> PrincipalSide {
    let boundary_name = policies
        .iter()
        .find(|p| p.kind == PolicyKind::Boundary)
        .map(|p| p.name.clone());
    let mut side = PrincipalSide {
        deny: Tri::No,
        denies: vec![],
        granted: Tri::No,
        allows: vec![],
        boundary: if boundary_name.is_some() {
            Tri::No
        } else {
            Tri::Yes
        },
        boundary_name,
        unknowns: vec![],
        blocked_by_boundary: None,
        assumed_absent: vec![],
    };
    let mut identity = Tri::No;
    for p in policies {
        if !matches!(p.kind, PolicyKind::Identity | PolicyKind::Boundary) {
            continue;
        }
        for st in &p.statements {
            let t = applies(st, req, &mut side.assumed_absent);
            if t == Tri::No {
                continue;
            }
            let m = matched_of(p, st);
            if let Tri::Unknown(_) = t {
                side.unknowns.push(m.clone());
            }
            if !st.allow {
                if t == Tri::Yes {
                    side.denies.push(m);
                }
                side.deny = side.deny.clone().or(t);
            } else if p.kind == PolicyKind::Identity {
                if t == Tri::Yes {
                    side.allows.push(m);
                }
                identity = identity.or(t);
            } else {
                side.boundary = side.boundary.clone().or(t);
            }
        }
    }
    side.granted = identity.clone().and(side.boundary.clone());
    if identity == Tri::Yes && side.boundary == Tri::No {
        side.blocked_by_boundary = side.boundary_name.clone();
    }
    side
}

/// Is the resource a KMS key (where the key policy decides whether IAM policies count)?
fn is_kms_key(resource: &str) -> bool {
    let f: Vec<&str> = resource.splitn(6, ':').collect();
    f.len() == 6 && f[2] == "kms" && f[5].starts_with("key/")
}

/// The principal's side with the resource policy (if any) of the resource: the full decision
/// for one request whose resource has no `*`.
pub fn decide(side: &PrincipalSide, rp: Option<&Policy>, req: &Request) -> Evaluation {
    let mut absent = side.assumed_absent.clone();
    let has_boundary = side.boundary_name.is_some();
    let (mut deny, mut own, mut role, mut account) = (Tri::No, Tri::No, Tri::No, Tri::No);
    let (mut denies, mut allows, mut unknowns) =
        (side.denies.clone(), vec![], side.unknowns.clone());
    if let Some(p) = rp {
        for st in &p.statements {
            let reach = principal_reach(st, req, has_boundary);
            if reach == Reach::No {
                continue;
            }
            let t = applies(st, req, &mut absent);
            if t == Tri::No {
                continue;
            }
            let m = matched_of(p, st);
            let t = match &reach {
                Reach::Unknown(k) => t.and(Tri::Unknown(k.clone())),
                _ => t,
            };
            if let Tri::Unknown(_) = t {
                unknowns.push(m.clone());
            }
            if !st.allow {
                if t == Tri::Yes {
                    denies.push(m);
                }
                deny = deny.or(t);
                continue;
            }
            if t == Tri::Yes {
                allows.push(m);
            }
            match reach {
                // A grant that only may reach the session would reach it as itself.
                Reach::Own | Reach::Unknown(_) => own = own.or(t),
                Reach::Role => role = role.or(t),
                Reach::Account => account = account.or(t),
                Reach::No => {}
            }
        }
    }
    let deny = side.deny.clone().or(deny);
    let g = side.granted.clone();
    let pb = side.boundary.clone();
    let service = req.principal.starts_with("Service:");
    let same = if service {
        own.clone()
    } else if rp.is_some() && is_kms_key(req.resource) {
        // The key policy must trust the account for IAM policies to count.
        account
            .clone()
            .and(g.clone())
            .or(role.clone().and(pb.clone()))
            .or(own.clone())
    } else {
        g.clone().or(role.clone().and(pb.clone())).or(own.clone())
    };
    let cross = g.clone().and(own.or(role).or(account));
    let principal_account = account_of(req.principal);
    let allowed = if req.account.is_empty() || req.account == principal_account || service {
        same
    } else if req.account == OWNER_UNKNOWN {
        if same == cross {
            same
        } else {
            Tri::Unknown("the resource's owner account".into())
        }
    } else {
        cross
    };
    let decision = match (&deny, &allowed) {
        (Tri::Yes, _) => Decision::ExplicitDeny,
        (_, Tri::No) => Decision::ImplicitDeny,
        (Tri::Unknown(k), _) | (_, Tri::Unknown(k)) => Decision::Undetermined(k.clone()),
        _ => Decision::Allowed,
    };
    let matched = match decision {
        Decision::ExplicitDeny => denies,
        Decision::Allowed => {
            let mut v = side.allows.clone();
            v.extend(allows);
            v
        }
        Decision::Undetermined(_) => unknowns,
        Decision::ImplicitDeny => vec![],
    };
    let blocked_by_boundary = if decision == Decision::Allowed {
        None
    } else {
        side.blocked_by_boundary.clone()
    };
    Evaluation {
        decision,
        matched,
        blocked_by_boundary,
        assumed_absent: absent,
    }
}

/// Decide one request over every policy that takes part: identity, boundary and the resource's
/// policy (kind Resource; several are read as one). A request resource with `*` asks about
/// some resource it covers, as the reference simulator does: the pattern itself first (a deny
/// there decides), then each Resource pattern of the allows that overlaps it.
pub fn evaluate(policies: &[Policy], req: &Request) -> Evaluation {
    let resource_statements: Vec<Statement> = policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Resource)
        .flat_map(|p| p.statements.iter().cloned())
        .collect();
    let rp = policies
        .iter()
        .find(|p| p.kind == PolicyKind::Resource)
        .map(|p| Policy {
            name: p.name.clone(),
            kind: PolicyKind::Resource,
            statements: resource_statements,
        });
    let one = |resource: &str| {
        let r = Request {
            resource,
            ..req.clone()
        };
        decide(&principal_side(policies, &r), rp.as_ref(), &r)
    };
    let exact = one(req.resource);
    if !req.resource.contains('*')
        || matches!(
            exact.decision,
            Decision::ExplicitDeny | Decision::ImplicitDeny
        )
    {
        return exact;
    }
    let mut candidates: Vec<String> = Vec::new();
    for p in policies
        .iter()
        .filter(|p| matches!(p.kind, PolicyKind::Identity | PolicyKind::Resource))
    {
        for st in p
            .statements
            .iter()
            .filter(|s| s.allow && action_matches(s, req.action))
        {
            let found: Vec<String> = if st.not_resource {
                vec!["*".to_string()]
            } else {
                st.resources
                    .iter()
                    .filter(|r| overlap(r, req.resource))
                    .cloned()
                    .collect()
            };
            for f in found {
                if !candidates.contains(&f) {
                    candidates.push(f);
                }
            }
        }
    }
    let results: Vec<Evaluation> = candidates.iter().map(|c| one(c)).collect();
    // When the request itself could not be decided (a Deny on it under a condition fhtop
    // cannot evaluate), only a pattern inside the request may show an allowed resource: a
    // broader one (`*`) escapes the denies that cover the request only partly.
    let undecided = matches!(exact.decision, Decision::Undetermined(_));
    if let Some((_, a)) = candidates
        .iter()
        .zip(&results)
        .find(|(c, e)| e.decision == Decision::Allowed && (!undecided || glob(req.resource, c)))
    {
        return a.clone();
    }
    if undecided {
        return exact;
    }
    if let Some(u) = results
        .iter()
        .find(|e| matches!(e.decision, Decision::Undetermined(_)))
    {
        return u.clone();
    }
    if !results.is_empty() && results.iter().all(|e| e.decision == Decision::ExplicitDeny) {
        return results[0].clone();
    }
    Evaluation {
        decision: Decision::ImplicitDeny,
        matched: vec![],
        blocked_by_boundary: exact.blocked_by_boundary,
        assumed_absent: exact.assumed_absent,
    }
}
