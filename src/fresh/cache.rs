//! The warm start: the last inventory read per account and region, kept in the XDG cache
//! directory (`$FHTOP_CACHE_DIR`, else `$XDG_CACHE_HOME/fhtop`) and shown at start — marked as
//! cached, with its age — until the fresh walk replaces it. Error rows are not kept (a gap is
//! read again, never remembered). Nothing mutating trusts it: a rule change re-reads the rule
//! (`act::Executor`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fresh::ctx::PollCtx;
use crate::model::Inventory;

/// The cache format; a file of another version is ignored.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    saved_at: DateTime<Utc>,
    account: String,
    region: String,
    inventory: Inventory,
}

/// Where caches go: `$FHTOP_CACHE_DIR`, else `$XDG_CACHE_HOME/fhtop` (`~/.cache/fhtop`);
/// `None` when neither can be found.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("FHTOP_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("fhtop")))
}

/// The cache file of one account and region in `dir`.
pub fn path(dir: &Path, account: &str, region: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    dir.join(format!("inventory-{}-{}.json", safe(account), safe(region)))
}

/// Writes `inv` as the cache of `account` / `region` (atomically: a temporary file renamed).
///
/// Errors: the directory or file could not be written (the message names the path).
pub fn save(
    dir: &Path,
    account: &str,
    region: &str,
    inv: &Inventory,
    at: DateTime<Utc>,
) -> Result<(), String> {
    let file = path(dir, account, region);
    let body = serde_json::to_vec(&File {
        version: VERSION,
        saved_at: at,
        account: account.into(),
        region: region.into(),
        inventory: Inventory {
            errors: Vec::new(),
            ..inv.clone()
        },
    })
    .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = file.with_extension("json.tmp");
    std::fs::write(&tmp, body).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &file).map_err(|e| format!("{}: {e}", file.display()))
}

/// The cached inventory of `account` / `region` and when it was read; `Ok(None)` when there is
/// none.
///
/// Errors: a file that cannot be read or parsed, or of another version or account (the caller
/// ignores it with one log line).
pub fn load(
    dir: &Path,
    account: &str,
    region: &str,
) -> Result<Option<(Inventory, DateTime<Utc>)>, String> {
    let file = path(dir, account, region);
    let body = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    let f: File = serde_json::from_slice(&body).map_err(|e| format!("{}: {e}", file.display()))?;
    if f.version != VERSION || f.account != account || f.region != region {
        return Err(format!(
            "{}: written for another version, account or region",
            file.display()
        ));
    }
    Ok(Some((f.inventory, f.saved_at)))
}

/// Writes `inv` to the cache of this account and region (`crate::fresh::cache`), when the context
/// keeps one and the account is not the demo; a failure is one log line, never an error.
pub fn save_inventory_cache(c: &PollCtx, inv: &Inventory) {
    if let Some(dir) = &c.cache_dir
        && let Some(id) = c.store.snapshot().identity.get().filter(|i| !i.demo)
        && let Err(e) = crate::fresh::cache::save(dir, &id.account, &id.region, inv, c.clock.now())
    {
        tracing::warn!(
            "inventory cache not written: {}",
            crate::text::sanitize::clean(&e)
        );
    }
}

/// The warm start: the cached inventory of this account and region, shown (marked cached)
/// until the first fresh walk replaces it, and returned with when it was read from AWS (to
/// seed the walk). Reads the identity for the cache key; a cache that cannot
/// be read is ignored with one log line.
pub async fn warm_start(c: &PollCtx) -> Option<(Inventory, DateTime<Utc>)> {
    let dir = c.cache_dir.as_ref()?;
    let id = c.backend.identity().await.ok()?;
    if id.demo {
        return None;
    }
    // The header names the account the cached rows belong to.
    c.store.set_identity(id.clone(), c.clock.now());
    match crate::fresh::cache::load(dir, &id.account, &id.region) {
        Ok(Some((inv, at))) => {
            tracing::info!(
                "showing the cached inventory of {} {} from {} until the fresh one is read",
                id.account,
                id.region,
                at.format("%Y-%m-%d %H:%M UTC")
            );
            c.store.set_inventory_cached(inv.clone(), at);
            Some((inv, at))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(
                "inventory cache ignored: {}",
                crate::text::sanitize::clean(&e)
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_what_is_not_its_own() {
        let dir = std::env::temp_dir().join(format!("fhtop-cache-{}", std::process::id()));
        let inv = Inventory {
            buses: vec![crate::model::Bus {
                name: "default".into(),
                arn: "arn:aws:events:us-east-1:123456789012:event-bus/default".into(),
            }],
            ..Inventory::default()
        };
        let at = Utc::now();
        assert_eq!(load(&dir, "123456789012", "us-east-1"), Ok(None));
        save(&dir, "123456789012", "us-east-1", &inv, at).expect("saved");
        let (back, when) = load(&dir, "123456789012", "us-east-1")
            .expect("read")
            .expect("there");
        assert_eq!(back, inv);
        assert_eq!(when, at);
        // Another account's file under this name, or garbage: an error, never data.
        std::fs::write(path(&dir, "123456789012", "us-east-1"), b"{not json").expect("write");
        assert!(load(&dir, "123456789012", "us-east-1").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
