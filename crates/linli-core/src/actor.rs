//! Who is acting: the signed-in user (or the system, for jobs and the CLI) and where from.

use crate::Id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the system itself (CLI, scheduled jobs).
    pub user_id: Option<Id>,
    pub company_id: Id,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system(company_id: Id) -> Self {
        Self { user_id: None, company_id, name: "system".into(), ip: None }
    }
}
