//! `linli demo`: a working product on an empty laptop. Creates the data directory and the
//! database, demo projects and one account per role, prints the passwords, and serves.
//! Running it again keeps the data and sets new passwords.

pub mod billing;
pub mod community;
pub mod equipment;

use std::sync::Arc;

use linli_auth::{AuthRepo, NewGrant, NewUser, UserService};
use linli_core::{Authz, Id, PageRequest};
use linli_db::Db;
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

/// The Aliyun SMS simulator with Linli's templates, and the configuration pointing at it.
async fn sms_simulator(config: &Config) -> anyhow::Result<(Config, linli_gateway::sms::simulator::SimulatorHandle)> {
    use linli_gateway::sms::simulator::{SimulatorConfig, start_aliyun};
    let (id, secret) = ("demo-access-key", admin::random_password());
    let mut sim = SimulatorConfig::aliyun(id, secret.clone()).sign_name(config.sms_sign_name.clone());
    for (code, text) in linli_notify::sms_templates() {
        sim = sim.template(code, text);
    }
    let handle = start_aliyun(sim).await?;
    let mut config = config.clone();
    config.sms_provider = "aliyun".into();
    config.sms_endpoint = Some(handle.base_url.clone());
    config.sms_access_key_id = Some(id.into());
    config.sms_access_key_secret = Some(secret);
    // Sent SMS show in the console's message log; the terminal gets a line each as well.
    let mut sent = handle.log().subscribe();
    tokio::spawn(async move {
        while let Ok(sms) = sent.recv().await {
            println!("[SMS simulator] to {}: {}", sms.phone, sms.text);
        }
    });
    Ok((config, handle))
}

pub async fn run(config: &Config, houses: usize) -> anyhow::Result<()> {
    // Without a real provider configured, SMS go to the simulator (kept alive while the demo runs).
    let (config, _sms) = if config.sms_provider == "none" {
        let (c, h) = sms_simulator(config).await?;
        (c, Some(h))
    } else {
        (config.clone(), None)
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
    let bills = billing::seed(&app, &db, company, first_project).await?;
    println!("demo billing ready in {:.1} s: {bills}", started.elapsed().as_secs_f64());
    let admin_password = config.admin_password.clone().unwrap_or_else(admin::random_password);
    let mut printed = vec![("admin".to_string(), "系统管理员".to_string(), admin_password.clone())];
    upsert_user(&db, company, "admin", "系统管理员", &admin_password, "admin", None).await?;
    for (username, name, role, company_wide) in ACCOUNTS {
        let password = admin::random_password();
        let project = if *company_wide { None } else { Some(first_project) };
        upsert_user(&db, company, username, name, &password, role, project).await?;
        printed.push(((*username).to_string(), (*name).to_string(), password));
    }
    let running = server::start(db, config, &config.bind).await?;
    println!();
    println!("Linli demo is running: http://{}", running.addr);
    println!("Accounts (passwords are new on every start):");
    for (user, name, pw) in &printed {
        println!("  {user:<12} {pw:<16} {name}");
    }
    println!();
    running.wait().await;
    Ok(())
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
