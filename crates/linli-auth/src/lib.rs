//! Accounts and permissions: staff and resident users, password hashes, sessions shared through
//! the database, login throttling, built-in roles and per-project grants. Builds the `Authz` that
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
pub use login::{AuthService, LoggedIn, SESSION_DAYS, SessionAuth};
pub use password::{hash_password, verify_password};
pub use repo::{AuthRepo, LoginRecord, NewSession, SessionRecord};
pub use role::{Role, builtin_roles};
pub use session::{hash_token, new_token};
pub use throttle::{MAX_FAILURES, WINDOW_MINUTES, retry_after};
pub use user::{Me, NewUser, PasswordChange, ProjectRef, User, UserPatch};
pub use users::UserService;
