use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use linli_audit::AuditService;
use linli_auth::{AuthService, UserService};
use linli_billing::MeterService;
use linli_equipment::EquipmentService;
use linli_notify::{Hub, NotifyService};
use linli_people::{PeopleService, PiiCipher};
use linli_property::{ProjectService, StructureService};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::{error, metrics, openapi, web};

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
    pub meters: MeterService,
    /// `sqlite` or `postgres`, for `/healthz`.
    pub database: &'static str,
    pub metrics: Option<PrometheusHandle>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Where uploaded files are stored (`<data_dir>/files`).
    pub files_dir: std::path::PathBuf,
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
            + linli_billing::MeterRepo
            + 'static,
    {
        Self {
            auth: AuthService::new(repo.clone()),
            users: UserService::new(repo.clone()),
            projects: ProjectService::new(repo.clone()),
            structure: StructureService::new(repo.clone()),
            notify: NotifyService::new(repo.clone(), Hub::default()).with_channel(Arc::new(linli_notify::InApp)),
            people: PeopleService::new(repo.clone(), cipher, Arc::new(linli_people::binding::DemoSender)),
            audit: AuditService::new(repo.clone()),
            equipment: EquipmentService::new(repo.clone()),
            billing: linli_billing::BillingService::new(repo.clone(), seal),
            meters: MeterService::new(repo),
            database,
            metrics: None,
            secure_cookies: false,
            files_dir: std::env::temp_dir().join("linli-files"),
        }
    }
}

pub(crate) fn router(app: App) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let (api, _doc) = openapi::api_router().split_for_parts();
    api.merge(openapi::document_route())
        .merge(metrics::route())
        .fallback(web::serve)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        // Extractors keep their own, smaller limits; this one admits attachment uploads.
        .layer(RequestBodyLimitLayer::new(crate::routes::attachments::MAX_BODY))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(app)
}
