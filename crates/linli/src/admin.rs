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
    use linli_auth::AuthRepo;
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

/// 14 characters from an alphabet without look-alikes.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 14];
    getrandom::fill(&mut buf).expect("OS random source");
    buf.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}
