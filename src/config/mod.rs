//! Layered settings: built-in defaults → config file → environment → command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

mod args;
pub use args::GlobalArgs;

/// Seconds between polls, per data kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervals {
    /// Seconds between inventory walks (ListEventBuses/ListRules/DescribeDeliveryStream...).
    /// Default 300 (demo 60).
    pub inventory: u64,
    /// Seconds between GetMetricData fetches. Default 60 (demo 5).
    pub metrics: u64,
    /// Seconds between DescribeAlarms walks. Default 60 (demo 10).
    pub alarms: u64,
    /// Seconds between log polls (FilterLogEvents). Default 10 (demo 2).
    pub logs: u64,
}

impl Intervals {
    /// AWS: CloudWatch has 60 s periods and GetMetricData is billed per metric, so there is
    /// nothing to gain from polling metrics faster. The demo moves faster so it looks alive.
    pub fn defaults(demo: bool) -> Self {
        if demo {
            Self {
                inventory: 60,
                metrics: 5,
                alarms: 10,
                logs: 2,
            }
        } else {
            Self {
                inventory: 300,
                metrics: 60,
                alarms: 60,
                logs: 10,
            }
        }
    }
}

/// The config file, every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Theme name or path (`theme`); default "default".
    pub theme: Option<String>,
    /// `read_only = true` forbids rule changes (cannot be turned off by another layer).
    pub read_only: Option<bool>,
    /// AWS profile name (`profile`), overridden by `--profile`.
    pub profile: Option<String>,
    /// AWS region (`region`), overridden by `--region`.
    pub region: Option<String>,
    /// Custom AWS endpoint, e.g. LocalStack (`endpoint_url`), overridden by `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// Shorthand: seconds between metrics and alarm polls (`refresh`); `[intervals]` overrides it.
    pub refresh: Option<u64>,
    /// Metrics window in minutes (`window_minutes`, clamped to 5–1440; default 180).
    pub window_minutes: Option<u32>,
    /// The customer-managed writer policy the runbook checks (`writer_policy`).
    pub writer_policy: Option<String>,
    /// Per-kind poll intervals in seconds (`[intervals]`).
    pub intervals: Option<PartialIntervals>,
    /// Key rebindings: action name → key strings (`[keys]`).
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Named contexts (`[contexts.NAME]`): the accounts and regions fhtop watches.
    #[serde(default)]
    pub contexts: BTreeMap<String, FileContext>,
    /// Patterns (`*` any run, `?` one character) of profile names and account ids that are
    /// production (`production_match = ["*prod*", "123456789012"]`), besides the contexts
    /// marked `production = true`.
    #[serde(default)]
    pub production_match: Vec<String>,
}

/// A `[contexts.NAME]` table of the config file: where one context reads, every field optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileContext {
    /// AWS named profile; none for the default credential chain.
    pub profile: Option<String>,
    /// AWS region; none for the profile's.
    pub region: Option<String>,
    /// Custom AWS endpoint (LocalStack, moto).
    pub endpoint_url: Option<String>,
    /// Rule changes refused in this context.
    pub read_only: Option<bool>,
    /// A production context: marked wherever it shows, named in every confirmation.
    pub production: Option<bool>,
}

/// One account and region fhtop reads: a profile (or the default credential chain), a region,
/// an endpoint. Each context has its own backend, pollers and pacing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    /// Its name: `[contexts.NAME]`, else `PROFILE/REGION` ("default" for no profile, the
    /// region left out when none is given).
    pub name: String,
    /// AWS named profile; `None` for the default credential chain.
    pub profile: Option<String>,
    /// AWS region; `None` for the profile's / `AWS_REGION`.
    pub region: Option<String>,
    /// Custom AWS endpoint; `None` for AWS.
    pub endpoint_url: Option<String>,
    /// Rule changes are refused in this context.
    pub read_only: bool,
    /// Marked production.
    pub production: bool,
    /// The role assumed in the context's account (STS AssumeRole with the profile's
    /// credentials): set for the member accounts of `--org-role`; `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

impl Context {
    /// The name of an unnamed context: `PROFILE/REGION`, `PROFILE`, or `default/REGION`.
    pub fn name_of(profile: Option<&str>, region: Option<&str>) -> String {
        let p = profile.unwrap_or("default");
        match region {
            Some(r) => format!("{p}/{r}"),
            None => p.to_string(),
        }
    }
}

/// The `[intervals]` table of the config file: seconds between polls, each optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialIntervals {
    /// Seconds between inventory walks.
    pub inventory: Option<u64>,
    /// Seconds between metrics fetches.
    pub metrics: Option<u64>,
    /// Seconds between alarm polls.
    pub alarms: Option<u64>,
    /// Seconds between log polls.
    pub logs: Option<u64>,
}

/// The effective settings.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Use the built-in demo account instead of AWS (`--demo`).
    pub demo: bool,
    /// Seed of the demo account's simulation (`--seed`, default 7).
    pub seed: u64,
    /// AWS profile (`--profile`, then the file); `None` for the default credential chain.
    pub profile: Option<String>,
    /// AWS region (`--region`, then the file); `None` for the profile's / `AWS_REGION`.
    pub region: Option<String>,
    /// Custom AWS endpoint (LocalStack, moto), `None` for AWS.
    pub endpoint_url: Option<String>,
    /// Every context to read (at least one): `--context`, else every `--profile` × `--region`,
    /// else the config file's `[contexts]`, else the one of `profile` / `region` /
    /// `endpoint_url`.
    pub contexts: Vec<Context>,
    /// The context read alone is marked `production = true`.
    pub production: bool,
    /// The config file's `production_match` patterns (profile names, account ids).
    pub production_match: Vec<String>,
    /// Rule changes are refused (`--read-only` or `read_only = true`).
    pub read_only: bool,
    /// Theme name or path (default "default").
    pub theme: String,
    /// Monochrome output (`NO_COLOR` set and non-empty).
    pub no_color: bool,
    /// Metrics window in minutes (5–1440, default 180).
    pub window_minutes: u32,
    /// The customer-managed policy the runbook checks for Firehose writes.
    pub writer_policy: String,
    /// Seconds between polls per data kind, after every layer.
    pub intervals: Intervals,
    /// Action name → keys, only the ones the file rebinds (defaults live in the keymap).
    pub keys: BTreeMap<String, Vec<String>>,
    /// The config file that was read, `None` when none was.
    #[serde(skip)]
    pub config_file: Option<PathBuf>,
}

/// The contexts of these arguments and file: `--context NAME|all` (the file's), else every
/// `--profile` × `--region` given, else the file's `[contexts]`, else one context of the
/// `profile` / `region` / `endpoint_url` layers. `--endpoint-url` applies to contexts that set
/// none.
///
/// Errors: a `--context` the file does not name (the message lists the ones it has).
fn contexts(args: &GlobalArgs, file: &FileConfig, read_only: bool) -> Result<Vec<Context>> {
    let named = |name: &str, c: &FileContext| Context {
        name: name.to_string(),
        profile: c.profile.clone(),
        region: c.region.clone(),
        endpoint_url: c.endpoint_url.clone().or(args.endpoint_url.clone()),
        read_only: read_only || c.read_only.unwrap_or(false),
        production: c.production.unwrap_or(false),
        role_arn: None,
    };
    // The environment is the layer below the file, as in the AWS CLI.
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let unnamed = |profile: Option<&String>, region: Option<&String>| Context {
        name: Context::name_of(profile.map(String::as_str), region.map(String::as_str)),
        profile: profile
            .cloned()
            .or(file.profile.clone())
            .or_else(|| env("AWS_PROFILE")),
        region: region
            .cloned()
            .or(file.region.clone())
            .or_else(|| env("AWS_REGION")),
        endpoint_url: args.endpoint_url.clone().or(file.endpoint_url.clone()),
        read_only,
        production: false,
        role_arn: None,
    };
    if !args.context.is_empty() {
        let mut out: Vec<Context> = Vec::new();
        for want in &args.context {
            if want == "all" {
                out.extend(file.contexts.iter().map(|(n, c)| named(n, c)));
                continue;
            }
            let c = file.contexts.get(want).with_context(|| {
                let have: Vec<&str> = file.contexts.keys().map(String::as_str).collect();
                format!(
                    "no context {want} in the config file (it has: {})",
                    if have.is_empty() {
                        "none".to_string()
                    } else {
                        have.join(", ")
                    }
                )
            })?;
            out.push(named(want, c));
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert(c.name.clone()));
        return Ok(out);
    }
    if args.profile.is_empty() && args.region.is_empty() && !file.contexts.is_empty() {
        return Ok(file.contexts.iter().map(|(n, c)| named(n, c)).collect());
    }
    let profiles: Vec<Option<&String>> = if args.profile.is_empty() {
        vec![None]
    } else {
        args.profile.iter().map(Some).collect()
    };
    let regions: Vec<Option<&String>> = if args.region.is_empty() {
        vec![None]
    } else {
        args.region.iter().map(Some).collect()
    };
    let mut out: Vec<Context> = Vec::new();
    for p in &profiles {
        for r in &regions {
            let c = unnamed(*p, *r);
            if !out.iter().any(|o| o.name == c.name) {
                out.push(c);
            }
        }
    }
    // One context keeps the name of what it reads from the layers below the flags.
    if let [one] = out.as_mut_slice() {
        one.name = Context::name_of(one.profile.as_deref(), one.region.as_deref());
    }
    Ok(out)
}

/// Whether a context is production: marked so (`production = true`), or its profile name or
/// account id matches one of `patterns` (wildmatch: `*` any run of characters, `?` one).
pub fn is_production(
    marked: bool,
    patterns: &[String],
    profile: Option<&str>,
    account: Option<&str>,
) -> bool {
    marked
        || patterns.iter().any(|p| {
            let m = wildmatch::WildMatch::new(p);
            profile.is_some_and(|x| m.matches(x)) || account.is_some_and(|x| m.matches(x))
        })
}

/// The default config file: `$XDG_CONFIG_HOME/fhtop/config.toml` (platform config dir), if known.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("fhtop").join("config.toml"))
}

/// Reads and parses a config file.
///
/// Errors: the file cannot be read, or is not valid TOML / has unknown fields.
pub fn load_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in config file {}", path.display()))
}

impl Settings {
    /// These settings for context `c` alone: its profile, region and endpoint, its production
    /// mark, read-only when it or the settings are.
    pub fn narrowed(&self, c: &Context) -> Settings {
        Settings {
            profile: c.profile.clone(),
            region: c.region.clone(),
            endpoint_url: c.endpoint_url.clone(),
            read_only: self.read_only || c.read_only,
            production: c.production,
            contexts: vec![c.clone()],
            ..self.clone()
        }
    }

    /// Build the effective settings. `env_no_color` is whether NO_COLOR is set (non-empty).
    pub fn resolve(args: &GlobalArgs, env_no_color: bool) -> Result<Self> {
        let (file, config_file) = match &args.config {
            Some(p) => (load_file(p)?, Some(p.clone())),
            None => match default_config_path() {
                Some(p) if p.exists() => (load_file(&p)?, Some(p)),
                _ => (FileConfig::default(), None),
            },
        };
        Self::layer(args, file, config_file, env_no_color)
    }

    /// Layers command-line arguments over a parsed config file over the defaults (`refresh` then
    /// `[intervals]` then `--refresh`). Errors: none today (the `Result` is for future validation).
    pub fn layer(
        args: &GlobalArgs,
        file: FileConfig,
        config_file: Option<PathBuf>,
        env_no_color: bool,
    ) -> Result<Self> {
        let demo = args.demo;
        let mut intervals = Intervals::defaults(demo);
        if let Some(r) = file.refresh {
            intervals.metrics = r;
            intervals.alarms = r;
        }
        if let Some(i) = &file.intervals {
            intervals.inventory = i.inventory.unwrap_or(intervals.inventory);
            intervals.metrics = i.metrics.unwrap_or(intervals.metrics);
            intervals.alarms = i.alarms.unwrap_or(intervals.alarms);
            intervals.logs = i.logs.unwrap_or(intervals.logs);
        }
        if let Some(r) = args.refresh {
            intervals.metrics = r;
            intervals.alarms = r;
            intervals.logs = intervals.logs.min(r);
        }
        let window_minutes = args
            .window
            .or(file.window_minutes)
            .unwrap_or(180)
            .clamp(5, 1440);
        // Any layer can turn read-only on; none can turn it off once on.
        let read_only = args.read_only || file.read_only.unwrap_or(false);
        let contexts = contexts(args, &file, read_only)?;
        Ok(Self {
            demo,
            seed: args.seed.unwrap_or(7),
            profile: contexts.first().and_then(|c| c.profile.clone()),
            region: contexts.first().and_then(|c| c.region.clone()),
            endpoint_url: contexts.first().and_then(|c| c.endpoint_url.clone()),
            // A context read alone keeps its own read-only and production marks.
            read_only: read_only || matches!(contexts.as_slice(), [one] if one.read_only),
            production: matches!(contexts.as_slice(), [one] if one.production),
            production_match: file.production_match.clone(),
            contexts,
            theme: args
                .theme
                .clone()
                .or(file.theme)
                .unwrap_or_else(|| "default".to_string()),
            no_color: env_no_color,
            window_minutes,
            writer_policy: args
                .writer_policy
                .clone()
                .or(file.writer_policy)
                .unwrap_or_else(|| "firehose_writer".to_string()),
            intervals,
            keys: file.keys,
            config_file,
        })
    }

    /// The effective configuration in the config file's own format, with `keys` the key
    /// bindings (the UI keymap's `to_config`: action name → keys), so printing needs no UI type.
    pub fn to_toml(&self, keys: BTreeMap<String, Vec<String>>) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            theme: &'a str,
            read_only: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            profile: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            region: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            endpoint_url: Option<&'a str>,
            window_minutes: u32,
            writer_policy: &'a str,
            intervals: Intervals,
            keys: BTreeMap<String, Vec<String>>,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            production_match: &'a [String],
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            contexts: BTreeMap<&'a str, ContextOut<'a>>,
        }
        #[derive(Serialize)]
        struct ContextOut<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            profile: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            region: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            endpoint_url: Option<&'a str>,
            read_only: bool,
            production: bool,
        }
        let out = Out {
            theme: &self.theme,
            read_only: self.read_only,
            profile: self.profile.as_deref(),
            region: self.region.as_deref(),
            endpoint_url: self.endpoint_url.as_deref(),
            window_minutes: self.window_minutes,
            writer_policy: &self.writer_policy,
            intervals: self.intervals,
            keys,
            production_match: &self.production_match,
            // Several contexts: each as the file's [contexts.NAME] would give it.
            contexts: if self.contexts.len() > 1 {
                self.contexts
                    .iter()
                    .map(|c| {
                        (
                            c.name.as_str(),
                            ContextOut {
                                profile: c.profile.as_deref(),
                                region: c.region.as_deref(),
                                endpoint_url: c.endpoint_url.as_deref(),
                                read_only: c.read_only,
                                production: c.production,
                            },
                        )
                    })
                    .collect()
            } else {
                BTreeMap::new()
            },
        };
        let source = match &self.config_file {
            Some(p) => format!("# config file: {}\n", p.display()),
            None => "# config file: none (defaults)\n".to_string(),
        };
        format!(
            "{source}{}",
            toml::to_string_pretty(&out).unwrap_or_else(|e| format!("# cannot print: {e}\n"))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_beats_file_beats_defaults() {
        let file: FileConfig = toml::from_str(
            r#"
            theme = "light"
            refresh = 30
            window_minutes = 60
            [intervals]
            logs = 7
            [keys]
            quit = ["x"]
            "#,
        )
        .unwrap();
        let args = GlobalArgs {
            theme: Some("ansi16".into()),
            ..Default::default()
        };
        let s = Settings::layer(&args, file, None, false).unwrap();
        assert_eq!(s.theme, "ansi16");
        assert_eq!(s.intervals.metrics, 30);
        assert_eq!(s.intervals.logs, 7);
        assert_eq!(s.intervals.inventory, 300);
        assert_eq!(s.window_minutes, 60);
        assert_eq!(s.keys["quit"], vec!["x".to_string()]);
        assert!(!s.read_only);
    }

    #[test]
    fn read_only_from_any_layer_wins() {
        let file: FileConfig = toml::from_str("read_only = true").unwrap();
        let s = Settings::layer(&GlobalArgs::default(), file, None, false).unwrap();
        assert!(s.read_only);
    }

    #[test]
    fn refresh_flag_sets_metric_and_alarm_intervals() {
        let args = GlobalArgs {
            refresh: Some(3),
            demo: true,
            ..Default::default()
        };
        let s = Settings::layer(&args, FileConfig::default(), None, false).unwrap();
        assert_eq!(
            (s.intervals.metrics, s.intervals.alarms, s.intervals.logs),
            (3, 3, 2)
        );
    }

    #[test]
    fn contexts_come_from_flags_then_the_file() {
        let file: FileConfig = toml::from_str(
            r#"
            [contexts.lake]
            profile = "lake-ro"
            region = "eu-west-1"
            production = true
            [contexts.dr]
            profile = "lake-ro"
            region = "eu-central-1"
            read_only = true
            "#,
        )
        .unwrap();
        // Every profile × every region given.
        let args = GlobalArgs {
            profile: vec!["a".into(), "b".into()],
            region: vec!["us-east-1".into(), "us-west-2".into()],
            ..Default::default()
        };
        let s = Settings::layer(&args, FileConfig::default(), None, false).unwrap();
        let names: Vec<&str> = s.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["a/us-east-1", "a/us-west-2", "b/us-east-1", "b/us-west-2"]
        );
        assert_eq!(s.profile.as_deref(), Some("a"));
        // No flags: the file's contexts, with their marks.
        let s = Settings::layer(&GlobalArgs::default(), file, None, false).unwrap();
        let lake = s.contexts.iter().find(|c| c.name == "lake").unwrap();
        assert!(lake.production && !lake.read_only);
        assert!(s.contexts.iter().any(|c| c.name == "dr" && c.read_only));
        // --context picks; an unknown one names the ones there are.
        let file: FileConfig = toml::from_str("[contexts.lake]\nregion = \"eu-west-1\"").unwrap();
        let args = GlobalArgs {
            context: vec!["nope".into()],
            ..Default::default()
        };
        let e = Settings::layer(&args, file, None, false).unwrap_err();
        assert!(format!("{e:#}").contains("it has: lake"), "{e:#}");
        // Nothing at all: one context of the defaults.
        let s =
            Settings::layer(&GlobalArgs::default(), FileConfig::default(), None, false).unwrap();
        assert_eq!(s.contexts.len(), 1);
        assert_eq!(s.contexts[0].name, "default");
    }

    #[test]
    fn production_is_marked_or_matched() {
        let pats = vec!["*prod*".to_string(), "1111?2222333".to_string()];
        assert!(is_production(true, &[], None, None));
        assert!(is_production(false, &pats, Some("lake-prod-ro"), None));
        assert!(is_production(false, &pats, None, Some("111102222333")));
        assert!(!is_production(
            false,
            &pats,
            Some("lake-dev"),
            Some("123456789012")
        ));
        // A context of the file marked production, read alone, marks the settings.
        let file: FileConfig =
            toml::from_str("production_match = [\"*prod*\"]\n[contexts.lake]\nproduction = true")
                .unwrap();
        let s = Settings::layer(&GlobalArgs::default(), file, None, false).unwrap();
        assert!(s.production);
        assert_eq!(s.production_match, vec!["*prod*".to_string()]);
    }

    #[test]
    fn unknown_config_keys_are_errors() {
        assert!(toml::from_str::<FileConfig>("thme = \"x\"").is_err());
    }
}
