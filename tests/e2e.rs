//! The real binary in a pseudo-terminal (tmux): launch, navigate, quit with status 0, terminal restored.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::moto::moto;

const BIN: &str = env!("CARGO_BIN_EXE_ecsdeck");

struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `args` in a 120x40 tmux pane. After the app exits, the pane prints its exit status and the
    /// terminal modes (stty), which show whether raw mode was undone.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "ecsdeck-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let dir = tempfile::tempdir().unwrap();
        let mut command = format!(
            // Inherited AWS credentials never reach the app under test: only what a test sets.
            "cd {} && env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
             -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_ENDPOINT_URL -u RUST_BACKTRACE \
             XDG_CONFIG_HOME={0}/config XDG_DATA_HOME={0}/data HOME={0}",
            dir.path().display()
        );
        for (k, v) in env {
            command.push_str(&format!(" {k}='{v}'"));
        }
        command.push_str(&format!(
            " {BIN} --log-file {}/ecsdeck.log",
            dir.path().display()
        ));
        for a in args {
            command.push_str(&format!(" '{a}'"));
        }
        command.push_str("; echo EXIT=$?; stty -a | tr '\\n' ' '; echo; echo E2E-DONE; sleep 600");
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                "sh",
                "-c",
                &command,
            ])
            .status()
            .expect("tmux must be installed to run the end-to-end tests");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket, dir }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J", "-S", "-200"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > timeout {
                let log = std::fs::read_to_string(self.log()).unwrap_or_default();
                panic!(
                    "{text:?} did not appear within {timeout:?}. Screen:\n{screen}\nLog:\n{log}"
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One key at a time, with a pause: two quick Escapes would reach the app as Alt-Esc.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "0", k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("ecsdeck.log")
    }

    /// Waits for the exit line and checks the terminal is back in cooked mode with echo.
    fn assert_clean_exit(&self) {
        // The marker comes after the stty output: waiting for EXIT= alone would race it.
        let screen = self.wait_for("E2E-DONE", Duration::from_secs(10));
        assert!(screen.contains("EXIT=0"), "non-zero exit:\n{screen}");
        let modes = screen.split("EXIT=0").nth(1).unwrap_or_default();
        assert!(
            modes.contains(" icanon") && modes.contains(" echo "),
            "terminal left in raw mode: {modes}"
        );
        assert!(
            !screen.contains("profile "),
            "the alternate screen was not left:\n{screen}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn demo_browse_and_quit_restores_the_terminal() {
    let t = Tmux::start(&["--demo", "--demo-latency-ms", "5"], &[]);
    t.wait_for("production", Duration::from_secs(10));
    t.keys(&["j", "Enter"]);
    t.wait_for("services (production)", Duration::from_secs(5));
    t.wait_for("payments", Duration::from_secs(5));
    t.keys(&["/", "p", "a", "y", "Enter", "Enter"]);
    t.wait_for("tasks (payments)", Duration::from_secs(5));
    t.wait_for("Task failed ELB health checks", Duration::from_secs(5));
    t.keys(&["q", "q", "q"]);
    t.assert_clean_exit();
    let log = std::fs::read_to_string(t.log()).unwrap();
    assert!(log.contains("starting"), "logs go to the log file: {log}");
}

#[test]
fn demo_logs_of_a_service_appear_within_2_seconds_search_finds_a_word_and_q_returns() {
    let t = Tmux::start(
        &[
            "--demo",
            "--demo-latency-ms",
            "5",
            "--cluster",
            "production",
        ],
        &[],
    );
    t.wait_for("payments", Duration::from_secs(10));
    t.keys(&["/", "p", "a", "y", "Enter", "l"]);
    t.wait_for("logs: service payments", Duration::from_secs(5));
    let opened = Instant::now();
    t.wait_for(" INFO ", Duration::from_secs(2));
    assert!(opened.elapsed() <= Duration::from_secs(2));
    t.wait_for("● Live Tail", Duration::from_secs(5));
    t.keys(&["/", "h", "e", "a", "l", "t", "h", "Enter"]);
    let screen = t.wait_for("/health (n/N)", Duration::from_secs(5));
    assert!(
        screen.contains("PAUSED"),
        "a search stops following:\n{screen}"
    );
    t.keys(&["q"]);
    t.wait_for("services (production)", Duration::from_secs(5));
    t.keys(&["q", "q"]);
    t.assert_clean_exit();
}

#[test]
fn demo_charts_of_a_failing_service_its_alarm_and_a_longer_window() {
    let t = Tmux::start(
        &[
            "--demo",
            "--demo-latency-ms",
            "5",
            "--cluster",
            "production",
        ],
        &[],
    );
    // The demo's failed rollout has its 5XX alarm firing: the list says so before anything is opened.
    t.wait_for("payments IN ALARM", Duration::from_secs(10));
    t.keys(&["/", "p", "a", "y", "Enter", "m"]);
    t.wait_for("payments (metrics)", Duration::from_secs(5));
    let screen = t.wait_for("Target 5XX rate · data", Duration::from_secs(5));
    assert!(screen.contains("CPU utilization"), "{screen}");
    t.wait_for(
        "● ALARM production-payments-target-5xx",
        Duration::from_secs(5),
    );
    t.keys(&["]"]);
    t.wait_for("window 3h", Duration::from_secs(5));
    t.keys(&["q"]);
    t.wait_for("services (production)", Duration::from_secs(5));
    t.keys(&["q", "q"]);
    t.assert_clean_exit();
}

/// The audit log under the test's XDG data directory.
fn audit_log(t: &Tmux) -> Option<String> {
    let dir = t.dir.path().join("data");
    let found = walk(&dir)
        .into_iter()
        .find(|p| p.ends_with("audit.jsonl"))?;
    std::fs::read_to_string(found).ok()
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn demo_scale_with_confirmation_then_the_new_count_runs() {
    let t = Tmux::start(
        &[
            "--demo",
            "--demo-latency-ms",
            "5",
            "--cluster",
            "production",
        ],
        &[],
    );
    t.wait_for("payments", Duration::from_secs(10));
    t.keys(&["/", "w", "e", "b", "Enter", "S"]);
    t.wait_for("scale: web (production)", Duration::from_secs(5));
    t.keys(&["BSpace", "BSpace", "BSpace", "7", "Enter"]);
    let screen = t.wait_for("y send", Duration::from_secs(5));
    assert!(
        screen.contains("→ 7"),
        "the change is shown:
{screen}"
    );
    assert!(
        screen.contains(
            r#"ecs:UpdateService {"cluster":"production","service":"web","desiredCount":7}"#
        ),
        "the request is shown:
{screen}"
    );
    t.keys(&["y"]);
    t.wait_for("deploy: web (production)", Duration::from_secs(5));
    // The simulated tasks take a few seconds to provision, start and pass health checks.
    t.wait_for("SUCCEEDED: 7 tasks running", Duration::from_secs(40));
    // The pane under the events tails the revision's lines.
    t.wait_for("logs: service web", Duration::from_secs(5));
    t.wait_for(" INFO ", Duration::from_secs(10));
    let audit = audit_log(&t).expect("an audit log in the data directory");
    assert!(
        audit.contains(r#""after":"desired 7""#) && audit.contains(r#""outcome":"ok""#),
        "{audit}"
    );
    t.keys(&["q", "q", "q", "q"]);
    t.assert_clean_exit();
}

#[test]
fn demo_read_only_refuses_to_scale_and_sends_nothing() {
    let t = Tmux::start(
        &[
            "--demo",
            "--demo-latency-ms",
            "5",
            "--cluster",
            "production",
            "--read-only",
        ],
        &[],
    );
    t.wait_for("READ-ONLY", Duration::from_secs(10));
    t.wait_for("payments", Duration::from_secs(10));
    t.keys(&["/", "w", "e", "b", "Enter", "S"]);
    t.wait_for(
        "read-only mode: scale refused, nothing was sent",
        Duration::from_secs(5),
    );
    assert!(!t.screen().contains("scale: web"), "no dialog opened");
    assert_eq!(audit_log(&t), None, "nothing was executed");
    t.keys(&["q", "q", "q"]);
    t.assert_clean_exit();
}

#[test]
fn an_unknown_cluster_is_a_message_on_screen_not_an_exit() {
    let t = Tmux::start(&["--demo", "--cluster", "nope"], &[]);
    t.wait_for("cluster nope not found", Duration::from_secs(10));
    t.keys(&["Escape"]);
    t.wait_for("staging", Duration::from_secs(5));
    t.keys(&[":", "q", "Enter"]);
    t.assert_clean_exit();
}

#[test]
fn against_moto_it_shows_the_seeded_cluster_and_its_services() {
    let moto = moto();
    let region = "eu-north-1";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region))
            .endpoint_url(&moto.endpoint)
            .credentials_provider(aws_sdk_ecs::config::Credentials::new(
                "k", "s", None, None, "t",
            ))
            .load()
            .await;
        let ecs = aws_sdk_ecs::Client::new(&conf);
        ecs.create_cluster()
            .cluster_name("e2e-cluster")
            .send()
            .await
            .unwrap();
        ecs.register_task_definition()
            .family("api")
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("api")
                    .image("nginx")
                    .memory(128)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        ecs.create_service()
            .cluster("e2e-cluster")
            .service_name("e2e-api")
            .task_definition("api:1")
            .desired_count(3)
            .send()
            .await
            .unwrap();
    });
    let t = Tmux::start(
        &["--endpoint-url", &moto.endpoint, "--region", region],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let screen = t.wait_for("e2e-cluster", Duration::from_secs(15));
    assert!(
        screen.contains(&moto.endpoint),
        "the header shows the endpoint:\n{screen}"
    );
    t.keys(&["Enter"]);
    let screen = t.wait_for("e2e-api", Duration::from_secs(10));
    assert!(screen.contains("api:1"), "{screen}");
    t.keys(&["q", "q"]);
    t.assert_clean_exit();
}

fn run_plain(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("HOME", dir)
        .output()
        .unwrap()
}

#[test]
fn a_malformed_config_is_reported_with_file_line_and_key_before_the_terminal_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"dark\"\nrefresh_seconds = \"fast\"\n").unwrap();
    let out = run_plain(
        &["--demo", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml, line 2, key `refresh_seconds`"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing drawn: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_malformed_user_theme_is_reported_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("config").join("ecsdeck").join("themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(
        themes.join("mine.toml"),
        "[styles]\nok = { fg = \"green\" }\nerror = { fg = \"reddish\" }\n",
    )
    .unwrap();
    let out = run_plain(&["--demo", "--theme", "mine"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mine.toml, line 3, key `styles.error`"),
        "{stderr}"
    );
    let out = run_plain(&["--demo", "--theme", "nosuch"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no theme named \"nosuch\"") && stderr.contains("dark, light"),
        "{stderr}"
    );
}

#[test]
fn without_a_terminal_it_says_so_instead_of_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_plain(&["--demo"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs an interactive terminal"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn without_credentials_the_screen_says_what_to_do() {
    let empty = tempfile::tempdir().unwrap();
    let t = Tmux::start(
        &[
            "--region",
            "eu-west-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            (
                "AWS_CONFIG_FILE",
                &empty.path().join("config").display().to_string(),
            ),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                &empty.path().join("credentials").display().to_string(),
            ),
        ],
    );
    let screen = t.wait_for("no valid credentials", Duration::from_secs(15));
    assert!(
        screen.contains("set AWS_PROFILE or pass --profile"),
        "{screen}"
    );
    t.keys(&["q"]);
    t.assert_clean_exit();
}

#[test]
fn a_panic_restores_the_terminal_and_is_logged() {
    let t = Tmux::start(&["--demo"], &[("ECSDECK_CRASH_TEST", "1")]);
    let screen = t.wait_for("E2E-DONE", Duration::from_secs(10));
    assert!(
        screen.contains("EXIT=101"),
        "a panic exits with 101:\n{screen}"
    );
    assert!(
        screen.contains("crash test requested"),
        "the panic message is readable:\n{screen}"
    );
    // Said after the terminal is back: where the details are.
    let log_line = format!("the log file {} has the details", t.log().display());
    assert!(
        screen.contains(&log_line),
        "{log_line:?} missing:\n{screen}"
    );
    let modes = screen.split("EXIT=101").nth(1).unwrap_or_default();
    assert!(
        modes.contains(" icanon") && modes.contains(" echo "),
        "terminal left in raw mode: {modes}"
    );
    let log = std::fs::read_to_string(t.log()).unwrap();
    assert!(
        log.contains("panic") && log.contains("crash test requested"),
        "{log}"
    );
}

impl Tmux {
    /// The process id of ecsdeck: the child of the pane's shell.
    fn app_pid(&self) -> u32 {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "display-message", "-p", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let children =
            std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
        children
            .split_whitespace()
            .next()
            .and_then(|pid| pid.parse().ok())
            .unwrap_or_else(|| panic!("no child process under the pane's shell {shell}"))
    }

    /// A tmux format of the pane, e.g. `#{cursor_flag}`.
    fn pane_format(&self, format: &str) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "display-message", "-p", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn tmux(&self, args: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "tmux {args:?} failed");
    }
}

#[test]
fn a_signal_from_outside_restores_the_terminal_and_exits_with_128_plus_its_number() {
    for (signal, number) in [("TERM", 15), ("HUP", 1), ("INT", 2), ("QUIT", 3)] {
        let t = Tmux::start(&["--demo", "--demo-latency-ms", "5"], &[]);
        t.wait_for("production", Duration::from_secs(10));
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &t.app_pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let screen = t.wait_for("E2E-DONE", Duration::from_secs(10));
        let exit = format!("EXIT={}", 128 + number);
        assert!(
            screen.contains(&exit),
            "SIG{signal}: expected {exit}:\n{screen}"
        );
        let modes = screen.split(&exit).nth(1).unwrap_or_default();
        assert!(
            modes.contains(" icanon") && modes.contains(" echo "),
            "SIG{signal}: terminal left in raw mode: {modes}"
        );
        assert!(
            !screen.contains("profile "),
            "SIG{signal}: the alternate screen was not left:\n{screen}"
        );
        assert_eq!(
            t.pane_format("#{alternate_on}"),
            "0",
            "SIG{signal}: alternate screen"
        );
        assert_eq!(
            t.pane_format("#{cursor_flag}"),
            "1",
            "SIG{signal}: the cursor is hidden"
        );
        let log = std::fs::read_to_string(t.log()).unwrap();
        assert!(
            log.contains(&format!("SIG{signal}")),
            "SIG{signal} is logged: {log}"
        );
    }
}

/// 10 KB on one line: a paste of a log line, say.
fn big_paste() -> String {
    "pasted-text-0123456789 ".repeat(450)
}

#[test]
fn after_a_10kb_plain_paste_into_the_filter_esc_is_acted_on_at_once() {
    let t = Tmux::start(
        &["--demo", "--demo-latency-ms", "5"],
        &[("ECSDECK_LOG", "ecsdeck=trace")],
    );
    t.wait_for("production", Duration::from_secs(10));
    t.keys(&["/"]);
    t.wait_for("Enter keep", Duration::from_secs(5));
    // Without -p: the bytes arrive as typed keys, as from a terminal without bracketed paste. send-keys -l
    // writes them to the terminal in one go (paste-buffer trickles them in small writes, which hides the
    // bug); Esc follows in the same tmux command, so it comes right after the last pasted byte.
    t.tmux(&[
        "send-keys",
        "-t",
        "0",
        "-l",
        &big_paste(),
        ";",
        "send-keys",
        "-t",
        "0",
        "Escape",
    ]);
    let start = Instant::now();
    loop {
        let screen = t.screen();
        if !screen.contains("▏") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "Esc was not acted on after the paste:\n{screen}\nLog:\n{}",
            std::fs::read_to_string(t.log()).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys(&["q"]);
    t.assert_clean_exit();
}

#[test]
fn a_10kb_bracketed_paste_into_the_filter_is_one_step_and_esc_is_acted_on_at_once() {
    let t = Tmux::start(&["--demo", "--demo-latency-ms", "5"], &[]);
    t.wait_for("production", Duration::from_secs(10));
    t.keys(&["/"]);
    t.wait_for("Enter keep", Duration::from_secs(5));
    let text = format!("{}\nsecond line\n", big_paste());
    t.tmux(&["set-buffer", "-b", "big", &text]);
    // -p: wrapped in the bracketed paste markers the app asked for.
    t.tmux(&["paste-buffer", "-p", "-r", "-b", "big", "-t", "0"]);
    let screen = t.wait_for(
        "kept 1000 of 10362 pasted characters",
        Duration::from_secs(5),
    );
    assert!(
        screen.contains("line breaks became spaces"),
        "the paste is cut with a message, never silently:\n{screen}"
    );
    t.keys(&["Escape"]);
    let start = Instant::now();
    while t.screen().contains("▏") {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "Esc was not acted on after the paste:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys(&["q"]);
    t.assert_clean_exit();
}

#[test]
fn keys_remapped_in_the_config_work_in_the_real_binary() {
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("keys.toml");
    std::fs::write(
        &config,
        "[keys]\nhelp = \"F2\"\n\n[keys.services]\nscale = \"x\"\n",
    )
    .unwrap();
    let t = Tmux::start(
        &[
            "--demo",
            "--demo-latency-ms",
            "5",
            "--cluster",
            "production",
            "--config",
            config.to_str().unwrap(),
        ],
        &[],
    );
    t.wait_for("payments", Duration::from_secs(10));
    let screen = t.wait_for("F2 help", Duration::from_secs(5));
    assert!(
        screen.contains("x scale"),
        "the footer shows the user's keys:\n{screen}"
    );
    t.keys(&["F2"]);
    let screen = t.wait_for(
        "Keys on this screen (services list)",
        Duration::from_secs(5),
    );
    assert!(screen.contains("x       scale"), "{screen}");
    t.keys(&["Escape", "/", "w", "e", "b", "Enter", "S"]);
    t.wait_for("S (scale) is x on this screen", Duration::from_secs(5));
    assert!(
        !t.screen().contains("scale: web"),
        "S no longer scales here"
    );
    t.keys(&["x"]);
    t.wait_for("scale: web (production)", Duration::from_secs(5));
    t.keys(&["Escape", "q", "q"]);
    t.assert_clean_exit();
}

#[test]
fn a_keys_conflict_is_reported_with_file_line_and_both_actions_before_the_terminal_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[keys.services]\nscale = \"s\"\n").unwrap();
    let out = run_plain(
        &["--demo", "--config", config.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml, line 2, key `keys.services.scale`")
            && stderr.contains("`scale` and `sort_next`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing drawn");
}
