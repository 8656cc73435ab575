//! Single sign-on's configuration: the providers (each read from `MESHENV_OIDC_<NAME>_*`),
//! the URL meshenv is reached at, and whether password sign-in stays on.

use model::user::Role;

/// How people sign in, besides passwords.
#[derive(Clone, Debug)]
pub struct SsoSettings {
    /// Where browsers reach meshenv (MESHENV_PUBLIC_URL): the redirect URI is made from it.
    pub public_url: Option<url::Url>,
    pub providers: Vec<ProviderSettings>,
    /// MESHENV_PASSWORD_SIGN_IN: false leaves only the providers (and the break-glass account).
    pub password_sign_in: bool,
    /// MESHENV_BREAK_GLASS_ADMIN: the one user name or email that may still sign in with a
    /// password when password sign-in is off.
    pub break_glass: Option<String>,
}

impl Default for SsoSettings {
    fn default() -> Self {
        SsoSettings {
            public_url: None,
            providers: Vec::new(),
            password_sign_in: true,
            break_glass: None,
        }
    }
}

impl SsoSettings {
    pub fn provider(&self, name: &str) -> Option<&ProviderSettings> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// Whether `login` may sign in with a password.
    pub fn password_allowed(&self, login: &str) -> bool {
        self.password_sign_in
            || self
                .break_glass
                .as_deref()
                .is_some_and(|b| b.trim().eq_ignore_ascii_case(login.trim()))
    }
}

/// One OpenID provider.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    /// Lower-case letters, digits and `-`: it is in the redirect URI.
    pub name: String,
    /// The button's "Sign in with {label}".
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim that lists the person's groups.
    pub groups_claim: String,
    /// Email domains people may come from (lower case); empty: any.
    pub allowed_domains: Vec<String>,
    /// The organization (name or id) people signing in here belong to; made if missing.
    pub organization: String,
    /// The role of someone none of whose groups is in `role_map`; None refuses them.
    pub default_role: Option<Role>,
    /// group -> role; the strongest of a person's groups wins.
    pub role_map: Vec<(String, Role)>,
    /// group -> team name; people are kept in these teams as their groups say.
    pub team_map: TeamMap,
}

/// Which groups become teams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TeamMap {
    /// Only the groups named, each to the team named.
    Pairs(Vec<(String, String)>),
    /// `*`: every group is a team of its own name.
    Every,
}

impl TeamMap {
    /// The team a group fills, if any.
    pub fn team_of(&self, group: &str) -> Option<String> {
        match self {
            TeamMap::Every => Some(group.to_string()),
            TeamMap::Pairs(pairs) => pairs
                .iter()
                .find(|(g, _)| g == group)
                .map(|(_, t)| t.clone()),
        }
    }
}

impl ProviderSettings {
    /// The role `groups` give, the strongest of them, or the default.
    pub fn role_for(&self, groups: &[String]) -> Option<Role> {
        let mapped: Vec<Role> = self
            .role_map
            .iter()
            .filter(|(g, _)| groups.contains(g))
            .map(|(_, r)| *r)
            .collect();
        if mapped.contains(&Role::Admin) {
            Some(Role::Admin)
        } else if mapped.is_empty() {
            self.default_role
        } else {
            Some(Role::Member)
        }
    }

    /// Whether the email's domain may sign in here.
    pub fn domain_allowed(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map(|(_, d)| d.to_lowercase());
        self.allowed_domains.is_empty() || domain.is_some_and(|d| self.allowed_domains.contains(&d))
    }

    /// Reads provider `name` from `MESHENV_OIDC_<NAME>_*` through `var` (the environment, or
    /// a map in tests). Every mistake is named, with the variable at fault.
    pub fn from_vars(name: &str, var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let name = name.trim().to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(format!(
                "provider name '{name}': use lower-case letters, digits and '-' (it is part of the redirect URI)"
            ));
        }
        let prefix = format!("MESHENV_OIDC_{}_", name.to_uppercase().replace('-', "_"));
        let get = |key: &str| {
            var(&format!("{prefix}{key}"))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let required = |key: &str| get(key).ok_or_else(|| format!("{prefix}{key} is required"));
        let issuer = required("ISSUER")?;
        url::Url::parse(&issuer).map_err(|e| format!("{prefix}ISSUER '{issuer}': {e}"))?;
        let client_secret = match (get("CLIENT_SECRET"), get("CLIENT_SECRET_FILE")) {
            (Some(s), _) => Some(s),
            (None, Some(path)) => Some(
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("{prefix}CLIENT_SECRET_FILE '{path}': {e}"))?
                    .trim()
                    .to_string(),
            ),
            (None, None) => None,
        };
        let list = |key: &str| -> Vec<String> {
            get(key)
                .map(|v| {
                    v.split([',', ' '])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let pairs = |key: &str| -> Result<Vec<(String, String)>, String> {
            get(key)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|p| match p.rsplit_once('=') {
                            Some((g, t)) if !g.trim().is_empty() && !t.trim().is_empty() => {
                                Ok((g.trim().to_string(), t.trim().to_string()))
                            }
                            _ => Err(format!("{prefix}{key}: '{p}' is not group=value")),
                        })
                        .collect()
                })
                .unwrap_or(Ok(Vec::new()))
        };
        let role = |key: &str, raw: &str| {
            Role::parse(&raw.to_lowercase())
                .ok_or_else(|| format!("{prefix}{key}: '{raw}' is not admin or member"))
        };
        let role_map = pairs("ROLE_MAP")?
            .into_iter()
            .map(|(g, r)| role("ROLE_MAP", &r).map(|r| (g, r)))
            .collect::<Result<Vec<_>, _>>()?;
        let default_role = match get("DEFAULT_ROLE").as_deref() {
            None => Some(Role::Member),
            Some(r) if r.eq_ignore_ascii_case("none") => None,
            Some(r) => Some(role("DEFAULT_ROLE", r)?),
        };
        let team_map = match get("TEAM_MAP").as_deref() {
            Some("*") => TeamMap::Every,
            _ => TeamMap::Pairs(pairs("TEAM_MAP")?),
        };
        let mut scopes = list("SCOPES");
        if scopes.is_empty() {
            scopes = vec!["email".into(), "profile".into()];
        }
        scopes.retain(|s| s != "openid");
        Ok(ProviderSettings {
            label: get("LABEL").unwrap_or_else(|| name.clone()),
            client_id: required("CLIENT_ID")?,
            client_secret,
            scopes,
            groups_claim: get("GROUPS_CLAIM").unwrap_or_else(|| "groups".into()),
            allowed_domains: list("ALLOWED_DOMAINS")
                .into_iter()
                .map(|d| d.trim_start_matches('@').to_lowercase())
                .collect(),
            organization: required("ORGANIZATION")?,
            default_role,
            role_map,
            team_map,
            issuer,
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<ProviderSettings, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProviderSettings::from_vars("corp-sso", |k| map.get(k).cloned())
    }

    const BASE: [(&str, &str); 3] = [
        (
            "MESHENV_OIDC_CORP_SSO_ISSUER",
            "https://id.example.com/realms/x",
        ),
        ("MESHENV_OIDC_CORP_SSO_CLIENT_ID", "meshenv"),
        ("MESHENV_OIDC_CORP_SSO_ORGANIZATION", "Acme"),
    ];

    #[test]
    fn reads_a_provider_with_its_defaults() {
        let p = read(&BASE).unwrap();
        assert_eq!(p.label, "corp-sso");
        assert_eq!(p.scopes, ["email", "profile"]);
        assert_eq!(p.groups_claim, "groups");
        assert_eq!(p.default_role, Some(Role::Member));
        assert_eq!(p.team_map, TeamMap::Pairs(vec![]));
        assert!(p.domain_allowed("a@anything.org"));
    }

    #[test]
    fn maps_groups_to_the_strongest_role_and_to_teams() {
        let mut vars = BASE.to_vec();
        vars.push(("MESHENV_OIDC_CORP_SSO_ROLE_MAP", "ops=admin, dev=member"));
        vars.push(("MESHENV_OIDC_CORP_SSO_DEFAULT_ROLE", "none"));
        vars.push((
            "MESHENV_OIDC_CORP_SSO_TEAM_MAP",
            "ops=Platform team,dev=Developers",
        ));
        vars.push((
            "MESHENV_OIDC_CORP_SSO_ALLOWED_DOMAINS",
            "@Example.com, example.org",
        ));
        let p = read(&vars).unwrap();
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(p.role_for(&g(&["dev", "ops"])), Some(Role::Admin));
        assert_eq!(p.role_for(&g(&["dev"])), Some(Role::Member));
        assert_eq!(p.role_for(&g(&["sales"])), None);
        assert_eq!(p.team_map.team_of("ops").as_deref(), Some("Platform team"));
        assert_eq!(p.team_map.team_of("sales"), None);
        assert!(p.domain_allowed("x@EXAMPLE.com"));
        assert!(!p.domain_allowed("x@example.com.evil.io"));
        assert!(!p.domain_allowed("no-at-sign"));
    }

    #[test]
    fn names_the_variable_at_fault() {
        let e = read(&BASE[..2]).unwrap_err();
        assert!(e.contains("MESHENV_OIDC_CORP_SSO_ORGANIZATION"), "{e}");
        let mut vars = BASE.to_vec();
        vars.push(("MESHENV_OIDC_CORP_SSO_ROLE_MAP", "ops=owner"));
        assert!(read(&vars).unwrap_err().contains("ROLE_MAP: 'owner'"));
        let e = ProviderSettings::from_vars("Corp SSO", |_| None).unwrap_err();
        assert!(e.contains("lower-case"), "{e}");
        let mut vars = BASE.to_vec();
        vars.push(("MESHENV_OIDC_CORP_SSO_TEAM_MAP", "*"));
        assert_eq!(
            read(&vars).unwrap().team_map.team_of("x").as_deref(),
            Some("x")
        );
    }
}
