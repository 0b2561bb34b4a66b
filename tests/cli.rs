//! The real binary's non-interactive side: `ecsdeck config` (every value with where it came from),
//! `completions`, `man`, config errors naming file, line and key, and the log file it leaves.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ecsdeck");

/// The binary with a home of its own: no config, data or AWS settings of the machine leak in.
fn ecsdeck(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("ECSDECK_AUDIT_LOG")
        .env_remove("ECSDECK_LOG")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `# origin` said after `key = ...` in the `[section]` (`""` for the top level).
fn origin_of(shown: &str, section: &str, key: &str) -> String {
    let mut current = String::new();
    for line in shown.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.to_owned();
            continue;
        }
        if current == section
            && line.split('=').next().map(str::trim) == Some(key)
            && let Some((_, origin)) = line.split_once("  # ")
        {
            return origin.trim().to_owned();
        }
    }
    panic!("{section}.{key} not shown:\n{shown}")
}

fn value_of(shown: &str, key: &str) -> String {
    shown
        .lines()
        .find(|l| l.split('=').next().map(str::trim) == Some(key))
        .and_then(|l| l.split_once('='))
        .and_then(|(_, rest)| rest.split("  #").next())
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("{key} not shown:\n{shown}"))
}

const FIXTURE: &str = "\
# a team's config
theme = \"light\"
refresh_seconds = 9

[logs]
since = \"1h\"

[metrics]
refresh_seconds = 120

[profiles.prod]
read_only = true
refresh_seconds = 30
";

#[test]
fn config_shows_every_value_with_where_it_came_from() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("team.toml");
    std::fs::write(&file, FIXTURE).unwrap();
    let file_name = file.display().to_string();
    let out = ecsdeck(
        home.path(),
        &[
            "config",
            "--config",
            &file_name,
            "--profile",
            "prod",
            "--theme",
            "dark",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.starts_with(&format!("# config file: {file_name}")),
        "{shown}"
    );
    assert_eq!(value_of(&shown, "profile"), "\"prod\"");
    assert_eq!(origin_of(&shown, "", "profile"), "flag --profile");
    // The flag beats the file.
    assert_eq!(value_of(&shown, "theme"), "\"dark\"");
    assert_eq!(origin_of(&shown, "", "theme"), "flag --theme");
    // The profile beats the file's top level.
    assert_eq!(value_of(&shown, "refresh_seconds"), "30");
    assert_eq!(
        origin_of(&shown, "", "refresh_seconds"),
        format!("profile prod ({file_name}:13)")
    );
    assert_eq!(
        origin_of(&shown, "", "read_only"),
        format!("profile prod ({file_name}:12)")
    );
    assert_eq!(
        origin_of(&shown, "logs", "since"),
        format!("file {file_name}:6")
    );
    // Not the top-level refresh_seconds on line 3: the one under [metrics].
    assert_eq!(
        origin_of(&shown, "metrics", "refresh_seconds"),
        format!("file {file_name}:9")
    );
    assert_eq!(origin_of(&shown, "logs", "buffer_lines"), "default");
    assert_eq!(origin_of(&shown, "", "log_files_kept"), "default");
}

#[test]
fn config_flags_work_before_and_after_the_subcommand_and_the_environment_is_named() {
    let home = tempfile::tempdir().unwrap();
    let before = stdout(&ecsdeck(home.path(), &["--profile", "staging", "config"]));
    let after = stdout(&ecsdeck(home.path(), &["config", "--profile", "staging"]));
    assert_eq!(before, after);
    assert_eq!(value_of(&before, "profile"), "\"staging\"");
    assert!(before.contains("# config file: none"), "{before}");

    let out = Command::new(BIN)
        .args(["config"])
        .env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env("AWS_PROFILE", "from-env")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
        .output()
        .unwrap();
    let shown = stdout(&out);
    assert_eq!(value_of(&shown, "profile"), "\"from-env\"");
    assert_eq!(origin_of(&shown, "", "profile"), "env AWS_PROFILE");
    assert_eq!(
        origin_of(&shown, "", "endpoint_url"),
        "env AWS_ENDPOINT_URL"
    );
}

#[test]
fn a_bad_config_is_refused_with_file_line_and_dotted_key() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("bad.toml");
    std::fs::write(
        &file,
        "refresh_seconds = 5\n\n[metrics]\nrefresh_seconds = 10\n",
    )
    .unwrap();
    let name = file.display().to_string();
    for args in [
        vec!["config", "--config", name.as_str()],
        vec!["--demo", "--config", name.as_str()],
    ] {
        let out = ecsdeck(home.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let said = stderr(&out);
        assert!(
            said.contains(&format!("{name}, line 4, key `metrics.refresh_seconds`")),
            "{args:?}: {said}"
        );
    }
}

#[test]
fn completions_for_each_shell_know_the_flags_and_subcommands() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = ecsdeck(home.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in ["read-only", "profile", "demo", "completions"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = ecsdeck(home.path(), &["completions", "tcsh"]);
    assert!(!out.status.success());
}

#[test]
fn the_man_page_documents_the_flags() {
    let home = tempfile::tempdir().unwrap();
    let out = ecsdeck(home.path(), &["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH ecsdeck 1"),
        "{page}"
    );
    // roff escapes the hyphens.
    let text = page.replace("\\-", "-");
    for flag in ["--read-only", "--profile", "--demo", "--log-file"] {
        assert!(text.contains(flag), "the man page lacks {flag}");
    }
}

#[test]
fn the_log_is_one_file_a_day_behind_the_named_path_flushed_at_exit_and_old_days_pruned() {
    let home = tempfile::tempdir().unwrap();
    let logs = home.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    for day in ["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"] {
        std::fs::write(logs.join(format!("app.log.{day}")), "old\n").unwrap();
    }
    std::fs::write(logs.join("app.log.notes"), "mine\n").unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "log_files_kept = 3\n").unwrap();
    let log = logs.join("app.log");
    // Without a terminal the console refuses to start, after it has logged its start: the line must be in
    // the file when the process is gone, though the writer is non-blocking.
    let out = ecsdeck(
        home.path(),
        &[
            "--demo",
            "--config",
            &config.display().to_string(),
            "--log-file",
            &log.display().to_string(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("needs an interactive terminal"),
        "{}",
        stderr(&out)
    );
    let written = std::fs::read_to_string(&log).expect("the named path reads as today's log");
    assert!(written.contains("starting"), "{written}");
    let target = std::fs::read_link(&log).expect("the named path is a link to today's file");
    let target = target.display().to_string();
    assert!(target.starts_with("app.log.20"), "{target}");
    let mut left: Vec<String> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    // Today's and the two newest old days make three; other files are not the log's to delete.
    let mut expected = vec![
        "app.log".to_owned(),
        "app.log.2020-01-03".to_owned(),
        "app.log.2020-01-04".to_owned(),
        "app.log.notes".to_owned(),
        target,
    ];
    expected.sort();
    assert_eq!(left, expected);
}

/// `ecsdeck completions bash | head -1`: a reader that closes the pipe early ends the output quietly,
/// never with a panic and a backtrace.
#[test]
fn printing_into_a_pipe_closed_early_is_not_a_crash() {
    let home = tempfile::tempdir().expect("temp home");
    for args in [
        &["completions", "elvish"][..],
        &["completions", "powershell"],
        &["completions", "bash"],
        &["man"],
    ] {
        // The read end is closed before the child writes a byte: every write fails with EPIPE.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = Command::new(BIN)
            .args(args)
            .env("HOME", home.path())
            .stdout(writer)
            .output()
            .expect("the binary runs");
        let said = stderr(&output);
        assert!(!said.contains("panicked"), "{args:?}: {said}");
        assert!(
            output.status.success(),
            "{args:?}: {:?} {said}",
            output.status
        );
    }
}

/// With stderr gone (a closed terminal window, a dropped SSH session), the last words cannot be printed; the
/// exit must still be the error's code, not a panic in `eprintln!` (exit 101).
#[test]
fn an_error_with_stderr_gone_exits_with_its_code_not_a_panic() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("bad.toml");
    std::fs::write(&file, "[metrics]\nrefresh_seconds = 10\n").unwrap();
    // A read-only descriptor as stderr: every write fails (EBADF), as EIO does once the terminal is gone.
    let unwritable = std::fs::File::open(&file).unwrap();
    let status = Command::new(BIN)
        .args(["--demo", "--config", &file.display().to_string()])
        .env("HOME", home.path())
        .stderr(unwritable)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
