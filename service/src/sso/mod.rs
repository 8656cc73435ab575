//! Single sign-on with OpenID Connect: the authorization code flow with PKCE.
//!
//! `start_sign_in` keeps the flow's state (hashed), nonce and PKCE verifier (sealed) in the
//! database, so whichever meshenv process the browser comes back to can finish it;
//! `finish_sign_in` takes the flow out (a state works once), exchanges the code, checks the ID
//! token (signature from the provider's JWKS, issuer, audience, expiry, nonce), brings the
//! person in line with the token's claims (`sync`) and opens a session.

mod settings;
mod sync;

pub use settings::{ProviderSettings, SsoSettings, TeamMap};

use crate::actor::NewSession;
use crate::client::ClientInfo;
use crate::db::{micros, now_micros};
use crate::passwords::secret_hash;
use crate::store::identities;
use crate::Service;
use model::sso::{Refusal, SignInOptions, SignInProvider};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long a started sign-in may take to come back.
pub const FLOW_TTL: Duration = Duration::from_secs(600);
/// How long a provider's discovery document and keys are used before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// Sign-ins one client address may have under way (started in the last `FLOW_TTL`): starting
/// one needs no account and writes a row, so a flood from one address stops here.
pub const FLOWS_PER_ADDRESS: i64 = 30;
/// Sign-ins under way from all addresses together. Addresses are cheap to come by, so
/// `FLOWS_PER_ADDRESS` alone does not bound the table; at this cap, starting one is refused
/// until others finish or expire (password sign-in is untouched).
pub const FLOWS_UNDER_WAY_MAX: i64 = 10_000;
/// The name of the cookie that ties a flow to the browser that started it.
pub const FLOW_COOKIE: &str = "meshenv_sso_state";

type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Single sign-on's settings, and what is known of each provider. The cache holds only what
/// the provider publishes (its discovery document and keys): any process can rebuild it.
pub struct Sso {
    pub settings: SsoSettings,
    http: reqwest::Client,
    metadata: Mutex<HashMap<String, (Instant, Arc<ProviderMetadataWithLogout>)>>,
}

impl Default for Sso {
    fn default() -> Self {
        Sso::new(SsoSettings::default())
    }
}

impl Sso {
    pub fn new(settings: SsoSettings) -> Self {
        Sso {
            settings,
            // A provider's endpoints are never followed elsewhere (a redirect could carry the
            // client secret or the code to another host).
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client without redirects builds"),
            metadata: Mutex::new(HashMap::new()),
        }
    }

    /// The provider's metadata: the cached copy unless it is stale, or `refetch` asks for a
    /// new one. ID tokens come from the provider's token endpoint, never from the browser, so
    /// only the provider itself can make meshenv fetch again (once per sign-in).
    async fn metadata(
        &self,
        p: &ProviderSettings,
        refetch: bool,
    ) -> Result<Arc<ProviderMetadataWithLogout>, SsoError> {
        let cached = self.metadata.lock().unwrap().get(&p.name).cloned();
        if let Some((at, m)) = cached.filter(|_| !refetch) {
            if at.elapsed() < METADATA_TTL {
                return Ok(m);
            }
        }
        let issuer = IssuerUrl::new(p.issuer.clone())
            .map_err(|e| SsoError::new(Refusal::Unavailable, format!("issuer URL: {e}")))?;
        // Discovery also checks that the document names the configured issuer.
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                SsoError::new(
                    Refusal::Unavailable,
                    format!("discovery at {}: {e}", p.issuer),
                )
            })?;
        let m = Arc::new(m);
        self.metadata
            .lock()
            .unwrap()
            .insert(p.name.clone(), (Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(
        &self,
        p: &ProviderSettings,
        m: &ProviderMetadataWithLogout,
    ) -> Result<OidcClient, SsoError> {
        let redirect = RedirectUrl::new(self.redirect_uri(p)?)
            .map_err(|e| SsoError::new(Refusal::Unavailable, format!("redirect URI: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            m.clone(),
            ClientId::new(p.client_id.clone()),
            p.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// `{MESHENV_PUBLIC_URL}/auth/oidc/{name}/callback`: what is registered with the provider.
    pub fn redirect_uri(&self, p: &ProviderSettings) -> Result<String, SsoError> {
        let base = self.settings.public_url.as_ref().ok_or_else(|| {
            SsoError::new(Refusal::Unavailable, "MESHENV_PUBLIC_URL is not set".into())
        })?;
        Ok(format!(
            "{}/auth/oidc/{}/callback",
            base.as_str().trim_end_matches('/'),
            p.name
        ))
    }
}

/// A refused sign-in: what the person is told, and what the log says.
#[derive(Debug)]
pub struct SsoError {
    pub refusal: Refusal,
    /// For the log only: it may name the check that failed, never a secret.
    pub detail: String,
}

impl SsoError {
    pub fn new(refusal: Refusal, detail: String) -> Self {
        SsoError { refusal, detail }
    }
}

impl From<sqlx::Error> for SsoError {
    fn from(e: sqlx::Error) -> Self {
        SsoError::new(Refusal::Unavailable, format!("database: {e}"))
    }
}

impl From<model::error::ApiError> for SsoError {
    fn from(e: model::error::ApiError) -> Self {
        SsoError::new(Refusal::Unavailable, e.error)
    }
}

/// Where the browser goes to sign in, and the state to keep in its flow cookie.
pub struct StartedSignIn {
    pub redirect: String,
    pub state: String,
}

/// What the provider sent back to the callback.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A finished sign-in: the new session and the local path to go on to.
pub struct FinishedSignIn {
    pub session: NewSession,
    pub next: String,
}

/// What is sealed in a flow's row.
#[derive(serde::Serialize, serde::Deserialize)]
struct FlowSecrets {
    nonce: String,
    verifier: String,
}

/// Single sign-on.
impl Service {
    /// The sign-in page's choices.
    pub fn sign_in_options(&self) -> SignInOptions {
        let s = &self.sso.settings;
        SignInOptions {
            providers: s
                .providers
                .iter()
                .map(|p| SignInProvider {
                    name: p.name.clone(),
                    label: p.label.clone(),
                })
                .collect(),
            password: s.password_sign_in,
            break_glass: !s.password_sign_in && s.break_glass.is_some(),
        }
    }

    /// Starts a sign-in through `provider`; `next` is where to land afterwards.
    pub async fn start_sign_in(
        &self,
        provider: &str,
        next: Option<&str>,
        client_info: &ClientInfo,
    ) -> Result<StartedSignIn, SsoError> {
        let p = self.sso.settings.provider(provider).ok_or_else(|| {
            SsoError::new(Refusal::Unavailable, format!("no provider '{provider}'"))
        })?;
        let m = self.sso.metadata(p, false).await?;
        let client = self.sso.client(p, &m)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in &p.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let id = Uuid::now_v7();
        let secrets = FlowSecrets {
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        };
        let sealed = self.keys.seal(
            id,
            &serde_json::to_vec(&secrets).expect("two strings serialize"),
        );
        let flow = identities::Flow {
            id,
            provider: p.name.clone(),
            key_id: self.keys.key_id().to_string(),
            sealed,
            next_path: model::text::safe_next(next),
            client_addr: client_info.throttle_addr().unwrap_or_default(),
            created_at: now_micros(),
        };
        let mut db = self.db.write().await?;
        let since = flow.created_at - micros(FLOW_TTL);
        let refusal = if identities::count_flows_from(&mut db, &flow.client_addr, since).await?
            >= FLOWS_PER_ADDRESS
        {
            Some(format!(
                "{FLOWS_PER_ADDRESS} sign-ins under way from this address"
            ))
        } else if identities::count_flows_since(&mut db, since).await? >= FLOWS_UNDER_WAY_MAX {
            Some(format!("{FLOWS_UNDER_WAY_MAX} sign-ins under way in all"))
        } else {
            None
        };
        if let Some(detail) = refusal {
            crate::metrics::sign_in_refused("throttled");
            return Err(SsoError::new(Refusal::Throttled, detail));
        }
        identities::insert_flow(&mut db, &secret_hash(state.secret()), &flow).await?;
        Ok(StartedSignIn {
            redirect: url.to_string(),
            state: state.secret().clone(),
        })
    }

    /// Finishes a sign-in through `provider` from its callback. `browser_state` is the flow
    /// cookie: a callback is only taken from the browser that started the flow (so nobody can
    /// sign a victim in to the attacker's account with a link).
    pub async fn finish_sign_in(
        &self,
        provider: &str,
        callback: &Callback,
        browser_state: Option<&str>,
        client_info: &ClientInfo,
    ) -> Result<FinishedSignIn, SsoError> {
        let result = self
            .finish(provider, callback, browser_state, client_info)
            .await;
        match &result {
            Ok(_) => crate::metrics::sign_in(true),
            Err(e) => {
                crate::metrics::sign_in_refused("sso_refused");
                tracing::warn!(provider, refusal = e.refusal.code(), detail = %e.detail, "single sign-on refused");
            }
        }
        result
    }

    async fn finish(
        &self,
        provider: &str,
        callback: &Callback,
        browser_state: Option<&str>,
        client_info: &ClientInfo,
    ) -> Result<FinishedSignIn, SsoError> {
        let flow_err = |d: &str| SsoError::new(Refusal::Flow, d.to_string());
        let state = callback
            .state
            .as_deref()
            .ok_or_else(|| flow_err("no state"))?;
        if browser_state != Some(state) {
            return Err(flow_err("the state is not this browser's"));
        }
        let flow = {
            let mut db = self.db.write().await?;
            identities::take_flow(&mut db, &secret_hash(state)).await?
        }
        .ok_or_else(|| flow_err("unknown or used state"))?;
        if flow.provider != provider {
            return Err(flow_err("the flow was started for another provider"));
        }
        if now_micros() - flow.created_at > micros(FLOW_TTL) {
            return Err(flow_err("the flow expired"));
        }
        if let Some(error) = &callback.error {
            return Err(SsoError::new(
                Refusal::Provider,
                format!(
                    "the provider answered {error}: {}",
                    callback.error_description.as_deref().unwrap_or("")
                ),
            ));
        }
        let code = callback
            .code
            .clone()
            .ok_or_else(|| SsoError::new(Refusal::Provider, "no code".into()))?;
        let p = self
            .sso
            .settings
            .provider(provider)
            .ok_or_else(|| SsoError::new(Refusal::Unavailable, "provider gone".into()))?;
        let secrets: FlowSecrets = self
            .keys
            .open(&flow.key_id, flow.id, &flow.sealed)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| flow_err("the flow's secrets do not open"))?;
        let token_err = |d: String| SsoError::new(Refusal::Token, d);
        let m = self.sso.metadata(p, false).await?;
        let client = self.sso.client(p, &m)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| token_err(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(secrets.verifier))
            .request_async(&self.sso.http)
            .await
            .map_err(|e| token_err(format!("code exchange: {e}")))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| token_err("no ID token".into()))?;
        let nonce = Nonce::new(secrets.nonce);
        let verified = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => Ok(c.clone()),
            // A key not among those known: the provider may have rotated its keys.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.sso.metadata(p, true).await?;
                let client = self.sso.client(p, &fresh)?;
                let verifier = client.id_token_verifier();
                let claims = id_token.claims(&verifier, &nonce).cloned();
                claims
            }
            Err(e) => Err(e),
        }
        .map_err(|e| token_err(format!("ID token: {e}")))?;
        // The token checked out: its payload is what the provider says. The groups claim (and
        // any other the provider adds) is read from it directly.
        let payload = jwt_payload(&id_token.to_string())
            .ok_or_else(|| token_err("ID token payload".into()))?;
        let person = sync::Claims::read(
            verified.issuer().as_str(),
            verified.subject().as_str(),
            &payload,
            &p.groups_claim,
        );
        let user = self.bring_in_line(p, &person).await?;
        let session = self.open_session(user, client_info, Some(&p.name)).await?;
        Ok(FinishedSignIn {
            session,
            next: flow.next_path,
        })
    }

    /// Where to send the browser after meshenv's session ends: the provider's logout, when
    /// the session came from a provider that offers one.
    pub(crate) async fn provider_logout_url(&self, provider: &str) -> Option<String> {
        let p = self.sso.settings.provider(provider)?;
        let m = self.sso.metadata(p, false).await.ok()?;
        let end = m.additional_metadata().end_session_endpoint.as_ref()?;
        let mut url = end.url().clone();
        let back = self
            .sso
            .settings
            .public_url
            .as_ref()
            .map(|u| format!("{}/login", u.as_str().trim_end_matches('/')));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &p.client_id);
            if let Some(back) = &back {
                q.append_pair("post_logout_redirect_uri", back);
            }
        }
        Some(url.to_string())
    }

    /// Deletes sign-ins that were started and never finished; returns how many.
    pub(crate) async fn purge_stale_flows(
        &self,
        db: &mut sqlx::AnyConnection,
    ) -> Result<u64, sqlx::Error> {
        identities::purge_flows(db, now_micros() - micros(FLOW_TTL)).await
    }
}

/// The JSON payload of a compact JWT (already verified by the caller).
fn jwt_payload(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_jwt_payload() {
        // {"alg":"none"}.{"sub":"a","groups":["x"]}.
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZ3JvdXBzIjpbIngiXX0.";
        let p = jwt_payload(jwt).unwrap();
        assert_eq!(p["sub"], "a");
        assert_eq!(p["groups"][0], "x");
        assert!(jwt_payload("nonsense").is_none());
    }
}
