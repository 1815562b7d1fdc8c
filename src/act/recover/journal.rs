//! The recovery journal: what one recovery has sent, written ahead of every call so a run
//! that stops anywhere — a crash, a lost connection, Ctrl-C — resumes without sending any
//! record twice. One JSON line an event, flushed to disk (`fsync`) before the next call:
//!
//! - `{"kind":"intent","batch":B,"ids":[…]}` before PutRecordBatch with those records;
//! - `{"kind":"done","batch":B,"accepted":[…],"failed":[…]}` once Firehose answered (the
//!   records it gave a `RecordId`, and those it answered with an `ErrorCode`);
//! - `{"kind":"refused","batch":B,"error":…}` when the call failed with an error response
//!   (nothing was processed: Firehose answers an error for the whole call or per record);
//! - `{"kind":"object","object":"s3://bucket/key","etag":…}` before the first record of an S3
//!   object is sent: which version of the key its record numbers count in. A later run finds
//!   the key replaced (another `ETag`) and sends nothing of it: its record numbers would name
//!   other records.
//!
//! A batch with an intent and neither answer is **in doubt**: the call went out and no answer
//! came back, so Firehose may or may not have the records. A resumed run never sends them
//! again unless asked (`--resend-in-doubt`, which may duplicate them); it counts them.
//!
//! Record ids are `s3://bucket/key#index` (the index of the record within its object).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// About to send these records in batch `batch`.
    Intent {
        /// The batch number, unique within the journal.
        batch: u64,
        /// The record ids in the call, in order.
        ids: Vec<String>,
    },
    /// Firehose answered batch `batch`.
    Done {
        /// The batch number.
        batch: u64,
        /// Records Firehose accepted (a `RecordId`).
        accepted: Vec<String>,
        /// Records Firehose refused (an `ErrorCode`): send again.
        failed: Vec<String>,
    },
    /// The call for batch `batch` failed with an error response: none of it was processed.
    Refused {
        /// The batch number.
        batch: u64,
        /// The error.
        error: String,
    },
    /// Records of S3 object `object` (`s3://bucket/key`) are about to be sent, numbered
    /// within the version whose `ETag` is `etag`.
    Object {
        /// `s3://bucket/key`.
        object: String,
        /// Its `ETag`, quotes included.
        etag: String,
    },
}

/// What a journal says so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Records Firehose accepted: never sent again.
    pub accepted: BTreeSet<String>,
    /// Records of calls that got no answer: not sent again unless asked.
    pub in_doubt: BTreeSet<String>,
    /// The next batch number.
    pub next_batch: u64,
    /// `s3://bucket/key` → the `ETag` of the version records were sent from.
    pub objects: BTreeMap<String, String>,
}

/// The journal file of one recovery, open for appending.
pub struct Journal {
    path: PathBuf,
    file: File,
    state: State,
    /// Batches announced and not answered yet: their ids.
    pending: BTreeMap<u64, Vec<String>>,
}

impl Journal {
    /// Opens (creating it and its directory when missing) the journal at `path`, locks it
    /// (one run at a time on this machine: a second would send what the first is sending), and
    /// reads what it says. A torn last line (a crash mid-write) is ignored: its call was not
    /// made. The lock goes with the process, however it ends.
    ///
    /// Errors: the directory or file cannot be created or read; another run holds the lock
    /// (`WouldBlock`); a line before the last is not a journal entry (the file is someone
    /// else's: refuse rather than guess).
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let created = !path.exists();
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        if created && let Some(dir) = path.parent() {
            // The new file's name made durable with it.
            File::open(dir)?.sync_all()?;
        }
        if let Err(e) = file.try_lock() {
            return Err(match e {
                std::fs::TryLockError::WouldBlock => std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!(
                        "{}: another recovery is running with this journal; wait for it to end",
                        path.display()
                    ),
                ),
                std::fs::TryLockError::Error(e) => e,
            });
        }
        // A torn last line (a crash mid-write) is cut off, so the next entry starts a line of
        // its own: its call was never made.
        // The file is read once: what is kept is parsed from the same bytes.
        let mut bytes = std::fs::read(path)?;
        if bytes.last().is_some_and(|b| *b != b'\n') {
            let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            file.set_len(keep as u64)?;
            file.sync_all()?;
            bytes.truncate(keep);
        }
        let mut state = State::default();
        let mut intents: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        {
            let lines: Vec<&str> = std::str::from_utf8(&bytes)
                .map_err(|e| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{}: not UTF-8: {e}", path.display()),
                    )
                })?
                .lines()
                .collect();
            let last = lines.len().saturating_sub(1);
            for (i, line) in lines.iter().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let entry: Entry = match serde_json::from_str(line) {
                    Ok(e) => e,
                    Err(_) if i == last => break,
                    Err(e) => {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!(
                                "{}: line {} is not a journal entry: {e}",
                                path.display(),
                                i + 1
                            ),
                        ));
                    }
                };
                match entry {
                    Entry::Intent { batch, ids } => {
                        state.next_batch = state.next_batch.max(batch + 1);
                        intents.insert(batch, ids);
                    }
                    Entry::Done {
                        batch, accepted, ..
                    } => {
                        intents.remove(&batch);
                        state.accepted.extend(accepted);
                    }
                    Entry::Refused { batch, .. } => {
                        intents.remove(&batch);
                    }
                    Entry::Object { object, etag } => {
                        state.objects.insert(object, etag);
                    }
                }
            }
        }
        for ids in intents.into_values() {
            state
                .in_doubt
                .extend(ids.into_iter().filter(|id| !state.accepted.contains(id)));
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            state,
            pending: BTreeMap::new(),
        })
    }

    /// What the journal says so far (this run's entries included).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entry` and flushes it to disk before returning (the call it announces is
    /// made only after), updating the state.
    ///
    /// Errors: the write or the flush failed (the caller must not make the call).
    pub fn write(&mut self, entry: &Entry) -> std::io::Result<()> {
        // One write of the line and its newline: a crash leaves at most a torn last line.
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        match entry {
            Entry::Intent { batch, ids } => {
                self.state.next_batch = self.state.next_batch.max(batch + 1);
                self.state.in_doubt.extend(ids.iter().cloned());
                self.pending.insert(*batch, ids.clone());
            }
            Entry::Done {
                batch, accepted, ..
            } => {
                for id in self.pending.remove(batch).unwrap_or_default() {
                    self.state.in_doubt.remove(&id);
                }
                self.state.accepted.extend(accepted.iter().cloned());
            }
            Entry::Refused { batch, .. } => {
                for id in self.pending.remove(batch).unwrap_or_default() {
                    self.state.in_doubt.remove(&id);
                }
            }
            Entry::Object { object, etag } => {
                self.state.objects.insert(object.clone(), etag.clone());
            }
        }
        Ok(())
    }
}
/// Where a recovery's journal lives: `$FHTOP_STATE_DIR`, else `$XDG_STATE_HOME/fhtop`
/// (`~/.local/state/fhtop`), under `recover/<what>-<account>-<region>-<name>.jsonl`, every
/// character outside `[A-Za-z0-9._-]` of the name replaced by `_`.
pub fn default_path(what: &str, account: &str, region: &str, name: &str) -> Option<PathBuf> {
    let base = std::env::var_os("FHTOP_STATE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::state_dir().map(|d| d.join("fhtop")))?;
    let safe: String = format!("{what}-{account}-{region}-{name}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(base.join("recover").join(format!("{safe}.jsonl")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_call_without_an_answer_is_in_doubt_after_a_restart() {
        let dir = std::env::temp_dir().join(format!("fhtop-journal-{}", std::process::id()));
        let path = dir.join("j.jsonl");
        let _ = std::fs::remove_file(&path);
        {
            let mut j = Journal::open(&path).unwrap();
            j.write(&Entry::Intent {
                batch: 0,
                ids: ids(&["a", "b"]),
            })
            .unwrap();
            j.write(&Entry::Done {
                batch: 0,
                accepted: ids(&["a"]),
                failed: ids(&["b"]),
            })
            .unwrap();
            j.write(&Entry::Intent {
                batch: 1,
                ids: ids(&["b", "c"]),
            })
            .unwrap();
            // The process dies here: no answer journaled for batch 1.
        }
        // A second run while one holds the journal is refused.
        {
            let _first = Journal::open(&path).unwrap();
            let second = Journal::open(&path).err().unwrap();
            assert_eq!(second.kind(), std::io::ErrorKind::WouldBlock);
        }
        // A torn line after it (a crash mid-write) is not an entry.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"kind\":\"do")
            .unwrap();
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.state().accepted, ["a".to_string()].into_iter().collect());
        assert_eq!(
            j.state().in_doubt,
            ["b".to_string(), "c".to_string()].into_iter().collect()
        );
        assert_eq!(j.state().next_batch, 2);
        // The torn line is gone: what is written next reads back whole.
        j.write(&Entry::Refused {
            batch: 2,
            error: "x".into(),
        })
        .unwrap();
        j.write(&Entry::Object {
            object: "s3://b/k".into(),
            etag: "\"e1\"".into(),
        })
        .unwrap();
        drop(j);
        // The version an object's records were counted in survives the restart.
        let j = Journal::open(&path).unwrap();
        assert_eq!(
            j.state().objects.get("s3://b/k").map(String::as_str),
            Some("\"e1\"")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
