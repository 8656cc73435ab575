-- Indexes behind the audit log's filters: by actor and by action, newest first.
CREATE INDEX audit_events_org_actor ON audit_events (organization_id, actor_user_id, occurred_at);
CREATE INDEX audit_events_org_action ON audit_events (organization_id, action, occurred_at);
