//! The use cases of people: keep owners and residents, reveal an ID number (audited), record who
//! owns and who lives in a house.

use std::sync::Arc;

use async_trait::async_trait;
use linli_core::throttle::{Limit, Throttle, key};
use linli_core::{
    AuditEvent, Authz, BoundHouse, Change, Granted, Id, Page, PageRequest, Permission, Resident, Result, Scope,
};
use serde::Serialize;

use crate::binding::{self, BindingCode, BindingConfirm, BindingRequest, CodeSender, CodeSent};
use crate::id_number;
use crate::person_import::{self, PersonImportFacts, PersonImportPlan};
use crate::person_sheet::{self, HouseRef, PersonRow};
use crate::pii::{PiiCipher, mask};
use crate::tenure::{
    EndOwnership, HousePeople, MoveOut, NewOccupancy, NewOwnership, Occupancy, Ownership, PersonHouses, share_bp,
};
use crate::{NewPerson, Person, PersonFields, PersonFilter, PersonPatch};
use chrono::{DateTime, NaiveDate, Utc};
use linli_core::{Code, Error, FieldError};
use linli_import::{ImportReport, RowError};

/// A secret as stored: ciphertext, blind index and masked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encrypted {
    pub ciphertext: String,
    pub index: String,
    pub masked: String,
}

/// What changes in the stored secrets.
#[derive(Debug, Clone, Default)]
pub struct EncryptedSecrets {
    pub id_number: Change<Encrypted>,
    pub bank_account: Change<Encrypted>,
}

/// The ciphertexts of a person, for the one use case that decrypts them.
pub struct StoredSecrets {
    pub person: Person,
    pub id_number: Option<String>,
    pub bank_account: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RevealedPerson {
    pub id: Id,
    pub id_number: Option<String>,
    pub bank_account: Option<String>,
}

/// An import row with its secrets sealed, ready for the repository.
#[derive(Debug, Clone)]
pub struct EncryptedPersonRow {
    pub row: usize,
    pub fields: PersonFields,
    pub secrets: EncryptedSecrets,
    pub house: Option<HouseRef>,
    pub relation: crate::Relation,
    pub share_bp: i32,
    /// The ownership's start: 产权起始日期, else the move-in day, else the day of the import.
    pub owned_since: Option<chrono::NaiveDate>,
    pub moved_in_on: Option<chrono::NaiveDate>,
    /// Whether the row may find its person by ID number: only for an importer who may reveal
    /// ID numbers, else an import (a dry run, even) would confirm guessed numbers.
    pub match_by_id: bool,
}

impl EncryptedPersonRow {
    /// The blind index of the ID number, when the row has one and may be matched by it: how a
    /// person is recognised again.
    pub fn id_index(&self) -> Option<&str> {
        match &self.secrets.id_number {
            Change::Set(s) if self.match_by_id => Some(&s.index),
            _ => None,
        }
    }
}

pub const ID_FIELD: &str = "id_number";
pub const BANK_FIELD: &str = "bank_account";

/// Owners and residents: the register, its import, and reads that are audited.
#[async_trait]
pub trait PersonRepo: Send + Sync {
    /// `id_number_index` filters by exact ID number through its blind index.
    async fn list_persons(
        &self,
        scope: &Scope,
        filter: &PersonFilter,
        id_number_index: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Person>>;
    async fn get_person(&self, scope: &Scope, id: Id) -> Result<Person>;
    async fn create_person(
        &self,
        granted: &Granted,
        f: PersonFields,
        s: EncryptedSecrets,
        audit: AuditEvent,
    ) -> Result<Person>;
    async fn update_person(
        &self,
        granted: &Granted,
        id: Id,
        f: PersonFields,
        s: EncryptedSecrets,
        audit: AuditEvent,
    ) -> Result<Person>;
    async fn secrets(&self, scope: &Scope, id: Id) -> Result<StoredSecrets>;
    /// The project's persons, houses, current owners and occupants, for planning an import.
    async fn person_import_facts(&self, granted: &Granted) -> Result<PersonImportFacts>;
    /// Writes an import's plan with its audit rows and the summary `audit` in one transaction,
    /// rolled back on a dry run; each house a person moves into takes the state `house_state`
    /// gives it.
    async fn apply_person_import(
        &self,
        granted: &Granted,
        plan: PersonImportPlan,
        audit: AuditEvent,
        dry_run: bool,
    ) -> Result<()>;
    /// An audit row on its own (for reads that must be recorded, like revealing an ID number).
    async fn record(&self, audit: AuditEvent) -> Result<()>;
}

/// Residents binding their accounts to owners' records.
#[async_trait]
pub trait BindingRepo: Send + Sync {
    /// People with this phone who own a house now, in the company: (person, project, bound user).
    async fn owners_by_phone(&self, company_id: Id, phone: &str) -> Result<Vec<(Id, Id, Option<Id>)>>;
    async fn latest_binding_code(&self, user_id: Id, phone: &str) -> Result<Option<BindingCode>>;
    async fn store_binding_code(
        &self,
        user_id: Id,
        phone: &str,
        code_hash: String,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;
    async fn binding_try_failed(&self, code_id: Id) -> Result<()>;
    /// Marks the code used, links the people to the user and grants `resident` on their
    /// projects, with audit rows, in one transaction.
    async fn bind(&self, user_id: Id, code_id: Id, people: &[(Id, Id)], audit: AuditEvent) -> Result<()>;
    /// The houses of the people bound to this user.
    async fn bound_houses(&self, user_id: Id) -> Result<PersonHouses>;
    /// The house when one of the people bound to this user owns it or lives in it on `today`.
    async fn bound_house(&self, user_id: Id, house_id: Id, today: NaiveDate) -> Result<Option<BoundHouse>>;
}

/// Who owns and who lives in a house: ownerships and occupancies.
#[async_trait]
pub trait TenureRepo: Send + Sync {
    /// The project of a house in the scope (404 otherwise).
    async fn house_project(&self, scope: &Scope, house_id: Id) -> Result<Id>;
    async fn house_people(&self, scope: &Scope, house_id: Id) -> Result<HousePeople>;
    async fn person_houses(&self, scope: &Scope, person_id: Id) -> Result<PersonHouses>;
    /// The person must be of the house's project; current shares plus this one at most 100%
    /// (after ending the current owners when `replace_current`); a person already owning it is
    /// `ownership_exists`.
    async fn add_ownership(
        &self,
        granted: &Granted,
        house_id: Id,
        new: NewOwnership,
        bp: i32,
        audit: AuditEvent,
    ) -> Result<Ownership>;
    async fn ownership_project(&self, scope: &Scope, id: Id) -> Result<Id>;
    async fn end_ownership(&self, granted: &Granted, id: Id, end: EndOwnership, audit: AuditEvent)
    -> Result<Ownership>;
    /// Moving in makes a vacant house occupied; `occupancy_exists` when already living there.
    async fn add_occupancy(
        &self,
        granted: &Granted,
        house_id: Id,
        new: NewOccupancy,
        audit: AuditEvent,
    ) -> Result<Occupancy>;
    async fn occupancy_project(&self, scope: &Scope, id: Id) -> Result<Id>;
    /// The last occupant moving out makes an occupied house vacant.
    async fn end_occupancy(&self, granted: &Granted, id: Id, out: MoveOut, audit: AuditEvent) -> Result<Occupancy>;
}

/// Everything the people services store: `PersonRepo`, `BindingRepo`, `TenureRepo`, one trait per
/// business process; whatever implements them all is a `PeopleRepo`.
pub trait PeopleRepo: PersonRepo + BindingRepo + TenureRepo {}
impl<T: PersonRepo + BindingRepo + TenureRepo> PeopleRepo for T {}

#[derive(Clone)]
pub struct PeopleService {
    repo: Arc<dyn PeopleRepo>,
    cipher: Arc<PiiCipher>,
    sender: Arc<dyn CodeSender>,
    throttle: Throttle,
}

const READ: Permission = Permission::PeoplePersonRead;
const MANAGE: Permission = Permission::PeoplePersonManage;
const REVEAL: Permission = Permission::PeoplePersonRevealId;

/// Searches by whole ID number (the list's `id_number` filter, its export, and imports that match
/// rows by ID number), per user.
pub const ID_SEARCHES: Limit = Limit::new("people.id_search", 20, 3600);

impl PeopleService {
    pub fn new(
        repo: Arc<dyn PeopleRepo>,
        cipher: Arc<PiiCipher>,
        sender: Arc<dyn CodeSender>,
        throttle: Throttle,
    ) -> Self {
        Self { repo, cipher, sender, throttle }
    }

    /// The same service sending binding codes through `sender` (the configured SMS account).
    pub fn with_sender(mut self, sender: Arc<dyn CodeSender>) -> Self {
        self.sender = sender;
        self
    }

    pub fn cipher(&self) -> &PiiCipher {
        &self.cipher
    }

    fn seal(&self, field: &str, value: Change<String>) -> Result<Change<Encrypted>> {
        Ok(match value {
            Change::Keep => Change::Keep,
            Change::Clear => Change::Clear,
            Change::Set(plain) => Change::Set(Encrypted {
                ciphertext: self.cipher.encrypt(field, &plain)?,
                index: self.cipher.blind_index(field, &plain),
                masked: mask(&plain),
            }),
        })
    }

    fn sealed(&self, f: &mut PersonFields) -> Result<EncryptedSecrets> {
        Ok(EncryptedSecrets {
            id_number: self.seal(ID_FIELD, std::mem::take(&mut f.id_number))?,
            bank_account: self.seal(BANK_FIELD, std::mem::take(&mut f.bank_account))?,
        })
    }

    pub async fn list(&self, authz: &Authz, filter: &PersonFilter, page: PageRequest) -> Result<Page<Person>> {
        let number = filter.id_number.as_deref().map(id_number::normalize).filter(|n| !n.is_empty());
        match number {
            None => self.repo.list_persons(&authz.scope(READ)?, filter, None, page).await,
            Some(n) => self.search_by_id_number(authz, filter, &n, page).await,
        }
    }

    /// Users have a budget of searches by ID number; the system actor (CLI, demo) has none.
    async fn count_id_search(&self, authz: &Authz) -> Result<()> {
        if let Some(user) = authz.actor().user_id {
            self.throttle.hit(&ID_SEARCHES, &user.to_string(), chrono::Utc::now()).await?;
        }
        Ok(())
    }

    /// An exact match on the blind index confirms a guessed number as surely as revealing it, so
    /// it is treated as a reveal: it needs `people.person.reveal_id` (checked before anything is
    /// looked up, so a refusal says nothing about the number), counts against the user's
    /// `ID_SEARCHES` budget, and writes an audit row (the number masked) before answering.
    async fn search_by_id_number(
        &self,
        authz: &Authz,
        filter: &PersonFilter,
        number: &str,
        page: PageRequest,
    ) -> Result<Page<Person>> {
        let scope = match filter.project_id {
            Some(p) => {
                authz.require(READ, p)?;
                authz.require(REVEAL, p)?;
                authz.scope(READ)?
            }
            None => authz.scope_both(READ, REVEAL)?,
        };
        self.count_id_search(authz).await?;
        let index = self.cipher.blind_index(ID_FIELD, number);
        let found = self.repo.list_persons(&scope, filter, Some(&index), page).await?;
        let projects: std::collections::BTreeSet<Id> = found.items.iter().map(|p| p.project_id).collect();
        let project = filter.project_id.or_else(|| (projects.len() == 1).then(|| projects.iter().copied().next())?);
        let ids: Vec<Id> = found.items.iter().map(|p| p.id).collect();
        let mut audit = AuditEvent::new(authz.actor(), "people.person.id_searched", "person")
            .project(project)
            .after(&serde_json::json!({ "id_number": mask(number), "matches": found.total, "person_ids": ids }));
        if let [only] = ids.as_slice() {
            audit = audit.entity_id(*only);
        }
        self.repo.record(audit).await?;
        Ok(found)
    }

    pub async fn get(&self, authz: &Authz, id: Id) -> Result<Person> {
        self.repo.get_person(&authz.scope(READ)?, id).await
    }

    pub async fn create(&self, authz: &Authz, new: NewPerson) -> Result<Person> {
        let granted = authz.require(MANAGE, new.project_id)?;
        let mut f = new.validated()?;
        let secrets = self.sealed(&mut f)?;
        let audit = AuditEvent::new(granted.actor(), "people.person.created", "person").project(Some(new.project_id));
        self.repo.create_person(&granted, f, secrets, audit).await
    }

    pub async fn update(&self, authz: &Authz, id: Id, patch: PersonPatch) -> Result<Person> {
        let before = self.get(authz, id).await?;
        let granted = authz.require(MANAGE, before.project_id)?;
        let mut f = patch.apply(&before)?;
        let secrets = self.sealed(&mut f)?;
        let audit = AuditEvent::new(granted.actor(), "people.person.updated", "person")
            .project(Some(before.project_id))
            .entity_id(id)
            .before(&before);
        self.repo.update_person(&granted, id, f, secrets, audit).await
    }

    /// The whole ID number and bank account, for a caller holding `people.person.reveal_id`.
    /// Every reveal writes an audit row first: no row, no reveal.
    pub async fn reveal(&self, authz: &Authz, id: Id) -> Result<RevealedPerson> {
        let stored = self.repo.secrets(&authz.scope(READ)?, id).await?;
        let granted = authz.require(Permission::PeoplePersonRevealId, stored.person.project_id)?;
        let fields: Vec<&str> =
            [stored.id_number.as_ref().map(|_| ID_FIELD), stored.bank_account.as_ref().map(|_| BANK_FIELD)]
                .into_iter()
                .flatten()
                .collect();
        let audit = AuditEvent::new(granted.actor(), "people.person.revealed", "person")
            .project(Some(stored.person.project_id))
            .entity_id(id)
            .after(&serde_json::json!({ "fields": fields }));
        self.repo.record(audit).await?;
        Ok(RevealedPerson {
            id,
            id_number: stored.id_number.map(|c| self.cipher.decrypt(ID_FIELD, &c)).transpose()?,
            bank_account: stored.bank_account.map(|c| self.cipher.decrypt(BANK_FIELD, &c)).transpose()?,
        })
    }

    pub async fn import_persons(
        &self,
        authz: &Authz,
        project_id: Id,
        file_name: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let granted = authz.require(MANAGE, project_id)?;
        let sheet = linli_import::read_sheet(file_name, bytes)?;
        let (rows, mut errors) = person_sheet::parse(&sheet, project_id);
        // Matching rows by ID number is a search by ID number: only with the reveal permission,
        // counted and audited (dry runs too); without it rows are matched by name and phone.
        let match_by_id = authz.require(REVEAL, project_id).is_ok();
        let mut sealed = Vec::with_capacity(rows.len());
        for r in rows {
            let PersonRow { row, mut fields, house, relation, share, owned_since, moved_in_on } = r;
            let Ok(share_bp) = share_bp(share) else {
                errors.push(RowError::new(row, "产权份额", "out_of_range"));
                continue;
            };
            let secrets = self.sealed(&mut fields)?;
            let owned_since = owned_since.or(moved_in_on);
            sealed.push(EncryptedPersonRow {
                row,
                fields,
                secrets,
                house,
                relation,
                share_bp,
                owned_since,
                moved_in_on,
                match_by_id,
            });
        }
        let with_id = sealed.iter().filter(|r| r.id_index().is_some()).count();
        if with_id > 0 {
            self.count_id_search(authz).await?;
            let audit = AuditEvent::new(granted.actor(), "people.person.id_searched", "person")
                .project(Some(project_id))
                .after(&serde_json::json!({ "import": file_name, "rows_with_id_number": with_id, "dry_run": dry_run }));
            self.repo.record(audit).await?;
        }
        let facts = self.repo.person_import_facts(&granted).await?;
        let plan = person_import::plan(sealed, facts, Utc::now().date_naive());
        let counts = plan.counts.clone();
        let audit = AuditEvent::new(granted.actor(), "people.person.imported", "person")
            .project(Some(project_id))
            .after(&counts.summary());
        self.repo.apply_person_import(&granted, plan, audit, dry_run).await?;
        Ok(linli_import::report("persons", dry_run, sheet.rows.len(), counts, errors))
    }

    /// The people matching a filter as XLSX (ID numbers masked).
    pub async fn export(&self, authz: &Authz, filter: &PersonFilter) -> Result<Vec<u8>> {
        let page = PageRequest { page: 1, page_size: linli_import::EXPORT_MAX };
        let people = self.list(authz, filter, page).await?;
        linli_import::write_xlsx("业主住户", &person_sheet::EXPORT_COLUMNS, &person_sheet::rows(&people.items))
    }

    /// Sends a binding code to an owner's phone. Whoever owns the phone, the request counts
    /// against the same limits, stores a code and gets the same answer; only an owner's phone
    /// is texted, at most once per `RESEND_SECONDS`.
    pub async fn request_binding(&self, authz: &Authz, req: BindingRequest, now: DateTime<Utc>) -> Result<CodeSent> {
        let user_id = authz.actor().user_id.ok_or(Error::Forbidden(Code::Forbidden))?;
        let phone = req.phone.trim().to_string();
        if !crate::phone_ok(&phone) || phone.chars().count() > 20 {
            return Err(Error::invalid("phone", "invalid_format"));
        }
        let account = user_id.to_string();
        self.throttle.hit(&binding::REQUESTS_PER_ACCOUNT, &account, now).await?;
        self.throttle.hit(&binding::REQUESTS_PER_ACCOUNT_PHONE, &key(&[&account, &phone]), now).await?;
        self.throttle.hit(&binding::REQUESTS_PER_PHONE, &phone, now).await?;
        let expires_at = binding::expires(now);
        let owner = !self.repo.owners_by_phone(authz.actor().company_id, &phone).await?.is_empty();
        // A code for every phone, so that storage and confirmation behave alike; nobody ever sees
        // the code of a phone that is not an owner's.
        let code = binding::new_code();
        self.repo.store_binding_code(user_id, &phone, binding::code_hash(user_id, &phone, &code), expires_at).await?;
        if owner {
            self.sender.send_code(&phone, &code);
        }
        Ok(CodeSent { expires_at })
    }

    /// Checks the code and binds the account to the owner's houses. A wrong, spent, expired or
    /// missing code, and a code for a phone that is no owner's, all answer the same 422.
    pub async fn confirm_binding(
        &self,
        authz: &Authz,
        req: BindingConfirm,
        now: DateTime<Utc>,
    ) -> Result<PersonHouses> {
        let user_id = authz.actor().user_id.ok_or(Error::Forbidden(Code::Forbidden))?;
        let phone = req.phone.trim().to_string();
        let account = user_id.to_string();
        self.throttle.hit(&binding::CONFIRMS_PER_ACCOUNT, &account, now).await?;
        self.throttle.hit(&binding::CONFIRMS_PER_ACCOUNT_PHONE, &key(&[&account, &phone]), now).await?;
        self.throttle.hit(&binding::CONFIRMS_PER_PHONE, &phone, now).await?;
        let wrong = || Error::Validation(vec![FieldError::new("code", "binding_code_invalid")]);
        let stored = self.repo.latest_binding_code(user_id, &phone).await?.ok_or_else(wrong)?;
        if !binding::accepts(&stored, user_id, &phone, &req.code, now) {
            if !stored.used {
                self.repo.binding_try_failed(stored.id).await?;
            }
            return Err(wrong());
        }
        let owners = self.repo.owners_by_phone(authz.actor().company_id, &phone).await?;
        if owners.is_empty() {
            return Err(wrong());
        }
        if owners.iter().any(|(_, _, bound)| bound.is_some_and(|u| u != user_id)) {
            return Err(Error::Conflict(Code::PersonBoundElsewhere));
        }
        let people: Vec<(Id, Id)> = owners.iter().map(|(p, project, _)| (*p, *project)).collect();
        let audit = AuditEvent::new(authz.actor(), "people.person.bound", "person");
        self.repo.bind(user_id, stored.id, &people, audit).await?;
        self.repo.bound_houses(user_id).await
    }

    /// The houses the signed-in resident is bound to.
    pub async fn my_houses(&self, authz: &Authz) -> Result<PersonHouses> {
        let user_id = authz.actor().user_id.ok_or(Error::Forbidden(Code::Forbidden))?;
        self.repo.bound_houses(user_id).await
    }

    /// The signed-in user as a resident of the house (owning it or living in it today through
    /// a binding): the proof a resident's own endpoints take; 404 otherwise.
    pub async fn resident_of(&self, authz: &Authz, house_id: Id) -> Result<Resident> {
        let bound = match authz.actor().user_id {
            Some(user_id) => self.repo.bound_house(user_id, house_id, Utc::now().date_naive()).await?,
            None => None,
        };
        authz.require_bound(house_id, bound)
    }

    pub async fn house_people(&self, authz: &Authz, house_id: Id) -> Result<HousePeople> {
        self.repo.house_people(&authz.scope(READ)?, house_id).await
    }

    pub async fn person_houses(&self, authz: &Authz, person_id: Id) -> Result<PersonHouses> {
        self.repo.person_houses(&authz.scope(READ)?, person_id).await
    }

    async fn granted_for_house(&self, authz: &Authz, house_id: Id) -> Result<Granted> {
        let project = self.repo.house_project(&authz.scope(READ)?, house_id).await?;
        authz.require(MANAGE, project)
    }

    pub async fn add_ownership(&self, authz: &Authz, house_id: Id, new: NewOwnership) -> Result<Ownership> {
        let granted = self.granted_for_house(authz, house_id).await?;
        let bp = share_bp(new.share)?;
        let audit = AuditEvent::new(granted.actor(), "people.ownership.created", "ownership")
            .project(Some(granted.project_id()));
        self.repo.add_ownership(&granted, house_id, new, bp, audit).await
    }

    pub async fn end_ownership(&self, authz: &Authz, id: Id, end: EndOwnership) -> Result<Ownership> {
        let project = self.repo.ownership_project(&authz.scope(READ)?, id).await?;
        let granted = authz.require(MANAGE, project)?;
        let audit = AuditEvent::new(granted.actor(), "people.ownership.ended", "ownership")
            .project(Some(project))
            .entity_id(id);
        self.repo.end_ownership(&granted, id, end, audit).await
    }

    pub async fn add_occupancy(&self, authz: &Authz, house_id: Id, new: NewOccupancy) -> Result<Occupancy> {
        let granted = self.granted_for_house(authz, house_id).await?;
        let audit = AuditEvent::new(granted.actor(), "people.occupancy.created", "occupancy")
            .project(Some(granted.project_id()));
        self.repo.add_occupancy(&granted, house_id, new, audit).await
    }

    pub async fn end_occupancy(&self, authz: &Authz, id: Id, out: MoveOut) -> Result<Occupancy> {
        let project = self.repo.occupancy_project(&authz.scope(READ)?, id).await?;
        let granted = authz.require(MANAGE, project)?;
        let audit = AuditEvent::new(granted.actor(), "people.occupancy.ended", "occupancy")
            .project(Some(project))
            .entity_id(id);
        self.repo.end_occupancy(&granted, id, out, audit).await
    }
}
