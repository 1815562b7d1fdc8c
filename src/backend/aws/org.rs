//! `--org-role`: the accounts of an AWS Organization (organizations:ListAccounts), read with
//! the management (or delegated administrator) account's credentials.

use super::{AwsOptions, classify, sdk_config};
use crate::backend::{BResult, Op};

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account ID (`Id`).
    pub id: String,
    /// The account's name (`Name`; its ID when it has none).
    pub name: String,
}

/// The organization as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// The caller's own account (STS GetCallerIdentity): read with its own credentials, no
    /// role assumed.
    pub caller_account: String,
    /// The caller's partition (`aws`, `aws-cn`, `aws-us-gov`), for the role ARNs.
    pub partition: String,
    /// Every ACTIVE account (`Status` = ACTIVE; suspended and closing ones cannot be read),
    /// in the order ListAccounts returns them.
    pub accounts: Vec<Account>,
}

/// The caller's identity, then every page of ListAccounts.
///
/// Errors: GetCallerIdentity or ListAccounts failed (e.g. AWSOrganizationsNotInUseException,
/// or AccessDeniedException from a member account: only the management account or a delegated
/// administrator may list the organization's accounts).
pub async fn accounts(opts: &AwsOptions) -> BResult<Org> {
    let conf = sdk_config(opts).await;
    let me = aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| classify(Op::GetCallerIdentity, e))?;
    let partition = me
        .arn()
        .and_then(|a| a.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string();
    let client = aws_sdk_organizations::Client::new(&conf);
    let mut accounts = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(Op::ListAccounts, e))?;
        for a in page.accounts() {
            let active = a
                .status()
                .is_none_or(|s| s.as_str().eq_ignore_ascii_case("ACTIVE"));
            let Some(id) = a.id().filter(|_| active) else {
                continue;
            };
            accounts.push(Account {
                id: id.to_string(),
                name: a.name().filter(|n| !n.is_empty()).unwrap_or(id).to_string(),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(Org {
        caller_account: me.account().unwrap_or("?").to_string(),
        partition,
        accounts,
    })
}
