//! Server configuration, filled from flags and `KHAOSAT_*` environment variables by `cli`.

/// A village of a thousand households with a year of edits stays far below this.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Everything `serve` needs to know; see `cli::ServeArgs` for the defaults.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// HMAC secret signing access tokens; shared by every replica.
    pub jwt_secret: Vec<u8>,
    /// Lifetime of an access token, in seconds. Short: phones refresh silently.
    pub access_ttl_secs: i64,
    /// Lifetime of a refresh token, in seconds. Long, and renewed on every use, so a phone that
    /// works offline for days still signs in silently when it sees a network.
    pub refresh_ttl_secs: i64,
    /// A refresh token presented again less than this many seconds after its first use is a retry
    /// after a lost answer,
    /// not theft.
    pub refresh_reuse_grace_secs: i64,
    /// Largest JSON request body accepted, in bytes.
    pub json_body_limit: usize,
    /// Largest CSV upload accepted, in bytes.
    pub upload_body_limit: usize,
    /// Largest household register accepted, in bytes (streamed to a temporary file, not held
    /// in memory).
    pub register_upload_limit: u64,
    /// Stored size past which a village document takes no more changes.
    pub max_document_bytes: u64,
    /// Consecutive wrong passwords that lock an account.
    pub login_max_failures: i64,
    /// How long a locked account stays locked, in seconds.
    pub login_lock_secs: i64,
    /// Sign-in attempts one address may make at once before it must slow down.
    pub login_ip_burst: u32,
    /// Sign-in attempts per minute one address earns back after a burst.
    pub login_ip_per_minute: u32,
    /// Take the client address from the last `X-Forwarded-For` hop (only behind a reverse proxy
    /// that sets it; otherwise anyone could pick their own address).
    pub trust_forwarded_for: bool,
    /// A connection that has not sent a complete request head this long after it opened (or
    /// after its previous answer) is closed: slow or idle clients cannot hold sockets for ever.
    pub header_read_timeout: std::time::Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
}

impl Config {
    /// A configuration with production defaults for the given database and secret.
    pub fn new(database_url: impl Into<String>, jwt_secret: impl Into<Vec<u8>>) -> Self {
        Config {
            database_url: database_url.into(),
            jwt_secret: jwt_secret.into(),
            access_ttl_secs: 15 * 60,
            refresh_ttl_secs: 60 * 24 * 3600,
            refresh_reuse_grace_secs: 30,
            json_body_limit: 1024 * 1024,
            upload_body_limit: 32 * 1024 * 1024,
            register_upload_limit: 64 * 1024 * 1024,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            login_max_failures: 5,
            login_lock_secs: 15 * 60,
            // Generous: a commune office trains forty people behind one NAT address.
            login_ip_burst: 60,
            login_ip_per_minute: 60,
            trust_forwarded_for: false,
            header_read_timeout: std::time::Duration::from_secs(10),
            max_connections: 10_000,
        }
    }
}
