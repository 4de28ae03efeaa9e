//! People: owners and residents (persons and organisations), their ownership of houses and
//! their occupancies, with ID numbers and bank accounts encrypted at rest and shown masked.

pub mod binding;
pub mod id_number;
mod person;
pub mod person_import;
pub mod person_sheet;
pub mod pii;
mod service;
mod tenure;

pub use id_number::IdType;
pub use person::{Gender, NewPerson, Person, PersonFields, PersonFilter, PersonKind, PersonPatch, phone_ok};
pub use pii::PiiCipher;
pub use service::{
    BANK_FIELD, BindingRepo, Encrypted, EncryptedPersonRow, EncryptedSecrets, ID_FIELD, ID_SEARCHES, PeopleRepo,
    PeopleService, PersonRepo, RevealedPerson, StoredSecrets, TenureRepo,
};
pub use tenure::{
    EndOwnership, HousePeople, MoveOut, NewOccupancy, NewOwnership, Occupancy, Ownership, PersonHouses, Relation,
    check_total_share, share_bp, share_of,
};
