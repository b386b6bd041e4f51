//! `DeveloperApi`: the developer account, apps, app agents, routines and installations.

use archastro_server::developer::{self as dv, DeveloperApi};
use archastro_server::types::{
    self, AgentPage, App, AppMemberRole, AppMembershipSummary, AppPage, Developer, HandlerType,
    Installation, InstallationPage, InstallationState, Routine, RoutinePage, RoutineStatus,
};
use archastro_server::{ApiError, RequestContext};

use crate::Api;
use crate::paging;
use crate::store::{
    AppRec, Caller, DEFAULT_APP_ID, Store, bad_request, conflict, forbidden, invalid, metadata,
    not_found, now, seq_of,
};

/// A slug from a name: lower-case letters, digits and dashes, 2 to 63 characters.
fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug: String = slug.trim_end_matches('-').chars().take(55).collect();
    if slug.len() < 2 {
        slug = format!("app-{slug}").trim_end_matches('-').to_owned();
    }
    slug
}

fn agent_in<'s>(store: &'s Store, app: &str, id: &str) -> Result<&'s types::Agent, ApiError> {
    store
        .agents
        .get(id)
        .map(|a| &a.agent)
        .filter(|a| a.app == app)
        .ok_or_else(|| not_found("agent", id))
}

fn routine_mut<'s>(store: &'s mut Store, app: &str, id: &str) -> Result<&'s mut Routine, ApiError> {
    store
        .routines
        .get_mut(id)
        .filter(|r| r.app == app)
        .ok_or_else(|| not_found("routine", id))
}

fn installation_mut<'s>(
    store: &'s mut Store,
    app: &str,
    id: &str,
) -> Result<&'s mut Installation, ApiError> {
    store
        .installations
        .get_mut(id)
        .filter(|i| i.app == app)
        .ok_or_else(|| not_found("installation", id))
}

impl Api {
    /// The developer acting, and a write lock, after checking that they are a member of `app`.
    fn with_app<R>(
        &self,
        ctx: &RequestContext,
        app: &str,
        f: impl FnOnce(&mut Store, &Caller, &AppRec) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let caller = Caller::of(ctx)?;
        let mut store = self.0.write();
        let rec = store.app_for(caller.developer(), app)?;
        let role = rec
            .members
            .iter()
            .find(|(u, _)| u == caller.developer())
            .map(|(_, r)| *r);
        let snapshot = AppRec {
            app: rec.app.clone(),
            members: rec.members.clone(),
        };
        if role == Some(AppMemberRole::Viewer) && ctx.method != axum::http::Method::GET {
            return Err(forbidden("a viewer of the app may not change it"));
        }
        f(&mut store, &caller, &snapshot)
    }
}

impl DeveloperApi for Api {
    async fn get_current_developer(
        &self,
        ctx: &RequestContext,
        _: dv::GetCurrentDeveloperRequest,
    ) -> Result<dv::GetCurrentDeveloperResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let me = caller.developer();
        let store = self.0.read();
        let user = store.user(me)?;
        let apps = store
            .apps
            .values()
            .filter_map(|a| {
                a.members
                    .iter()
                    .find(|(u, _)| u == me)
                    .map(|(_, role)| AppMembershipSummary {
                        app: a.app.id.clone(),
                        name: a.app.name.clone(),
                        role: *role,
                    })
            })
            .collect();
        Ok(dv::GetCurrentDeveloperResponse::Ok(Developer {
            apps,
            avatar_url: user.avatar_url.clone(),
            created_at: user.created_at,
            email: user.email.clone(),
            id: user.id.clone(),
            name: user.name.clone(),
        }))
    }

    // --- apps -------------------------------------------------------------------------------

    async fn list_apps(
        &self,
        ctx: &RequestContext,
        request: dv::ListAppsRequest,
    ) -> Result<dv::ListAppsResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let store = self.0.read();
        let mut apps: Vec<App> = store
            .apps
            .values()
            .filter(|a| a.members.iter().any(|(u, _)| u == caller.developer()))
            .map(|a| a.app.clone())
            .collect();
        apps.sort_by_key(|a| seq_of(&a.id));
        let q = request.query;
        let page = paging::offset(apps, q.limit, q.offset);
        Ok(dv::ListAppsResponse::Ok(AppPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn create_app(
        &self,
        ctx: &RequestContext,
        request: dv::CreateAppRequest,
    ) -> Result<dv::CreateAppResponse, ApiError> {
        let caller = Caller::of(ctx)?;
        let body = request.body;
        let name = String::from(body.name);
        let mut store = self.0.write();
        let taken = |store: &Store, slug: &str| store.apps.values().any(|a| a.app.slug == slug);
        let slug = match body.slug {
            Some(slug) => {
                let slug = String::from(slug);
                if taken(&store, &slug) {
                    return Err(conflict(format!(
                        "an app with slug \"{slug}\" already exists"
                    )));
                }
                slug
            }
            None => {
                let base = slugify(&name);
                let mut slug = base.clone();
                let mut n = 2;
                while taken(&store, &slug) {
                    slug = format!("{base}-{n}");
                    n += 1;
                }
                slug
            }
        };
        check_uris("allowed_redirect_uris", &body.allowed_redirect_uris)?;
        check_uris("website_url", body.website_url.iter())?;
        check_uris("logo_url", body.logo_url.iter())?;
        let id = store.next_id("app");
        let at = now();
        let app = App {
            allowed_redirect_uris: body.allowed_redirect_uris,
            created_at: at,
            description: body.description,
            id: id.clone(),
            logo_url: body.logo_url,
            metadata: metadata(body.metadata),
            name,
            slug,
            status: types::AppStatus::Active,
            updated_at: at,
            website_url: body.website_url,
        };
        store.apps.insert(
            id,
            AppRec {
                app: app.clone(),
                members: vec![(caller.developer().to_owned(), AppMemberRole::Owner)],
            },
        );
        Ok(dv::CreateAppResponse::Created(app))
    }

    async fn get_app(
        &self,
        ctx: &RequestContext,
        request: dv::GetAppRequest,
    ) -> Result<dv::GetAppResponse, ApiError> {
        let app = self.with_app(ctx, &request.path.app_id, |_, _, rec| Ok(rec.app.clone()))?;
        Ok(dv::GetAppResponse::Ok(app))
    }

    async fn update_app(
        &self,
        ctx: &RequestContext,
        request: dv::UpdateAppRequest,
    ) -> Result<dv::UpdateAppResponse, ApiError> {
        let id = request.path.app_id;
        let body = request.body;
        let app = self.with_app(ctx, &id, |store, _, _| {
            let rec = store
                .apps
                .get_mut(&id)
                .ok_or_else(|| not_found("app", &id))?;
            check_uris("allowed_redirect_uris", &body.allowed_redirect_uris)?;
            check_uris("website_url", body.website_url.iter())?;
            check_uris("logo_url", body.logo_url.iter())?;
            let app = &mut rec.app;
            if let Some(v) = body.name {
                app.name = v.into();
            }
            if let Some(v) = body.description {
                app.description = Some(v);
            }
            if let Some(v) = body.website_url {
                app.website_url = Some(v);
            }
            if let Some(v) = body.logo_url {
                app.logo_url = Some(v);
            }
            // The generated type cannot tell an absent list from an empty one: an empty list
            // leaves the URIs as they are.
            if !body.allowed_redirect_uris.is_empty() {
                app.allowed_redirect_uris = body.allowed_redirect_uris;
            }
            if let Some(v) = body.metadata {
                app.metadata = v;
            }
            app.updated_at = now();
            Ok(app.clone())
        })?;
        Ok(dv::UpdateAppResponse::Ok(app))
    }

    async fn delete_app(
        &self,
        ctx: &RequestContext,
        request: dv::DeleteAppRequest,
    ) -> Result<dv::DeleteAppResponse, ApiError> {
        let id = request.path.app_id;
        self.with_app(ctx, &id, |store, caller, rec| {
            let owner = rec
                .members
                .iter()
                .any(|(u, r)| u == caller.developer() && *r == AppMemberRole::Owner);
            if !owner {
                return Err(forbidden("deleting an app needs the owner role"));
            }
            if id == DEFAULT_APP_ID {
                return Err(forbidden(
                    "the app of the emulator's keys cannot be deleted",
                ));
            }
            let agents: Vec<String> = store
                .agents
                .values()
                .filter(|a| a.agent.app == id)
                .map(|a| a.agent.id.clone())
                .collect();
            for agent in agents {
                store.delete_agent(&agent);
            }
            store.routines.retain(|_, r| r.app != id);
            store.installations.retain(|_, i| i.app != id);
            store.apps.remove(&id);
            Ok(())
        })?;
        Ok(dv::DeleteAppResponse::NoContent)
    }

    // --- app agents -------------------------------------------------------------------------

    async fn list_app_agents(
        &self,
        ctx: &RequestContext,
        request: dv::ListAppAgentsRequest,
    ) -> Result<dv::ListAppAgentsResponse, ApiError> {
        let q = request.query;
        let app = request.path.app_id;
        let page = self.with_app(ctx, &app, |store, _, _| {
            let mut agents: Vec<types::Agent> = store
                .agents
                .values()
                .map(|a| &a.agent)
                .filter(|a| a.app == app && (q.team.is_none() || a.team == q.team))
                .cloned()
                .collect();
            agents.sort_by_key(|a| seq_of(&a.id));
            Ok(paging::offset(agents, q.limit, q.offset))
        })?;
        Ok(dv::ListAppAgentsResponse::Ok(AgentPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn create_app_agent(
        &self,
        ctx: &RequestContext,
        request: dv::CreateAppAgentRequest,
    ) -> Result<dv::CreateAppAgentResponse, ApiError> {
        let app = request.path.app_id;
        let body = request.body;
        let agent = self.with_app(ctx, &app, |store, caller, _| {
            store.create_agent(&app, caller.developer(), body)
        })?;
        Ok(dv::CreateAppAgentResponse::Created(agent))
    }

    async fn get_app_agent(
        &self,
        ctx: &RequestContext,
        request: dv::GetAppAgentRequest,
    ) -> Result<dv::GetAppAgentResponse, ApiError> {
        let p = request.path;
        let agent = self.with_app(ctx, &p.app_id, |store, _, _| {
            agent_in(store, &p.app_id, &p.agent_id).cloned()
        })?;
        Ok(dv::GetAppAgentResponse::Ok(agent))
    }

    async fn update_app_agent(
        &self,
        ctx: &RequestContext,
        request: dv::UpdateAppAgentRequest,
    ) -> Result<dv::UpdateAppAgentResponse, ApiError> {
        let p = request.path;
        let body = request.body;
        let agent = self.with_app(ctx, &p.app_id, |store, _, _| {
            agent_in(store, &p.app_id, &p.agent_id)?;
            store.update_agent(&p.agent_id, body)
        })?;
        Ok(dv::UpdateAppAgentResponse::Ok(agent))
    }

    async fn delete_app_agent(
        &self,
        ctx: &RequestContext,
        request: dv::DeleteAppAgentRequest,
    ) -> Result<dv::DeleteAppAgentResponse, ApiError> {
        let p = request.path;
        self.with_app(ctx, &p.app_id, |store, _, _| {
            agent_in(store, &p.app_id, &p.agent_id)?;
            store.delete_agent(&p.agent_id);
            Ok(())
        })?;
        Ok(dv::DeleteAppAgentResponse::NoContent)
    }

    // --- routines ---------------------------------------------------------------------------

    async fn create_agent_routine(
        &self,
        ctx: &RequestContext,
        request: dv::CreateAgentRoutineRequest,
    ) -> Result<dv::CreateAgentRoutineResponse, ApiError> {
        let p = request.path;
        let body = request.body;
        let routine = self.with_app(ctx, &p.app_id, |store, _, _| {
            agent_in(store, &p.app_id, &p.agent_id)?;
            if let Some(key) = &body.lookup_key
                && store
                    .routines
                    .values()
                    .any(|r| r.app == p.app_id && r.lookup_key.as_deref() == Some(key))
            {
                return Err(conflict(format!(
                    "a routine with lookup key \"{key}\" already exists"
                )));
            }
            let id = store.next_id("rtn");
            let at = now();
            let routine = Routine {
                agent: p.agent_id.clone(),
                app: p.app_id.clone(),
                created_at: at,
                description: body.description,
                event_type: body.event_type,
                handler_type: body.handler_type,
                id: id.clone(),
                last_run_at: None,
                lookup_key: body.lookup_key,
                metadata: metadata(body.metadata),
                name: body.name.into(),
                preset_name: body.preset_name,
                schedule: body.schedule,
                script: body.script,
                status: RoutineStatus::Draft,
                updated_at: at,
                workflow_config: body.workflow_config,
            };
            store.routines.insert(id, routine.clone());
            Ok(routine)
        })?;
        Ok(dv::CreateAgentRoutineResponse::Created(routine))
    }

    async fn list_app_routines(
        &self,
        ctx: &RequestContext,
        request: dv::ListAppRoutinesRequest,
    ) -> Result<dv::ListAppRoutinesResponse, ApiError> {
        let app = request.path.app_id;
        let q = request.query;
        let status = q
            .status
            .as_deref()
            .map(|s| {
                s.parse::<RoutineStatus>()
                    .map_err(|_| bad_request(format!("`status` `{s}` is not a routine status")))
            })
            .transpose()?;
        let page = self.with_app(ctx, &app, |store, _, _| {
            let mut routines: Vec<Routine> = store
                .routines
                .values()
                .filter(|r| r.app == app)
                .filter(|r| q.agent.as_ref().is_none_or(|a| r.agent == *a))
                .filter(|r| status.is_none_or(|s| r.status == s))
                .cloned()
                .collect();
            routines.sort_by_key(|r| seq_of(&r.id));
            Ok(paging::offset(routines, q.limit, q.offset))
        })?;
        Ok(dv::ListAppRoutinesResponse::Ok(RoutinePage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn get_app_routine(
        &self,
        ctx: &RequestContext,
        request: dv::GetAppRoutineRequest,
    ) -> Result<dv::GetAppRoutineResponse, ApiError> {
        let p = request.path;
        let routine = self.with_app(ctx, &p.app_id, |store, _, _| {
            routine_mut(store, &p.app_id, &p.routine_id).map(|r| r.clone())
        })?;
        Ok(dv::GetAppRoutineResponse::Ok(routine))
    }

    async fn update_app_routine(
        &self,
        ctx: &RequestContext,
        request: dv::UpdateAppRoutineRequest,
    ) -> Result<dv::UpdateAppRoutineResponse, ApiError> {
        let p = request.path;
        let body = request.body;
        let routine = self.with_app(ctx, &p.app_id, |store, _, _| {
            if let Some(key) = &body.lookup_key
                && store.routines.values().any(|r| {
                    r.app == p.app_id
                        && r.id != p.routine_id
                        && r.lookup_key.as_deref() == Some(key)
                })
            {
                return Err(invalid("lookup_key", "is already used by another routine"));
            }
            let r = routine_mut(store, &p.app_id, &p.routine_id)?;
            if let Some(v) = body.name {
                r.name = v.into();
            }
            if let Some(v) = body.description {
                r.description = Some(v);
            }
            if let Some(v) = body.lookup_key {
                r.lookup_key = Some(v);
            }
            if let Some(v) = body.workflow_config {
                r.workflow_config = Some(v);
            }
            if let Some(v) = body.script {
                r.script = Some(v);
            }
            if let Some(v) = body.preset_name {
                r.preset_name = Some(v);
            }
            if let Some(v) = body.event_type {
                r.event_type = Some(v);
            }
            if let Some(v) = body.schedule {
                r.schedule = Some(v);
            }
            if let Some(v) = body.metadata {
                r.metadata = v;
            }
            r.updated_at = now();
            Ok(r.clone())
        })?;
        Ok(dv::UpdateAppRoutineResponse::Ok(routine))
    }

    async fn delete_app_routine(
        &self,
        ctx: &RequestContext,
        request: dv::DeleteAppRoutineRequest,
    ) -> Result<dv::DeleteAppRoutineResponse, ApiError> {
        let p = request.path;
        self.with_app(ctx, &p.app_id, |store, _, _| {
            routine_mut(store, &p.app_id, &p.routine_id)?;
            store.routines.remove(&p.routine_id);
            Ok(())
        })?;
        Ok(dv::DeleteAppRoutineResponse::NoContent)
    }

    async fn activate_app_routine(
        &self,
        ctx: &RequestContext,
        request: dv::ActivateAppRoutineRequest,
    ) -> Result<dv::ActivateAppRoutineResponse, ApiError> {
        let p = request.path;
        let routine = self.with_app(ctx, &p.app_id, |store, _, _| {
            let r = routine_mut(store, &p.app_id, &p.routine_id)?;
            let missing = match r.handler_type {
                HandlerType::Workflow if r.workflow_config.is_none() => Some("workflow_config"),
                HandlerType::Script if r.script.is_none() => Some("script"),
                HandlerType::Preset if r.preset_name.is_none() => Some("preset_name"),
                _ => None,
            };
            if let Some(field) = missing {
                return Err(conflict(format!(
                    "the routine's definition is incomplete: a {} routine needs `{field}`",
                    r.handler_type
                )));
            }
            r.status = RoutineStatus::Active;
            r.updated_at = now();
            Ok(r.clone())
        })?;
        Ok(dv::ActivateAppRoutineResponse::Ok(routine))
    }

    async fn pause_app_routine(
        &self,
        ctx: &RequestContext,
        request: dv::PauseAppRoutineRequest,
    ) -> Result<dv::PauseAppRoutineResponse, ApiError> {
        let p = request.path;
        let routine = self.with_app(ctx, &p.app_id, |store, _, _| {
            let r = routine_mut(store, &p.app_id, &p.routine_id)?;
            r.status = RoutineStatus::Paused;
            r.updated_at = now();
            Ok(r.clone())
        })?;
        Ok(dv::PauseAppRoutineResponse::Ok(routine))
    }

    // --- installations ----------------------------------------------------------------------

    async fn create_agent_installation(
        &self,
        ctx: &RequestContext,
        request: dv::CreateAgentInstallationRequest,
    ) -> Result<dv::CreateAgentInstallationResponse, ApiError> {
        let p = request.path;
        let body = request.body;
        let installation = self.with_app(ctx, &p.app_id, |store, _, _| {
            agent_in(store, &p.app_id, &p.agent_id)?;
            if let Some(key) = &body.lookup_key
                && store
                    .installations
                    .values()
                    .any(|i| i.app == p.app_id && i.lookup_key.as_deref() == Some(key))
            {
                return Err(conflict(format!(
                    "an installation with lookup key \"{key}\" already exists"
                )));
            }
            let id = store.next_id("inst");
            let at = now();
            let installation = Installation {
                agent: p.agent_id.clone(),
                app: p.app_id.clone(),
                config: body.config,
                created_at: at,
                id: id.clone(),
                integration: body.integration,
                kind: body.kind.into(),
                lookup_key: body.lookup_key,
                state: InstallationState::Pending,
                status_detail: None,
                updated_at: at,
            };
            store.installations.insert(id, installation.clone());
            Ok(installation)
        })?;
        Ok(dv::CreateAgentInstallationResponse::Created(installation))
    }

    async fn list_app_installations(
        &self,
        ctx: &RequestContext,
        request: dv::ListAppInstallationsRequest,
    ) -> Result<dv::ListAppInstallationsResponse, ApiError> {
        let app = request.path.app_id;
        let q = request.query;
        let state = q
            .state
            .as_deref()
            .map(|s| {
                s.parse::<InstallationState>()
                    .map_err(|_| bad_request(format!("`state` `{s}` is not an installation state")))
            })
            .transpose()?;
        let page = self.with_app(ctx, &app, |store, _, _| {
            let mut installations: Vec<Installation> = store
                .installations
                .values()
                .filter(|i| i.app == app)
                .filter(|i| q.agent.as_ref().is_none_or(|a| i.agent == *a))
                .filter(|i| q.kind.as_ref().is_none_or(|k| i.kind == *k))
                .filter(|i| state.is_none_or(|s| i.state == s))
                .cloned()
                .collect();
            installations.sort_by_key(|i| seq_of(&i.id));
            Ok(paging::offset(installations, q.limit, q.offset))
        })?;
        Ok(dv::ListAppInstallationsResponse::Ok(InstallationPage {
            data: page.data,
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }))
    }

    async fn get_app_installation(
        &self,
        ctx: &RequestContext,
        request: dv::GetAppInstallationRequest,
    ) -> Result<dv::GetAppInstallationResponse, ApiError> {
        let p = request.path;
        let installation = self.with_app(ctx, &p.app_id, |store, _, _| {
            installation_mut(store, &p.app_id, &p.installation_id).map(|i| i.clone())
        })?;
        Ok(dv::GetAppInstallationResponse::Ok(installation))
    }

    async fn delete_app_installation(
        &self,
        ctx: &RequestContext,
        request: dv::DeleteAppInstallationRequest,
    ) -> Result<dv::DeleteAppInstallationResponse, ApiError> {
        let p = request.path;
        self.with_app(ctx, &p.app_id, |store, _, _| {
            installation_mut(store, &p.app_id, &p.installation_id)?;
            store.installations.remove(&p.installation_id);
            Ok(())
        })?;
        Ok(dv::DeleteAppInstallationResponse::NoContent)
    }

    async fn activate_app_installation(
        &self,
        ctx: &RequestContext,
        request: dv::ActivateAppInstallationRequest,
    ) -> Result<dv::ActivateAppInstallationResponse, ApiError> {
        let p = request.path;
        let installation = self.with_app(ctx, &p.app_id, |store, _, _| {
            let i = installation_mut(store, &p.app_id, &p.installation_id)?;
            i.state = InstallationState::Active;
            i.status_detail = None;
            i.updated_at = now();
            Ok(i.clone())
        })?;
        Ok(dv::ActivateAppInstallationResponse::Ok(installation))
    }

    async fn pause_app_installation(
        &self,
        ctx: &RequestContext,
        request: dv::PauseAppInstallationRequest,
    ) -> Result<dv::PauseAppInstallationResponse, ApiError> {
        let p = request.path;
        let installation = self.with_app(ctx, &p.app_id, |store, _, _| {
            let i = installation_mut(store, &p.app_id, &p.installation_id)?;
            i.state = InstallationState::Paused;
            i.updated_at = now();
            Ok(i.clone())
        })?;
        Ok(dv::PauseAppInstallationResponse::Ok(installation))
    }
}

/// `format: uri` is not checked by the generated types: an absolute URI (`scheme:rest`) or 422.
fn check_uris<'a>(
    field: &str,
    values: impl IntoIterator<Item = &'a String>,
) -> Result<(), ApiError> {
    for value in values {
        let absolute = value.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        if !absolute || value.chars().any(char::is_whitespace) {
            return Err(crate::store::invalid(field, "must be an absolute URI"));
        }
    }
    Ok(())
}
