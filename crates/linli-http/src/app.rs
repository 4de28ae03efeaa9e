use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderName;
use linli_audit::AuditService;
use linli_auth::{AuthService, UserService};
use linli_equipment::EquipmentService;
use linli_meters::MeterService;
use linli_notify::{Hub, NotifyService};
use linli_people::{PeopleService, PiiCipher};
use linli_property::{ProjectService, StructureService};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::{error, extract, metrics, openapi, security, web};

/// Everything a handler may call. Cheap to clone: services hold `Arc`s.
#[derive(Clone)]
pub struct App {
    pub auth: AuthService,
    pub users: UserService,
    pub projects: ProjectService,
    pub structure: StructureService,
    pub people: PeopleService,
    pub notify: NotifyService,
    pub audit: AuditService,
    pub equipment: EquipmentService,
    pub billing: linli_billing::BillingService,
    /// Payment orders through the configured channels (none until `server::app` adds them).
    pub payments: linli_payments::OrderService,
    /// Reconciliation of the channels' days (its orders replaced with `payments` once the
    /// channels are added).
    pub reconcile: linli_payments::ReconcileService,
    pub meters: MeterService,
    /// `sqlite` or `postgres`, for `/healthz`.
    pub database: &'static str,
    /// The database itself, asked by `/healthz`.
    pub probe: Arc<dyn linli_core::Probe>,
    pub metrics: Option<PrometheusHandle>,
    /// `/metrics` on the app port needs `Authorization: Bearer <token>`; without a token it is
    /// not served there (see `metrics`).
    pub metrics_token: Option<String>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The public URL is https: send HSTS.
    pub https: bool,
    /// Where uploaded files are stored (`<data_dir>/files`).
    pub files_dir: std::path::PathBuf,
    /// Proxies whose `X-Forwarded-For` names the client (sign-in throttling by source).
    pub trusted_proxies: crate::TrustedProxies,
    /// How people reach the server (`public_url`), e.g. `https://wuye.example.cn`: what QR labels
    /// encode. Unset: the address the request came to.
    pub public_url: Option<String>,
}

impl App {
    pub fn new<R>(repo: Arc<R>, database: &'static str, cipher: Arc<PiiCipher>, seal: linli_billing::Seal) -> Self
    where
        R: linli_auth::AuthRepo
            + linli_property::ProjectRepo
            + linli_property::StructureRepo
            + linli_people::PeopleRepo
            + linli_notify::NotifyRepo
            + linli_audit::AuditRepo
            + linli_equipment::EquipmentRepo
            + linli_billing::BillingRepo
            + linli_payments::OrderRepo
            + linli_payments::ReconcileRepo
            + linli_meters::MeterRepo
            + linli_core::ThrottleStore
            + linli_core::Probe
            + 'static,
    {
        let throttle = linli_core::Throttle::new(repo.clone());
        let billing = linli_billing::BillingService::new(&(repo.clone() as Arc<dyn linli_billing::BillingRepo>), seal);
        let payments =
            linli_payments::OrderService::new(repo.clone(), billing.payments.clone(), billing.seal().clone());
        Self {
            auth: AuthService::new(repo.clone(), throttle.clone()),
            users: UserService::new(repo.clone()),
            projects: ProjectService::new(repo.clone()),
            structure: StructureService::new(repo.clone()),
            notify: NotifyService::new(repo.clone(), Hub::default()).with_channel(Arc::new(linli_notify::InApp)),
            people: PeopleService::new(repo.clone(), cipher, Arc::new(linli_people::binding::DemoSender), throttle),
            audit: AuditService::new(repo.clone()),
            equipment: EquipmentService::new(repo.clone()),
            billing: billing.clone(),
            reconcile: linli_payments::ReconcileService::new(repo.clone(), payments.clone()),
            payments,
            meters: MeterService::new(repo.clone()),
            database,
            probe: repo,
            metrics: None,
            metrics_token: None,
            secure_cookies: false,
            https: false,
            files_dir: std::env::temp_dir().join("linli-files"),
            trusted_proxies: crate::TrustedProxies::default(),
            public_url: None,
        }
    }
}

pub(crate) fn router(app: App) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let (api, _doc) = openapi::api_router().split_for_parts();
    let mut routes = api.merge(openapi::document_route());
    if app.metrics_token.is_some() {
        routes = routes.merge(metrics::route());
    }
    routes
        .fallback(web::serve)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(metrics::track))
        // Routes that take more (imports, attachments) set their own limit inside this one.
        .layer(DefaultBodyLimit::max(extract::MAX_BODY))
        // The hard cap for any body, whoever reads it.
        .layer(RequestBodyLimitLayer::new(
            extract::MAX_IMPORT_BODY.max(crate::routes::equipment::attachments::MAX_BODY),
        ))
        .layer(axum::middleware::from_fn(error::problem_for_rejections))
        .layer(axum::middleware::from_fn_with_state(app.clone(), security::headers))
        // JSON and anything else worth it, gzip or brotli as the client prefers; not SSE (the
        // default predicate leaves `text/event-stream`, images and tiny bodies alone), not the
        // web app's files that `web` serves precompressed.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(app)
}
