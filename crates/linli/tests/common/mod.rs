//! A real server on a free port over a fresh database, and a client that speaks to it.
#![allow(dead_code)]

use linli::config::Config;
use linli::server::{self, Running};
use linli_auth::NewUser;
use linli_db::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod fixture;
#[allow(unused_imports)] // not every test file builds a community
pub use fixture::Community;

pub const ADMIN_PASSWORD: &str = "admin-password-1";

pub struct TestServer {
    pub base: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    pub company: i64,
    /// A fresh directory per server, so uploaded files stay out of the source tree.
    pub data_dir: std::path::PathBuf,
    config: Config,
    running: Option<Running>,
}

pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl TestServer {
    /// Serves on 127.0.0.1:0 with an `admin` holding the admin role company-wide.
    pub async fn start(db: TestDb) -> Self {
        Self::start_with(db, |_| {}).await
    }

    /// Like `start`, with the configuration adjusted first (SMS provider, SMTP server…).
    pub async fn start_with(db: TestDb, adjust: impl FnOnce(&mut Config)) -> Self {
        let company = server::bootstrap(&db.db, "测试物业").await.unwrap();
        let data_dir = fresh_dir();
        let config = Config {
            workers: false,
            data_dir: data_dir.clone(),
            // A fixed test key: base64 of 32 bytes of 7.
            secret_key: Some("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".into()),
            ..Config::default()
        };
        let mut config = config;
        adjust(&mut config);
        let running = server::start(db.db.clone(), &config, "127.0.0.1:0").await.unwrap();
        let s = TestServer {
            base: format!("http://{}", running.addr),
            // A fresh connection per request: a server that refused an oversized upload closes its
            // connection, and a pooled one could be reused in that instant.
            http: reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap(),
            db,
            company,
            data_dir,
            config: config.clone(),
            running: Some(running),
        };
        s.create_user("admin", Some("admin"), None).await;
        s
    }

    /// Creates a user with password `<username>-password` and an optional grant.
    pub async fn create_user(&self, username: &str, role: Option<&str>, project: Option<i64>) -> i64 {
        let new = NewUser {
            username: username.into(),
            display_name: format!("用户{username}"),
            phone: None,
            password: password_of(username),
        };
        linli::admin::create_user(&self.db.db, self.company, new, role, project).await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self, username: &str) -> String {
        let a = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": password_of(username)})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "login {username}: {}", a.body);
        a.body["token"].as_str().unwrap().to_string()
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let content_type =
            res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, content_type, body }
    }

    /// Sends a JSON body as written, for numbers `serde_json::Value` cannot hold.
    pub async fn call_text(&self, method: Method, path: &str, token: &str, body: &str) -> Answer {
        let res = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = res.status();
        let content_type =
            res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, content_type, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn create_project(&self, token: &str, name: &str) -> i64 {
        let a = self.post("/api/v1/projects", token, json!({"name": name, "kind": "residential"})).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        a.body["id"].as_i64().unwrap()
    }

    /// Stops this instance and starts a new one on the same database and configuration, as
    /// after a crash or a deploy. The address changes.
    pub async fn restart(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        let running = server::start(self.db.db.clone(), &self.config, "127.0.0.1:0").await.unwrap();
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    /// Stops the server and waits for it (and its open connections) to finish.
    pub async fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }

    /// Where `/metrics` is served on its own, with `metrics_bind` configured.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.running.as_ref()?.metrics_addr
    }

    pub fn app(&self) -> &linli_http::App {
        &self.running.as_ref().expect("running").app
    }

    /// Runs the job workers once over everything due by `at` (tests run without background workers).
    pub async fn run_jobs(&self, at: chrono::DateTime<chrono::Utc>) -> usize {
        let w = linli::jobs::worker(&self.db.db, self.app(), "test-worker".into());
        let mut total = 0;
        loop {
            let n = w.run_once(at).await.unwrap();
            total += n;
            if n == 0 {
                return total;
            }
        }
    }

    /// One claim of due jobs by `at`: a failed job's retry, due later, waits.
    pub async fn run_jobs_once(&self, at: chrono::DateTime<chrono::Utc>) -> usize {
        linli::jobs::worker(&self.db.db, self.app(), "test-worker".into()).run_once(at).await.unwrap()
    }

    pub fn backend(&self) -> &'static str {
        self.db.db.backend.as_str()
    }

    /// Binds the signed-in account to the owner with this phone through the real SMS code, as
    /// a resident does on the phone.
    pub async fn bind(&self, token: &str, phone: &str) {
        let sent = self.post("/api/v1/bindings/code", token, json!({"phone": phone})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        let code = binding_code_sent_to(phone);
        let bound = self.post("/api/v1/bindings", token, json!({"phone": phone, "code": code})).await;
        assert_eq!(bound.status, StatusCode::OK, "{}", bound.body);
    }
}

/// The code of the newest demo SMS to a phone.
pub fn binding_code_sent_to(phone: &str) -> String {
    let text = linli_people::binding::demo_sender().last_to(phone).expect("an SMS was sent");
    text.chars().filter(char::is_ascii_digit).take(6).collect()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            tokio::spawn(r.shutdown());
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn fresh_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("linli-test-data-{}-{}-{nanos}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
    std::env::temp_dir().join(name)
}

pub fn password_of(username: &str) -> String {
    if username == "admin" { ADMIN_PASSWORD.to_string() } else { format!("{username}-password") }
}

/// Asserts a problem+json answer with this status and code.
pub fn assert_problem(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status.as_u16(), status, "{}", a.body);
    assert!(a.content_type.starts_with("application/problem+json"), "content-type {}", a.content_type);
    assert_eq!(a.body["code"], code, "{}", a.body);
    assert_eq!(a.body["status"], status);
}
