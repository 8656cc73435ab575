//! What the signed-in user may do, read from the access table (`model::access::RULES`) so the
//! UI shows only the buttons that work. The server checks again whatever the UI shows.

use leptos::prelude::*;
use model::access::Op;
use model::user::Me;
use uuid::Uuid;

/// Whether `me`'s standing allows `op` in the organization the page acts in: the one it names
/// (its `orgID`, or the object's own), else the user's only one, as the API decides
/// (`Me::org_in`). Someone in several organizations on a page that names none acts in none.
pub fn allows(me: Option<&Me>, org: Option<Uuid>, op: Op) -> bool {
    me.and_then(|me| me.org_standing(me.org_in(org).ok()?.id))
        .is_some_and(|s| s.allows(op))
}

/// Whether `me` may do `op` in any of their organizations: for a page that names none and acts
/// wherever its form is then sent (the server decides there, for the organization it names).
pub fn allows_anywhere(me: Option<&Me>, op: Op) -> bool {
    me.is_some_and(|me| {
        me.organizations
            .iter()
            .any(|o| me.org_standing(o.id).is_some_and(|s| s.allows(op)))
    })
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

    #[test]
    fn the_named_organization_counts_not_the_first() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let membership = |id, role| OrgMembership {
            id,
            name: "o".into(),
            role,
        };
        let mut me = Me {
            id: Uuid::now_v7(),
            name: "me".into(),
            email: "me@example.com".into(),
            organizations: vec![membership(a, Role::Member), membership(b, Role::Admin)],
            workspaces: vec![],
            must_change_password: false,
        };
        assert!(!allows(Some(&me), Some(a), Op::ManageEnvironment));
        assert!(allows(Some(&me), Some(b), Op::ManageEnvironment));
        // two organizations and none named: none
        assert!(!allows(Some(&me), None, Op::ManageEnvironment));
        me.organizations.remove(0);
        assert!(allows(Some(&me), None, Op::ManageEnvironment));
        // an organization the user is not in
        assert!(!allows(Some(&me), Some(a), Op::ManageEnvironment));
        assert!(!allows(None, Some(b), Op::ViewEnvironment));
    }
}
