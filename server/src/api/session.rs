//! Login, users and the device list.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{bearer_token, require, ApiError, ApiJson, AppState};
use crate::auth::{hash_secret, verify_secret, Caller, Role};
use crate::device_registry::DeviceInfo;
use crate::store::StoredUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/session", get(session))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{name}", delete(delete_user))
        .route("/devices", get(list_devices))
}

/// The client's address (unspecified when the server runs without socket info, as in tests).
#[derive(Debug, Clone, Copy)]
pub struct PeerIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(PeerIp(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// Log in with the show passphrase (as admin) or a user's own passphrase.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// A user name; absent to log in with the show passphrase as admin.
    pub user: Option<String>,
    pub passphrase: String,
}

/// A token to send as `Authorization: Bearer …` (or `?token=` on the WebSocket).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub user: String,
    pub role: Role,
}

/// Who the caller is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub user: String,
    pub role: Role,
    /// False on a loopback-only server, where everyone is the local admin.
    pub auth_required: bool,
}

/// A user as listed (never with the secret).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub name: String,
    pub role: Role,
}

/// A user to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    /// At least 8 characters.
    pub passphrase: String,
}

#[utoipa::path(post, path = "/login", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = super::error::ErrorBody),
        (status = 429, body = super::error::ErrorBody, description = "Too many failed logins")))]
pub async fn login(
    State(state): State<AppState>,
    PeerIp(ip): PeerIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    if let Some(wait) = state.auth.locked_out(ip) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many failed logins: try again in {wait} s"),
            "",
        ));
    }
    let Some(admin_hash) = state.auth.admin_hash().map(str::to_owned) else {
        let caller = Caller::local();
        let token = state.auth.issue(caller.clone());
        return Ok(Json(LoginResponse {
            token,
            user: caller.name,
            role: caller.role,
        }));
    };
    let (name, hash, role) = match &req.user {
        None => ("admin".to_owned(), Some(admin_hash), Role::Admin),
        Some(name) => {
            let name = name.clone();
            let found = state
                .with_reader(move |s| Ok(s.users()?.into_iter().find(|u| u.name == name)))
                .await?;
            match found {
                Some(u) => (
                    u.name,
                    Some(u.hash),
                    Role::parse(&u.role).unwrap_or(Role::Viewer),
                ),
                None => (String::new(), None, Role::Viewer),
            }
        }
    };
    let passphrase = req.passphrase;
    // argon2 takes tens of milliseconds: keep it off the async threads.
    let ok =
        tokio::task::spawn_blocking(move || hash.is_some_and(|h| verify_secret(&passphrase, &h)))
            .await
            .unwrap_or(false);
    if !ok {
        state.auth.fail(ip);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "unknown user or wrong passphrase",
            "",
        ));
    }
    state.auth.succeed(ip);
    let caller = Caller { name, role };
    let token = state.auth.issue(caller.clone());
    Ok(Json(LoginResponse {
        token,
        user: caller.name,
        role: caller.role,
    }))
}

/// Ends the caller's session: the token in its `Authorization` header is forgotten at once,
/// so any later request with it is refused (401). WebSockets opened with the token before
/// stay open until they close. On a loopback-only server, where nobody logs in, it does
/// nothing.
#[utoipa::path(post, path = "/logout", tag = "session",
    responses((status = 204), (status = 401, body = super::error::ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
) -> StatusCode {
    if let Some(token) = bearer_token(&headers) {
        state.auth.revoke(token);
    }
    StatusCode::NO_CONTENT
}

#[utoipa::path(get, path = "/session", tag = "session", responses((status = 200, body = SessionView)))]
pub async fn session(State(state): State<AppState>, caller: Caller) -> Json<SessionView> {
    Json(SessionView {
        user: caller.name,
        role: caller.role,
        auth_required: state.auth.required(),
    })
}

#[utoipa::path(get, path = "/users", tag = "session",
    responses((status = 200, body = [UserView]), (status = 403, body = super::error::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    require(&caller, Role::Admin)?;
    let users = state.with_reader(|s| s.users()).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| UserView {
                role: Role::parse(&u.role).unwrap_or(Role::Viewer),
                name: u.name,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/users", tag = "session", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 400, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    require(&caller, Role::Admin)?;
    if !crate::show::is_valid_id(&new.name) || new.name == "admin" || new.name == "local" {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "a user name is 1–64 of a-z 0-9 - _ . and not admin or local",
            "/name",
        ));
    }
    if new.passphrase.chars().count() < 8 || new.passphrase.len() > 1024 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "a passphrase holds 8 to 1024 characters",
            "/passphrase",
        ));
    }
    let passphrase = new.passphrase;
    let hash = tokio::task::spawn_blocking(move || hash_secret(&passphrase))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(ApiError::internal)?;
    let user = StoredUser {
        name: new.name.clone(),
        role: new.role.as_str().into(),
        hash,
    };
    state.with_reader(move |s| s.put_user(&user)).await?;
    state.auth.revoke_user(&new.name);
    Ok((
        StatusCode::CREATED,
        Json(UserView {
            name: new.name,
            role: new.role,
        }),
    ))
}

#[utoipa::path(delete, path = "/users/{name}", tag = "session", params(("name" = String, Path)),
    responses((status = 204), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, Role::Admin)?;
    let key = name.clone();
    if !state.with_reader(move |s| s.delete_user(&key)).await? {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no user {name:?}"),
            format!("/users/{name}"),
        ));
    }
    state.auth.revoke_user(&name);
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/devices", tag = "devices", responses((status = 200, body = [DeviceInfo])))]
pub async fn list_devices(State(state): State<AppState>, _caller: Caller) -> Json<Vec<DeviceInfo>> {
    Json(state.devices.list())
}
