use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use linli_core::{Error, Id};
use linli_import::{Column, ImportReport};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::download::{XLSX, attachment};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, CurrentUser};

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Houses,
    Persons,
    Equipment,
}

impl ImportKind {
    fn template(self) -> (&'static str, &'static [Column], Vec<String>) {
        match self {
            ImportKind::Houses => {
                ("房屋导入模板", &linli_property::house_sheet::COLUMNS, linli_property::house_sheet::example())
            }
            ImportKind::Persons => {
                ("业主导入模板", &linli_people::person_sheet::COLUMNS, linli_people::person_sheet::example())
            }
            ImportKind::Equipment => {
                ("设施设备导入模板", &linli_equipment::sheet::COLUMNS, linli_equipment::sheet::example())
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum TemplateFormat {
    #[default]
    Xlsx,
    Csv,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    #[serde(default)]
    #[param(inline)]
    pub format: TemplateFormat,
}

/// The import template with its Chinese headers and one example row.
#[utoipa::path(get, path = "/api/v1/imports/{kind}/template", tag = "imports", params(("kind" = String, Path, description = "`houses`, `persons` or `equipment`"), TemplateQuery),
    responses((status = 200, description = "XLSX or CSV (UTF-8 with BOM)"), (status = 401, body = Problem)))]
async fn import_template(
    _user: CurrentUser,
    Path(kind): Path<ImportKind>,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> ApiResult<Response> {
    let (name, cols, example) = kind.template();
    Ok(match q.format {
        TemplateFormat::Xlsx => {
            attachment(linli_import::write_xlsx("导入", cols, &[example])?, XLSX, &format!("{name}.xlsx"))
        }
        TemplateFormat::Csv => {
            let header: Vec<&str> = cols.iter().map(|c| c.header).collect();
            let text = format!("\u{feff}{}\n{}\n", header.join(","), example.join(","));
            attachment(text.into_bytes(), "text/csv; charset=utf-8", &format!("{name}.csv"))
        }
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    pub project_id: Id,
    /// Check and count without saving.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportUpload {
    /// A `.xlsx` or `.csv` file laid out like the template.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Imports a spreadsheet into a project: valid rows are saved even when others fail, the report
/// names each refused row; importing the same file again changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "imports", params(("kind" = String, Path, description = "`houses`, `persons` or `equipment`"), ImportQuery),
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn run_import(
    State(app): State<App>,
    user: CurrentUser,
    Path(kind): Path<ImportKind>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    mut form: Multipart,
) -> ApiResult<Json<ImportReport>> {
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|e| Error::Malformed(format!("multipart: {e}")))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.csv").to_string();
            let bytes = field.bytes().await.map_err(|e| Error::Malformed(format!("multipart: {e}")))?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file.ok_or_else(|| Error::invalid("file", "required"))?;
    let report = match kind {
        ImportKind::Houses => app.structure.import_houses(&user.authz, q.project_id, &name, &bytes, q.dry_run).await?,
        ImportKind::Persons => app.people.import_persons(&user.authz, q.project_id, &name, &bytes, q.dry_run).await?,
        ImportKind::Equipment => {
            let all = linli_core::PageRequest { page: 1, page_size: 10_000 };
            let buildings = app.structure.list_buildings(&user.authz, Some(q.project_id), all).await?;
            let by_name = buildings.items.into_iter().map(|b| (b.name, b.id)).collect();
            app.equipment.import(&user.authz, q.project_id, &by_name, &name, &bytes, q.dry_run).await?
        }
    };
    Ok(Json(report))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(import_template)).routes(routes!(run_import))
}
