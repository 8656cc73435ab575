//! Who may do what: meshenv's access rules as one table. The service layer consults it before
//! every read and write; the UI consults the same table to show only the buttons that work.

use crate::user::Role;
use serde::{Deserialize, Serialize};

/// How the caller stands towards an object of their own organization (someone from another
/// organization stands nowhere: the service answers them as if the object did not exist).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// An admin of the organization: everything in it.
    OrgAdmin,
    /// An admin of a workspace that reaches the object (the workspace itself, or an
    /// environment assigned to it, or a connection of such an environment).
    WorkspaceAdmin,
    /// A member of such a workspace.
    WorkspaceMember,
    /// In the organization, but no workspace of theirs reaches the object.
    OrgMember,
}

/// Everything the rules distinguish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    ViewEnvironment,
    /// Create, rename, delete an environment, or change its connections.
    ManageEnvironment,
    ViewConnection,
    ManageConnection,
    /// A credential's name and type, never its secret.
    ViewCredential,
    ManageCredential,
    ViewWorkspace,
    CreateWorkspace,
    /// Name and description.
    EditWorkspace,
    DeleteWorkspace,
    ManageWorkspaceMembers,
    AddWorkspaceEnvironment,
    RemoveWorkspaceEnvironment,
    /// The list of environments that could be added to a workspace.
    ViewUnassignedEnvironments,
    ManageOrgMembers,
    /// The organization's whole audit log (workspace members see their workspaces' part).
    ViewOrgEvents,
    /// The organization's teams and their members. Teams belong to the organization, not to a
    /// workspace: the standing is the strongest anywhere in it (`Me::standing_in_org`), so a
    /// workspace admin sees the teams they may give their workspace to.
    ViewTeams,
    /// Create, rename and delete teams, and change their members.
    ManageTeams,
}

use Op::*;

/// The table. Columns: organization admin, workspace admin, workspace member, organization
/// member outside any workspace that reaches the object.
pub const RULES: &[(Op, [bool; 4])] = &[
    //                              org admin  ws admin  ws member  org member
    (ViewEnvironment, [true, true, true, false]),
    (ManageEnvironment, [true, false, false, false]),
    (ViewConnection, [true, true, true, false]),
    (ManageConnection, [true, false, false, false]),
    (ViewCredential, [true, true, true, false]),
    (ManageCredential, [true, false, false, false]),
    (ViewWorkspace, [true, true, true, false]),
    (CreateWorkspace, [true, false, false, false]),
    (EditWorkspace, [true, true, false, false]),
    (DeleteWorkspace, [true, false, false, false]),
    (ManageWorkspaceMembers, [true, true, false, false]),
    (AddWorkspaceEnvironment, [true, false, false, false]),
    (RemoveWorkspaceEnvironment, [true, true, false, false]),
    (ViewUnassignedEnvironments, [true, false, false, false]),
    (ManageOrgMembers, [true, false, false, false]),
    (ViewOrgEvents, [true, false, false, false]),
    (ViewTeams, [true, true, false, false]),
    (ManageTeams, [true, false, false, false]),
];

/// The standings in the table's column order, as its messages name them.
const COLUMNS: [&str; 4] = [
    "organization admins",
    "workspace admins",
    "workspace members",
    "organization members",
];

impl Op {
    /// Who the table lets do this, in words: "organization admins and workspace admins".
    pub fn who_may(self) -> String {
        let cols = RULES
            .iter()
            .find(|(o, _)| *o == self)
            .map(|(_, cols)| *cols)
            .unwrap_or_default();
        let names: Vec<&str> = COLUMNS
            .iter()
            .zip(cols)
            .filter_map(|(name, allowed)| allowed.then_some(*name))
            .collect();
        match names.as_slice() {
            [] => "nobody".into(),
            [one] => (*one).into(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

impl Standing {
    /// The standing an organization role gives before any workspace is considered.
    pub fn in_org(role: Role) -> Standing {
        match role {
            Role::Admin => Standing::OrgAdmin,
            Role::Member => Standing::OrgMember,
        }
    }

    /// The standing of an organization member with this role in a workspace that reaches the
    /// object (`None`: no such workspace). An organization admin stands higher whatever it is.
    pub fn in_workspace(role: Option<Role>) -> Standing {
        match role {
            Some(Role::Admin) => Standing::WorkspaceAdmin,
            Some(Role::Member) => Standing::WorkspaceMember,
            None => Standing::OrgMember,
        }
    }

    fn column(self) -> usize {
        match self {
            Standing::OrgAdmin => 0,
            Standing::WorkspaceAdmin => 1,
            Standing::WorkspaceMember => 2,
            Standing::OrgMember => 3,
        }
    }

    /// Whether the table lets someone standing here do `op`.
    pub fn allows(self, op: Op) -> bool {
        RULES
            .iter()
            .find(|(o, _)| *o == op)
            .is_some_and(|(_, cols)| cols[self.column()])
    }

    /// The stronger of two standings (a user in two workspaces that reach the same object).
    pub fn max(self, other: Standing) -> Standing {
        if self.column() <= other.column() {
            self
        } else {
            other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_reads_the_table() {
        assert_eq!(ManageEnvironment.who_may(), "organization admins");
        assert_eq!(
            RemoveWorkspaceEnvironment.who_may(),
            "organization admins and workspace admins"
        );
        assert_eq!(
            ViewWorkspace.who_may(),
            "organization admins, workspace admins and workspace members"
        );
    }

    const ALL_OPS: &[Op] = &[
        ViewEnvironment,
        ManageEnvironment,
        ViewConnection,
        ManageConnection,
        ViewCredential,
        ManageCredential,
        ViewWorkspace,
        CreateWorkspace,
        EditWorkspace,
        DeleteWorkspace,
        ManageWorkspaceMembers,
        AddWorkspaceEnvironment,
        RemoveWorkspaceEnvironment,
        ViewUnassignedEnvironments,
        ManageOrgMembers,
        ViewOrgEvents,
        ViewTeams,
        ManageTeams,
    ];

    #[test]
    fn every_op_has_exactly_one_row() {
        for op in ALL_OPS {
            assert_eq!(RULES.iter().filter(|(o, _)| o == op).count(), 1, "{op:?}");
        }
        assert_eq!(RULES.len(), ALL_OPS.len());
    }

    #[test]
    fn org_admins_may_do_everything_and_outsiders_of_workspaces_nothing() {
        for op in ALL_OPS {
            assert!(Standing::OrgAdmin.allows(*op), "{op:?}");
            assert!(!Standing::OrgMember.allows(*op), "{op:?}");
        }
    }

    #[test]
    fn workspace_roles_read_and_admins_manage_their_workspace_only() {
        let m = Standing::WorkspaceMember;
        let a = Standing::WorkspaceAdmin;
        assert!(m.allows(ViewConnection) && m.allows(ViewCredential));
        assert!(!m.allows(EditWorkspace) && !m.allows(RemoveWorkspaceEnvironment));
        assert!(a.allows(ManageWorkspaceMembers) && a.allows(RemoveWorkspaceEnvironment));
        // assigning an environment to a workspace takes an organization admin
        assert!(!a.allows(AddWorkspaceEnvironment) && !a.allows(ManageEnvironment));
        // anything a workspace admin may do, an org admin may; anything a member may, an admin may
        for op in ALL_OPS {
            assert!(!m.allows(*op) || a.allows(*op), "{op:?}");
        }
    }

    #[test]
    fn max_keeps_the_stronger() {
        assert_eq!(
            Standing::WorkspaceMember.max(Standing::WorkspaceAdmin),
            Standing::WorkspaceAdmin
        );
        assert_eq!(
            Standing::OrgMember.max(Standing::WorkspaceMember),
            Standing::WorkspaceMember
        );
    }
}
