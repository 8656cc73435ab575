//! Request extractors that fail with meshenv's JSON errors instead of axum's plain text.

use super::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use model::error::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use service::actor::{Actor, Operation};
use service::cookie::session_from_headers;
use uuid::Uuid;

const REASON_HEADER: &str = "x-meshenv-reason";

/// The authenticated caller: a Bearer token, or else the session cookie.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let actor = if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or_else(ApiError::unauthorized)?;
            state.service.actor_from_token(token).await?
        } else if let Some(secret) = session_from_headers(
            &parts.headers,
            parts
                .extensions
                .get::<service::client::ClientInfo>()
                .is_some_and(|c| c.secure),
        ) {
            state.service.actor_from_session(&secret).await?
        } else {
            return Err(ApiError::unauthorized());
        };
        let reason = parts
            .headers
            .get(REASON_HEADER)
            .and_then(|v| v.to_str().ok());
        let actor = actor.with_reason(reason);
        actor.may(Operation::of_path(parts.uri.path()))?;
        Ok(Caller(actor))
    }
}

/// A JSON body whose errors name the field at fault.
pub struct JsonBody<T>(pub T);

/// A JSON body that may also be left out (empty): `None` then.
pub struct OptionalJsonBody<T>(pub Option<T>);

/// A YAML document as the body (kubeconfig imports), as text.
pub struct YamlBody(pub String);

/// The body's bytes, refused when it is too large or declared as a type `accepts` refuses.
async fn body_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
    accepts: fn(&str) -> bool,
    expected: &str,
) -> Result<axum::body::Bytes, ApiError> {
    if let Some(kind) = req.headers().get(axum::http::header::CONTENT_TYPE) {
        let essence = kind
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !accepts(&essence) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "the body must be {expected} (not {})",
                    kind.to_str().unwrap_or("an unreadable type")
                ),
            ));
        }
    }
    match axum::body::Bytes::from_request(req, state).await {
        Ok(b) => Ok(b),
        Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            "request body is too large",
        )),
        Err(_) => Err(ApiError::new(
            ErrorCode::InvalidBody,
            "could not read the request body",
        )),
    }
}

/// Every body meshenv reads is a JSON object: serde would otherwise fill a struct from an
/// array (`[null, null]`), which no client means.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "the body must be a JSON object ({...})",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let err = ApiError::new(
            ErrorCode::InvalidBody,
            format!("invalid JSON body: {}", e.inner()),
        );
        if path != "." {
            err.with_field(path)
        } else {
            err
        }
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        Ok(JsonBody(parse_json(&bytes)?))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        Ok(OptionalJsonBody(Some(parse_json(&bytes)?)))
    }
}

/// `application/json` or a `+json` type. A body without a Content-Type is read as JSON too: a
/// bare `curl --data-binary` is taken at its word.
fn is_json(essence: &str) -> bool {
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

async fn json_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<axum::body::Bytes, ApiError> {
    body_bytes(
        req,
        state,
        is_json,
        "JSON, sent with Content-Type: application/json",
    )
    .await
}

/// YAML's types, plain text, or JSON (which is YAML).
fn is_yaml(essence: &str) -> bool {
    matches!(
        essence,
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" | "text/plain"
    ) || is_json(essence)
}

impl<S: Send + Sync> FromRequest<S> for YamlBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(
            req,
            state,
            is_yaml,
            "YAML, sent with Content-Type: application/yaml",
        )
        .await?;
        String::from_utf8(bytes.to_vec())
            .map(YamlBody)
            .map_err(|_| ApiError::new(ErrorCode::InvalidBody, "the body is not UTF-8 text"))
    }
}

/// A query string, failing with a 400 that names the problem.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e: QueryRejection| query_error(&e.body_text()))
    }
}

/// A query string's parameters, refused with the same errors as [`QueryParams`]'s.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let uri: axum::http::Uri = format!("/?{query}")
        .parse()
        .map_err(|_| ApiError::parameter("query", "the query string is malformed"))?;
    axum::extract::Query::<T>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| query_error(&e.body_text()))
}

/// A yes/no query parameter (`?purge=`, `?force=`): absent is `false`; given, it is exactly
/// `true` or `false`, the OpenAPI boolean it is documented as. Anything else, the empty string
/// included, is a 400 naming it, so that a typo never quietly means "no".
pub fn flag(name: &'static str, value: Option<&str>) -> Result<bool, ApiError> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::parameter(
            name,
            format!("{name} is true or false, not '{other}'"),
        )),
    }
}

/// A query-string error that names its parameter: an unknown one (every query type denies
/// them, so that none is silently ignored) or one given twice.
fn query_error(text: &str) -> ApiError {
    let text = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(text);
    // The text may lead with the parameter's path ("pgsize: unknown field ..."), so the
    // marker is looked for anywhere.
    let named = |marker: &str| {
        let (_, rest) = text.split_once(marker)?;
        let (name, rest) = rest.split_once('`')?;
        Some((name.to_string(), rest))
    };
    if let Some((name, rest)) = named("unknown field `") {
        let known = rest
            .split_once("expected ")
            .map(|(_, list)| list.replace("one of ", "").replace('`', ""))
            .filter(|l| !l.is_empty());
        let message = match known {
            Some(list) => {
                format!("unknown query parameter '{name}'; this endpoint takes: {list}")
            }
            None => format!("unknown query parameter '{name}'; this endpoint takes none"),
        };
        return ApiError::parameter(&name, message);
    }
    if let Some((name, _)) = named("duplicate field `") {
        return ApiError::parameter(&name, format!("query parameter '{name}' is given twice"));
    }
    ApiError::new(ErrorCode::InvalidParameter, text)
}

/// A UUID path segment; anything else is a 400, not a 404.
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::parameter("id", "missing id in the path"))?;
        Uuid::parse_str(&raw)
            .map(PathId)
            .map_err(|_| ApiError::parameter("id", format!("'{raw}' is not a valid id (a UUID)")))
    }
}

#[cfg(test)]
mod tests {
    use super::query_error;

    #[test]
    fn query_errors_name_the_parameter() {
        let e = query_error("Failed to deserialize query string: unknown field `pgesize`, expected one of `orgID`, `page`, `pagesize`");
        assert_eq!(e.field.as_deref(), Some("pgesize"));
        assert_eq!(
            e.error,
            "unknown query parameter 'pgesize'; this endpoint takes: orgID, page, pagesize"
        );
        let e = query_error(
            "Failed to deserialize query string: unknown field `x`, there are no fields",
        );
        assert_eq!(e.field.as_deref(), Some("x"));
        let e = query_error("Failed to deserialize query string: duplicate field `page`");
        assert_eq!(e.field.as_deref(), Some("page"));
        assert_eq!(query_error("nonsense").status(), 400);
    }
}
