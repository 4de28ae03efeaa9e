//! What a signed-in user may do, per project. Service methods that read or change data take a
//! proof (`Granted`, `GrantedCompany`, `Scope`) that only these checks can produce, so a handler
//! cannot forget one.

use std::collections::BTreeSet;

use crate::{Actor, Code, Error, Id, Permission, Result};

/// One grant of a role, resolved to its permissions. `project_id: None` covers every project of
/// the company, present and future.
#[derive(Debug, Clone)]
pub struct GrantPermissions {
    pub project_id: Option<Id>,
    pub permissions: BTreeSet<Permission>,
}

#[derive(Debug, Clone)]
pub struct Authz {
    actor: Actor,
    grants: Vec<GrantPermissions>,
}

/// Proof that the actor holds a permission on one project.
#[derive(Debug, Clone)]
pub struct Granted {
    actor: Actor,
    project_id: Id,
}

/// Proof that the actor holds a permission across the whole company.
#[derive(Debug, Clone)]
pub struct GrantedCompany {
    actor: Actor,
}

/// A house the signed-in user is bound to today (a current owner or resident of it, through a
/// binding), as storage found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundHouse {
    pub user_id: Id,
    pub house_id: Id,
    pub project_id: Id,
}

/// Proof that the actor is bound to one house: what a resident's own endpoints take.
#[derive(Debug, Clone)]
pub struct Resident {
    actor: Actor,
    house_id: Id,
    project_id: Id,
}

/// Which projects a list may show: always within the actor's company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectSet {
    All,
    Only(Vec<Id>),
}

#[derive(Debug, Clone)]
pub struct Scope {
    actor: Actor,
    projects: ProjectSet,
}

impl Authz {
    pub fn new(actor: Actor, grants: Vec<GrantPermissions>) -> Self {
        Self { actor, grants }
    }

    /// The system actor holds every permission across its company (CLI, jobs, demo seeding).
    pub fn system(company_id: Id) -> Self {
        Self::new(
            Actor::system(company_id),
            vec![GrantPermissions { project_id: None, permissions: Permission::ALL.iter().copied().collect() }],
        )
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn permissions(&self) -> BTreeSet<Permission> {
        self.grants.iter().flat_map(|g| g.permissions.iter().copied()).collect()
    }

    fn covers(&self, project_id: Id) -> impl Iterator<Item = &GrantPermissions> {
        self.grants.iter().filter(move |g| g.project_id.is_none_or(|p| p == project_id))
    }

    /// A project the user has no grant on answers 404, as if it did not exist; one they can see
    /// but not act on answers 403. The caller still checks the project is in the actor's company.
    pub fn require(&self, perm: Permission, project_id: Id) -> Result<Granted> {
        let mut any = false;
        for g in self.covers(project_id) {
            any = true;
            if g.permissions.contains(&perm) {
                return Ok(Granted { actor: self.actor.clone(), project_id });
            }
        }
        if any { Err(Error::Forbidden(Code::Forbidden)) } else { Err(Error::not_found("project", project_id)) }
    }

    pub fn require_company(&self, perm: Permission) -> Result<GrantedCompany> {
        if self.grants.iter().any(|g| g.project_id.is_none() && g.permissions.contains(&perm)) {
            Ok(GrantedCompany { actor: self.actor.clone() })
        } else {
            Err(Error::Forbidden(Code::Forbidden))
        }
    }

    /// The projects whose rows a list may show for `perm`; 403 when the user has it nowhere.
    pub fn scope(&self, perm: Permission) -> Result<Scope> {
        let holding = self.grants.iter().filter(|g| g.permissions.contains(&perm));
        let mut ids = BTreeSet::new();
        let mut any = false;
        for g in holding {
            any = true;
            match g.project_id {
                None => {
                    return Ok(Scope { actor: self.actor.clone(), projects: ProjectSet::All });
                }
                Some(p) => {
                    ids.insert(p);
                }
            }
        }
        if !any {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        Ok(Scope { actor: self.actor.clone(), projects: ProjectSet::Only(ids.into_iter().collect()) })
    }

    /// The actor as a resident of `house_id`, given what storage found binding them to it: 404
    /// when nothing does (not bound, bound no more, another's house, no such house alike), or
    /// when the user no longer holds any grant in its project (the binding's `resident` role
    /// taken away).
    pub fn require_bound(&self, house_id: Id, bound: Option<BoundHouse>) -> Result<Resident> {
        match bound {
            Some(b)
                if Some(b.user_id) == self.actor.user_id
                    && b.house_id == house_id
                    && self.covers(b.project_id).next().is_some() =>
            {
                Ok(Resident { actor: self.actor.clone(), house_id, project_id: b.project_id })
            }
            _ => Err(Error::not_found("house", house_id)),
        }
    }

    /// The projects where the user holds both permissions (reading people and revealing their
    /// ID numbers, say); 403 when there is none.
    pub fn scope_both(&self, a: Permission, b: Permission) -> Result<Scope> {
        let (sa, sb) = (self.scope(a)?, self.scope(b)?);
        let projects = match (sa.projects, sb.projects) {
            (ProjectSet::All, other) | (other, ProjectSet::All) => other,
            (ProjectSet::Only(x), ProjectSet::Only(y)) => {
                let both: Vec<Id> = x.into_iter().filter(|p| y.contains(p)).collect();
                if both.is_empty() {
                    return Err(Error::Forbidden(Code::Forbidden));
                }
                ProjectSet::Only(both)
            }
        };
        Ok(Scope { actor: self.actor.clone(), projects })
    }
}

impl Granted {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn project_id(&self) -> Id {
        self.project_id
    }
    pub fn company_id(&self) -> Id {
        self.actor.company_id
    }
    /// The granted project as a list scope (reading back what a command just wrote).
    pub fn scope(&self) -> Scope {
        Scope { actor: self.actor.clone(), projects: ProjectSet::Only(vec![self.project_id]) }
    }
}

impl Resident {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn house_id(&self) -> Id {
        self.house_id
    }
    pub fn project_id(&self) -> Id {
        self.project_id
    }
    /// The house's project as a list scope; what is read through it is still filtered to the
    /// house.
    pub fn scope(&self) -> Scope {
        Scope { actor: self.actor.clone(), projects: ProjectSet::Only(vec![self.project_id]) }
    }
}

impl GrantedCompany {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn company_id(&self) -> Id {
        self.actor.company_id
    }
}

impl Scope {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn company_id(&self) -> Id {
        self.actor.company_id
    }
    pub fn projects(&self) -> &ProjectSet {
        &self.projects
    }
    pub fn allows(&self, project_id: Id) -> bool {
        match &self.projects {
            ProjectSet::All => true,
            ProjectSet::Only(ids) => ids.contains(&project_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authz(grants: Vec<(Option<Id>, &[Permission])>) -> Authz {
        let actor = Actor { user_id: Some(7), company_id: 1, name: "u".into(), ip: None };
        Authz::new(
            actor,
            grants
                .into_iter()
                .map(|(project_id, p)| GrantPermissions { project_id, permissions: p.iter().copied().collect() })
                .collect(),
        )
    }

    #[test]
    fn a_resident_is_proven_only_by_a_binding_of_their_own_to_that_house_in_a_project_they_hold() {
        let a = authz(vec![(Some(1), &[Permission::PropertyProjectRead])]);
        let bound = |user_id, house_id, project_id| Some(BoundHouse { user_id, house_id, project_id });
        let r = a.require_bound(10, bound(7, 10, 1)).unwrap();
        assert_eq!((r.house_id(), r.project_id(), r.scope().allows(1), r.scope().allows(2)), (10, 1, true, false));
        let refused = [None, bound(8, 10, 1), bound(7, 11, 1), bound(7, 10, 2)];
        for b in refused {
            assert!(matches!(a.require_bound(10, b), Err(Error::NotFound { .. })));
        }
    }

    #[test]
    fn a_project_without_any_grant_is_not_found_and_a_missing_permission_is_forbidden() {
        let a = authz(vec![(Some(1), &[Permission::PropertyProjectRead])]);
        assert!(a.require(Permission::PropertyProjectRead, 1).is_ok());
        assert!(matches!(a.require(Permission::PropertyProjectUpdate, 1), Err(Error::Forbidden(_))));
        assert!(matches!(a.require(Permission::PropertyProjectRead, 2), Err(Error::NotFound { .. })));
    }

    #[test]
    fn a_company_wide_grant_covers_every_project_and_company_actions() {
        let a = authz(vec![(None, &[Permission::AuthUserManage, Permission::PropertyProjectRead])]);
        assert!(a.require(Permission::PropertyProjectRead, 99).is_ok());
        assert!(a.require_company(Permission::AuthUserManage).is_ok());
        assert_eq!(a.scope(Permission::PropertyProjectRead).unwrap().projects(), &ProjectSet::All);
    }

    #[test]
    fn a_list_scope_is_the_union_of_projects_holding_the_permission() {
        let a = authz(vec![
            (Some(3), &[Permission::AuditLogRead]),
            (Some(1), &[Permission::AuditLogRead]),
            (Some(2), &[Permission::PropertyProjectRead]),
        ]);
        assert_eq!(a.scope(Permission::AuditLogRead).unwrap().projects(), &ProjectSet::Only(vec![1, 3]));
        assert!(a.require_company(Permission::AuditLogRead).is_err());
        assert!(a.scope(Permission::AuthUserManage).is_err());
    }

    #[test]
    fn a_scope_of_two_permissions_is_where_both_are_held() {
        use Permission::{PeoplePersonRead as Read, PeoplePersonRevealId as Reveal};
        let a = authz(vec![(Some(1), &[Read, Reveal]), (Some(2), &[Read]), (Some(3), &[Reveal])]);
        assert_eq!(a.scope_both(Read, Reveal).unwrap().projects(), &ProjectSet::Only(vec![1]));
        let company = authz(vec![(None, &[Read]), (Some(3), &[Reveal])]);
        assert_eq!(company.scope_both(Read, Reveal).unwrap().projects(), &ProjectSet::Only(vec![3]));
        let apart = authz(vec![(Some(2), &[Read]), (Some(3), &[Reveal])]);
        assert!(matches!(apart.scope_both(Read, Reveal), Err(Error::Forbidden(_))));
        assert!(authz(vec![(Some(2), &[Read])]).scope_both(Read, Reveal).is_err());
    }
}
