//! Teams: named groups of an organization's people. Organization admins keep them; workspace
//! admins see them, to give their workspace to one (`workspace_teams`). A team filled from an
//! identity provider's group has its members from there, never by hand.

use super::access::{authorize, permit};
use super::{record, resolve_org, Change, Service};
use crate::actor::Actor;
use crate::db::{from_micros, now_micros};
use crate::store::teams::{self as store, Side};
use model::access::{Op, Standing};
use model::error::{ApiError, ErrorCode};
use model::team::{
    NewTeam, NewTeamMember, Team, TeamMember, TeamMemberPage, TeamMemberQuery, TeamPage, TeamQuery,
    TeamUpdate,
};
use model::workspace::WorkspaceFields;
use sqlx::AnyConnection;
use uuid::Uuid;

/// A write error naming the taken name.
fn write_err(name: &str) -> impl Fn(sqlx::Error) -> ApiError + '_ {
    super::write_err("a team", name)
}

/// How the caller stands towards an organization's teams: the strongest standing they hold
/// anywhere in it. Not-found outside it.
pub(crate) fn team_standing(actor: &Actor, org: Uuid, what: &str) -> Result<Standing, ApiError> {
    actor
        .user
        .standing_in_org(org)
        .ok_or_else(|| ApiError::not_found(what))
}

/// Refuses a hand-made change to the members of a team its identity provider fills.
fn kept_by_hand(team: &Team) -> Result<(), ApiError> {
    match (&team.provider, &team.provider_group) {
        (Some(provider), group) => Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "this team's members come from the group '{}' of the identity provider '{provider}': change them there",
                group.as_deref().unwrap_or(&team.name)
            ),
        )),
        (None, _) => Ok(()),
    }
}

impl Service {
    /// The team, if the caller may see it (not-found otherwise) and may do `op` to it.
    pub(crate) async fn team_for(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        id: Uuid,
        op: Op,
        doing: &str,
    ) -> Result<Team, ApiError> {
        let team = store::get(db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("team"))?;
        let standing = team_standing(actor, team.organization_id, "team")?;
        authorize(standing, Op::ViewTeams, op, "team", doing)?;
        Ok(team)
    }

    pub(crate) async fn record_team_member(
        &self,
        db: &mut AnyConnection,
        actor: &Actor,
        team: &Team,
        verb: &str,
        member: &TeamMember,
    ) -> Result<(), ApiError> {
        let (before, after) = match verb {
            "member_add" => (None, Some(member)),
            _ => (Some(member), None),
        };
        let change = Change::other(
            Some(team.organization_id),
            verb,
            "team",
            team.id,
            &team.name,
            before,
            after,
        );
        record(db, actor, change).await
    }
}

/// Teams and their members.
impl Service {
    pub async fn list_teams(&self, actor: &Actor, query: &TeamQuery) -> Result<TeamPage, ApiError> {
        use model::list::Recheck;
        let query = &query.rechecked()?;
        let (org, _) = resolve_org(actor, query.org_id)?;
        permit(
            team_standing(actor, org, "organization")?,
            Op::ViewTeams,
            "see the organization's teams",
        )?;
        let (teams, total_count) =
            store::list(&mut *self.db.read().await?, org, Side::All, query).await?;
        Ok(TeamPage {
            page: query.page,
            page_size: query.page_size,
            total_count,
            teams,
        })
    }

    pub async fn get_team(&self, actor: &Actor, id: Uuid) -> Result<Team, ApiError> {
        let mut conn = self.db.read().await?;
        self.team_for(&mut conn, actor, id, Op::ViewTeams, "").await
    }

    pub async fn create_team(&self, actor: &Actor, input: &NewTeam) -> Result<Team, ApiError> {
        let (org, _) = resolve_org(actor, input.organization_id).map_err(super::body_org_field)?;
        permit(
            team_standing(actor, org, "organization")?,
            Op::ManageTeams,
            "create teams",
        )?;
        let WorkspaceFields { name, description } = input.check()?;
        let now = from_micros(now_micros());
        let team = Team {
            id: Uuid::now_v7(),
            organization_id: org,
            name,
            description,
            provider: None,
            provider_group: None,
            created_at: now,
            updated_at: now,
            member_count: 0,
            workspace_count: 0,
            role: None,
        };
        let mut tx = self.db.begin().await?;
        store::insert(&mut tx, &team)
            .await
            .map_err(write_err(&team.name))?;
        record(
            &mut tx,
            actor,
            Change::created(Some(org), "team", team.id, &team.name, &team),
        )
        .await?;
        tx.commit().await.map_err(write_err(&team.name))?;
        Ok(team)
    }

    pub async fn update_team(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &TeamUpdate,
    ) -> Result<Team, ApiError> {
        let mut tx = self.db.begin().await?;
        let before = self
            .team_for(&mut tx, actor, id, Op::ManageTeams, "rename teams")
            .await?;
        let fields = input.apply(&before)?;
        let after = Team {
            name: fields.name,
            description: fields.description,
            updated_at: from_micros(now_micros()),
            ..before.clone()
        };
        store::update(&mut tx, &after)
            .await
            .map_err(write_err(&after.name))?;
        let org = Some(after.organization_id);
        record(
            &mut tx,
            actor,
            Change::updated(org, "team", id, &after.name, &before, &after),
        )
        .await?;
        tx.commit().await.map_err(write_err(&after.name))?;
        Ok(after)
    }

    /// Deletes the team: its members lose what only the team gave them, from the next request.
    pub async fn delete_team(&self, actor: &Actor, id: Uuid) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let before = self
            .team_for(&mut tx, actor, id, Op::ManageTeams, "delete teams")
            .await?;
        store::delete(&mut tx, id).await?;
        let org = Some(before.organization_id);
        record(
            &mut tx,
            actor,
            Change::deleted(org, "team", id, &before.name, &before),
        )
        .await?;
        tx.commit().await.map_err(ApiError::from)
    }

    pub async fn list_team_members(
        &self,
        actor: &Actor,
        id: Uuid,
        query: &TeamMemberQuery,
    ) -> Result<TeamMemberPage, ApiError> {
        use model::list::Recheck;
        let query = &query.rechecked()?;
        let mut conn = self.db.read().await?;
        self.team_for(&mut conn, actor, id, Op::ViewTeams, "")
            .await?;
        let (members, total_count) = store::members(&mut conn, id, query).await?;
        Ok(TeamMemberPage {
            page: query.page,
            page_size: query.page_size,
            total_count,
            members,
        })
    }

    /// Adds a person of the team's organization; returns them and whether they are new to it.
    pub async fn add_team_member(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &NewTeamMember,
    ) -> Result<(TeamMember, bool), ApiError> {
        let mut tx = self.db.begin().await?;
        let team = self
            .team_for(
                &mut tx,
                actor,
                id,
                Op::ManageTeams,
                "change a team's members",
            )
            .await?;
        kept_by_hand(&team)?;
        let user = self
            .member_user(
                &mut tx,
                team.organization_id,
                input.user_id,
                input.email.as_deref(),
            )
            .await?;
        let added = store::add_member(&mut tx, id, user).await?;
        let member = store::get_member(&mut tx, id, user)
            .await?
            .ok_or_else(ApiError::internal)?;
        if added {
            store::touch(&mut tx, id).await?;
            self.record_team_member(&mut tx, actor, &team, "member_add", &member)
                .await?;
        }
        tx.commit().await?;
        Ok((member, added))
    }

    pub async fn remove_team_member(
        &self,
        actor: &Actor,
        id: Uuid,
        user: Uuid,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let team = self
            .team_for(
                &mut tx,
                actor,
                id,
                Op::ManageTeams,
                "change a team's members",
            )
            .await?;
        kept_by_hand(&team)?;
        let member = store::get_member(&mut tx, id, user)
            .await?
            .ok_or_else(|| ApiError::not_found("member"))?;
        store::remove_member(&mut tx, id, user).await?;
        store::touch(&mut tx, id).await?;
        self.record_team_member(&mut tx, actor, &team, "member_remove", &member)
            .await?;
        tx.commit().await.map_err(ApiError::from)
    }
}
