//! `fhtop policy`: fhtop's own IAM policy, generated from [`crate::backend::Op::ALL`] (every
//! operation the AWS backend calls), so it cannot drift from the code.

use crate::backend::{Access, Op};

/// The policy document (pretty JSON) for the groups asked for, or with `--list` a table of
/// every operation: IAM action, group, what stops working without it.
pub fn render(args: &super::PolicyArgs) -> String {
    if args.list {
        let mut out = format!("{:<36} {:<12} WITHOUT IT\n", "ACTION", "GROUP");
        for op in Op::ALL {
            out.push_str(&format!(
                "{:<36} {:<12} {}\n",
                op.action(),
                op.access().as_str(),
                op.feature()
            ));
        }
        return out;
    }
    let mut groups = vec![Access::Read];
    if args.permissions {
        groups.push(Access::Permissions);
    }
    if args.change {
        groups.push(Access::Change);
    }
    if args.records || args.recover {
        groups.push(Access::Records);
    }
    if args.recover {
        groups.push(Access::Recover);
    }
    if args.org {
        groups.push(Access::Org);
    }
    let doc = crate::backend::ops::policy(&groups);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}
