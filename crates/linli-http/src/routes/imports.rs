use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::Response;
use linli_core::Id;
use linli_import::{Column, ImportReport};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::download::{XLSX, attachment};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, CurrentUser, MAX_IMPORT_BODY, SheetUpload};

/// What can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
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
#[utoipa::path(get, path = "/api/v1/imports/{kind}/template", tag = "imports", params(("kind" = inline(ImportKind), Path, description = "What to import"), TemplateQuery),
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

// Deserialize only for `deny_unknown_fields`: the document says the form has no other fields.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ImportUpload {
    /// A `.xlsx` or `.csv` file laid out like the template: at most 32 MiB, 200,000 rows, and
    /// (XLSX) 128 MiB unpacked.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

/// Imports a spreadsheet into a project: valid rows are saved even when others fail, the report
/// names each refused row; importing the same file again changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "imports", params(("kind" = inline(ImportKind), Path, description = "What to import"), ImportQuery),
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 413, description = "`body_too_large`, `spreadsheet_too_large` or `too_many_rows`", body = Problem),
              (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn run_import(
    State(app): State<App>,
    user: CurrentUser,
    Path(kind): Path<ImportKind>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    SheetUpload { file_name: name, bytes }: SheetUpload,
) -> ApiResult<Json<ImportReport>> {
    let report = match kind {
        ImportKind::Houses => app.structure.import_houses(&user.authz, q.project_id, &name, &bytes, q.dry_run).await?,
        ImportKind::Persons => app.people.import_persons(&user.authz, q.project_id, &name, &bytes, q.dry_run).await?,
        ImportKind::Equipment => {
            let all = linli_core::PageRequest::all();
            let buildings = app.structure.list_buildings(&user.authz, Some(q.project_id), all).await?;
            let by_name = buildings.items.into_iter().map(|b| (b.name, b.id)).collect();
            app.equipment.import(&user.authz, q.project_id, &by_name, &name, &bytes, q.dry_run).await?
        }
    };
    Ok(Json(report))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(import_template))
        .merge(OpenApiRouter::new().routes(routes!(run_import)).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)))
}
