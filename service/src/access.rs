//! Applying the access table (`model::access::RULES`) to a caller and an object. Every
//! service method goes through here: first "may they know it exists?" (else 404, exactly as if
//! it did not), then "may they do this?" (else 403).

use super::Service;
use crate::actor::Actor;
use crate::store::reach::{self, Object};
use model::access::{Op, Standing};
use model::error::{ApiError, ErrorCode};
use model::user::Role;
use sqlx::AnyConnection;
use uuid::Uuid;

/// 404 unless `standing` may `view`; then 403 unless it may `op`.
pub(crate) fn authorize(
    standing: Standing,
    view: Op,
    op: Op,
    what: &str,
    doing: &str,
) -> Result<(), ApiError> {
    if !standing.allows(view) {
        return Err(ApiError::not_found(what));
    }
    permit(standing, op, doing)
}

/// 403 unless `standing` may `op`; for acts on the organization itself (creating, listing).
pub(crate) fn permit(standing: Standing, op: Op, doing: &str) -> Result<(), ApiError> {
    if standing.allows(op) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::Forbidden,
        format!("only {} can {doing}", op.who_may()),
    ))
}

/// For lists and reach checks: `None` for an org admin (the whole organization), else the
/// member's user id, whose workspaces bound what they see.
pub(crate) fn member_filter(actor: &Actor, standing: Standing) -> Option<Uuid> {
    (standing != Standing::OrgAdmin).then_some(actor.user.id)
}

/// The best standing among workspace roles (none: the object is out of the member's reach).
fn from_workspace_roles(roles: &[Role]) -> Standing {
    roles.iter().fold(Standing::OrgMember, |best, r| {
        best.max(Standing::in_workspace(Some(*r)))
    })
}

impl Service {
    /// How the caller stands towards an object of `org`: not-found when they are not in `org`.
    pub(crate) async fn standing(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        org: Uuid,
        object: Object,
        id: Uuid,
        what: &str,
    ) -> Result<Standing, ApiError> {
        let role = super::role_in(actor, org, what)?;
        if role == Role::Admin {
            return Ok(Standing::OrgAdmin);
        }
        let roles = reach::roles(db, actor.user.id, object, id).await?;
        Ok(from_workspace_roles(&roles))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_workspace_role_wins() {
        assert_eq!(from_workspace_roles(&[]), Standing::OrgMember);
        assert_eq!(
            from_workspace_roles(&[Role::Member, Role::Admin]),
            Standing::WorkspaceAdmin
        );
        assert_eq!(
            from_workspace_roles(&[Role::Member]),
            Standing::WorkspaceMember
        );
    }

    #[test]
    fn invisible_is_404_and_visible_but_forbidden_is_403() {
        let e = authorize(
            Standing::OrgMember,
            Op::ViewEnvironment,
            Op::ManageEnvironment,
            "environment",
            "x",
        )
        .unwrap_err();
        assert_eq!(e.status(), 404);
        let e = authorize(
            Standing::WorkspaceMember,
            Op::ViewEnvironment,
            Op::ManageEnvironment,
            "environment",
            "x",
        )
        .unwrap_err();
        assert_eq!(e.status(), 403);
        assert!(authorize(
            Standing::WorkspaceMember,
            Op::ViewEnvironment,
            Op::ViewEnvironment,
            "environment",
            "x"
        )
        .is_ok());
    }
}
