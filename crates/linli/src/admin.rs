//! `linli admin`: accounts from the command line, for the first admin and for lockouts.

use linli_auth::{NewGrant, NewUser, PasswordChange, UserService};
use linli_core::{Authz, Id};
use linli_db::Db;
use std::sync::Arc;

pub async fn create_user(
    db: &Db,
    company: Id,
    new: NewUser,
    role: Option<&str>,
    project_id: Option<Id>,
) -> anyhow::Result<Id> {
    let users = UserService::new(Arc::new(db.clone()));
    let system = Authz::system(company);
    let user = users.create(&system, new).await?;
    if let Some(role) = role {
        users.add_grant(&system, user.id, NewGrant { project_id, role: role.to_string() }).await?;
    }
    Ok(user.id)
}

pub async fn reset_password(db: &Db, company: Id, username: &str, password: &str) -> anyhow::Result<()> {
    use linli_auth::SessionRepo;
    let record = db
        .find_login(&username.trim().to_lowercase())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user named {username}"))?;
    let users = UserService::new(Arc::new(db.clone()));
    users
        .set_password(&Authz::system(company), record.user.id, PasswordChange { password: password.to_string() })
        .await?;
    Ok(())
}

/// One line of `linli admin projects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectLine {
    pub id: Id,
    pub name: String,
    pub kind: linli_property::ProjectKind,
    pub houses: u64,
}

/// Every project of the company, oldest first, with its count of houses.
pub async fn projects(db: &Db, company: Id) -> anyhow::Result<Vec<ProjectLine>> {
    let repo = Arc::new(db.clone());
    let projects = linli_property::ProjectService::new(repo.clone());
    let structure = linli_property::StructureService::new(repo);
    let system = Authz::system(company);
    let mut lines = Vec::new();
    for page in 1.. {
        let batch = projects
            .list(&system, None, linli_core::PageRequest { page, page_size: linli_core::page::MAX_PAGE_SIZE })
            .await?;
        for p in &batch.items {
            let houses = structure.stats(&system, p.id).await?.houses;
            lines.push(ProjectLine { id: p.id, name: p.name.clone(), kind: p.kind, houses });
        }
        if batch.items.len() < 500 {
            break;
        }
    }
    lines.sort_by_key(|l| l.id);
    Ok(lines)
}

/// The projects as tab-separated lines under a heading, for people and for `cut -f1`.
pub fn projects_table(lines: &[ProjectLine]) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("id\tname\tkind\thouses\n");
    for l in lines {
        let _ = writeln!(out, "{}\t{}\t{}\t{}", l.id, l.name, l.kind.as_str(), l.houses);
    }
    if lines.is_empty() {
        out.push_str("(no projects yet: create one in the console, or run `linli demo`)\n");
    }
    out
}

/// 14 characters from an alphabet without look-alikes.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 14];
    getrandom::fill(&mut buf).expect("OS random source");
    buf.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}
