//! Single sign-on as the sign-in page sees it: which providers to offer, whether the password
//! form is on, and why a sign-in through a provider was refused (the code the callback puts in
//! `/login?sso_error=`, and the sentence the page shows for it).

use serde::{Deserialize, Serialize};

/// A configured identity provider, as its button shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignInProvider {
    /// Its name in the configuration, and in `/auth/oidc/{name}/start`.
    pub name: String,
    /// What the button says after "Sign in with".
    pub label: String,
}

/// How people may sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignInOptions {
    pub providers: Vec<SignInProvider>,
    /// The password form is on for everyone.
    pub password: bool,
    /// Password sign-in is off, but one named account (break-glass) may still use it.
    pub break_glass: bool,
}

/// Why a sign-in through a provider was refused. No session is opened for any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The callback's `state` is unknown, used already, expired or not this browser's.
    Flow,
    /// The provider answered with an error (the person cancelled, say).
    Provider,
    /// The code could not be exchanged, or the ID token failed a check (signature, issuer,
    /// audience, expiry, nonce).
    Token,
    /// The provider could not be reached, or is not configured.
    Unavailable,
    /// The email's domain is not one this provider's people may come from.
    EmailDomain,
    /// The provider gave no email, or one it has not verified.
    NoEmail,
    /// The person's groups give them no role in meshenv's organization.
    NoAccess,
    /// Another meshenv account, not signed in through this provider, has the email.
    EmailTaken,
    /// Too many sign-ins were started from this address and not finished.
    Throttled,
}

impl Refusal {
    pub const ALL: [Refusal; 9] = [
        Refusal::Flow,
        Refusal::Provider,
        Refusal::Token,
        Refusal::Unavailable,
        Refusal::EmailDomain,
        Refusal::NoEmail,
        Refusal::NoAccess,
        Refusal::EmailTaken,
        Refusal::Throttled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Refusal::Flow => "flow",
            Refusal::Provider => "provider",
            Refusal::Token => "token",
            Refusal::Unavailable => "unavailable",
            Refusal::EmailDomain => "email_domain",
            Refusal::NoEmail => "no_email",
            Refusal::NoAccess => "no_access",
            Refusal::EmailTaken => "email_taken",
            Refusal::Throttled => "throttled",
        }
    }

    pub fn parse(code: &str) -> Option<Refusal> {
        Refusal::ALL.into_iter().find(|r| r.code() == code)
    }

    /// What the sign-in page says.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Flow => "That sign-in link has expired or was already used. Start again.",
            Refusal::Provider => "The identity provider did not sign you in. Start again, or ask your administrator.",
            Refusal::Token => "The identity provider's answer could not be verified, so you were not signed in. Start again; if it keeps happening, tell your administrator.",
            Refusal::Unavailable => "The identity provider cannot be reached right now. Try again in a moment.",
            Refusal::EmailDomain => "Your email address is not from a domain allowed to use meshenv.",
            Refusal::NoEmail => "The identity provider did not share a verified email address for you.",
            Refusal::NoAccess => "Your account is not in a group that has access to meshenv. Ask your administrator to add you.",
            Refusal::EmailTaken => "A meshenv account with your email already exists and signs in another way. Ask your administrator.",
            Refusal::Throttled => "Too many sign-ins were started from your address. Wait a few minutes, then try again.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back() {
        for r in Refusal::ALL {
            assert_eq!(Refusal::parse(r.code()), Some(r));
        }
        assert_eq!(Refusal::parse("nonsense"), None);
    }
}
