//! End to end, as a user: the real binary in a real terminal (tmux), keys typed, screen read.
//! Needs `tmux` (installed by `.ci/run`). Waits poll the screen with a generous deadline; no
//! assertion depends on how fast the machine is.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

struct Tmux {
    socket: String,
    dir: PathBuf,
}

impl Tmux {
    fn start(name: &str) -> Self {
        let socket = format!("fhtop-test-{}-{name}", std::process::id());
        let dir = std::env::temp_dir().join(&socket);
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let t = Self { socket, dir };
        let ok = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "160",
                "-y",
                "48",
            ])
            .arg("env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=/tmp bash --norc --noprofile")
            .status()
            .expect("tmux is installed (apt-get install tmux)");
        assert!(ok.success(), "tmux session starts");
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn literal(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    fn display(&self, fmt: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", fmt])
            .trim()
            .to_string()
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    fn launch(&self, extra: &str) {
        let cmd = format!(
            "XDG_CONFIG_HOME={} {} --demo {extra}",
            self.dir.display(),
            env!("CARGO_BIN_EXE_fhtop")
        );
        self.literal(&cmd);
        self.keys(&["Enter"]);
        self.wait_text("Pipelines (");
    }

    /// The pid of fhtop, a child of the pane's shell.
    fn app_pid(&self) -> String {
        let shell = self.display("#{pane_pid}");
        let out = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Back at the shell: main screen, cursor visible, terminal in cooked mode with echo.
    fn assert_terminal_restored(&self, how: &str) {
        let start = Instant::now();
        while self.display("#{pane_current_command}") != "bash" {
            assert!(start.elapsed() < DEADLINE, "{how}: fhtop did not exit");
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(
            self.display("#{alternate_on}"),
            "0",
            "{how}: left the alternate screen"
        );
        assert_eq!(self.display("#{cursor_flag}"), "1", "{how}: cursor visible");
        let file = self.dir.join("stty.txt");
        let _ = std::fs::remove_file(&file);
        self.literal(&format!("stty -a > {}", file.display()));
        self.keys(&["Enter"]);
        let start = Instant::now();
        let stty = loop {
            if let Ok(s) = std::fs::read_to_string(&file)
                && s.contains("icanon")
            {
                break s;
            }
            assert!(start.elapsed() < DEADLINE, "{how}: stty did not run");
            std::thread::sleep(Duration::from_millis(100));
        };
        let words: Vec<&str> = stty.split_whitespace().collect();
        for w in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(words.contains(&w), "{how}: {w} is off after exit:\n{stty}");
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn table_rows(screen: &str) -> String {
    screen
        .lines()
        .skip(4)
        .take(12)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_is_live_and_every_key_in_the_help_works() {
    let t = Tmux::start("keys");
    t.launch("--refresh 2");
    let first = t.screen();
    assert!(first.contains("DEMO"));
    // Live: the numbers move without a key press.
    let before = table_rows(&first);
    t.wait_for("metrics to move", |s| table_rows(s) != before);

    t.literal("?");
    let help = t.wait_text("Help");
    for a in [
        "next pane",
        "filter the focused list",
        "refresh everything now",
    ] {
        assert!(help.contains(a), "{a}");
    }
    t.keys(&["Escape"]);
    t.wait_for("help to close", |s| !s.contains("? or Esc closes"));

    for (key, title) in [
        ("2", "Streams ("),
        ("3", "Rules ("),
        ("4", "Alarms ("),
        ("5", "Logs —"),
        ("6", "App log"),
        ("1", "Pipelines ("),
    ] {
        t.literal(key);
        t.wait_text(title);
    }
    t.keys(&["Tab"]);
    t.wait_text("Streams (");
    t.keys(&["BTab"]);
    t.wait_text("Pipelines (");

    // Move, drill in, back.
    t.literal("j");
    t.literal("k");
    t.keys(&["Enter"]);
    t.wait_text("Stream clickstream-raw");
    t.keys(&["Escape"]);
    t.wait_text("Pipelines (");
    t.literal("G");
    t.literal("g");
    t.keys(&["PageDown", "PageUp"]);

    // Filter.
    t.literal("/payment");
    t.keys(&["Enter"]);
    t.wait_text("Pipelines (2)");
    t.keys(&["Escape"]);
    t.wait_for("filter cleared", |s| {
        !s.contains("Pipelines (2)") && s.contains("Pipelines (")
    });

    // Refresh shows up in the app log; follow toggles in the logs pane.
    t.literal("r");
    t.literal("6");
    t.wait_text("refresh requested");
    t.literal("5");
    t.wait_text("follow");
    t.literal("f");
    t.wait_text("paused");

    t.literal("q");
    t.assert_terminal_restored("q");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in ["TERM", "HUP"] {
        let t = Tmux::start(&format!("sig{sig}"));
        t.launch("");
        let pid = t.app_pid();
        assert!(!pid.is_empty(), "found fhtop's pid");
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &pid])
            .status()
            .expect("kill");
        assert!(ok.success());
        t.assert_terminal_restored(&format!("SIG{sig}"));
    }
}

#[test]
fn ctrl_c_quits() {
    let t = Tmux::start("ctrlc");
    t.launch("");
    t.keys(&["C-c"]);
    t.assert_terminal_restored("Ctrl-C");
}
