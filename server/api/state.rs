//! The state every HTTP handler can reach, built once at start.

use std::sync::Arc;

use crate::auth::{LoginThrottle, SessionPolicy, Sessions, TokenKeys};
use crate::config::Config;
use crate::households::jobs::Jobs;
use crate::store::{Backend, Store};
use crate::sync::{replicas, SyncError, SyncHub};

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub keys: TokenKeys,
    pub sync: Arc<SyncHub>,
    pub login_throttle: Arc<LoginThrottle>,
    /// Token lifetimes and sign-in limits, from the configuration.
    pub session_policy: Arc<SessionPolicy>,
    /// Household register imports running in the background.
    pub jobs: Arc<Jobs>,
}

impl AppState {
    /// Opens (and migrates) the database named in the configuration.
    pub async fn open(config: Config) -> Result<Self, SyncError> {
        let store = Store::connect(&config.database_url).await?;
        Self::new(store, config).await
    }

    /// Builds the state over an open store; on PostgreSQL it also starts listening for the
    /// changes other replicas store.
    pub async fn new(store: Store, config: Config) -> Result<Self, SyncError> {
        let keys = TokenKeys::new(&config.jwt_secret);
        let sync = SyncHub::new(store.clone()).await?;
        sync.set_max_document_bytes(config.max_document_bytes);
        if store.backend() == Backend::Postgres {
            replicas::spawn_listener(sync.clone(), config.database_url.clone());
        }
        if let Err(e) = crate::metrics::rules::resume_counting(&store, &sync).await {
            tracing::warn!(error = %e, "indicators not yet counted could not be listed; counted at the next start");
        }
        let login_throttle = Arc::new(LoginThrottle::new(
            config.login_ip_per_minute,
            config.login_ip_burst,
        ));
        let session_policy = Arc::new(SessionPolicy {
            access_ttl_secs: config.access_ttl_secs,
            refresh_ttl_secs: config.refresh_ttl_secs,
            refresh_reuse_grace_secs: config.refresh_reuse_grace_secs,
            login_max_failures: config.login_max_failures,
            login_lock_secs: config.login_lock_secs,
            refresh_secret: config.jwt_secret.clone(),
        });
        Ok(AppState {
            login_throttle,
            session_policy,
            store,
            config: Arc::new(config),
            keys,
            sync,
            jobs: Arc::new(Jobs::default()),
        })
    }
}

impl AppState {
    /// What sign-in, refresh and sign-out need, and nothing more.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions {
            store: &self.store,
            keys: &self.keys,
            throttle: &self.login_throttle,
            policy: &self.session_policy,
        }
    }
}
