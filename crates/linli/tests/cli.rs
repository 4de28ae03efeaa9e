//! The `linli` binary as an operator runs it: `admin` commands, the check of SMS templates at
//! start, and logs without terminal colours when written to a file or a pipe. Each test has a
//! data directory (and SQLite database) of its own.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn data_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    std::env::temp_dir().join(format!("linli-cli-{name}-{}-{nanos}", std::process::id()))
}

/// The binary with a data directory and no `LINLI_*` variables from the test's environment.
fn linli(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_linli"));
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("LINLI_") || n == "RUST_LOG") {
        cmd.env_remove(name);
    }
    cmd.arg("--data-dir").arg(dir).current_dir(std::env::temp_dir());
    cmd
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn create_user_describes_every_option() {
    let out = run(linli(&data_dir("help")).args(["admin", "create-user", "--help"]), None);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for (flag, words) in [
        ("--username ", "login name"),
        ("--password-stdin ", "standard input"),
        ("--password ", "process list"),
        ("--display-name ", "name staff see"),
        ("--phone ", "Mobile number"),
        ("--role ", "cashier"),
        ("--project ", "linli admin projects"),
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("no option line for {flag} in\n{help}"));
        assert!(line.contains(words), "{flag} is not described ({words:?}):\n{help}");
    }
}

/// Starts `linli serve` on a free port, logs in over HTTP and stops it.
fn login_works(dir: &std::path::Path, username: &str, password: &str) -> bool {
    let mut child = linli(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("LINLI_WORKERS", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    let status = tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
            .status()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    status.is_success()
}

#[test]
fn create_user_reads_the_password_from_stdin_and_refuses_to_go_without_one() {
    let dir = data_dir("stdin");
    let created = run(
        linli(&dir).args(["admin", "create-user", "--username", "li.na", "--role", "admin", "--password-stdin"]),
        Some("correct horse battery\n"),
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stdout).starts_with("created user "), "{}", text(&created.stdout));

    // No terminal to prompt on and no --password-stdin: a clear refusal, and no user.
    let refused = run(linli(&dir).args(["admin", "create-user", "--username", "wang"]), None);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--password-stdin"), "{}", text(&refused.stderr));
    let empty = run(linli(&dir).args(["admin", "create-user", "--username", "wang", "--password-stdin"]), Some(""));
    assert!(!empty.status.success());
    // A refusal of the account's rules says which field and why.
    let short = run(linli(&dir).args(["admin", "create-user", "--username", "x", "--password-stdin"]), Some("short\n"));
    assert!(!short.status.success());
    let why = text(&short.stderr);
    assert!(why.contains("username: invalid_format") && why.contains("password: too_short"), "{why}");

    let reset = run(
        linli(&dir).args(["admin", "reset-password", "--username", "li.na", "--password-stdin"]),
        Some("another long password\r\n"),
    );
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(login_works(&dir, "li.na", "another long password"));
    assert!(!login_works(&dir, "wang", "anything at all"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn admin_projects_lists_ids_names_kinds_and_houses() {
    let dir = data_dir("projects");
    let none = run(linli(&dir).args(["admin", "projects"]), None);
    assert!(none.status.success(), "{}", text(&none.stderr));
    assert_eq!(text(&none.stdout).lines().next(), Some("id\tname\tkind\thouses"));
    let url = format!("sqlite://{}/linli.db?mode=rwc", dir.display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = linli_db::connect(&url).await.unwrap();
        let company = linli::server::bootstrap(&db, "测试物业").await.unwrap();
        let system = linli_core::Authz::system(company);
        let projects = linli_property::ProjectService::new(std::sync::Arc::new(db.clone()));
        let p = projects
            .create(&system, linli_property::NewProject::named("翠湖花园", linli_property::ProjectKind::Residential))
            .await
            .unwrap();
        let structure = linli_property::StructureService::new(std::sync::Arc::new(db.clone()));
        let b = structure
            .create_building(
                &system,
                serde_json::from_value(serde_json::json!({"project_id": p.id, "name": "1栋", "floors_above": 6}))
                    .unwrap(),
            )
            .await
            .unwrap();
        for number in ["101", "102"] {
            let house = serde_json::json!({"building_id": b.id, "number": number, "floor": 1, "gross_area": "89.5"});
            structure.create_house(&system, serde_json::from_value(house).unwrap()).await.unwrap();
        }
        projects
            .create(&system, linli_property::NewProject::named("云栖科技园", linli_property::ProjectKind::Office))
            .await
            .unwrap();
    });
    let listed = run(linli(&dir).args(["admin", "projects"]), None);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let lines: Vec<String> = text(&listed.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[1].ends_with("\t翠湖花园\tresidential\t2"), "{lines:?}");
    assert!(lines[2].ends_with("\t云栖科技园\toffice\t0"), "{lines:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_refuses_to_start_with_an_sms_provider_missing_a_kinds_template() {
    let dir = data_dir("templates");
    let out = run(
        linli(&dir)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("LINLI_SMS_PROVIDER", "aliyun")
            .env("LINLI_SMS_TEMPLATES__BILL_ISSUED__CODE", "SMS_4412001")
            .env("LINLI_SMS_TEMPLATES__BILL_ISSUED__PARAMS", "[name, balance]"),
        None,
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("sms_templates.bill_overdue is missing"), "{err}");
    assert!(err.contains("sms_templates.bill_issued: parameter \"balance\""), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn logs_written_to_a_pipe_carry_no_colour_codes() {
    let dir = data_dir("ansi");
    let mut child = linli(&dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("LINLI_WORKERS", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("Linli is listening on http://127.0.0.1:"), "{line}");
    child.kill().unwrap();
    let err = text(&child.wait_with_output().unwrap().stderr);
    assert!(err.contains("created a new secret key"), "a log line to look at: {err}");
    assert!(err.contains("WARN"), "{err}");
    assert!(!err.contains('\u{1b}'), "escape codes in {err:?}");
    let _ = std::fs::remove_dir_all(dir);
}
