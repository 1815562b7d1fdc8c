//! A real terminal for end-to-end tests: tmux on a private socket, keys typed, screen read.
//! Waits poll the screen with a generous deadline; no assertion depends on machine speed.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The binary under test: `FHTOP_BIN` (tests/run.sh sets the release build) or the test
/// profile's build.
pub fn binary() -> String {
    std::env::var("FHTOP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_fhtop").to_string())
}

pub const DEADLINE: Duration = Duration::from_secs(60);

pub struct Tmux {
    socket: String,
    pub dir: PathBuf,
}

impl Tmux {
    pub fn start(name: &str) -> Self {
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

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn literal(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    pub fn display(&self, fmt: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", fmt])
            .trim()
            .to_string()
    }

    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    pub fn launch(&self, extra: &str) {
        self.launch_with("", &format!("--demo {extra}"));
    }

    /// Run the binary under test with `env` (`K=V ...`) and `args`, and wait for the screen.
    pub fn launch_with(&self, env: &str, args: &str) {
        // Config and the inventory cache are the test's own: runs never see each other's.
        let cmd = format!(
            "XDG_CONFIG_HOME={dir} XDG_CACHE_HOME={dir}/cache {env} {} {args}",
            binary(),
            dir = self.dir.display(),
        );
        self.literal(&cmd);
        self.keys(&["Enter"]);
        self.wait_text("Pipelines (");
    }

    /// The pid of fhtop, a child of the pane's shell.
    pub fn app_pid(&self) -> String {
        let shell = self.display("#{pane_pid}");
        let out = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Back at the shell: main screen, cursor visible, terminal in cooked mode with echo.
    pub fn assert_terminal_restored(&self, how: &str) {
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
