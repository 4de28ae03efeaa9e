//! Wiring: storage → services → HTTP, plus the job workers, with a graceful shutdown.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use linli_db::Db;
use linli_http::App;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;

fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().ok()).clone()
}

/// Connects, migrates and writes the rows the platform needs (built-in roles, the company).
pub async fn open(config: &Config) -> anyhow::Result<(Db, i64)> {
    let db = linli_db::connect(&config.database_url()).await?;
    db.migrate().await?;
    let company = bootstrap(&db, &config.company_name).await?;
    Ok((db, company))
}

pub async fn bootstrap(db: &Db, company_name: &str) -> anyhow::Result<i64> {
    linli_db::sync_roles(db, &linli_auth::builtin_roles()).await?;
    let company = linli_db::ensure_company(db, company_name).await?;
    linli_db::ensure_equipment_categories(db, company).await?;
    Ok(company)
}

pub fn app(db: &Db, config: &Config) -> anyhow::Result<App> {
    let master = config.master_key()?;
    let cipher = Arc::new(linli_people::PiiCipher::from_master_key(&master));
    let mut app = App::new(Arc::new(db.clone()), db.backend.as_str(), cipher.clone(), ledger_seal(&master));
    app.metrics = metrics_handle();
    app.metrics_token = config.metrics_token.clone().filter(|t| !t.trim().is_empty());
    app.https = config.is_https();
    app.secure_cookies = config.secure_cookies || app.https;
    app.files_dir = config.data_dir.join("files");
    app.trusted_proxies = config.trusted_proxies.parse().map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?;
    app.public_url = config.public_url.as_deref().map(|u| u.trim_end_matches('/').to_owned());
    let origin = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.bind));
    app.notify = app.notify.clone().with_unsubscribe(unsubscribe_key(&master), &origin);
    for channel in [crate::channels::sms(config)?, crate::channels::email(config)?].into_iter().flatten() {
        app.notify = app.notify.clone().with_channel(channel);
    }
    let notices = crate::jobs::PaymentNotices { db: db.clone(), notify: app.notify.clone() };
    app.billing = app.billing.clone().with_payment_listener(Arc::new(notices));
    app.payments = app.payments.clone().with_payments(app.billing.payments.clone());
    if let Some(wechat) = crate::channels::wechat_pay(config)? {
        app.payments = app.payments.clone().with_channel(linli_billing::PaymentChannel::Wechat, Arc::new(wechat));
    }
    if let Some(alipay) = crate::channels::alipay(config)? {
        app.payments = app.payments.clone().with_channel(linli_billing::PaymentChannel::Alipay, Arc::new(alipay));
    }
    app.reconcile = app.reconcile.clone().with_orders(app.payments.clone());
    if let Some(sender) = crate::channels::code_sender(config)? {
        app.people = app.people.clone().with_sender(Arc::new(sender));
    }
    Ok(app)
}

/// Its own key for sealing ledger entries (`linli check ledger` verifies them).
pub fn ledger_seal(master: &[u8; 32]) -> linli_billing::Seal {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"linli ledger seal v1\0");
    h.update(master);
    linli_billing::Seal::new(h.finalize().into())
}

/// Its own key for unsubscribe links, so the personal-data key signs nothing public.
fn unsubscribe_key(master: &[u8; 32]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"linli unsubscribe key v1\0");
    h.update(master);
    h.finalize().into()
}

/// A running server; dropping the handle does not stop it, `shutdown` does.
pub struct Running {
    pub addr: SocketAddr,
    /// Where `/metrics` is served on its own (`metrics_bind`).
    pub metrics_addr: Option<SocketAddr>,
    /// The services this server runs, for tests and the CLI.
    pub app: App,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }

    pub async fn wait(self) {
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Binds `bind` (port 0 for any) and serves until `shutdown` or Ctrl-C/SIGTERM.
pub async fn start(db: Db, config: &Config, bind: &str) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (stop, rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let app = app(&db, config)?;
    if config.workers {
        tasks.extend(crate::jobs::spawn(&db, &app, rx.clone()).await?);
    }
    let router = linli_http::router(app.clone());
    let mut shutdown_rx = rx.clone();
    let hub = app.notify.hub().clone();
    tasks.push(tokio::spawn(async move {
        let serve = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = shutdown_rx.changed().await;
                hub.close();
            });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "server stopped");
        }
    }));
    let mut metrics_addr = None;
    if let Some(bind) = &config.metrics_bind {
        let listener = TcpListener::bind(bind).await?;
        metrics_addr = Some(listener.local_addr()?);
        tracing::info!(addr = %listener.local_addr()?, "serving /metrics");
        let router = linli_http::metrics_router(app.clone());
        let mut shutdown_rx = rx.clone();
        tasks.push(tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = shutdown_rx.changed().await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "metrics server stopped");
            }
        }));
    }
    let signal_tx = stop.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = signal_tx.send(true);
    });
    Ok(Running { addr, metrics_addr, app, stop, tasks })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// How often idle workers look for jobs.
pub const POLL: Duration = Duration::from_secs(2);
