//! `linli demo`: a working product on an empty laptop. Creates the data directory and the
//! database, demo projects and one account per role, sends what the job workers would send at
//! start (to the built-in SMS simulator), then serves. It prints a summary of the simulator's
//! messages, how to let phones in, and the accounts last, so they stay on the screen. Running it
//! again keeps the data and sets new passwords.

pub mod billing;
pub mod community;
pub mod counter;
pub mod equipment;
pub mod meters;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use linli_auth::{NewGrant, NewUser, SessionRepo, UserService};
use linli_core::{Authz, Id, PageRequest};
use linli_db::Db;
use linli_gateway::sms::simulator::{SentLog, SentSms, SimulatorHandle};
use linli_notify::sms::{self, BINDING_CODE};
use linli_notify::{SmsProviderKind, SmsTemplates};
use linli_property::{NewProject, ProjectKind, ProjectService};

use crate::config::Config;
use crate::{admin, server};

/// Demo accounts: username, display name, role, and whether the grant spans every project.
const ACCOUNTS: &[(&str, &str, &str, bool)] = &[
    ("manager", "王经理", "manager", true),
    ("cashier", "李收费", "cashier", false),
    ("service", "赵客服", "service_desk", false),
    ("technician", "孙师傅", "technician", false),
    ("guard", "周保安", "guard", false),
    ("resident", "陈业主", "resident", false),
];

const PROJECTS: &[(&str, ProjectKind)] = &[("翠湖花园", ProjectKind::Residential), ("云栖科技园", ProjectKind::Office)];

/// The simulated Aliyun account's approved templates: one per kind, codes as Aliyun issues them.
pub fn simulator_templates() -> BTreeMap<String, linli_notify::SmsTemplateConfig> {
    sms::full_config(|i| format!("SMS_46075{:04}", i + 1))
}

/// The Aliyun SMS simulator with the templates, and the configuration pointing at it.
async fn sms_simulator(config: &Config) -> anyhow::Result<(Config, SimulatorHandle, SmsTemplates)> {
    use linli_gateway::sms::simulator::{SimulatorConfig, start_aliyun};
    let (id, secret) = ("demo-access-key", admin::random_password());
    let written = simulator_templates();
    let templates = SmsTemplates::from_config(SmsProviderKind::Aliyun, &written).map_err(anyhow::Error::msg)?;
    let mut sim = SimulatorConfig::aliyun(id, secret.clone()).sign_name(config.sms_sign_name.clone());
    for subject in sms::subjects() {
        if let Some(t) = templates.get(subject) {
            sim = sim.template(t.code.clone(), sms::template_text(subject, SmsProviderKind::Aliyun, t));
        }
    }
    let handle = start_aliyun(sim).await?;
    let mut config = config.clone();
    config.sms_provider = "aliyun".into();
    config.sms_endpoint = Some(handle.base_url.clone());
    config.sms_access_key_id = Some(id.into());
    config.sms_access_key_secret = Some(secret);
    config.sms_templates = written;
    Ok((config, handle, templates))
}

pub async fn run(config: &Config, houses: usize) -> anyhow::Result<()> {
    // Without a real provider configured, SMS go to the simulator (kept alive while the demo runs).
    let (config, sms) = if config.sms_provider == "none" {
        let (c, h, t) = sms_simulator(config).await?;
        (c, Some((h, t)))
    } else {
        (config.clone(), None)
    };
    // Without a merchant configured, WeChat Pay is the simulator (kept alive while the demo runs):
    // its QR code opens a page that pays, standing in for the payer's phone.
    let (config, wechat) = if config.wechat_pay_mchid.is_none() {
        let (c, h) = wechat_simulator(&config).await?;
        (c, Some(h))
    } else {
        (config, None)
    };
    let (config, alipay) = if config.alipay_app_id.is_none() {
        let (c, h) = alipay_simulator(&config).await?;
        (c, Some(h))
    } else {
        (config, None)
    };
    let config = &config;
    std::fs::create_dir_all(&config.data_dir)?;
    let (db, company) = server::open(config).await?;
    let (first_project, office) = seed_projects(&db, company).await?;
    let started = std::time::Instant::now();
    let app = server::app(&db, config)?;
    let counts = community::seed(&app, company, first_project, office, houses).await?;
    equipment::seed(&db, company, first_project).await?;
    println!("demo data ready in {:.1} s: {counts}", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    let bills = billing::seed(&app, company, first_project).await?;
    println!("demo billing ready in {:.1} s: {bills}", started.elapsed().as_secs_f64());
    let meters = meters::seed(&app, company, first_project).await?;
    println!("demo meters ready: {meters}");
    // What the workers would do at start (the overdue reminders…), done now so that it is sent
    // before the accounts are printed rather than scrolling them away.
    let started = std::time::Instant::now();
    let jobs = crate::jobs::drain(&db, &app).await?;
    db.analyze().await?;
    println!("demo jobs done in {:.1} s: {jobs} jobs", started.elapsed().as_secs_f64());
    let admin_password = config.admin_password.clone().unwrap_or_else(admin::random_password);
    let mut printed = vec![("admin".to_string(), "系统管理员".to_string(), admin_password.clone())];
    upsert_user(&db, company, "admin", "系统管理员", &admin_password, "admin", None).await?;
    for (username, name, role, company_wide) in ACCOUNTS {
        let password = admin::random_password();
        let project = if *company_wide { None } else { Some(first_project) };
        upsert_user(&db, company, username, name, &password, role, project).await?;
        printed.push(((*username).to_string(), (*name).to_string(), password));
    }
    println!("demo counter: {}", counter::seed(&app, &db, first_project).await?);
    let bound = match &sms {
        Some((handle, templates)) => Some(bind_resident(&app, &db, handle, templates).await?),
        None => None,
    };
    let running = server::start(db, config, &config.bind).await?;
    println!();
    if let Some((handle, templates)) = &sms {
        for line in sms_summary(&handle.sent().await, templates, &handle.base_url) {
            println!("{line}");
        }
        live_sms(&handle.log(), templates.clone());
        println!();
    }
    if let Some(h) = &wechat {
        println!(
            "微信支付模拟器 WeChat Pay simulator (API v3 at {}): the resident pays a bill at /m/bills",
            h.base_url
        );
    }
    if let Some(h) = &alipay {
        println!("支付宝模拟器 Alipay simulator (gateway at {}): the resident pays a bill at /m/bills", h.gateway_url);
    }
    println!("Linli demo is running: http://{}", running.addr);
    for line in phone_hint(config, running.addr) {
        println!("{line}");
    }
    println!();
    println!("Accounts (passwords are new on every start):");
    for (user, name, pw) in &printed {
        println!("  {user:<12} {pw:<16} {name}");
    }
    if let Some(label) = bound {
        println!("  (resident is bound to {label}: its bills are on the phone pages, /m/bills)");
    }
    println!();
    running.wait().await;
    Ok(())
}

/// Binds the demo resident to the first house's owner the way a resident does (a code by SMS to
/// the owner's phone, read back from the simulator), unless it is bound already: the house's
/// label.
async fn bind_resident(
    app: &linli_http::App,
    db: &Db,
    sms: &SimulatorHandle,
    templates: &SmsTemplates,
) -> anyhow::Result<String> {
    use linli_people::binding::{BindingConfirm, BindingRequest};
    let login = db.find_login("resident").await?.context("the demo resident account")?;
    let actor = linli_core::Actor {
        user_id: Some(login.user.id),
        company_id: login.company_id,
        name: login.user.username.clone(),
        ip: None,
    };
    let authz = Authz::new(actor, Vec::new());
    let label = |houses: &linli_people::PersonHouses| houses.ownerships.first().map(|o| o.house_label.clone());
    if let Some(l) = label(&app.people.my_houses(&authz).await?) {
        return Ok(l);
    }
    let phone = community::owner_phone(0);
    let template = templates.get(BINDING_CODE).map(|t| t.code.clone()).context("no binding_code template")?;
    app.people.request_binding(&authz, BindingRequest { phone: phone.clone() }, Utc::now()).await?;
    // The code goes out on a task of its own: wait for the simulator to have it.
    let mut code = None;
    for _ in 0..100 {
        let sent = sms.sent().await;
        if let Some(m) = sent.iter().rev().find(|m| m.phone == phone && m.template_code == template) {
            code = m.params.iter().find(|(k, _)| k == "code").map(|(_, v)| v.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let code = code.context("the binding code did not reach the SMS simulator")?;
    let houses = app.people.confirm_binding(&authz, BindingConfirm { phone, code }, Utc::now()).await?;
    label(&houses).context("the first house has no owner to bind to")
}

/// The WeChat Pay simulator with its test merchant, and the configuration pointing at it.
async fn wechat_simulator(
    config: &Config,
) -> anyhow::Result<(Config, linli_gateway::pay::wechat::simulator::SimulatorHandle)> {
    use linli_gateway::pay::wechat::simulator::{SimulatorConfig, start_wechat_pay, test_keys};
    let handle = start_wechat_pay(SimulatorConfig::new()).await?;
    let mut config = config.clone();
    config.wechat_pay_mchid = Some(test_keys::MCHID.into());
    config.wechat_pay_appid = Some(test_keys::APPID.into());
    config.wechat_pay_serial_no = Some(test_keys::MERCHANT_SERIAL_NO.into());
    config.wechat_pay_private_key = Some(test_keys::MERCHANT_PRIVATE_KEY_PEM.into());
    config.wechat_pay_apiv3_key = Some(test_keys::APIV3_KEY.into());
    config.wechat_pay_public_key_id = Some(test_keys::PLATFORM_PUBLIC_KEY_ID.into());
    config.wechat_pay_public_key = Some(test_keys::PLATFORM_PUBLIC_KEY_PEM.into());
    config.wechat_pay_base_url = Some(handle.base_url.clone());
    Ok((config, handle))
}

/// The Alipay simulator with its test app, and the configuration pointing at it: its QR code
/// opens a cashier page that pays.
async fn alipay_simulator(
    config: &Config,
) -> anyhow::Result<(Config, linli_gateway::pay::alipay::simulator::SimulatorHandle)> {
    use linli_gateway::pay::alipay::simulator::{SimulatorConfig, TEST_APP_ID, TEST_SELLER_ID, keys, start_alipay};
    let handle = start_alipay(SimulatorConfig::new()).await?;
    let mut config = config.clone();
    config.alipay_app_id = Some(TEST_APP_ID.into());
    config.alipay_seller_id = Some(TEST_SELLER_ID.into());
    config.alipay_app_private_key = Some(keys::APP_PRIVATE_KEY_PEM.into());
    config.alipay_public_key = Some(keys::ALIPAY_PUBLIC_KEY_PEM.into());
    config.alipay_gateway_url = Some(handle.gateway_url.clone());
    Ok((config, handle))
}

/// What each kind of message is, for the summary.
fn subject_label(subject: &str) -> &'static str {
    match subject {
        "bill_issued" => "账单通知 bill_issued",
        "bill_overdue" => "欠费提醒 bill_overdue",
        "payment_received" => "缴费成功 payment_received",
        "work_order_assigned" => "工单派发 work_order_assigned",
        "visitor_confirm" => "访客确认 visitor_confirm",
        "alarm_raised" => "告警 alarm_raised",
        "notice_published" => "通知公告 notice_published",
        "event_published" => "社区活动 event_published",
        BINDING_CODE => "绑定验证码 binding_code",
        _ => "其他 other",
    }
}

/// `138****0000`.
fn masked(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() { format!("{}****{}", &phone[..3], &phone[7..]) } else { phone.to_owned() }
}

/// A few lines on what the SMS simulator received: how many of each kind, and one example of
/// each of the first two kinds. Every message is in the console's message log (消息记录).
pub fn sms_summary(sent: &[SentSms], templates: &SmsTemplates, base_url: &str) -> Vec<String> {
    let mut counts: BTreeMap<&str, (usize, &SentSms)> = BTreeMap::new();
    for sms in sent {
        let subject = templates.subject_of(&sms.template_code).unwrap_or("other");
        counts.entry(subject).or_insert((0, sms)).0 += 1;
    }
    let mut lines =
        vec![format!("短信模拟器 SMS simulator (Aliyun API at {base_url}): {} messages received", sent.len())];
    if counts.is_empty() {
        return lines;
    }
    let by_kind: Vec<String> = counts.iter().map(|(s, (n, _))| format!("{} {n}", subject_label(s))).collect();
    lines[0] = format!("{}: {}", lines[0], by_kind.join(", "));
    for (n, sms) in counts.values().take(2) {
        let more = if *n > 1 { format!(" (and {} more like it)", n - 1) } else { String::new() };
        lines.push(format!("  e.g. to {}: {}{more}", masked(&sms.phone), sms.text));
    }
    lines.push("  Every message: console → 消息记录 (message log).".to_owned());
    lines
}

/// Later messages: a binding code is printed at once (someone is waiting for it), the rest are
/// counted and summed up at most every 30 seconds.
fn live_sms(log: &SentLog, templates: SmsTemplates) {
    let mut live = log.subscribe();
    tokio::spawn(async move {
        let mut pending: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tokio::select! {
                received = live.recv() => match received {
                    Ok(sms) => {
                        let subject = templates.subject_of(&sms.template_code).unwrap_or("other");
                        if subject == BINDING_CODE {
                            println!("[SMS simulator] to {}: {}", masked(&sms.phone), sms.text);
                        } else {
                            *pending.entry(subject).or_default() += 1;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        *pending.entry("other").or_default() += usize::try_from(n).unwrap_or(usize::MAX);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                _ = tick.tick() => {
                    if !pending.is_empty() {
                        let counts: Vec<String> =
                            pending.iter().map(|(s, n)| format!("{} {n}", subject_label(s))).collect();
                        println!("[SMS simulator] {} (console → 消息记录)", counts.join(", "));
                        pending.clear();
                    }
                }
            }
        }
    });
}

/// How to let phones in: QR labels and links use the public URL, which must be an address a
/// phone on the same network can open (not 127.0.0.1).
fn phone_hint(config: &Config, addr: std::net::SocketAddr) -> Vec<String> {
    if let Some(url) = &config.public_url {
        return vec![format!("QR labels and links in messages use {url} (public URL).")];
    }
    let lan = lan_address().map_or_else(|| "<this computer's address>".to_owned(), |ip| ip.to_string());
    vec![
        format!("Phones cannot open http://{addr}, which the equipment QR labels would encode. To let them in:"),
        format!("  linli demo --bind 0.0.0.0:{} --public-url http://{lan}:{}", addr.port(), addr.port()),
        "  (or set LINLI_BIND and LINLI_PUBLIC_URL; behind a proxy, the URL people use, e.g. https://wuye.example.cn)"
            .to_owned(),
    ]
}

/// The address of this computer on its network: the source address a route to the outside
/// would use (no packet is sent).
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind(("0.0.0.0", 0)).ok()?;
    socket.connect(("192.0.2.1", 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The two demo projects, created when missing: (residential, office park).
async fn seed_projects(db: &Db, company: Id) -> anyhow::Result<(Id, Id)> {
    let projects = ProjectService::new(Arc::new(db.clone()));
    let system = Authz::system(company);
    let existing = projects.list(&system, None, PageRequest::default()).await?;
    for (name, kind) in PROJECTS {
        if !existing.items.iter().any(|p| p.name == *name) {
            projects.create(&system, NewProject::named(name, *kind)).await?;
        }
    }
    let all = projects.list(&system, None, PageRequest::default()).await?;
    let id = |name: &str| all.items.iter().find(|p| p.name == name).map(|p| p.id);
    Ok((id(PROJECTS[0].0).unwrap_or(all.items[0].id), id(PROJECTS[1].0).unwrap_or(all.items[0].id)))
}

async fn upsert_user(
    db: &Db,
    company: Id,
    username: &str,
    name: &str,
    password: &str,
    role: &str,
    project_id: Option<Id>,
) -> anyhow::Result<()> {
    if db.find_login(username).await?.is_some() {
        return admin::reset_password(db, company, username, password).await;
    }
    let new = NewUser { username: username.into(), display_name: name.into(), phone: None, password: password.into() };
    let users = UserService::new(Arc::new(db.clone()));
    let id = admin::create_user(db, company, new, None, None).await?;
    users.add_grant(&Authz::system(company), id, NewGrant { project_id, role: role.into() }).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(code: &str, phone: &str, text: &str) -> SentSms {
        SentSms {
            provider: "aliyun",
            message_id: "1^0".into(),
            phone: phone.into(),
            sign_name: "邻里物业".into(),
            template_code: code.into(),
            params: vec![],
            text: text.into(),
            received_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_summary_counts_each_kind_and_shows_an_example_not_every_message() {
        let templates = SmsTemplates::from_config(SmsProviderKind::Aliyun, &simulator_templates()).unwrap();
        let overdue = templates.get("bill_overdue").unwrap().code.clone();
        let issued = templates.get("bill_issued").unwrap().code.clone();
        let mut log: Vec<SentSms> =
            (0..792).map(|i| sent(&overdue, &format!("138{i:08}"), "【邻里物业】何娜您好，…已逾期")).collect();
        log.push(sent(&issued, "13900000001", "【邻里物业】账单已出"));
        let lines = sms_summary(&log, &templates, "http://127.0.0.1:1");
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(
            lines[0].ends_with("793 messages received: 账单通知 bill_issued 1, 欠费提醒 bill_overdue 792"),
            "{}",
            lines[0]
        );
        assert_eq!(lines[1], "  e.g. to 139****0001: 【邻里物业】账单已出");
        assert_eq!(lines[2], "  e.g. to 138****0000: 【邻里物业】何娜您好，…已逾期 (and 791 more like it)");
        assert!(lines.iter().all(|l| !l.contains('\u{1b}')), "no terminal escape codes");
    }

    #[test]
    fn the_simulators_templates_are_complete_and_not_fixed_linli_codes() {
        let t = SmsTemplates::from_config(SmsProviderKind::Aliyun, &simulator_templates()).unwrap();
        for subject in sms::subjects() {
            let code = &t.get(subject).unwrap().code;
            assert!(code.starts_with("SMS_46075") && !code.contains("LINLI"), "{code}");
        }
    }

    #[test]
    fn without_a_public_url_the_demo_says_how_to_set_one() {
        let hint = phone_hint(&Config::default(), "127.0.0.1:8080".parse().unwrap()).join("\n");
        assert!(hint.contains("--public-url http://") && hint.contains("--bind 0.0.0.0:8080"), "{hint}");
        assert!(hint.contains("LINLI_PUBLIC_URL"), "{hint}");
        let set = Config { public_url: Some("http://192.168.1.20:8080".into()), ..Config::default() };
        assert!(phone_hint(&set, "0.0.0.0:8080".parse().unwrap())[0].contains("http://192.168.1.20:8080"));
    }
}
