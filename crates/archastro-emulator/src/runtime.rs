//! `RuntimeApi`: users, teams and members, threads and messages, agents, tasks and objects.

use archastro_server::runtime::{self as rt, RuntimeApi};
use archastro_server::types::{
    self, AgentPage, Attachment, AttachmentInputType, Invitation, InvitationStatus, MembershipPage,
    Message, MessagePage, ObjectPage, OwnerType, SenderType, TaskPage, Team, TeamPage, TeamRole,
    Thread, ThreadPage,
};
use archastro_server::{ApiError, RequestContext};

use crate::Api;
use crate::paging;
use crate::store::{
    Caller, DEFAULT_APP_ID, Store, ThreadRec, bad_request, check_email, check_timezone, conflict,
    convert, forbidden, invalid, metadata, not_found, now, seq_of,
};

/// Who owns a thread.
#[derive(Clone, Copy)]
enum Owner<'a> {
    User(&'a str),
    Team(&'a str),
}

/// Checks that `caller` may use the threads of `owner`: 404 for an unknown user or team, 403
/// for the threads of another user or of a team the caller is not in.
fn owner_access(store: &Store, caller: &Caller, owner: Owner<'_>) -> Result<(), ApiError> {
    match owner {
        Owner::User(user) => {
            store.user(user)?;
            match caller {
                Caller::User(me) if me != user => {
                    Err(forbidden("you may only use your own threads"))
                }
                _ => Ok(()),
            }
        }
        Owner::Team(team) => store.team_for(caller, team).map(drop),
    }
}

fn owns(thread: &Thread, owner: Owner<'_>) -> bool {
    match owner {
        Owner::User(u) => thread.owner_type == OwnerType::User && thread.user.as_deref() == Some(u),
        Owner::Team(t) => thread.owner_type == OwnerType::Team && thread.team.as_deref() == Some(t),
    }
}

fn thread_ref<'s>(
    store: &'s Store,
    caller: &Caller,
    owner: Owner<'_>,
    id: &str,
) -> Result<&'s ThreadRec, ApiError> {
    owner_access(store, caller, owner)?;
    store
        .threads
        .get(id)
        .filter(|t| owns(&t.thread, owner))
        .ok_or_else(|| not_found("thread", id))
}

fn thread_mut<'s>(
    store: &'s mut Store,
    caller: &Caller,
    owner: Owner<'_>,
    id: &str,
) -> Result<&'s mut ThreadRec, ApiError> {
    thread_ref(store, caller, owner, id)?;
    store
        .threads
        .get_mut(id)
        .ok_or_else(|| not_found("thread", id))
}

impl Api {
    fn list_threads(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        archived: Option<bool>,
        limit: Option<i64>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<ThreadPage, ApiError> {
        let caller = Caller::of(ctx)?;
        let store = self.0.read();
        owner_access(&store, &caller, owner)?;
        let archived = archived.unwrap_or(false);
        let mut threads: Vec<&ThreadRec> = store
            .threads
            .values()
            .filter(|t| owns(&t.thread, owner) && t.thread.archived == archived)
            .collect();
        threads.sort_by_key(|t| t.activity);
        let threads: Vec<Thread> = threads.into_iter().map(|t| t.thread.clone()).collect();
        let page = paging::cursor(&threads, |t| t.id.as_str(), limit, before, after)?;
        Ok(ThreadPage {
            data: page.data,
            before_cursor: page.before_cursor,
            after_cursor: page.after_cursor,
            has_more: page.has_more,
        })
    }

    fn create_thread(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        body: types::CreateThreadRequest,
    ) -> Result<Thread, ApiError> {
        let caller = Caller::of(ctx)?;
        let mut store = self.0.write();
        owner_access(&store, &caller, owner)?;
        let key = body.key.map(String::from);
        if let Some(key) = &key
            && store
                .threads
                .values()
                .any(|t| owns(&t.thread, owner) && t.thread.key.as_deref() == Some(key))
        {
            return Err(conflict(format!(
                "a thread with key \"{key}\" already exists"
            )));
        }
        let mut participants: Vec<String> = Vec::new();
        if let Owner::User(u) = owner {
            participants.push(u.to_owned());
        }
        if let Some(me) = caller.user() {
            participants.push(me.to_owned());
        }
        for (i, p) in body
            .participants
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            if !store.users.contains_key(&p) {
                return Err(invalid(
                    &format!("participants[{i}]"),
                    "is not a user of the app",
                ));
            }
            participants.push(p);
        }
        let mut seen = std::collections::HashSet::new();
        participants.retain(|p| seen.insert(p.clone()));
        let agents = body.agents.unwrap_or_default();
        for (i, a) in agents.iter().enumerate() {
            if !store
                .agents
                .get(a)
                .is_some_and(|rec| store.agent_visible(&caller, rec))
            {
                return Err(invalid(
                    &format!("agents[{i}]"),
                    "is not an agent you can use",
                ));
            }
        }
        let id = store.next_id("thr");
        let at = now();
        let (owner_type, user, team) = match owner {
            Owner::User(u) => (OwnerType::User, Some(u.to_owned()), None),
            Owner::Team(t) => (OwnerType::Team, None, Some(t.to_owned())),
        };
        let thread = Thread {
            agents,
            archived: false,
            created_at: at,
            description: body.description,
            id: id.clone(),
            key,
            last_message_at: None,
            metadata: metadata(body.metadata),
            muted: false,
            owner_type,
            participants,
            team,
            title: body.title.map(String::from),
            unread_count: 0,
            updated_at: at,
            user,
        };
        let activity = store.tick();
        store.threads.insert(
            id,
            ThreadRec {
                thread: thread.clone(),
                activity,
                messages: Vec::new(),
            },
        );
        self.0.hub.thread_event("thread_created", &thread);
        Ok(thread)
    }

    fn get_thread(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        id: &str,
    ) -> Result<Thread, ApiError> {
        let caller = Caller::of(ctx)?;
        let store = self.0.read();
        Ok(thread_ref(&store, &caller, owner, id)?.thread.clone())
    }

    fn update_thread(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        id: &str,
        body: types::UpdateThreadRequest,
    ) -> Result<Thread, ApiError> {
        let caller = Caller::of(ctx)?;
        let mut store = self.0.write();
        let t = &mut thread_mut(&mut store, &caller, owner, id)?.thread;
        if let Some(title) = body.title {
            t.title = Some(title.into());
        }
        if let Some(v) = body.description {
            t.description = Some(v);
        }
        if let Some(v) = body.muted {
            t.muted = v;
        }
        if let Some(v) = body.archived {
            t.archived = v;
        }
        if let Some(v) = body.metadata {
            t.metadata = v;
        }
        t.updated_at = now();
        let thread = t.clone();
        self.0.hub.thread_event("thread_updated", &thread);
        Ok(thread)
    }

    fn delete_thread(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        id: &str,
    ) -> Result<(), ApiError> {
        let caller = Caller::of(ctx)?;
        let mut store = self.0.write();
        thread_ref(&store, &caller, owner, id)?;
        store.threads.remove(id);
        Ok(())
    }

    fn list_messages(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        id: &str,
        limit: Option<i64>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<MessagePage, ApiError> {
        let caller = Caller::of(ctx)?;
        let store = self.0.read();
        let thread = thread_ref(&store, &caller, owner, id)?;
        let page = paging::cursor(&thread.messages, |m| m.id.as_str(), limit, before, after)?;
        Ok(MessagePage {
            data: page.data,
            before_cursor: page.before_cursor,
            after_cursor: page.after_cursor,
            has_more: page.has_more,
        })
    }

    fn post_message(
        &self,
        ctx: &RequestContext,
        owner: Owner<'_>,
        id: &str,
        body: types::CreateMessageRequest,
    ) -> Result<Message, ApiError> {
        let caller = Caller::of(ctx)?;
        let mut store = self.0.write();
        thread_ref(&store, &caller, owner, id)?;
        let (message, created) = create_message(&mut store, &caller, id, body)?;
        if created {
            // Under the store's lock, so sockets see messages in creation order.
            self.0.hub.message_created(&message);
        }
        Ok(message)
    }

    /// Resolves `user_id` for the user operations: 404 unknown, 403 someone else's (unless the
    /// secret key).
    fn own_user(&self, caller: &Caller, store: &Store, user_id: &str) -> Result<(), ApiError> {
        store.user(user_id)?;
        match caller {
            Caller::User(me) if me != user_id => {
                Err(forbidden("you may only change your own account"))
            }
            _ => Ok(()),
        }
    }
}

/// Creates a message in thread `id` (the caller's access already checked), as every path that
/// posts one does (the REST operations of user and team threads, the `thread:` channel's
/// `post_message`). The message, and whether it is new (`false`: an idempotent retry answered
/// with the original).
pub(crate) fn create_message(
    store: &mut Store,
    caller: &Caller,
    id: &str,
    body: types::CreateMessageRequest,
) -> Result<(Message, bool), ApiError> {
    let idempotency_key = body.idempotency_key.map(String::from);
    {
        let thread = store
            .threads
            .get(id)
            .ok_or_else(|| not_found("thread", id))?;
        if let Some(key) = &idempotency_key
            && let Some(m) = thread
                .messages
                .iter()
                .find(|m| m.idempotency_key.as_deref() == Some(key))
        {
            return Ok((m.clone(), false));
        }
        if let Some(r) = &body.reply_to
            && !thread.messages.iter().any(|m| m.id == *r)
        {
            return Err(invalid("reply_to", "is not a message of this thread"));
        }
    }
    let (sender_type, user) = match (caller, body.on_behalf_of) {
        (Caller::User(me), _) => (SenderType::User, Some(me.clone())),
        (Caller::App, Some(u)) => {
            if !store.users.contains_key(&u) {
                return Err(invalid("on_behalf_of", "is not a user of the app"));
            }
            (SenderType::User, Some(u))
        }
        (Caller::App, None) => (SenderType::System, None),
    };
    let mut attachments = Vec::new();
    for (i, a) in body.attachments.into_iter().enumerate() {
        let missing = match a.type_ {
            AttachmentInputType::File if a.file.is_none() => Some("file"),
            AttachmentInputType::Link if a.url.is_none() => Some("url"),
            AttachmentInputType::Task | AttachmentInputType::Object if a.resource_id.is_none() => {
                Some("resource_id")
            }
            _ => None,
        };
        if let Some(field) = missing {
            return Err(invalid(
                &format!("attachments[{i}].{field}"),
                &format!("is required for a {} attachment", a.type_),
            ));
        }
        attachments.push(Attachment {
            content_type: None,
            file: a.file,
            id: store.next_id("att"),
            resource_id: a.resource_id,
            size: None,
            title: None,
            type_: convert(&a.type_),
            url: a.url,
        });
    }
    let at = now();
    let message = Message {
        agent: None,
        attachments,
        content: body.content.into(),
        created_at: at,
        edited_at: None,
        id: store.next_id("msg"),
        idempotency_key,
        metadata: metadata(body.metadata),
        reply_to: body.reply_to,
        sender_type,
        thread: id.to_owned(),
        user,
    };
    let activity = store.tick();
    let thread = store
        .threads
        .get_mut(id)
        .ok_or_else(|| not_found("thread", id))?;
    thread.messages.push(message.clone());
    thread.thread.last_message_at = Some(at);
    thread.activity = activity;
    Ok((message, true))
}

fn sorted_by_seq<T>(mut items: Vec<T>, id: impl Fn(&T) -> &str) -> Vec<T> {
    items.sort_by_key(|t| seq_of(id(t)));
    items
}

impl RuntimeApi for Api {
    // --- agents -----------------------------------------------------------------------------

    async fn list_agents(
        &self,
        ctx: &RequestContext,
        request: rt::ListAgentsRequest,
    ) -> Result<rt::ListAgentsResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let q = request.query;
        let store = self.0.read();
        let agents = store
            .agents
            .values()
            .filter(|a| store.agent_visible(&caller, a))
            .filter(|a| q.team.is_none() || a.agent.team == q.team)
            .map(|a| a.agent.clone())
            .collect();
        let page = paging::offset(sorted_by_seq(agents, |a| &a.id), q.limit, q.offset);
        Ok(rt::ListAgentsResponse::Ok(AgentPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn create_agent(
        &self,
        ctx: &RequestContext,
        request: rt::CreateAgentRequest,
    ) -> Result<rt::CreateAgentResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let mut store = self.0.write();
        if let Some(team) = &request.body.team
            && store.teams.contains_key(team)
        {
            store.team_for(&caller, team)?;
        }
        let agent = store.create_agent(DEFAULT_APP_ID, caller.developer(), request.body)?;
        Ok(rt::CreateAgentResponse::Created(agent))
    }

    async fn get_agent(
        &self,
        ctx: &RequestContext,
        request: rt::GetAgentRequest,
    ) -> Result<rt::GetAgentResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.agent_id;
        let store = self.0.read();
        let rec = store
            .agents
            .get(id)
            .filter(|a| store.agent_visible(&caller, a))
            .ok_or_else(|| not_found("agent", id))?;
        Ok(rt::GetAgentResponse::Ok(rec.agent.clone()))
    }

    async fn update_agent(
        &self,
        ctx: &RequestContext,
        request: rt::UpdateAgentRequest,
    ) -> Result<rt::UpdateAgentResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.agent_id;
        let mut store = self.0.write();
        let rec = store
            .agents
            .get(id)
            .filter(|a| store.agent_visible(&caller, a))
            .ok_or_else(|| not_found("agent", id))?;
        if !store.agent_editable(&caller, rec) {
            return Err(forbidden(
                "only the agent's owner or a team admin may change it",
            ));
        }
        if let Some(team) = &request.body.team
            && store.teams.contains_key(team)
        {
            store.team_for(&caller, team)?;
        }
        let agent = store.update_agent(id, request.body)?;
        Ok(rt::UpdateAgentResponse::Ok(agent))
    }

    async fn delete_agent(
        &self,
        ctx: &RequestContext,
        request: rt::DeleteAgentRequest,
    ) -> Result<rt::DeleteAgentResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.agent_id;
        let mut store = self.0.write();
        let rec = store
            .agents
            .get(id)
            .filter(|a| store.agent_visible(&caller, a))
            .ok_or_else(|| not_found("agent", id))?;
        if !store.agent_editable(&caller, rec) {
            return Err(forbidden(
                "only the agent's owner or a team admin may delete it",
            ));
        }
        store.delete_agent(id);
        Ok(rt::DeleteAgentResponse::NoContent)
    }

    // --- teams ------------------------------------------------------------------------------

    async fn list_teams(
        &self,
        ctx: &RequestContext,
        request: rt::ListTeamsRequest,
    ) -> Result<rt::ListTeamsResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let store = self.0.read();
        let teams: Vec<Team> = store
            .teams
            .values()
            .filter(|t| match &caller {
                Caller::App => true,
                Caller::User(me) => store.role_in(&t.id, me).is_some(),
            })
            .map(|t| store.render_team(t, &caller))
            .collect();
        let q = request.query;
        let page = paging::offset(sorted_by_seq(teams, |t| &t.id), q.limit, q.offset);
        Ok(rt::ListTeamsResponse::Ok(TeamPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn create_team(
        &self,
        ctx: &RequestContext,
        request: rt::CreateTeamRequest,
    ) -> Result<rt::CreateTeamResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let body = request.body;
        let slug = body.slug.map(String::from);
        let mut store = self.0.write();
        if let Some(slug) = &slug
            && store
                .teams
                .values()
                .any(|t| t.slug.as_deref() == Some(slug))
        {
            return Err(conflict(format!(
                "a team with slug \"{slug}\" already exists"
            )));
        }
        let id = store.next_id("team");
        let at = now();
        let team = Team {
            app: DEFAULT_APP_ID.into(),
            created_at: at,
            description: body.description,
            id: id.clone(),
            member_count: 0,
            metadata: metadata(body.metadata),
            name: body.name.into(),
            org: None,
            role: None,
            slug,
            updated_at: at,
        };
        store.teams.insert(id.clone(), team.clone());
        if let Some(me) = caller.user() {
            store.add_member(&id, me, None, TeamRole::Owner);
        }
        store.seed_team(&id, caller.developer());
        Ok(rt::CreateTeamResponse::Created(
            store.render_team(&team, &caller),
        ))
    }

    async fn get_team(
        &self,
        ctx: &RequestContext,
        request: rt::GetTeamRequest,
    ) -> Result<rt::GetTeamResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let store = self.0.read();
        let team = store.team_for(&caller, &request.path.team_id)?;
        Ok(rt::GetTeamResponse::Ok(store.render_team(team, &caller)))
    }

    async fn replace_team(
        &self,
        ctx: &RequestContext,
        request: rt::ReplaceTeamRequest,
    ) -> Result<rt::ReplaceTeamResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.team_id;
        let body = request.body;
        let mut store = self.0.write();
        store.team_for(&caller, id)?;
        if let Some(me) = caller.user()
            && !matches!(
                store.role_in(id, me),
                Some(TeamRole::Owner | TeamRole::Admin)
            )
        {
            return Err(forbidden("replacing a team needs the owner or admin role"));
        }
        if let Some(slug) = &body.slug {
            let valid = !slug.is_empty()
                && slug.len() <= 63
                && slug.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !valid {
                return Err(invalid("slug", "must match ^[a-z0-9][a-z0-9-]{0,62}$"));
            }
            if store
                .teams
                .values()
                .any(|t| t.id != *id && t.slug.as_deref() == Some(slug))
            {
                return Err(conflict(format!(
                    "a team with slug \"{slug}\" already exists"
                )));
            }
        }
        let team = store
            .teams
            .get_mut(id)
            .ok_or_else(|| not_found("team", id))?;
        team.name = body.name.into();
        team.slug = body.slug;
        team.description = body.description;
        team.metadata = metadata(body.metadata);
        team.updated_at = now();
        let team = team.clone();
        self.0.hub.team_updated(&store, &team);
        Ok(rt::ReplaceTeamResponse::Ok(
            store.render_team(&team, &caller),
        ))
    }

    async fn invite_team_member(
        &self,
        ctx: &RequestContext,
        request: rt::InviteTeamMemberRequest,
    ) -> Result<rt::InviteTeamMemberResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.team_id;
        let body = request.body;
        let mut store = self.0.write();
        store.team_for(&caller, id)?;
        if let Some(me) = caller.user()
            && !matches!(
                store.role_in(id, me),
                Some(TeamRole::Owner | TeamRole::Admin)
            )
        {
            return Err(forbidden("inviting needs the owner or admin role"));
        }
        let email = body
            .email
            .as_deref()
            .map(|e| check_email("email", e))
            .transpose()?;
        let expires_in = body.expires_in.unwrap_or(7 * 24 * 3600);
        if expires_in < 60 {
            return Err(invalid("expires_in", "must be at least 60"));
        }
        if let Some(email) = &email
            && let Some(user) = store.user_by_email(email)
        {
            let user = user.user.id.clone();
            if store.role_in(id, &user).is_some() {
                return Err(conflict(format!("{email} is already a member of the team")));
            }
        }
        let invitation_id = store.next_id("inv");
        let at = now();
        let invitation = Invitation {
            accepted_at: None,
            code: format!("JOIN-{:04}", seq_of(&invitation_id)),
            created_at: at,
            email,
            expires_at: Some(at + chrono::Duration::seconds(expires_in)),
            id: invitation_id.clone(),
            invited_by: caller.developer().to_owned(),
            role: body.role,
            status: InvitationStatus::Pending,
            team: id.clone(),
        };
        store.invitations.insert(invitation_id, invitation.clone());
        Ok(rt::InviteTeamMemberResponse::Created(invitation))
    }

    async fn join_team(
        &self,
        ctx: &RequestContext,
        request: rt::JoinTeamRequest,
    ) -> Result<rt::JoinTeamResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let Some(me) = caller.user().map(str::to_owned) else {
            return Err(forbidden("joining a team needs a user access token"));
        };
        let code = request.body.code.as_str();
        let mut store = self.0.write();
        let invitation = store
            .invitations
            .values()
            .find(|i| i.code.eq_ignore_ascii_case(code))
            .filter(|i| i.status == InvitationStatus::Pending)
            .filter(|i| i.expires_at.is_none_or(|e| e > now()))
            .cloned()
            .ok_or_else(|| not_found("invitation", code))?;
        if let Some(email) = &invitation.email
            && !store.user(&me)?.email.eq_ignore_ascii_case(email)
        {
            return Err(forbidden("this invitation is for another email address"));
        }
        if store.role_in(&invitation.team, &me).is_some() {
            return Err(conflict("you are already a member of this team"));
        }
        let membership = store.add_member(&invitation.team, &me, None, invitation.role);
        if invitation.email.is_some()
            && let Some(i) = store.invitations.get_mut(&invitation.id)
        {
            i.status = InvitationStatus::Accepted;
            i.accepted_at = Some(now());
        }
        if let Ok(payload) = serde_json::to_value(&membership) {
            let topic = format!("team:{}", membership.team);
            self.0.hub.push(&topic, "member_joined", &payload);
        }
        Ok(rt::JoinTeamResponse::Ok(membership))
    }

    async fn list_team_members(
        &self,
        ctx: &RequestContext,
        request: rt::ListTeamMembersRequest,
    ) -> Result<rt::ListTeamMembersResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let q = request.query;
        let role = q
            .role
            .as_deref()
            .map(|r| {
                r.parse::<TeamRole>()
                    .map_err(|_| bad_request(format!("`role` `{r}` is not owner, admin or member")))
            })
            .transpose()?;
        let store = self.0.read();
        store.team_for(&caller, &request.path.team_id)?;
        let members = store
            .members
            .get(&request.path.team_id)
            .map(|ms| {
                ms.iter()
                    .filter(|m| role.is_none_or(|r| m.role == r))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let page = paging::offset(members, q.limit, q.offset);
        Ok(rt::ListTeamMembersResponse::Ok(MembershipPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn list_team_objects(
        &self,
        ctx: &RequestContext,
        request: rt::ListTeamObjectsRequest,
    ) -> Result<rt::ListTeamObjectsResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let q = request.query;
        let team = &request.path.team_id;
        let store = self.0.read();
        store.team_for(&caller, team)?;
        let objects = store
            .objects
            .values()
            .filter(|o| o.team == *team)
            .filter(|o| q.schema_type.as_ref().is_none_or(|s| o.schema_type == *s))
            .cloned()
            .collect();
        let page = paging::offset(sorted_by_seq(objects, |o| &o.id), q.limit, q.offset);
        Ok(rt::ListTeamObjectsResponse::Ok(ObjectPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn list_team_tasks(
        &self,
        ctx: &RequestContext,
        request: rt::ListTeamTasksRequest,
    ) -> Result<rt::ListTeamTasksResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let q = request.query;
        let status = q
            .status
            .as_deref()
            .map(|s| {
                s.parse::<types::TaskStatus>()
                    .map_err(|_| bad_request(format!("`status` `{s}` is not a task status")))
            })
            .transpose()?;
        let team = &request.path.team_id;
        let store = self.0.read();
        store.team_for(&caller, team)?;
        let mut tasks: Vec<_> = store
            .tasks
            .values()
            .filter(|t| t.task.team == *team)
            .filter(|t| status.is_none_or(|s| t.task.status == s))
            .filter(|t| q.assignee.is_none() || t.task.assignee == q.assignee)
            .collect();
        // Most recently updated first.
        tasks.sort_by_key(|t| std::cmp::Reverse(t.activity));
        let tasks = tasks.into_iter().map(|t| t.task.clone()).collect();
        let page = paging::offset(tasks, q.limit, q.offset);
        Ok(rt::ListTeamTasksResponse::Ok(TaskPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    // --- threads and messages ---------------------------------------------------------------

    async fn list_team_threads(
        &self,
        ctx: &RequestContext,
        request: rt::ListTeamThreadsRequest,
    ) -> Result<rt::ListTeamThreadsResponse, ApiError> {
        let q = request.query;
        let page = self.list_threads(
            ctx,
            Owner::Team(&request.path.team_id),
            q.archived,
            q.limit,
            q.before_cursor.as_deref(),
            q.after_cursor.as_deref(),
        )?;
        Ok(rt::ListTeamThreadsResponse::Ok(page))
    }

    async fn create_team_thread(
        &self,
        ctx: &RequestContext,
        request: rt::CreateTeamThreadRequest,
    ) -> Result<rt::CreateTeamThreadResponse, ApiError> {
        let thread = self.create_thread(ctx, Owner::Team(&request.path.team_id), request.body)?;
        Ok(rt::CreateTeamThreadResponse::Created(thread))
    }

    async fn get_team_thread(
        &self,
        ctx: &RequestContext,
        request: rt::GetTeamThreadRequest,
    ) -> Result<rt::GetTeamThreadResponse, ApiError> {
        let p = request.path;
        let thread = self.get_thread(ctx, Owner::Team(&p.team_id), &p.thread_id)?;
        Ok(rt::GetTeamThreadResponse::Ok(thread))
    }

    async fn update_team_thread(
        &self,
        ctx: &RequestContext,
        request: rt::UpdateTeamThreadRequest,
    ) -> Result<rt::UpdateTeamThreadResponse, ApiError> {
        let p = request.path;
        let thread =
            self.update_thread(ctx, Owner::Team(&p.team_id), &p.thread_id, request.body)?;
        Ok(rt::UpdateTeamThreadResponse::Ok(thread))
    }

    async fn delete_team_thread(
        &self,
        ctx: &RequestContext,
        request: rt::DeleteTeamThreadRequest,
    ) -> Result<rt::DeleteTeamThreadResponse, ApiError> {
        let p = request.path;
        self.delete_thread(ctx, Owner::Team(&p.team_id), &p.thread_id)?;
        Ok(rt::DeleteTeamThreadResponse::NoContent)
    }

    async fn list_team_thread_messages(
        &self,
        ctx: &RequestContext,
        request: rt::ListTeamThreadMessagesRequest,
    ) -> Result<rt::ListTeamThreadMessagesResponse, ApiError> {
        let (p, q) = (request.path, request.query);
        let page = self.list_messages(
            ctx,
            Owner::Team(&p.team_id),
            &p.thread_id,
            q.limit,
            q.before_cursor.as_deref(),
            q.after_cursor.as_deref(),
        )?;
        Ok(rt::ListTeamThreadMessagesResponse::Ok(page))
    }

    async fn create_team_thread_message(
        &self,
        ctx: &RequestContext,
        request: rt::CreateTeamThreadMessageRequest,
    ) -> Result<rt::CreateTeamThreadMessageResponse, ApiError> {
        let p = request.path;
        let message =
            self.post_message(ctx, Owner::Team(&p.team_id), &p.thread_id, request.body)?;
        Ok(rt::CreateTeamThreadMessageResponse::Created(message))
    }

    async fn list_user_threads(
        &self,
        ctx: &RequestContext,
        request: rt::ListUserThreadsRequest,
    ) -> Result<rt::ListUserThreadsResponse, ApiError> {
        let q = request.query;
        let page = self.list_threads(
            ctx,
            Owner::User(&request.path.user_id),
            q.archived,
            q.limit,
            q.before_cursor.as_deref(),
            q.after_cursor.as_deref(),
        )?;
        Ok(rt::ListUserThreadsResponse::Ok(page))
    }

    async fn create_user_thread(
        &self,
        ctx: &RequestContext,
        request: rt::CreateUserThreadRequest,
    ) -> Result<rt::CreateUserThreadResponse, ApiError> {
        let thread = self.create_thread(ctx, Owner::User(&request.path.user_id), request.body)?;
        Ok(rt::CreateUserThreadResponse::Created(thread))
    }

    async fn get_user_thread(
        &self,
        ctx: &RequestContext,
        request: rt::GetUserThreadRequest,
    ) -> Result<rt::GetUserThreadResponse, ApiError> {
        let p = request.path;
        let thread = self.get_thread(ctx, Owner::User(&p.user_id), &p.thread_id)?;
        Ok(rt::GetUserThreadResponse::Ok(thread))
    }

    async fn update_user_thread(
        &self,
        ctx: &RequestContext,
        request: rt::UpdateUserThreadRequest,
    ) -> Result<rt::UpdateUserThreadResponse, ApiError> {
        let p = request.path;
        let thread =
            self.update_thread(ctx, Owner::User(&p.user_id), &p.thread_id, request.body)?;
        Ok(rt::UpdateUserThreadResponse::Ok(thread))
    }

    async fn delete_user_thread(
        &self,
        ctx: &RequestContext,
        request: rt::DeleteUserThreadRequest,
    ) -> Result<rt::DeleteUserThreadResponse, ApiError> {
        let p = request.path;
        self.delete_thread(ctx, Owner::User(&p.user_id), &p.thread_id)?;
        Ok(rt::DeleteUserThreadResponse::NoContent)
    }

    async fn list_user_thread_messages(
        &self,
        ctx: &RequestContext,
        request: rt::ListUserThreadMessagesRequest,
    ) -> Result<rt::ListUserThreadMessagesResponse, ApiError> {
        let (p, q) = (request.path, request.query);
        let page = self.list_messages(
            ctx,
            Owner::User(&p.user_id),
            &p.thread_id,
            q.limit,
            q.before_cursor.as_deref(),
            q.after_cursor.as_deref(),
        )?;
        Ok(rt::ListUserThreadMessagesResponse::Ok(page))
    }

    async fn create_user_thread_message(
        &self,
        ctx: &RequestContext,
        request: rt::CreateUserThreadMessageRequest,
    ) -> Result<rt::CreateUserThreadMessageResponse, ApiError> {
        let p = request.path;
        let message =
            self.post_message(ctx, Owner::User(&p.user_id), &p.thread_id, request.body)?;
        Ok(rt::CreateUserThreadMessageResponse::Created(message))
    }

    // --- users ------------------------------------------------------------------------------

    async fn get_current_user(
        &self,
        ctx: &RequestContext,
        _: rt::GetCurrentUserRequest,
    ) -> Result<rt::GetCurrentUserResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let Some(me) = caller.user() else {
            return Err(forbidden(
                "a secret key has no current user; call with a user access token",
            ));
        };
        let user = self.0.read().user(me)?.clone();
        Ok(rt::GetCurrentUserResponse::Ok(user))
    }

    async fn get_user(
        &self,
        ctx: &RequestContext,
        request: rt::GetUserRequest,
    ) -> Result<rt::GetUserResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.user_id;
        let store = self.0.read();
        if !store.user_visible(&caller, id) {
            return Err(not_found("user", id));
        }
        Ok(rt::GetUserResponse::Ok(store.user(id)?.clone()))
    }

    async fn update_user_email(
        &self,
        ctx: &RequestContext,
        request: rt::UpdateUserEmailRequest,
    ) -> Result<rt::UpdateUserEmailResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.user_id;
        let body = request.body;
        let email = check_email("email", &body.email)?;
        let mut store = self.0.write();
        self.own_user(&caller, &store, id)?;
        if store
            .user_by_email(&email)
            .is_some_and(|u| u.user.id != *id)
        {
            return Err(conflict(format!("the email {email} is already registered")));
        }
        let rec = store
            .users
            .get_mut(id)
            .ok_or_else(|| not_found("user", id))?;
        if caller.user().is_some()
            && let Some(current) = &rec.password
        {
            match &body.password {
                None => return Err(invalid("password", "is required for password accounts")),
                Some(p) if p != current => return Err(forbidden("the password is wrong")),
                Some(_) => {}
            }
        }
        if !rec.user.email.eq_ignore_ascii_case(&email) {
            rec.user.email_verified = false;
        }
        rec.user.email = email;
        rec.user.updated_at = now();
        Ok(rt::UpdateUserEmailResponse::Ok(rec.user.clone()))
    }

    async fn update_user_profile(
        &self,
        ctx: &RequestContext,
        request: rt::UpdateUserProfileRequest,
    ) -> Result<rt::UpdateUserProfileResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.user_id;
        let body = request.body;
        let mut store = self.0.write();
        self.own_user(&caller, &store, id)?;
        let user = &mut store
            .users
            .get_mut(id)
            .ok_or_else(|| not_found("user", id))?
            .user;
        if let Some(v) = body.name {
            user.name = Some(v.into());
        }
        if let Some(v) = body.alias {
            user.alias = Some(v.into());
        }
        if let Some(v) = body.avatar_url {
            user.avatar_url = Some(v);
        }
        if let Some(v) = body.metadata {
            user.metadata = v;
        }
        user.updated_at = now();
        Ok(rt::UpdateUserProfileResponse::Ok(user.clone()))
    }

    async fn update_user_timezone(
        &self,
        ctx: &RequestContext,
        request: rt::UpdateUserTimezoneRequest,
    ) -> Result<rt::UpdateUserTimezoneResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let id = &request.path.user_id;
        let timezone = check_timezone("timezone", request.body.timezone.as_str())?;
        let mut store = self.0.write();
        self.own_user(&caller, &store, id)?;
        let user = &mut store
            .users
            .get_mut(id)
            .ok_or_else(|| not_found("user", id))?
            .user;
        user.timezone = timezone;
        user.updated_at = now();
        Ok(rt::UpdateUserTimezoneResponse::Ok(user.clone()))
    }
}
