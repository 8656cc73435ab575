//! What the signed-in user may do, read from the access table (`model::access::RULES`) so the
//! UI shows only the buttons that work. The server checks again whatever the UI shows.

use leptos::prelude::*;
use model::access::Op;
use model::user::Me;
use uuid::Uuid;

/// The organization a page acts in: the one it names (its `orgID`, or the object's own) when the
/// user belongs to it, else the user's only organization. Someone in several organizations on a
/// page that names none acts in none, as the API answers them.
pub fn current_org(me: &Me, named: Option<Uuid>) -> Option<Uuid> {
    match named {
        Some(org) => me.membership(org).map(|m| m.id),
        None => match me.organizations.as_slice() {
            [only] => Some(only.id),
            _ => None,
        },
    }
}

/// Whether `me`'s standing in the page's organization (see `current_org`) allows `op`.
pub fn allows(me: Option<&Me>, org: Option<Uuid>, op: Op) -> bool {
    me.and_then(|me| me.org_standing(current_org(me, org)?))
        .is_some_and(|s| s.allows(op))
}

/// `allows` for the signed-in user the layout provides. Call it while building a view, where
/// the context is in reach; inside async blocks, take `Me` first and use `allows`.
pub fn org_allows(org: Option<Uuid>, op: Op) -> bool {
    allows(use_context::<Me>().as_ref(), org, op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::user::{OrgMembership, Role};

    fn me(orgs: &[(Uuid, Role)]) -> Me {
        Me {
            id: Uuid::now_v7(),
            name: "me".into(),
            email: "me@example.com".into(),
            workspaces: vec![],
            must_change_password: false,
            organizations: orgs
                .iter()
                .map(|(id, role)| OrgMembership {
                    id: *id,
                    name: "o".into(),
                    role: *role,
                })
                .collect(),
        }
    }

    #[test]
    fn the_named_organization_counts_not_the_first() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let two = me(&[(a, Role::Member), (b, Role::Admin)]);
        assert!(!allows(Some(&two), Some(a), Op::ManageEnvironment));
        assert!(allows(Some(&two), Some(b), Op::ManageEnvironment));
        // two organizations and none named: none
        assert!(!allows(Some(&two), None, Op::ManageEnvironment));
        let one = me(&[(b, Role::Admin)]);
        assert!(allows(Some(&one), None, Op::ManageEnvironment));
        // an organization the user is not in
        assert!(!allows(Some(&one), Some(a), Op::ManageEnvironment));
        assert!(!allows(None, Some(b), Op::ViewEnvironment));
    }
}
