//! Who is calling, and what they may touch: passwords, tokens, device sessions, roles and the
//! scope policy that every read and write goes through.

mod extract;
pub use extract::{load_principal, principal_from_token};
mod password;
mod principal;
mod role;
mod session;
mod throttle;
mod token;

pub use password::{hash_password, verify_password, MIN_PASSWORD_LEN};
pub use principal::Principal;
pub use role::Role;
pub use session::{login, logout, refresh, TokenPair};
pub use throttle::LoginThrottle;
pub use token::TokenKeys;
