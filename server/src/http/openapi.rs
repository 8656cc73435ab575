//! The OpenAPI 3 description, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "meshenv", description = "Group infrastructure connections into environments and share them with teams."),
    paths(
        super::environments::list,
        super::environments::create,
        super::environments::get,
        super::environments::update,
        super::environments::delete,
        super::environments::archive,
        super::environments::unarchive,
        super::environments::restore,
        super::environments::bulk,
        super::assignments::list,
        super::assignments::add,
        super::assignments::remove,
        super::assignments::patch,
        super::assignments::transfer,
        super::credentials::list,
        super::credentials::create,
        super::credentials::get,
        super::credentials::update,
        super::credentials::delete,
        super::connections::list,
        super::connections::create,
        super::connections::get,
        super::connections::environments,
        super::connections::update,
        super::connections::set_status,
        super::connections::check,
        super::connections::delete,
        super::connections::import_kubeconfig,
        super::events::list,
        super::workspaces::list,
        super::workspaces::create,
        super::workspaces::get,
        super::workspaces::update,
        super::workspaces::delete,
        super::workspaces::environments,
        super::workspaces::add_environment,
        super::workspaces::remove_environment,
        super::workspaces::patch_environments,
        super::workspaces::connections,
        super::workspaces::members,
        super::workspaces::add_member,
        super::workspaces::update_member,
        super::workspaces::remove_member,
        super::users::list,
        super::users::create,
        super::users::update,
        super::users::delete,
        super::users::reset_password,
        super::users::change_password,
        super::me::me,
        super::me::sessions,
        super::me::end_session,
        super::me::end_all_sessions,
    ),
    components(schemas(app::error::ErrorCode)),
    modifiers(&BearerAuth, &Overload),
    tags((name = "environments"), (name = "assignments"), (name = "connections"), (name = "credentials"), (name = "audit"), (name = "workspaces"), (name = "users"), (name = "identity"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (mshv_...) or the UI's session cookie",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every operation reads the database, so every one can find its pools exhausted: a 503 with
/// `Retry-After` and the usual error body, stated once here rather than on each handler.
struct Overload;

impl Modify for Overload {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::content::ContentBuilder;
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::{ObjectBuilder, Ref, ResponseBuilder, Type};
        let response = ResponseBuilder::new()
            .description("Every database connection stayed busy for the acquire timeout; retry after `Retry-After` seconds")
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::Integer))
                    .description(Some("Seconds to wait before retrying"))
                    .build(),
            )
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ApiError")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                op.responses
                    .responses
                    .entry("503".to_string())
                    .or_insert_with(|| response.clone().into());
            }
        }
    }
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
