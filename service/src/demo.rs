//! `meshenv demo`: the three patterns of the product documentation as a working organization
//! (an environment per stage, shared monitoring, regions). Everything goes through the service
//! layer, as an admin would; every step finds what a previous run made, so a second run
//! changes nothing.

use super::Service;
use crate::actor::Actor;
use anyhow::anyhow;
use model::assignment::AssignmentPatch;
use model::connection::{ConnectionInput, ConnectionQuery};
use model::environment::{EnvironmentQuery, NewEnvironment};
use model::list::ListQuery;
use model::workspace::NewWorkspace;
use std::collections::BTreeMap;
use uuid::Uuid;

/// (name, kind, URL) of every demo connection.
const CONNECTIONS: &[(&str, &str, &str)] = &[
    (
        "prod-gke-us-east",
        "kubernetes",
        "https://prod-gke-us-east.example.internal:6443",
    ),
    (
        "prod-gke-us-west",
        "kubernetes",
        "https://prod-gke-us-west.example.internal:6443",
    ),
    (
        "prod-prometheus",
        "prometheus",
        "http://prometheus.prod.example.internal:9090",
    ),
    (
        "prod-grafana",
        "grafana",
        "http://grafana.prod.example.internal:3000",
    ),
    (
        "prod-rds",
        "postgres",
        "postgres://prod-rds.example.internal:5432/app",
    ),
    (
        "staging-eks",
        "kubernetes",
        "https://staging-eks.example.internal:6443",
    ),
    (
        "staging-prometheus",
        "prometheus",
        "http://prometheus.staging.example.internal:9090",
    ),
    (
        "staging-grafana",
        "grafana",
        "http://grafana.staging.example.internal:3000",
    ),
    ("dev-k3s-local", "kubernetes", "https://127.0.0.1:6443"),
    (
        "dev-prometheus",
        "prometheus",
        "http://prometheus.dev.example.internal:9090",
    ),
    (
        "central-prometheus",
        "prometheus",
        "http://prometheus.monitoring.example.internal:9090",
    ),
    (
        "central-grafana",
        "grafana",
        "http://grafana.monitoring.example.internal:3000",
    ),
    (
        "central-jaeger",
        "jaeger",
        "http://jaeger.monitoring.example.internal:16686",
    ),
    (
        "gke-us-east-1",
        "kubernetes",
        "https://gke-us-east-1.example.internal:6443",
    ),
    (
        "gke-us-east-2",
        "kubernetes",
        "https://gke-us-east-2.example.internal:6443",
    ),
    (
        "prometheus-us-east",
        "prometheus",
        "http://prometheus.us-east.example.internal:9090",
    ),
    (
        "eks-eu-west-1",
        "kubernetes",
        "https://eks-eu-west-1.example.internal:6443",
    ),
    (
        "eks-eu-west-2",
        "kubernetes",
        "https://eks-eu-west-2.example.internal:6443",
    ),
    (
        "prometheus-eu-west",
        "prometheus",
        "http://prometheus.eu-west.example.internal:9090",
    ),
    ("github-main", "github", "https://api.github.com"),
];

/// (name, description, tags, connections) of every demo environment.
const ENVIRONMENTS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "production",
        "Everything customers depend on",
        &["prod", "stage"],
        &[
            "prod-gke-us-east",
            "prod-gke-us-west",
            "prod-prometheus",
            "prod-grafana",
            "prod-rds",
            "github-main",
        ],
    ),
    (
        "staging",
        "Release candidates before production",
        &["staging", "stage"],
        &["staging-eks", "staging-prometheus", "staging-grafana"],
    ),
    (
        "development",
        "Local and shared development clusters",
        &["dev", "stage"],
        &["dev-k3s-local", "dev-prometheus", "github-main"],
    ),
    (
        "shared-monitoring",
        "Observability every team uses",
        &["monitoring", "shared"],
        &["central-prometheus", "central-grafana", "central-jaeger"],
    ),
    (
        "us-east",
        "Clusters and monitoring in us-east",
        &["region", "us-east"],
        &["gke-us-east-1", "gke-us-east-2", "prometheus-us-east"],
    ),
    (
        "eu-west",
        "Clusters and monitoring in eu-west",
        &["region", "eu-west"],
        &["eks-eu-west-1", "eks-eu-west-2", "prometheus-eu-west"],
    ),
];

/// Workspaces, each with the environments assigned to it: the shared-monitoring pattern.
const WORKSPACES: &[(&str, &str, &[&str])] = &[
    (
        "platform-team",
        "Runs the clusters and the shared services",
        &["shared-monitoring"],
    ),
    (
        "app-team-alpha",
        "Builds the storefront",
        &["shared-monitoring"],
    ),
    (
        "app-team-beta",
        "Builds the payments service",
        &["shared-monitoring"],
    ),
];

/// What a demo run created (zero everywhere on a second run).
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub environments: usize,
    pub connections: usize,
    pub workspaces: usize,
}

fn err(e: model::error::ApiError) -> anyhow::Error {
    anyhow!(e.error)
}

fn named(search: &str) -> ListQuery<model::connection::ConnectionSort> {
    ListQuery {
        search: Some(search.to_string()),
        page_size: 1000,
        ..Default::default()
    }
}

impl Service {
    pub async fn load_demo(&self, org: &str) -> anyhow::Result<DemoSummary> {
        let (org, actor) = self.operator(org, None).await?;
        let mut made = DemoSummary::default();
        let mut conns = BTreeMap::new();
        for (name, kind, url) in CONNECTIONS {
            let id = match self.find_connection(&actor, org, name).await? {
                Some(id) => id,
                None => {
                    made.connections += 1;
                    let input = ConnectionInput {
                        name: Some(name.to_string()),
                        kind: Some(kind.to_string()),
                        url: Some(url.to_string()),
                        organization_id: Some(org),
                        ..Default::default()
                    };
                    self.create_connection(&actor, &input)
                        .await
                        .map_err(err)?
                        .id
                }
            };
            conns.insert(*name, id);
        }
        let mut envs = BTreeMap::new();
        for (name, description, tags, members) in ENVIRONMENTS {
            let id = match self.find_environment(&actor, org, name).await? {
                Some(id) => id,
                None => {
                    made.environments += 1;
                    let input = NewEnvironment {
                        name: Some(name.to_string()),
                        description: Some(description.to_string()),
                        organization_id: Some(org),
                        tags: Some(tags.iter().map(|t| t.to_string()).collect()),
                    };
                    self.create_environment(&actor, &input)
                        .await
                        .map_err(err)?
                        .id
                }
            };
            let patch = AssignmentPatch {
                add: members.iter().map(|m| conns[m]).collect(),
                remove: vec![],
            };
            self.patch_environment_connections(&actor, id, &patch)
                .await
                .map_err(err)?;
            envs.insert(*name, id);
        }
        for (name, description, assigned) in WORKSPACES {
            let id = match self.find_workspace(&actor, org, name).await? {
                Some(id) => id,
                None => {
                    made.workspaces += 1;
                    let input = NewWorkspace {
                        name: Some(name.to_string()),
                        description: Some(description.to_string()),
                        organization_id: Some(org),
                    };
                    self.create_workspace(&actor, &input).await.map_err(err)?.id
                }
            };
            let patch = AssignmentPatch {
                add: assigned.iter().map(|e| envs[e]).collect(),
                remove: vec![],
            };
            self.patch_workspace_environments(&actor, id, &patch)
                .await
                .map_err(err)?;
        }
        Ok(made)
    }

    async fn find_connection(
        &self,
        actor: &Actor,
        org: Uuid,
        name: &str,
    ) -> anyhow::Result<Option<Uuid>> {
        let mut list = named(name);
        list.org_id = Some(org);
        let q = ConnectionQuery {
            list,
            ..Default::default()
        };
        let page = self.list_connections(actor, &q).await.map_err(err)?;
        Ok(page
            .connections
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.id))
    }

    async fn find_environment(
        &self,
        actor: &Actor,
        org: Uuid,
        name: &str,
    ) -> anyhow::Result<Option<Uuid>> {
        let q = EnvironmentQuery {
            list: ListQuery {
                search: Some(name.to_string()),
                page_size: 1000,
                org_id: Some(org),
                ..Default::default()
            },
            ..Default::default()
        };
        let page = self.list_environments(actor, &q).await.map_err(err)?;
        Ok(page
            .environments
            .into_iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .map(|e| e.id))
    }

    async fn find_workspace(
        &self,
        actor: &Actor,
        org: Uuid,
        name: &str,
    ) -> anyhow::Result<Option<Uuid>> {
        let q = ListQuery {
            search: Some(name.to_string()),
            page_size: 1000,
            org_id: Some(org),
            ..Default::default()
        };
        let page = self.list_workspaces(actor, &q).await.map_err(err)?;
        Ok(page
            .workspaces
            .into_iter()
            .find(|w| w.name.eq_ignore_ascii_case(name))
            .map(|w| w.id))
    }
}
