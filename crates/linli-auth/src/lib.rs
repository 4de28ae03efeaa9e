//! Accounts and permissions: staff and resident users, password hashes, sessions shared through
//! the database, login throttling by account and source, built-in roles and per-project grants. Builds the `Authz` that
//! every other module's service checks.

mod grant;
mod login;
mod password;
mod repo;
mod role;
mod session;
mod throttle;
mod user;
mod users;

pub use grant::{Grant, NewGrant};
pub use login::OWN_PASSWORD_TRIES;
pub use login::{AuthService, LoggedIn, SESSION_DAYS, SessionAuth};
pub use password::{hash_password, verify_password};
pub use repo::{AuthRepo, LoginRecord, NewSession, SessionRecord, SessionRepo, UserRepo};
pub use role::{Role, builtin_roles};
pub use session::{hash_token, new_token};
pub use throttle::{
    ACCOUNT_MAX, ACCOUNT_SOURCE_MAX, KNOWN_SOURCE_DAYS, PER_ACCOUNT, PER_ACCOUNT_SOURCE, PER_SOURCE, SLOW_PACE_SECS,
    SOURCE_MAX, WINDOW_MINUTES,
};
pub use user::{Me, NewUser, OwnPasswordChange, PasswordChange, ProjectRef, User, UserPatch};
pub use users::UserService;
