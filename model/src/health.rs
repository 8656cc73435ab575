//! A connection's health: what its probes find, kept apart from its lifecycle status (Meshery's
//! `registered`, `connected`, …, which a failed probe may not always move).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a connection stands, as its last probe found it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// No answer: refused, timed out, or its name did not resolve.
    Unreachable,
    /// It answered, with an error: an HTTP error status, an untrusted certificate, refused
    /// credentials, or a policy that kept the probe from being sent.
    Failing,
    /// Not probed yet (just registered, or its address or credential changed since).
    #[default]
    Unchecked,
    /// It answered as expected.
    Healthy,
    /// A kind the checker does not probe (github, databases, …).
    NotProbed,
}

impl HealthState {
    /// Worst first: the order lists put unhealthy connections in.
    pub const ALL: [HealthState; 5] = [
        HealthState::Unreachable,
        HealthState::Failing,
        HealthState::Unchecked,
        HealthState::Healthy,
        HealthState::NotProbed,
    ];

    /// The wire (and database) name.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Unreachable => "unreachable",
            HealthState::Failing => "failing",
            HealthState::Unchecked => "unchecked",
            HealthState::Healthy => "healthy",
            HealthState::NotProbed => "not_probed",
        }
    }

    /// The words a person reads.
    pub fn label(self) -> &'static str {
        match self {
            HealthState::NotProbed => "not probed",
            other => other.as_str(),
        }
    }

    /// Accepts the wire name, and the label (`not probed`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace(' ', "_");
        Self::ALL.into_iter().find(|h| h.as_str() == s)
    }

    /// Whether someone should look at it.
    pub fn is_unhealthy(self) -> bool {
        matches!(self, HealthState::Unreachable | HealthState::Failing)
    }
}

/// `health` on every connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConnectionHealth {
    pub state: HealthState,
    /// Since when it has been in this state.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// When it was last probed.
    #[serde(default)]
    pub checked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// One line, in words: "Connection refused by k8s.internal:6443". The raw cause is the
    /// connection's `last_error`.
    #[serde(default)]
    pub message: Option<String>,
}

/// Connections counted by health: how an environment or a workspace is doing at a glance.
pub type HealthCounts = std::collections::BTreeMap<HealthState, u64>;

/// The worst unhealthy state among the counts (unreachable before failing), if any.
pub fn worst_unhealthy(counts: &HealthCounts) -> Option<HealthState> {
    HealthState::ALL
        .into_iter()
        .filter(|h| h.is_unhealthy())
        .find(|h| counts.get(h).is_some_and(|n| *n > 0))
}

/// "2 of 6 unreachable, 1 failing", "all 6 healthy", "2 of 6 unchecked"; `None` when there are no
/// connections to speak of.
pub fn summary(counts: &HealthCounts) -> Option<String> {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return None;
    }
    let n = |h| counts.get(&h).copied().unwrap_or(0);
    let bad: Vec<(u64, HealthState)> = [HealthState::Unreachable, HealthState::Failing]
        .into_iter()
        .map(|h| (n(h), h))
        .filter(|(k, _)| *k > 0)
        .collect();
    let words = |k: u64, h: HealthState, first: bool| {
        if first {
            format!("{k} of {total} {}", h.label())
        } else {
            format!("{k} {}", h.label())
        }
    };
    Some(if !bad.is_empty() {
        bad.iter()
            .enumerate()
            .map(|(i, (k, h))| words(*k, *h, i == 0))
            .collect::<Vec<_>>()
            .join(", ")
    } else if n(HealthState::Healthy) == total {
        format!("all {total} healthy")
    } else if n(HealthState::Unchecked) > 0 {
        words(n(HealthState::Unchecked), HealthState::Unchecked, true)
    } else if n(HealthState::NotProbed) == total {
        format!("{total} not probed")
    } else {
        words(n(HealthState::Healthy), HealthState::Healthy, true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(HealthState, u64)]) -> HealthCounts {
        pairs.iter().copied().collect()
    }

    #[test]
    fn the_summary_leads_with_what_is_wrong() {
        use HealthState::*;
        assert_eq!(summary(&counts(&[])), None);
        assert_eq!(
            summary(&counts(&[(Unreachable, 2), (Failing, 1), (Healthy, 3)])).unwrap(),
            "2 of 6 unreachable, 1 failing"
        );
        assert_eq!(
            summary(&counts(&[(Failing, 1), (Healthy, 3)])).unwrap(),
            "1 of 4 failing"
        );
        assert_eq!(summary(&counts(&[(Healthy, 3)])).unwrap(), "all 3 healthy");
        assert_eq!(
            summary(&counts(&[(Healthy, 3), (Unchecked, 2)])).unwrap(),
            "2 of 5 unchecked"
        );
        assert_eq!(
            summary(&counts(&[(Healthy, 3), (NotProbed, 1)])).unwrap(),
            "3 of 4 healthy"
        );
        assert_eq!(summary(&counts(&[(NotProbed, 2)])).unwrap(), "2 not probed");
    }

    #[test]
    fn states_parse_from_their_wire_names_and_labels() {
        for h in HealthState::ALL {
            assert_eq!(HealthState::parse(h.as_str()), Some(h));
            assert_eq!(HealthState::parse(h.label()), Some(h));
            assert_eq!(
                serde_json::to_value(h).unwrap(),
                serde_json::json!(h.as_str())
            );
        }
        assert_eq!(HealthState::parse("fine"), None);
    }
}
