//! The OpenAPI 3 description, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
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
        super::teams::workspace_teams,
        super::teams::add_workspace_team,
        super::teams::patch_workspace_teams,
        super::teams::update_workspace_team,
        super::teams::remove_workspace_team,
        super::teams::list,
        super::teams::create,
        super::teams::get,
        super::teams::update,
        super::teams::delete,
        super::teams::members,
        super::teams::add_member,
        super::teams::remove_member,
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
    components(schemas(model::error::ErrorCode)),
    modifiers(&BearerAuth, &Standard),
    tags((name = "environments"), (name = "assignments"), (name = "connections"), (name = "credentials"), (name = "audit"), (name = "workspaces"), (name = "teams"), (name = "users"), (name = "identity"))
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

/// The answers every operation of a shape can give, stated once here rather than on each
/// handler (a handler's own, more specific description of a status is kept):
/// - every operation reads the database, so each can find its pools exhausted: 503 with
///   `Retry-After`;
/// - an authenticated one: 401 without valid credentials, 403 when not allowed or while the
///   caller's one-time password is unchanged (`password_change_required`), or for a cross-site
///   request carrying the session cookie (`csrf_rejected`);
/// - with parameters: 400 for a malformed one, or one the endpoint does not know;
/// - with a path id: 404 when there is no such object the caller may see;
/// - with a JSON body: 400, 413 over the size limit, 415 when it is not sent as JSON;
/// - a change (POST, PUT, PATCH, DELETE): 409 when a concurrent change got in its way.
struct Standard;

fn error_response(description: &str, retry_after: bool) -> utoipa::openapi::Response {
    use utoipa::openapi::content::ContentBuilder;
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ObjectBuilder, Ref, ResponseBuilder, Type};
    let mut response = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ApiError")))
            .build(),
    );
    if retry_after {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    response.build()
}

fn names_organization(schema: &RefOr<utoipa::openapi::Schema>) -> bool {
    match schema {
        RefOr::T(utoipa::openapi::Schema::Object(o)) => {
            o.properties.contains_key("organization_id")
        }
        _ => false,
    }
}

impl Modify for Standard {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        let busy = error_response(
            "Every database connection stayed busy for the acquire timeout; retry after `Retry-After` seconds",
            true,
        );
        // Bodies that name an organization (`organization_id`) can find it missing: a 404.
        let org_bodies: Vec<String> = openapi
            .components
            .as_ref()
            .map(|c| {
                c.schemas
                    .iter()
                    .filter(|(_, schema)| names_organization(schema))
                    .map(|(name, _)| format!("#/components/schemas/{name}"))
                    .collect()
            })
            .unwrap_or_default();
        for (path, item) in openapi.paths.paths.iter_mut() {
            // "Who am I" answers even before a one-time password is changed, and is a read.
            let whoami = path == "/api/me";
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (op, changes) in ops {
                let Some(op) = op.as_mut() else { continue };
                // utoipa names an operation after its handler (`list`, `get`, ...), which
                // repeats across modules; with the tag in front each is unique, as OpenAPI
                // requires (clients and fuzzers link operations by it).
                if let (Some(id), Some(tag)) =
                    (&op.operation_id, op.tags.as_ref().and_then(|t| t.first()))
                {
                    op.operation_id = Some(format!("{tag}_{id}"));
                }
                let params = op.parameters.as_deref().unwrap_or_default();
                let has_params = !params.is_empty();
                let has_path = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let has_body = op.request_body.is_some();
                let names_org = params.iter().any(|p| p.name == "orgID")
                    || op.request_body.as_ref().is_some_and(|body| {
                        body.content.values().any(|c| {
                            matches!(&c.schema, Some(RefOr::Ref(r)) if org_bodies.contains(&r.ref_location))
                        })
                    });
                let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut add = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(description, false).into());
                };
                if authenticated {
                    add("401", "No credentials, or wrong or expired ones");
                }
                if authenticated && !whoami {
                    add("403", "Not allowed to do this (`forbidden`), the caller's one-time password must be changed first (`password_change_required`), or a cross-site request carried the session cookie (`csrf_rejected`)");
                }
                if has_params || has_body {
                    add("400", "A malformed or unknown parameter, or a body that breaks a rule; `field` names it");
                }
                if has_path {
                    add("404", "No such object, or not one the caller may see");
                } else if names_org {
                    add("404", "No such organization, or not one the caller is in");
                }
                if has_body {
                    add("413", "The body is larger than the server accepts");
                    add(
                        "415",
                        "The body is not in the content type this operation reads",
                    );
                }
                if changes {
                    add(
                        "409",
                        "A concurrent change got in the way; reload and try again",
                    );
                }
                op.responses
                    .responses
                    .entry("503".to_string())
                    .or_insert_with(|| busy.clone().into());
            }
        }
    }
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_unique_and_errors_documented() {
        let doc = ApiDoc::openapi();
        let mut seen = std::collections::HashSet::new();
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(seen.insert(id.clone()), "operationId {id} repeats ({path})");
                let codes: Vec<&str> = op.responses.responses.keys().map(String::as_str).collect();
                for code in ["401", "503"] {
                    assert!(codes.contains(&code), "{path} {id} lacks {code}: {codes:?}");
                }
                if path.contains('{') {
                    assert!(codes.contains(&"404"), "{path} {id} lacks 404");
                }
            }
        }
        assert!(seen.len() > 40);
    }
}
