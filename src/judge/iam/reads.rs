//! The reads of a batch of simulations, each made once ([`Reads`]): a role shared by several
//! rules is read once, a bucket policy once, a key's state once, and once the simulator has
//! failed it is not asked again.

use super::*;

type Cell<T> = Arc<tokio::sync::OnceCell<BResult<T>>>;

type Memo<T> = Mutex<HashMap<String, Cell<T>>>;

/// The reads of a batch of simulations, each made once: a role shared by several rules is read
/// once, a bucket policy once, and once the simulator has failed it is not asked again.
pub(super) struct Reads<'a> {
    backend: &'a dyn Backend,
    simulator_down: Mutex<Option<BackendError>>,
    policies: Memo<NamedPolicies>,
    buckets: Memo<Option<String>>,
    managed: Memo<Option<(String, String)>>,
    trusts: Memo<Option<String>>,
    resources: Memo<Option<String>>,
    own_buckets: Cell<Vec<String>>,
    key_states: Memo<String>,
    queues: Memo<Option<String>>,
    buses: Memo<Option<String>>,
    tags: Memo<Vec<(String, String)>>,
    abac: Memo<bool>,
    /// Set once the simulator has answered (or the probe finished without asking it): the
    /// rest of a batch waits for it, so that one unavailable simulator is asked once.
    simulator_known: tokio::sync::watch::Sender<bool>,
}

fn cell<T>(map: &Memo<T>, key: &str) -> Cell<T> {
    let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
    m.entry(key.to_string()).or_default().clone()
}

impl<'a> Reads<'a> {
    pub(super) fn new(backend: &'a dyn Backend) -> Self {
        Self {
            backend,
            simulator_down: Mutex::default(),
            policies: Mutex::default(),
            buckets: Mutex::default(),
            managed: Mutex::default(),
            trusts: Mutex::default(),
            resources: Mutex::default(),
            own_buckets: Cell::default(),
            key_states: Mutex::default(),
            queues: Mutex::default(),
            buses: Mutex::default(),
            tags: Mutex::default(),
            abac: Mutex::default(),
            simulator_known: tokio::sync::watch::channel(false).0,
        }
    }

    pub(super) fn mark_simulator_known(&self) {
        self.simulator_known.send_replace(true);
    }

    pub(super) async fn simulator_known(&self) {
        let mut rx = self.simulator_known.subscribe();
        // The sender lives as long as `self`: an error cannot happen while we borrow it.
        let _ = rx.wait_for(|k| *k).await;
    }

    pub(super) async fn simulate(
        &self,
        principal: &str,
        check: &Check,
        ctx: &BTreeMap<String, Vec<String>>,
        resource_policy: Option<&str>,
    ) -> BResult<Vec<SimResult>> {
        let down = self
            .simulator_down
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(e) = down {
            return Err(e);
        }
        let r = self
            .backend
            .simulate_principal_policy(
                principal,
                &check.actions,
                &check.resources,
                ctx,
                resource_policy,
            )
            .await;
        if let Err(e) = &r
            && e.kind != crate::backend::ErrorKind::Throttled
        {
            *self
                .simulator_down
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
        }
        self.mark_simulator_known();
        r
    }

    pub(super) async fn principal_policies(&self, p: &str) -> BResult<NamedPolicies> {
        cell(&self.policies, p)
            .get_or_init(|| self.backend.principal_policies(p))
            .await
            .clone()
    }

    pub(super) async fn bucket_policy(&self, b: &str) -> BResult<Option<String>> {
        cell(&self.buckets, b)
            .get_or_init(|| self.backend.bucket_policy(b))
            .await
            .clone()
    }

    /// Whose `bucket` is, as [`eval::Request::account`] takes it: "" for the account's own
    /// (ListBuckets lists it), [`eval::OWNER_OTHER`] for another account's,
    /// [`eval::OWNER_UNKNOWN`] when the account's buckets could not be listed — with the note
    /// that says which.
    pub(super) async fn bucket_owner(&self, bucket: &str) -> (&'static str, Option<String>) {
        let listed = self
            .own_buckets
            .get_or_init(|| self.backend.own_buckets())
            .await;
        match listed {
            Ok(own) if own.iter().any(|b| b == bucket) => ("", None),
            Ok(_) => (
                eval::OWNER_OTHER,
                Some(format!(
                    "bucket {bucket} is not the account's own (ListBuckets): evaluated across accounts, both sides must allow"
                )),
            ),
            Err(e) => (
                eval::OWNER_UNKNOWN,
                Some(format!(
                    "owner of bucket {bucket} not known ({}): a verdict that depends on it is undetermined",
                    e.explained()
                )),
            ),
        }
    }

    /// The role's trust policy: from the policies already read when the simulator is down
    /// (one GetRole per role either way), else its own GetRole.
    pub(super) async fn trust_policy(&self, role: &str) -> BResult<Option<String>> {
        let down = self
            .simulator_down
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if down {
            let policies = self.principal_policies(role).await?;
            return Ok(policies
                .into_iter()
                .find(|(_, k, _)| *k == PolicyKind::Trust)
                .map(|(_, _, d)| d));
        }
        cell(&self.trusts, role)
            .get_or_init(|| self.backend.role_trust_policy(role))
            .await
            .clone()
    }

    /// An SQS queue's policy, read once per batch.
    pub(super) async fn queue_policy(&self, arn: &str) -> BResult<Option<String>> {
        cell(&self.queues, arn)
            .get_or_init(|| self.backend.queue_policy(arn))
            .await
            .clone()
    }

    /// An event bus's policy (DescribeEventBus), read once per batch.
    pub(super) async fn bus_policy(&self, bus: &str) -> BResult<Option<String>> {
        cell(&self.buses, bus)
            .get_or_init(|| self.backend.bus_policy(bus))
            .await
            .clone()
    }

    /// A role's tags (ListRoleTags), read once per batch.
    pub(super) async fn role_tags(&self, role: &str) -> BResult<Vec<(String, String)>> {
        cell(&self.tags, role)
            .get_or_init(|| self.backend.role_tags(role))
            .await
            .clone()
    }

    /// Whether a bucket has ABAC enabled (GetBucketAbac), read once per batch.
    pub(super) async fn bucket_abac(&self, bucket: &str) -> BResult<bool> {
        cell(&self.abac, bucket)
            .get_or_init(|| self.backend.bucket_abac(bucket))
            .await
            .clone()
    }

    /// A KMS key's state (DescribeKey), read once per batch.
    pub(super) async fn kms_key_state(&self, arn: &str) -> BResult<String> {
        cell(&self.key_states, arn)
            .get_or_init(|| self.backend.kms_key_state(arn))
            .await
            .clone()
    }

    pub(super) async fn resource_policy(&self, arn: &str) -> BResult<Option<String>> {
        cell(&self.resources, arn)
            .get_or_init(|| self.backend.resource_policy(arn))
            .await
            .clone()
    }

    pub(super) async fn managed_policy(&self, n: &str) -> BResult<Option<(String, String)>> {
        cell(&self.managed, n)
            .get_or_init(|| self.backend.managed_policy(n))
            .await
            .clone()
    }
}
