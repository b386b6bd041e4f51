//! The in-memory state, the errors the handlers answer with, and small helpers.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use archastro_server::ApiError;
use archastro_server::types::{
    self, Agent, App, AppMemberRole, Installation, Invitation, MemberType, Membership, Message,
    Metadata, Object, Routine, Task, Team, TeamRole, Thread, User,
};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::Config;

/// The app the configured keys belong to.
pub const DEFAULT_APP_ID: &str = "app_000001";
/// The developer account: what a secret key acts as on the developer API, and the user the
/// device flow signs in.
pub const DEVELOPER_USER_ID: &str = "usr_000000";

pub(crate) fn now() -> DateTime<Utc> {
    std::time::SystemTime::now().into()
}

/// Converts between the generated enums that share their values (`AttachmentInputType` to
/// `AttachmentType`).
pub(crate) fn convert<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> B {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .expect("enums with the same values")
}

pub(crate) fn metadata(m: Option<Metadata>) -> Metadata {
    m.unwrap_or_else(|| Metadata(Map::new()))
}

/// The number in an id (`usr_000012` → 12): the creation order.
pub(crate) fn seq_of(id: &str) -> u64 {
    id.rsplit('_')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------------
// Errors, in the envelope and with the codes of the spec
// ---------------------------------------------------------------------------------------------

pub(crate) fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::not_found(format!("{what} `{id}` not found"))
}

pub(crate) fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}

pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::conflict(message)
}

pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

/// 422 with `details.fields` mapping the field to its messages, as the spec describes.
pub(crate) fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::validation(
        format!("Validation failed: `{field}` {message}"),
        json!({ "fields": { field: [message] } }),
    )
}

pub(crate) fn check_email(field: &str, email: &str) -> Result<String, ApiError> {
    let email = email.trim();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email.to_owned())
    } else {
        Err(invalid(field, "is not a valid email address"))
    }
}

/// An IANA zone name in shape (`UTC`, `Europe/London`, `America/Argentina/Buenos_Aires`).
pub(crate) fn check_timezone(field: &str, tz: &str) -> Result<String, ApiError> {
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
    };
    let parts: Vec<&str> = tz.split('/').collect();
    let known_single = ["UTC", "GMT", "Etc", "Zulu", "UCT", "Universal"];
    let valid = if parts.len() == 1 {
        known_single.contains(&tz)
    } else {
        parts.len() <= 3
            && parts[0]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
            && parts.iter().all(|p| ok_part(p))
    };
    if valid {
        Ok(tz.to_owned())
    } else {
        Err(invalid(field, "is not an IANA time zone name"))
    }
}

// ---------------------------------------------------------------------------------------------
// Who calls
// ---------------------------------------------------------------------------------------------

/// The caller of a runtime or developer operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A user access token.
    User(String),
    /// The secret key (the whole app).
    App,
}

impl Caller {
    pub(crate) fn of(ctx: &archastro_server::RequestContext) -> Result<Caller, ApiError> {
        let p = ctx.principal.as_ref().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "authentication required",
            )
        })?;
        Ok(if p.scheme == "bearerAuth" {
            Caller::User(p.subject.clone())
        } else {
            Caller::App
        })
    }

    pub(crate) fn user(&self) -> Option<&str> {
        match self {
            Caller::User(u) => Some(u),
            Caller::App => None,
        }
    }

    /// On the developer API: the developer account acting.
    pub(crate) fn developer(&self) -> &str {
        self.user().unwrap_or(DEVELOPER_USER_ID)
    }
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

pub(crate) struct UserRec {
    pub(crate) user: User,
    pub(crate) password: Option<String>,
}

pub(crate) struct AccessRec {
    user: String,
    expires: Instant,
}

pub(crate) struct RefreshRec {
    pub(crate) user: String,
    pub(crate) scope: String,
}

pub(crate) struct DeviceRec {
    pub(crate) client_id: String,
    pub(crate) scope: String,
    pub(crate) expires: Instant,
    pub(crate) interval: u64,
    pub(crate) last_poll: Option<Instant>,
    pub(crate) polls: u32,
    pub(crate) used: bool,
}

pub(crate) struct ThreadRec {
    pub(crate) thread: Thread,
    /// Larger is more recently active.
    pub(crate) activity: u64,
    /// Oldest first.
    pub(crate) messages: Vec<Message>,
}

pub(crate) struct AgentRec {
    pub(crate) agent: Agent,
    /// The user who created it (the developer account for a secret key).
    pub(crate) owner: String,
}

pub(crate) struct TaskRec {
    pub(crate) task: Task,
    pub(crate) activity: u64,
}

pub(crate) struct AppRec {
    pub(crate) app: App,
    pub(crate) members: Vec<(String, AppMemberRole)>,
}

pub(crate) enum TokenError {
    Unknown,
    Expired,
}

pub(crate) struct Store {
    counters: HashMap<&'static str, u64>,
    clock: u64,
    seed_tasks: usize,
    random: std::collections::hash_map::RandomState,
    pub(crate) users: BTreeMap<String, UserRec>,
    access: HashMap<String, AccessRec>,
    pub(crate) refresh: HashMap<String, RefreshRec>,
    pub(crate) devices: HashMap<String, DeviceRec>,
    pub(crate) teams: BTreeMap<String, Team>,
    /// Per team, in joining order.
    pub(crate) members: BTreeMap<String, Vec<Membership>>,
    pub(crate) invitations: BTreeMap<String, Invitation>,
    pub(crate) threads: BTreeMap<String, ThreadRec>,
    pub(crate) agents: BTreeMap<String, AgentRec>,
    pub(crate) tasks: BTreeMap<String, TaskRec>,
    pub(crate) objects: BTreeMap<String, Object>,
    pub(crate) apps: BTreeMap<String, AppRec>,
    pub(crate) routines: BTreeMap<String, Routine>,
    pub(crate) installations: BTreeMap<String, Installation>,
}

impl Store {
    pub(crate) fn new(config: &Config) -> Store {
        let mut store = Store {
            counters: HashMap::new(),
            clock: 0,
            seed_tasks: config.seed_tasks,
            random: Default::default(),
            users: BTreeMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            devices: HashMap::new(),
            teams: BTreeMap::new(),
            members: BTreeMap::new(),
            invitations: BTreeMap::new(),
            threads: BTreeMap::new(),
            agents: BTreeMap::new(),
            tasks: BTreeMap::new(),
            objects: BTreeMap::new(),
            apps: BTreeMap::new(),
            routines: BTreeMap::new(),
            installations: BTreeMap::new(),
        };
        let developer = store.new_user(
            DEVELOPER_USER_ID.into(),
            "developer@emulator.local".into(),
            Some("Emulator Developer".into()),
            None,
            None,
            false,
        );
        store.users.insert(
            developer.id.clone(),
            UserRec {
                user: developer,
                password: None,
            },
        );
        let id = store.next_id("app");
        debug_assert_eq!(id, DEFAULT_APP_ID);
        let at = now();
        store.apps.insert(
            id.clone(),
            AppRec {
                app: App {
                    allowed_redirect_uris: vec![],
                    created_at: at,
                    description: Some("The app of the emulator's keys".into()),
                    id,
                    logo_url: None,
                    metadata: metadata(None),
                    name: "Emulator".into(),
                    slug: "emulator".into(),
                    status: types::AppStatus::Active,
                    updated_at: at,
                    website_url: None,
                },
                members: vec![(DEVELOPER_USER_ID.into(), AppMemberRole::Owner)],
            },
        );
        store
    }

    /// The next id with `prefix`: `usr_000001`, `usr_000002`, ...
    pub(crate) fn next_id(&mut self, prefix: &'static str) -> String {
        let n = self.counters.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}_{n:06}")
    }

    /// A logical clock for "most recently active" orders.
    pub(crate) fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// An unguessable token with `prefix`.
    pub(crate) fn secret(&mut self, prefix: &'static str) -> String {
        let n = self.next_id(prefix);
        let mut h = self.random.build_hasher();
        h.write(n.as_bytes());
        let a = h.finish();
        h.write_u64(a);
        format!("{n}_{a:016x}{:016x}", h.finish())
    }

    pub(crate) fn new_user(
        &mut self,
        id: String,
        email: String,
        name: Option<String>,
        timezone: Option<String>,
        meta: Option<Metadata>,
        system: bool,
    ) -> User {
        let at = now();
        User {
            alias: None,
            app: DEFAULT_APP_ID.into(),
            avatar_url: None,
            created_at: at,
            email,
            email_verified: false,
            id,
            is_system_user: system,
            metadata: metadata(meta),
            name,
            org: None,
            org_role: None,
            sandbox: None,
            status: types::UserStatus::Active,
            timezone: timezone.unwrap_or_else(|| "UTC".into()),
            updated_at: at,
        }
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&UserRec> {
        self.users
            .values()
            .find(|u| u.user.email.eq_ignore_ascii_case(email))
    }

    pub(crate) fn user(&self, id: &str) -> Result<&User, ApiError> {
        self.users
            .get(id)
            .map(|u| &u.user)
            .ok_or_else(|| not_found("user", id))
    }

    // --- tokens ----------------------------------------------------------------------------

    /// A new access token and refresh token for `user`.
    pub(crate) fn issue_tokens(&mut self, user: &str, ttl: u64, scope: &str) -> (String, String) {
        let access = self.secret("at");
        let refresh = self.secret("rt");
        self.access.insert(
            access.clone(),
            AccessRec {
                user: user.to_owned(),
                expires: Instant::now() + Duration::from_secs(ttl),
            },
        );
        self.refresh.insert(
            refresh.clone(),
            RefreshRec {
                user: user.to_owned(),
                scope: scope.to_owned(),
            },
        );
        (access, refresh)
    }

    pub(crate) fn check_access_token(&mut self, token: &str) -> Result<String, TokenError> {
        let rec = self.access.get(token).ok_or(TokenError::Unknown)?;
        if Instant::now() >= rec.expires {
            self.access.remove(token);
            return Err(TokenError::Expired);
        }
        if !self.users.contains_key(&rec.user) {
            return Err(TokenError::Unknown);
        }
        Ok(rec.user.clone())
    }

    // --- teams ------------------------------------------------------------------------------

    pub(crate) fn team(&self, id: &str) -> Result<&Team, ApiError> {
        self.teams.get(id).ok_or_else(|| not_found("team", id))
    }

    /// The role of a user member of `team`.
    pub(crate) fn role_in(&self, team: &str, user: &str) -> Option<TeamRole> {
        self.members.get(team).and_then(|ms| {
            ms.iter()
                .find(|m| m.user == user && m.member_type == MemberType::User)
                .map(|m| m.role)
        })
    }

    /// The team, if the caller may see it: 404 when it does not exist, 403 for a user outside.
    pub(crate) fn team_for(&self, caller: &Caller, id: &str) -> Result<&Team, ApiError> {
        let team = self.team(id)?;
        match caller {
            Caller::App => Ok(team),
            Caller::User(u) if self.role_in(id, u).is_some() => Ok(team),
            Caller::User(_) => Err(forbidden("you are not a member of this team")),
        }
    }

    /// A team as `caller` sees it: its role and the member count.
    pub(crate) fn render_team(&self, team: &Team, caller: &Caller) -> Team {
        let mut team = team.clone();
        team.member_count = self.members.get(&team.id).map_or(0, |m| m.len() as u64);
        team.role = caller.user().and_then(|u| self.role_in(&team.id, u));
        team
    }

    pub(crate) fn add_member(
        &mut self,
        team: &str,
        user: &str,
        agent: Option<&str>,
        role: TeamRole,
    ) -> Membership {
        let id = self.next_id("tmb");
        let (name, email) = match self.users.get(user) {
            Some(u) => (u.user.name.clone(), Some(u.user.email.clone())),
            None => (None, None),
        };
        let membership = Membership {
            agent: agent.map(str::to_owned),
            email: if agent.is_some() { None } else { email },
            id,
            joined_at: now(),
            member_type: if agent.is_some() {
                MemberType::Agent
            } else {
                MemberType::User
            },
            name,
            role,
            team: team.to_owned(),
            user: user.to_owned(),
        };
        self.members
            .entry(team.to_owned())
            .or_default()
            .push(membership.clone());
        membership
    }

    pub(crate) fn seed_team(&mut self, team: &str, creator: &str) {
        for i in 1..=self.seed_tasks {
            let _ = self.add_task(team, &format!("Sample task {i}"), Some(creator));
        }
    }

    pub(crate) fn add_task(
        &mut self,
        team: &str,
        title: &str,
        creator: Option<&str>,
    ) -> Result<Task, String> {
        if !self.teams.contains_key(team) {
            return Err(format!("no team `{team}`"));
        }
        let id = self.next_id("tsk");
        let at = now();
        let task = Task {
            assignee: None,
            completed_at: None,
            created_at: at,
            created_by: creator.unwrap_or(DEVELOPER_USER_ID).to_owned(),
            description: None,
            due_at: None,
            id: id.clone(),
            metadata: metadata(None),
            priority: None,
            status: types::TaskStatus::Todo,
            team: team.to_owned(),
            thread: None,
            title: title.to_owned(),
            updated_at: at,
        };
        let activity = self.tick();
        self.tasks.insert(
            id,
            TaskRec {
                task: task.clone(),
                activity,
            },
        );
        Ok(task)
    }

    pub(crate) fn add_object(
        &mut self,
        team: &str,
        schema_type: &str,
        fields: Map<String, Value>,
    ) -> Result<Object, String> {
        if !self.teams.contains_key(team) {
            return Err(format!("no team `{team}`"));
        }
        let id = self.next_id("obj");
        let at = now();
        let object = Object {
            created_at: at,
            created_by: None,
            fields,
            id: id.clone(),
            row_key: None,
            schema_type: schema_type.to_owned(),
            team: team.to_owned(),
            updated_at: at,
            version: std::num::NonZeroU64::MIN,
        };
        self.objects.insert(id, object.clone());
        Ok(object)
    }

    // --- users ------------------------------------------------------------------------------

    /// Whether `caller` may see `user`: themselves, someone sharing a team, or the secret key.
    pub(crate) fn user_visible(&self, caller: &Caller, user: &str) -> bool {
        match caller {
            Caller::App => true,
            Caller::User(me) if me == user => true,
            Caller::User(me) => self.members.values().any(|ms| {
                ms.iter()
                    .any(|m| m.user == *me && m.member_type == MemberType::User)
                    && ms.iter().any(|m| m.user == user)
            }),
        }
    }

    // --- agents -----------------------------------------------------------------------------

    /// Whether `caller` may see an agent of the runtime API.
    pub(crate) fn agent_visible(&self, caller: &Caller, rec: &AgentRec) -> bool {
        if rec.agent.app != DEFAULT_APP_ID {
            return false;
        }
        match caller {
            Caller::App => true,
            Caller::User(me) => {
                rec.owner == *me
                    || rec
                        .agent
                        .team
                        .as_deref()
                        .is_some_and(|t| self.role_in(t, me).is_some())
            }
        }
    }

    /// Whether `caller` may change an agent: its owner, an owner/admin of its team, the key.
    pub(crate) fn agent_editable(&self, caller: &Caller, rec: &AgentRec) -> bool {
        match caller {
            Caller::App => true,
            Caller::User(me) => {
                rec.owner == *me
                    || rec.agent.team.as_deref().is_some_and(|t| {
                        matches!(self.role_in(t, me), Some(TeamRole::Owner | TeamRole::Admin))
                    })
            }
        }
    }

    /// Creates an agent with its own system user (and its membership of `team`).
    pub(crate) fn create_agent(
        &mut self,
        app: &str,
        owner: &str,
        body: types::CreateAgentRequest,
    ) -> Result<Agent, ApiError> {
        let lookup_key = body.lookup_key.map(String::from);
        if let Some(key) = &lookup_key
            && self
                .agents
                .values()
                .any(|a| a.agent.app == app && a.agent.lookup_key.as_deref() == Some(key))
        {
            return Err(conflict(format!(
                "an agent with lookup key \"{key}\" already exists"
            )));
        }
        if let Some(team) = &body.team
            && self.teams.get(team).is_none_or(|t| t.app != app)
        {
            return Err(invalid("team", "is not a team of the app"));
        }
        if body.org.is_some() {
            return Err(invalid("org", "is not an organization of the app"));
        }
        let id = self.next_id("agt");
        let name = String::from(body.name);
        let user_id = self.next_id("usr");
        let system_user = self.new_user(
            user_id.clone(),
            format!("{id}@agents.emulator.local"),
            Some(name.clone()),
            None,
            None,
            true,
        );
        self.users.insert(
            user_id.clone(),
            UserRec {
                user: system_user,
                password: None,
            },
        );
        let at = now();
        let agent = Agent {
            app: app.to_owned(),
            created_at: at,
            default_model: body.default_model,
            id: id.clone(),
            identity: body.identity,
            lookup_key,
            metadata: metadata(body.metadata),
            name,
            org: None,
            persona: body.persona,
            sandbox: None,
            team: body.team.clone(),
            updated_at: at,
            user: user_id.clone(),
        };
        if let Some(team) = &body.team {
            self.add_member(team, &user_id, Some(&id), TeamRole::Member);
        }
        self.agents.insert(
            id,
            AgentRec {
                agent: agent.clone(),
                owner: owner.to_owned(),
            },
        );
        Ok(agent)
    }

    pub(crate) fn update_agent(
        &mut self,
        id: &str,
        body: types::UpdateAgentRequest,
    ) -> Result<Agent, ApiError> {
        let app = self
            .agents
            .get(id)
            .map(|a| a.agent.app.clone())
            .unwrap_or_default();
        if let Some(key) = &body.lookup_key
            && self.agents.values().any(|a| {
                a.agent.app == app && a.agent.id != id && a.agent.lookup_key.as_deref() == Some(key)
            })
        {
            return Err(conflict(format!(
                "an agent with lookup key \"{key}\" already exists"
            )));
        }
        if let Some(team) = &body.team
            && self.teams.get(team).is_none_or(|t| t.app != app)
        {
            return Err(invalid("team", "is not a team of the app"));
        }
        let old_team = self.agents.get(id).and_then(|a| a.agent.team.clone());
        let rec = self
            .agents
            .get_mut(id)
            .ok_or_else(|| not_found("agent", id))?;
        let a = &mut rec.agent;
        if let Some(name) = body.name {
            a.name = name.into();
        }
        if let Some(v) = body.lookup_key {
            a.lookup_key = Some(v);
        }
        if let Some(v) = body.identity {
            a.identity = Some(v);
        }
        if let Some(v) = body.default_model {
            a.default_model = Some(v);
        }
        if let Some(v) = body.persona {
            a.persona = Some(v);
        }
        if let Some(v) = body.metadata {
            a.metadata = v;
        }
        let new_team = body.team.clone();
        if let Some(v) = body.team {
            a.team = Some(v);
        }
        a.updated_at = now();
        let agent = a.clone();
        if new_team.is_some() && new_team != old_team {
            if let Some(old) = old_team
                && let Some(ms) = self.members.get_mut(&old)
            {
                ms.retain(|m| m.agent.as_deref() != Some(id));
            }
            if let Some(team) = &new_team {
                self.add_member(team, &agent.user, Some(id), TeamRole::Member);
            }
        }
        Ok(agent)
    }

    /// Deletes an agent with its routines, installations and memberships (messages stay).
    pub(crate) fn delete_agent(&mut self, id: &str) {
        self.agents.remove(id);
        self.routines.retain(|_, r| r.agent != id);
        self.installations.retain(|_, i| i.agent != id);
        for ms in self.members.values_mut() {
            ms.retain(|m| m.agent.as_deref() != Some(id));
        }
    }

    // --- apps -------------------------------------------------------------------------------

    /// The app, if the developer is a member: 404 otherwise.
    pub(crate) fn app_for(&self, developer: &str, id: &str) -> Result<&AppRec, ApiError> {
        self.apps
            .get(id)
            .filter(|a| a.members.iter().any(|(u, _)| u == developer))
            .ok_or_else(|| not_found("app", id))
    }
}
