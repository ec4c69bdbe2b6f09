//! Who is calling, and what they may touch: passwords, tokens, device sessions, roles and the
//! scope policy that every read and write goes through.

mod code;
mod password;
mod principal;
mod role;
mod session;
mod throttle;
mod token;
mod verify;

pub use code::{
    display_sign_in_code, hash_sign_in_code, login_with_code, new_sign_in_code,
    SIGN_IN_CODE_TTL_SECS,
};
pub use password::{hash_password, verify_password, MIN_PASSWORD_LEN};
pub use principal::Principal;
pub use role::Role;
pub use session::{login, logout, refresh, SessionPolicy, Sessions, TokenPair};
pub use throttle::LoginThrottle;
pub use token::TokenKeys;
pub use verify::{device_revoked, load_principal, principal_from_token};
