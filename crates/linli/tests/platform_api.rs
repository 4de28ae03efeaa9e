//! The platform under hostile input and outages, through the real server: spreadsheet bombs and
//! oversized bodies, rejections as problem+json, health and 503s while the database is away,
//! security headers, `/metrics` protection, and compression (not of the live stream).

mod common;

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::time::Duration;

use common::{TestServer, assert_problem};
use futures_util::StreamExt;
use linli_db::db_test;
use linli_http::MAX_BODY;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A request that declares `declared` bytes of body and sends only `sent` of them, then reads
/// the answer: the server refuses before reading the rest, and nothing unread is left in its way
/// (a client that kept writing would see its connection reset before the answer).
async fn raw_post(
    s: &TestServer,
    path: &str,
    token: &str,
    content_type: &str,
    declared: usize,
    sent: usize,
) -> common::Answer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {declared}\r\nConnection: close\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut body = vec![b'x'; sent];
    if let Some(first) = body.first_mut() {
        *first = b'"';
    }
    tcp.write_all(&body).await.unwrap();
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head.split(' ').nth(1).unwrap().parse::<u16>().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_string()))
        .unwrap_or_default();
    common::Answer {
        status: StatusCode::from_u16(status).unwrap(),
        content_type,
        body: serde_json::from_str(body).unwrap_or(Value::String(body.to_string())),
    }
}

async fn upload(s: &TestServer, token: &str, path: &str, name: &str, bytes: Vec<u8>) -> common::Answer {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let res = s.http.post(s.url(path)).bearer_auth(token).multipart(form).send().await.unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = res.text().await.unwrap();
    common::Answer { status, content_type, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

/// A valid XLSX of a few hundred kilobytes whose sheet XML is `rows` rows of five cells, about
/// 200 bytes a row unzipped: 700,000 rows unpack to ~140 MB.
fn xlsx_bomb(rows: usize) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let ns = "http://schemas.openxmlformats.org";
    let parts = [
        (
            "[Content_Types].xml".to_string(),
            format!(
                r#"<Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels".to_string(),
            format!(
                r#"<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                r#"<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(
                r#"<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
    ];
    for (name, xml) in parts {
        w.start_file(name, opts).unwrap();
        w.write_all(xml.as_bytes()).unwrap();
    }
    w.start_file("xl/worksheets/sheet1.xml", opts.large_file(true)).unwrap();
    w.write_all(format!(r#"<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>"#).as_bytes()).unwrap();
    let row = format!("<row>{}</row>", r#"<c t="inlineStr"><is><t>1栋</t></is></c>"#.repeat(5));
    for _ in 0..rows {
        w.write_all(row.as_bytes()).unwrap();
    }
    w.write_all(b"</sheetData></worksheet>").unwrap();
    w.finish().unwrap().into_inner()
}

const HOUSE_HEADER: &str = "楼栋,单元,房号,楼层,户型,建筑面积,套内面积,朝向,用途,状态";

/// `n` houses over buildings of 5 units × 50 floors × 20 houses.
fn houses_csv(n: usize) -> String {
    let mut csv = String::with_capacity(n * 48);
    csv.push_str(HOUSE_HEADER);
    csv.push('\n');
    for i in 0..n {
        let (b, u, f, h) = (i / 5000 + 1, i / 1000 % 5 + 1, i / 20 % 50 + 1, i % 20 + 1);
        writeln!(csv, "{b}栋,{u}单元,{f}{h:02},{f},3室2厅,89.47,,南北,住宅,空置").unwrap();
    }
    csv
}

db_test!(
    async fn a_zip_bomb_and_a_sheet_with_too_many_rows_are_refused_with_413(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;

        let bomb = xlsx_bomb(700_000);
        assert!(bomb.len() < 2 * 1024 * 1024, "the bomb is small: {} bytes", bomb.len());
        for path in
            [format!("/api/v1/imports/houses?project_id={p}"), format!("/api/v1/imports/persons?project_id={p}")]
        {
            let a = upload(&s, &admin, &path, "bomb.xlsx", bomb.clone()).await;
            assert_problem(&a, 413, "spreadsheet_too_large");
        }
        let readings = format!("/api/v1/meter-readings/import?project_id={p}&period=2026-01");
        assert_problem(&upload(&s, &admin, &readings, "bomb.xlsx", bomb).await, 413, "spreadsheet_too_large");

        // One row more than an import takes, in a CSV of ~2.6 MB.
        let mut many = String::from("楼栋,单元,房号\n");
        for i in 0..=linli_import::MAX_ROWS {
            writeln!(many, "1栋,1单元,{i}").unwrap();
        }
        let a =
            upload(&s, &admin, &format!("/api/v1/imports/houses?project_id={p}"), "many.csv", many.into_bytes()).await;
        assert_problem(&a, 413, "too_many_rows");
        assert_eq!(s.get(&format!("/api/v1/houses?project_id={p}"), &admin).await.body["total"], 0);

        // Old binary Excel files are refused as unsupported, not parsed.
        let xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest of an old workbook".to_vec();
        let a = upload(&s, &admin, &format!("/api/v1/imports/houses?project_id={p}"), "old.xls", xls).await;
        assert_problem(&a, 422, "validation_failed");
        assert_eq!(a.body["errors"][0]["code"], "unsupported_type");
    }
);

db_test!(
    async fn a_hundred_thousand_house_csv_imports_through_the_api(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "大社区").await;
        let csv = houses_csv(100_000);
        assert!(csv.len() > 4_000_000, "{} bytes", csv.len());
        let path = format!("/api/v1/imports/houses?project_id={p}");
        let a = upload(&s, &admin, &path, "houses.csv", csv.into_bytes()).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!((a.body["created"].as_u64(), a.body["failed"].as_u64()), (Some(100_000), Some(0)), "{}", a.body);
        assert_eq!(s.get(&format!("/api/v1/houses?project_id={p}"), &admin).await.body["total"], 100_000);

        // Beyond the import limit (32 MiB) the answer is 413 problem+json, not a broken form,
        // before the body is read.
        let ct = "multipart/form-data; boundary=x";
        let a = raw_post(&s, &path, &admin, ct, linli_http::MAX_IMPORT_BODY + 1024, 0).await;
        assert_problem(&a, 413, "body_too_large");
    }
);

db_test!(
    async fn oversized_and_malformed_bodies_and_bad_path_parameters_answer_problem_json(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;

        // 10 MB of JSON: the server stops reading past 2 MiB.
        let a = raw_post(&s, "/api/v1/projects", &admin, "application/json", 10 * 1024 * 1024, MAX_BODY + 1).await;
        assert_problem(&a, 413, "body_too_large");

        let res = s
            .http
            .post(s.url("/api/v1/projects"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .unwrap();
        let broken = common::Answer {
            status: res.status(),
            content_type: res.headers()["content-type"].to_str().unwrap().to_string(),
            body: res.json().await.unwrap(),
        };
        assert_problem(&broken, 400, "malformed_request");

        for (method, path) in [
            (Method::GET, "/api/v1/houses/abc"),
            (Method::GET, "/api/v1/projects/1.5"),
            (Method::DELETE, "/api/v1/users/1/grants/x"),
            (Method::DELETE, "/api/v1/buildings/abc"),
        ] {
            let a = s.call(method, path, Some(&admin), None).await;
            assert_problem(&a, 400, "malformed_request");
            assert!(a.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{path}: {}", a.body);
        }
        // Well-formed requests are unaffected.
        assert_eq!(s.get(&format!("/api/v1/projects/{p}"), &admin).await.status, StatusCode::OK);
    }
);

/// Closes the pools the server uses: every later query fails as it would with the server gone.
async fn close_pool(s: &TestServer) {
    s.db.db.close_pools().await;
}

async fn answer(res: reqwest::Response) -> (common::Answer, Option<String>) {
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let status = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = res.text().await.unwrap();
    (common::Answer { status, content_type, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }, retry)
}

db_test!(
    async fn health_queries_the_database_and_requests_answer_503_when_it_is_gone(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let ok = s.call(Method::GET, "/healthz", None, None).await;
        assert_eq!((ok.status, ok.body["status"].as_str()), (StatusCode::OK, Some("ok")));

        close_pool(&s).await;
        let (health, retry) = answer(s.http.get(s.url("/healthz")).send().await.unwrap()).await;
        assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE, "{}", health.body);
        assert_eq!(health.body["status"], "unavailable");
        assert!(retry.is_some());
        let (me, retry) = answer(s.http.get(s.url("/api/v1/auth/me")).bearer_auth(&admin).send().await.unwrap()).await;
        assert_problem(&me, 503, "service_unavailable");
        assert_eq!(retry.as_deref(), Some("5"));
    }
);

/// A TCP proxy to PostgreSQL that can be cut (listener and every open connection) and restored
/// on the same port: the database "goes away" for the server behind it.
struct Proxy {
    port: u16,
    target: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    fn start(target: &str) -> Self {
        let mut p = Proxy { port: 0, target: target.to_string(), task: None };
        p.resume();
        p
    }

    fn resume(&mut self) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(format!("127.0.0.1:{}", self.port).parse().unwrap()).unwrap();
        let listener = socket.listen(64).unwrap();
        self.port = listener.local_addr().unwrap().port();
        let target = self.target.clone();
        self.task = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { break };
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Aborting the task drops the listener and, with the JoinSet, every proxied connection.
    async fn cut(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_answers_503_within_seconds_and_the_server_recovers() {
    let Some(mut tdb) = linli_db::testing::TestDb::postgres().await else {
        eprintln!("skipped: LINLI_TEST_DATABASE_URL is not set");
        return;
    };
    // postgres://user@host:port/db?options=… → the same through the proxy.
    let (scheme, rest) = tdb.url.split_once("://").unwrap();
    let (creds, after) = rest.split_once('@').unwrap();
    let (authority, tail) = after.split_once('/').unwrap();
    let mut proxy = Proxy::start(authority);
    let url = format!("{scheme}://{creds}@127.0.0.1:{}/{tail}", proxy.port);
    tdb.db = linli_db::connect(&url).await.unwrap();
    let s = TestServer::start(tdb).await;
    let admin = s.login("admin").await;
    assert_eq!(s.get("/api/v1/auth/me", &admin).await.status, StatusCode::OK);

    proxy.cut().await;
    // Well before the 30 s a request used to wait; the bound only catches a hang.
    let limit = Duration::from_secs(15);
    let health = tokio::time::timeout(limit, s.http.get(s.url("/healthz")).send()).await.expect("health answers");
    let (health, retry) = answer(health.unwrap()).await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE, "{}", health.body);
    assert!(retry.is_some());
    let me = tokio::time::timeout(limit, s.http.get(s.url("/api/v1/auth/me")).bearer_auth(&admin).send())
        .await
        .expect("the API answers during the outage");
    let (me, retry) = answer(me.unwrap()).await;
    assert_problem(&me, 503, "service_unavailable");
    assert_eq!(retry.as_deref(), Some("5"));

    proxy.resume();
    let mut back = false;
    for _ in 0..50 {
        if s.call(Method::GET, "/healthz", None, None).await.status == StatusCode::OK {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(back, "health recovers with the database");
    assert_eq!(s.get("/api/v1/auth/me", &admin).await.status, StatusCode::OK);
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

db_test!(
    async fn every_answer_carries_the_security_headers_and_api_answers_are_not_stored(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        for (path, api) in [("/api/v1/auth/me", true), ("/healthz", true), ("/api/v1/houses/abc", true), ("/", false)] {
            let res = s.http.get(s.url(path)).bearer_auth(&admin).send().await.unwrap();
            let csp = header(&res, "content-security-policy");
            assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(
                !csp.contains("unsafe-eval") && !csp.split("script-src").nth(1).unwrap().starts_with(" 'self' 'unsafe")
            );
            assert_eq!(header(&res, "x-frame-options"), "DENY", "{path}");
            assert_eq!(header(&res, "referrer-policy"), "strict-origin-when-cross-origin", "{path}");
            assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
            if api {
                assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
            }
            assert_eq!(header(&res, "strict-transport-security"), "", "no HSTS over plain http");
        }
        let login = s
            .http
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert!(login.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().contains("Secure")));
    }
);

db_test!(
    async fn an_https_public_url_turns_on_hsts_and_secure_cookies(db: TestDb) {
        let s = TestServer::start_with(db, |c| c.public_url = Some("https://wuye.example.cn".into())).await;
        let res = s.http.get(s.url("/healthz")).send().await.unwrap();
        assert!(header(&res, "strict-transport-security").starts_with("max-age="), "HSTS");
        let login = s
            .http
            .post(s.url("/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        let cookies: Vec<String> =
            login.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_string()).collect();
        assert!(!cookies.is_empty() && cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_not_open_on_the_app_port() {
    // Not configured: not served at all.
    let s = TestServer::start(linli_db::testing::TestDb::sqlite().await).await;
    let a = s.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    s.shutdown().await;

    // A token: served on the app port to that token only.
    let s = TestServer::start_with(linli_db::testing::TestDb::sqlite().await, |c| {
        c.metrics_token = Some("scrape-me".into());
    })
    .await;
    assert_eq!(s.call(Method::GET, "/metrics", None, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(s.call(Method::GET, "/metrics", Some("wrong"), None).await.status, StatusCode::UNAUTHORIZED);
    let ok = s.call(Method::GET, "/metrics", Some("scrape-me"), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.content_type.starts_with("text/plain"));
    s.shutdown().await;

    // A listen address of its own: served there, not on the app port.
    let s = TestServer::start_with(linli_db::testing::TestDb::sqlite().await, |c| {
        c.metrics_bind = Some("127.0.0.1:0".into());
    })
    .await;
    assert_eq!(s.call(Method::GET, "/metrics", None, None).await.status, StatusCode::NOT_FOUND);
    let addr = s.metrics_addr().expect("a metrics listener");
    let res = s.http.get(format!("http://{addr}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

db_test!(
    async fn json_and_the_web_app_are_compressed_and_the_live_stream_is_not(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let csv = houses_csv(300);
        let imported =
            upload(&s, &admin, &format!("/api/v1/imports/houses?project_id={p}"), "h.csv", csv.into_bytes()).await;
        assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);

        let list = format!("/api/v1/houses?project_id={p}&page_size=300");
        let res = s.http.get(s.url(&list)).bearer_auth(&admin).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(&res, "content-encoding"), "gzip");
        let zipped = res.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&gunzip(&zipped)).unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 300);
        let plain = s.http.get(s.url(&list)).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(header(&plain, "content-encoding"), "", "identity without Accept-Encoding");
        let plain = plain.bytes().await.unwrap();
        assert!(zipped.len() * 4 < plain.len(), "{} → {}", plain.len(), zipped.len());
        let br = s.http.get(s.url(&list)).bearer_auth(&admin).header("accept-encoding", "br").send().await.unwrap();
        assert_eq!(header(&br, "content-encoding"), "br");

        // The app's JavaScript, precompressed by the web build, when the web app is embedded.
        let index = s.http.get(s.url("/")).send().await.unwrap();
        if index.status() == StatusCode::OK {
            let html = index.text().await.unwrap();
            let script = html.split("src=\"").nth(1).and_then(|r| r.split('"').next()).expect("a script").to_string();
            assert!(!html.contains("<script>") && !html.contains("<script type=\"module\">"), "no inline script");
            let js = s.http.get(s.url(&script)).header("accept-encoding", "gzip, deflate").send().await.unwrap();
            assert_eq!(header(&js, "content-encoding"), "gzip", "{script}");
            assert!(header(&js, "vary").to_ascii_lowercase().contains("accept-encoding"));
            let raw = s.http.get(s.url(&script)).send().await.unwrap().bytes().await.unwrap();
            assert_eq!(gunzip(&js.bytes().await.unwrap()), raw.to_vec());
            let js = s.http.get(s.url(&script)).header("accept-encoding", "gzip, br").send().await.unwrap();
            assert_eq!(header(&js, "content-encoding"), "br");
        } else {
            eprintln!("web app not embedded (LINLI_SKIP_WEB_BUILD=1): asset compression not checked");
        }

        // The live stream asks for gzip like a browser does, and still streams event by event.
        let stream = s
            .http
            .get(s.url("/api/v1/inbox/stream"))
            .bearer_auth(&admin)
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert!(header(&stream, "content-type").starts_with("text/event-stream"));
        assert_eq!(header(&stream, "content-encoding"), "");
        let mut events = stream.bytes_stream();
        let first =
            tokio::time::timeout(Duration::from_secs(5), events.next()).await.expect("the first event").unwrap();
        assert!(String::from_utf8(first.unwrap().to_vec()).unwrap().contains("event: unread"));
        let me = s.get("/api/v1/auth/me", &admin).await.id();
        let sent = s
            .post(
                "/api/v1/messages",
                &admin,
                json!({"user_id": me, "project_id": p, "title": "停水通知", "text": "明日停水。"}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        assert!(s.run_jobs(chrono::Utc::now()).await >= 1);
        let live =
            tokio::time::timeout(Duration::from_secs(5), events.next()).await.expect("a live event, not buffered");
        assert!(String::from_utf8(live.unwrap().unwrap().to_vec()).unwrap().contains("停水通知"));
    }
);
