//! `AuthApi`: register, login, refresh and the OAuth device flow.

use std::num::NonZeroU64;
use std::time::{Duration, Instant};

use archastro_server::auth::{
    AuthApi, AuthorizeDeviceRequest, AuthorizeDeviceResponse, CreateOauthTokenRequest,
    CreateOauthTokenResponse, LoginRequest, LoginResponse, RefreshRequest, RefreshResponse,
    RegisterRequest, RegisterResponse,
};
use archastro_server::types::{
    AuthTokens, CreateOauthTokenError, DeviceAuthorization, OAuthError, OAuthErrorKind,
    OAuthTokenRequestGrantType, TokenPair, TokenType, User,
};
use archastro_server::{ApiError, RequestContext};
use axum::http::StatusCode;

use crate::store::{DEVELOPER_USER_ID, UserRec, check_email, check_timezone, invalid};
use crate::{Api, State};

/// The scope of tokens issued without one.
const DEFAULT_SCOPE: &str = "openid profile";
/// How long a device code lives.
const DEVICE_CODE_TTL: u64 = 900;
/// A poll this much earlier than the interval is still on time (network jitter).
const POLL_TOLERANCE: Duration = Duration::from_millis(250);

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

fn expires_in(state: &State) -> NonZeroU64 {
    NonZeroU64::new(state.ttl_secs()).unwrap_or(NonZeroU64::MIN)
}

fn auth_tokens(state: &State, user: User) -> AuthTokens {
    let (access_token, refresh_token) =
        state
            .write()
            .issue_tokens(&user.id, state.ttl_secs(), DEFAULT_SCOPE);
    AuthTokens {
        access_token,
        expires_in: expires_in(state),
        refresh_token,
        token_type: TokenType::Bearer,
        user,
    }
}

fn oauth_error(error: OAuthErrorKind, description: &str) -> CreateOauthTokenResponse {
    CreateOauthTokenResponse::BadRequest(CreateOauthTokenError {
        subtype_0: Some(OAuthError {
            error,
            error_description: Some(description.to_owned()),
        }),
        subtype_1: None,
    })
}

impl AuthApi for Api {
    async fn register(
        &self,
        _: &RequestContext,
        request: RegisterRequest,
    ) -> Result<RegisterResponse, ApiError> {
        let body = request.body;
        let email = check_email("email", &body.email)?;
        let timezone = body
            .timezone
            .as_deref()
            .map(|tz| check_timezone("timezone", tz))
            .transpose()?;
        let user = {
            let mut store = self.0.write();
            if store.user_by_email(&email).is_some() {
                return Err(ApiError::conflict(format!(
                    "the email {email} is already registered"
                )));
            }
            let id = store.next_id("usr");
            let user = store.new_user(
                id.clone(),
                email,
                body.name.map(String::from),
                timezone,
                body.metadata,
                false,
            );
            store.users.insert(
                id,
                UserRec {
                    user: user.clone(),
                    password: Some(String::from(body.password)),
                },
            );
            user
        };
        self.0.count(|s| s.registrations += 1);
        Ok(RegisterResponse::Created(auth_tokens(&self.0, user)))
    }

    async fn login(
        &self,
        _: &RequestContext,
        request: LoginRequest,
    ) -> Result<LoginResponse, ApiError> {
        let body = request.body;
        let user = {
            let store = self.0.read();
            match store.user_by_email(body.email.trim()) {
                Some(rec) if rec.password.as_deref() == Some(body.password.as_str()) => {
                    rec.user.clone()
                }
                _ => return Err(unauthorized("invalid email or password")),
            }
        };
        self.0.count(|s| s.logins += 1);
        Ok(LoginResponse::Ok(auth_tokens(&self.0, user)))
    }

    async fn refresh(
        &self,
        _: &RequestContext,
        request: RefreshRequest,
    ) -> Result<RefreshResponse, ApiError> {
        let token = request.body.refresh_token.as_str();
        let user = {
            let mut store = self.0.write();
            let rec = store
                .refresh
                .remove(token)
                .ok_or_else(|| unauthorized("unknown or already used refresh token"))?;
            store.user(&rec.user)?.clone()
        };
        self.0.count(|s| s.refreshes += 1);
        Ok(RefreshResponse::Ok(auth_tokens(&self.0, user)))
    }

    async fn authorize_device(
        &self,
        ctx: &RequestContext,
        request: AuthorizeDeviceRequest,
    ) -> Result<AuthorizeDeviceResponse, ApiError> {
        let body = request.body;
        if body.client_id.trim().is_empty() {
            return Err(invalid("client_id", "must not be empty"));
        }
        let host = ctx
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let interval = self.0.config.device_interval;
        let (device_code, user_code) = {
            let mut store = self.0.write();
            let device_code = store.secret("dvc");
            let n = device_code
                .get(4..10)
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
            let user_code = format!("EMUL-{n:04}");
            store.devices.insert(
                device_code.clone(),
                crate::store::DeviceRec {
                    client_id: body.client_id,
                    scope: body.scope.unwrap_or_else(|| DEFAULT_SCOPE.into()),
                    expires: Instant::now() + Duration::from_secs(DEVICE_CODE_TTL),
                    interval,
                    last_poll: None,
                    polls: 0,
                    used: false,
                },
            );
            (device_code, user_code)
        };
        let verification_uri = format!("http://{host}/device");
        Ok(AuthorizeDeviceResponse::Ok(DeviceAuthorization {
            verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
            device_code,
            expires_in: NonZeroU64::new(DEVICE_CODE_TTL).unwrap_or(NonZeroU64::MIN),
            interval: NonZeroU64::new(interval).unwrap_or(NonZeroU64::MIN),
            user_code,
            verification_uri,
        }))
    }

    async fn create_oauth_token(
        &self,
        _: &RequestContext,
        request: CreateOauthTokenRequest,
    ) -> Result<CreateOauthTokenResponse, ApiError> {
        let body = request.body;
        let (user, scope) = match body.grant_type {
            OAuthTokenRequestGrantType::UrnIetfParamsOauthGrantTypeDeviceCode => {
                let Some(code) = body.device_code.as_deref() else {
                    return Ok(oauth_error(
                        OAuthErrorKind::InvalidRequest,
                        "`device_code` is required with the device-code grant",
                    ));
                };
                let mut store = self.0.write();
                let Some(device) = store.devices.get_mut(code) else {
                    return Ok(oauth_error(
                        OAuthErrorKind::InvalidGrant,
                        "unknown device code",
                    ));
                };
                if device.client_id != body.client_id {
                    return Ok(oauth_error(
                        OAuthErrorKind::InvalidGrant,
                        "the device code was issued to another client",
                    ));
                }
                if device.used {
                    return Ok(oauth_error(
                        OAuthErrorKind::InvalidGrant,
                        "the device code has already been exchanged",
                    ));
                }
                let now = Instant::now();
                if now >= device.expires {
                    return Ok(oauth_error(
                        OAuthErrorKind::ExpiredToken,
                        "the device code has expired; start over",
                    ));
                }
                let interval = Duration::from_secs(device.interval);
                if let Some(last) = device.last_poll
                    && now.duration_since(last) + POLL_TOLERANCE < interval
                {
                    device.interval += 5;
                    device.last_poll = Some(now);
                    return Ok(oauth_error(
                        OAuthErrorKind::SlowDown,
                        "polling faster than the interval; add 5 seconds to it",
                    ));
                }
                device.last_poll = Some(now);
                device.polls += 1;
                if device.polls == 1 {
                    return Ok(oauth_error(
                        OAuthErrorKind::AuthorizationPending,
                        "waiting for the user (the emulator approves at the next poll)",
                    ));
                }
                device.used = true;
                let scope = device.scope.clone();
                self.0.count(|s| s.device_grants += 1);
                (DEVELOPER_USER_ID.to_owned(), scope)
            }
            OAuthTokenRequestGrantType::RefreshToken => {
                let Some(token) = body.refresh_token.as_deref() else {
                    return Ok(oauth_error(
                        OAuthErrorKind::InvalidRequest,
                        "`refresh_token` is required with the refresh-token grant",
                    ));
                };
                let Some(rec) = self.0.write().refresh.remove(token) else {
                    return Ok(oauth_error(
                        OAuthErrorKind::InvalidGrant,
                        "unknown or already used refresh token",
                    ));
                };
                self.0.count(|s| s.refreshes += 1);
                (rec.user, rec.scope)
            }
            OAuthTokenRequestGrantType::AuthorizationCode => {
                return Ok(oauth_error(
                    OAuthErrorKind::UnsupportedGrantType,
                    "the emulator does not support the authorization-code grant",
                ));
            }
        };
        let (access_token, refresh_token) =
            self.0
                .write()
                .issue_tokens(&user, self.0.ttl_secs(), &scope);
        Ok(CreateOauthTokenResponse::Ok(TokenPair {
            access_token,
            expires_in: expires_in(&self.0),
            refresh_token: Some(refresh_token),
            scope,
            token_type: TokenType::Bearer,
        }))
    }
}
