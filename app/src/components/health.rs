//! Health at a glance: "2 of 6 unreachable", marked when something is wrong.

use leptos::prelude::*;
use model::health::{summary, worst_unhealthy, HealthCounts};

/// The counts in words, marked when something is unreachable or failing, linked to `href`
/// (those connections) when given; the lifecycle statuses, when given, are the tooltip.
#[component]
pub fn HealthSummary(
    counts: HealthCounts,
    #[prop(optional)] href: Option<String>,
    #[prop(optional)] statuses: Option<String>,
) -> impl IntoView {
    let text = summary(&counts)?;
    let class = if worst_unhealthy(&counts).is_some() {
        "health-line health-alert"
    } else {
        "health-line"
    };
    let title = statuses.unwrap_or_default();
    Some(match href {
        Some(href) => {
            view! { <a class=class title=title href=href data-testid="health-summary">{text}</a> }
                .into_any()
        }
        None => view! { <span class=class title=title data-testid="health-summary">{text}</span> }
            .into_any(),
    })
}
