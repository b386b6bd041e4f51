//! Operation ids a person would choose. Good ids are kept (in snake_case), `x-sdk-name` wins,
//! and mechanical or missing ids (`delete_api_v1_agent_env_vars__env_var`) are derived from
//! the method and the path: `delete_agent_env_var`. Derived names that collide take more of
//! the path as context (`list_user_threads` / `list_team_threads`); operations that declare the
//! same `operationId` are each named as if they had declared none, with a warning (the same
//! `x-sdk-name` twice is an error). Operations without tags get one per resource.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Ctx, METHODS};
use crate::families::FamiliesConfig;
use crate::names::sanitize_snake;
use crate::pointer;
use crate::{Error, Result};

struct Op {
    path: String,
    method: &'static str,
    at: String,
    declared: Option<Declared>,
}

struct Declared {
    name: String,
    source: &'static str,
    original: String,
}

/// True when an id only spells out the method and path, as web frameworks generate them:
/// a `__` before a path parameter, or the `api_v1` of the path prefix.
pub fn is_mechanical(id: &str) -> bool {
    let snake = crate::names::snake_case(id);
    let tokens: Vec<&str> = snake.split('_').collect();
    id.contains("__")
        || tokens.windows(2).any(|w| {
            w[0] == "api"
                && w[1].len() > 1
                && w[1].starts_with('v')
                && w[1][1..].chars().all(|c| c.is_ascii_digit())
        })
}

/// Assigns every operation its final `operationId`.
pub(crate) fn assign_operation_ids(
    ctx: &mut Ctx,
    root: &mut Value,
    config: &FamiliesConfig,
) -> Result<()> {
    let mut ops = Vec::new();
    let paths = root
        .get("paths")
        .and_then(Value::as_object)
        .expect("checked at load");
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let at = pointer::join(&pointer::from_tokens(["paths", path.as_str()]), method);
            let sdk = op.get("x-sdk-name").and_then(Value::as_str);
            let id = op.get("operationId").and_then(Value::as_str);
            let declared = match (sdk, id) {
                (Some(s), _) => Some(Declared {
                    name: sanitize_snake(s),
                    source: "x-sdk-name",
                    original: s.to_owned(),
                }),
                (None, Some(i))
                    if !i.is_empty()
                        && !is_mechanical(i)
                        && !spells_method_and_path(i, method, config.strip_name_prefix(path)) =>
                {
                    Some(Declared {
                        name: respell_plurals(&sanitize_snake(i)),
                        source: "operationId",
                        original: i.to_owned(),
                    })
                }
                _ => None,
            };
            ops.push(Op {
                path: path.clone(),
                method,
                at,
                declared,
            });
        }
    }

    // A declared name is unique. Operations that declare the same `operationId` (invalid
    // OpenAPI, common in published specs) are each named as if they had declared none (after
    // their method and path), with a warning; an `x-sdk-name` among them is an error, since
    // the dialect's names are chosen for the SDK.
    let mut declared_by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if let Some(d) = &op.declared {
            declared_by.entry(d.name.as_str()).or_default().push(i);
        }
    }
    let mut duplicated = Vec::new();
    for (name, dups) in declared_by.iter().filter(|(_, v)| v.len() > 1) {
        let declared = |i: usize| ops[i].declared.as_ref().expect("a declared name");
        let pointers: Vec<String> = dups
            .iter()
            .map(|&i| format!("{}/{}", ops[i].at, declared(i).source))
            .collect();
        if dups.iter().any(|&i| declared(i).source == "x-sdk-name") {
            return Err(Error::DuplicateOperationId {
                file: ctx.file.clone(),
                id: (*name).to_owned(),
                pointers,
            });
        }
        for (&i, at) in dups.iter().zip(&pointers) {
            let message = format!(
                "operation id `{}` is declared {} times ({}); this operation is named \
                 after its method and path",
                declared(i).original,
                dups.len(),
                pointers.join(", ")
            );
            duplicated.push((i, at.clone(), message));
        }
    }
    for (i, at, message) in duplicated {
        ctx.report.warn("operation-id-duplicated", at, message);
        ops[i].declared = None;
    }
    let taken: BTreeSet<String> = ops
        .iter()
        .filter_map(|op| op.declared.as_ref().map(|d| d.name.clone()))
        .collect();

    // Derived names: widen the context of colliding names until they are unique.
    let methods_by_path: BTreeMap<&str, Vec<&str>> =
        ops.iter().fold(BTreeMap::new(), |mut m, o| {
            m.entry(o.path.as_str())
                .or_insert_with(Vec::new)
                .push(o.method);
            m
        });
    let derived: Vec<usize> = (0..ops.len())
        .filter(|&i| ops[i].declared.is_none())
        .collect();
    let collections = collection_paths(methods_by_path.keys().copied());
    let mut depth: BTreeMap<usize, usize> = derived.iter().map(|&i| (i, 1)).collect();
    let mut names: BTreeMap<usize, String> = BTreeMap::new();
    // A name depends only on its operation and depth: each round derives again only the
    // names whose depth grew (every name, the first time).
    let mut pending = derived.clone();
    for _round in 0..8 {
        for &i in &pending {
            let op = &ops[i];
            let is_collection = collections.contains(op.path.as_str());
            names.insert(
                i,
                derive_name(
                    config.strip_name_prefix(&op.path),
                    op.method,
                    &methods_by_path[op.path.as_str()],
                    is_collection,
                    depth[&i],
                ),
            );
        }
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, n) in &names {
            groups.entry(n.as_str()).or_default().push(*i);
        }
        let colliding: Vec<usize> = groups
            .iter()
            .filter(|(n, v)| v.len() > 1 || taken.contains(**n))
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        if colliding.is_empty() {
            break;
        }
        for &i in &colliding {
            *depth.get_mut(&i).expect("derived") += 1;
        }
        pending = colliding;
    }
    // Whatever still collides takes the path's last word as written (`invites`), then its
    // owner (`list_agent_installations_for_agent`), then a number, in path order.
    let mut used = taken.clone();
    let mut uses: BTreeMap<String, usize> = BTreeMap::new();
    for n in names.values() {
        *uses.entry(n.clone()).or_default() += 1;
    }
    for &i in &derived {
        let base = names[&i].clone();
        let collides = uses[&base] > 1 || taken.contains(&base);
        let mut name = base.clone();
        if collides {
            let op = &ops[i];
            let rel = config.strip_name_prefix(&op.path);
            let verbatim = verbatim_variant(rel, &base);
            let owned = owner_word(rel).map(|owner| format!("{base}_for_{owner}"));
            name = [Some(base.clone()), verbatim, owned]
                .into_iter()
                .flatten()
                .find(|candidate| !used.contains(candidate))
                .unwrap_or_else(|| {
                    let mut n = 2;
                    while used.contains(&format!("{base}_{n}")) {
                        n += 1;
                    }
                    format!("{base}_{n}")
                });
            (name != base).then(|| {
                ctx.report.warn(
                    "operation-id-collision",
                    &op.at,
                    format!(
                        "{} {}: derived name `{base}` collides; using `{name}`",
                        op.method.to_uppercase(),
                        op.path
                    ),
                )
            });
        }
        used.insert(name.clone());
        names.insert(i, name);
    }

    let paths = root
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .expect("checked at load");
    for (i, op) in ops.iter().enumerate() {
        let target = paths
            .get_mut(&op.path)
            .and_then(|p| p.get_mut(op.method))
            .expect("listed above");
        let old = target
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let new = match &op.declared {
            Some(d) => {
                if d.source == "x-sdk-name" && old.as_deref() != Some(d.name.as_str()) {
                    ctx.report.warn(
                        "operation-id-from-sdk-name",
                        &op.at,
                        format!(
                            "{} {}: `{}` (x-sdk-name) instead of `{}`",
                            op.method.to_uppercase(),
                            op.path,
                            d.name,
                            old.as_deref().unwrap_or("-")
                        ),
                    );
                } else if d.name != d.original {
                    ctx.report.info(
                        "operation-id-snake-case",
                        &op.at,
                        format!("`{}` became `{}`", d.original, d.name),
                    );
                }
                d.name.clone()
            }
            None => {
                let name = names[&i].clone();
                ctx.report.warn(
                    "operation-id-derived",
                    &op.at,
                    format!(
                        "{} {}: `{}` -> `{name}`",
                        op.method.to_uppercase(),
                        op.path,
                        old.as_deref().unwrap_or("(none)")
                    ),
                );
                name
            }
        };
        if let Some(obj) = target.as_object_mut() {
            obj.insert("operationId".into(), json!(new));
            let untagged = obj
                .get("tags")
                .and_then(Value::as_array)
                .is_none_or(|t| t.is_empty());
            if untagged {
                let tag = resource_tag(config.strip_name_prefix(&op.path));
                ctx.report.info(
                    "tag-derived",
                    &op.at,
                    format!("untagged operation tagged `{tag}`"),
                );
                obj.insert("tags".into(), json!([tag]));
            }
        }
    }
    Ok(())
}

fn literal_segments(rel: &str) -> Vec<String> {
    rel.split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .map(sanitize_snake)
        .collect()
}

fn resource_tag(rel: &str) -> String {
    literal_segments(rel)
        .into_iter()
        .next()
        .unwrap_or_else(|| "root".into())
}

/// English singular of a snake_case word (good enough for resource names).
pub fn singular(word: &str) -> String {
    let (head, last) = match word.rfind('_') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let one = if let Some(stem) = last.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes", "uses"]
        .iter()
        .any(|s| last.ends_with(s))
    {
        last[..last.len() - 2].to_owned()
    } else if last.ends_with("ss") || last.ends_with("us") || last.ends_with("is") {
        last.to_owned()
    } else if let Some(stem) = last.strip_suffix('s')
        && stem.contains(['a', 'e', 'i', 'o', 'u', 'y'])
    {
        // A stem without a vowel is an initialism (`sms`, `dns`, `gps`), not a plural.
        stem.to_owned()
    } else {
        last.to_owned()
    };
    format!("{head}{one}")
}

fn is_plural(word: &str) -> bool {
    singular(word) != word
}

/// The paths `p` for which `p/{param}` is also a path: collections (`GET` lists them).
fn collection_paths<'a>(all: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    all.filter_map(|p| {
        let (parent, last) = p.rsplit_once('/')?;
        (last.starts_with('{') && last.ends_with('}')).then_some(parent)
    })
    .collect()
}

/// `verb_noun` from a method and a (prefix-stripped) path, using `depth` literal segments.
/// `is_collection`: the path has an item child (`/kv` beside `/kv/{key}`).
fn derive_name(
    rel: &str,
    method: &str,
    methods_on_path: &[&str],
    is_collection: bool,
    depth: usize,
) -> String {
    let segments: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    let ends_with_param = segments.last().is_some_and(|s| s.starts_with('{'));
    let mut nouns = literal_segments(rel);
    let last = nouns.last().cloned().unwrap_or_else(|| "root".into());
    let mut depth = depth;
    let verb: String = match method {
        "get" if ends_with_param || !(is_plural(&last) || is_collection) => "get".into(),
        "get" => "list".into(),
        "post" if ends_with_param || is_plural(&last) || is_collection => "create".into(),
        "post" => {
            nouns.pop();
            // An action on a namespace (`/auth/login`) reads best as the verb alone.
            let before = segments.len().checked_sub(2).map(|i| segments[i]);
            if before.is_some_and(|b| !b.starts_with('{') && !is_plural(&sanitize_snake(b))) {
                depth -= 1;
            }
            last.clone()
        }
        "put" if methods_on_path.contains(&"patch") => "replace".into(),
        "put" => "update".into(),
        "patch" => "update".into(),
        "delete" => "delete".into(),
        other => other.into(),
    };
    // Every noun but a listed collection is singular: `list_user_threads`, `get_user_thread`.
    let listing = verb == "list";
    let n = nouns.len();
    let mut words: Vec<String> = nouns
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if listing && i + 1 == n {
                w.clone()
            } else {
                singular(w)
            }
        })
        .collect();
    let keep = depth.min(words.len());
    words.drain(..words.len() - keep);
    let mut parts = vec![verb];
    parts.extend(words.into_iter().filter(|w| !w.is_empty()));
    // `login` from POST /auth/login with depth 1: the verb alone says it; a word the path
    // repeats (`/agents/{agent}/agent_tools`) is said once.
    let joined = sanitize_snake(&parts.join("_"));
    let mut words: Vec<&str> = joined.split('_').collect();
    words.dedup();
    words.join("_")
}

/// `base` with its last word as the path writes it (`create_team_invites` for
/// `/teams/{team}/invites`), when that differs.
fn verbatim_variant(rel: &str, base: &str) -> Option<String> {
    let last = literal_segments(rel).pop()?;
    let stem = base.strip_suffix(&singular(&last))?;
    (last != singular(&last)).then(|| format!("{stem}{last}"))
}

/// The singular of the literal segment before the last (`agent` for
/// `/agents/{agent}/agent_tools`): the owner of what the path names.
fn owner_word(rel: &str) -> Option<String> {
    let words = literal_segments(rel);
    let owner = words.len().checked_sub(2).map(|i| singular(&words[i]))?;
    Some(owner)
}

/// Whether a declared id only spells a method that is no verb of a name and the path
/// (`post_oauth_token` for `POST /oauth/token`): a name the method made, not a person.
/// `get_settings` and `delete_me` read as names and are kept.
fn spells_method_and_path(id: &str, method: &str, rel: &str) -> bool {
    if !["post", "put", "patch"].contains(&method) {
        return false;
    }
    let mut spelled = vec![method.to_owned()];
    spelled.extend(literal_segments(rel));
    sanitize_snake(id) == sanitize_snake(&spelled.join("_"))
}

/// `name` with plurals English writes with `es`/`ies` respelled (`list_app_sandboxs` →
/// `list_app_sandboxes`, `list_policys` → `list_policies`).
pub fn respell_plurals(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let consonant_ys = word.len() > 3
                && word.ends_with("ys")
                && !word[..word.len() - 2].ends_with(['a', 'e', 'i', 'o', 'u']);
            if consonant_ys {
                format!("{}ies", &word[..word.len() - 2])
            } else if ["xs", "chs", "shs", "sss", "zs"]
                .iter()
                .any(|s| word.ends_with(s))
            {
                format!("{}es", &word[..word.len() - 1])
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_names() {
        assert_eq!(
            derive_name(
                "/agent_env_vars/{env_var}",
                "delete",
                &["delete", "get", "patch"],
                false,
                1
            ),
            "delete_agent_env_var"
        );
        assert_eq!(
            derive_name(
                "/users/{user_id}/threads",
                "get",
                &["get", "post"],
                false,
                1
            ),
            "list_threads"
        );
        assert_eq!(
            derive_name(
                "/users/{user_id}/threads",
                "get",
                &["get", "post"],
                false,
                2
            ),
            "list_user_threads"
        );
        assert_eq!(
            derive_name(
                "/users/{user_id}/threads",
                "post",
                &["get", "post"],
                false,
                2
            ),
            "create_user_thread"
        );
        assert_eq!(
            derive_name(
                "/routines/{routine_id}/activate",
                "post",
                &["post"],
                false,
                1
            ),
            "activate_routine"
        );
        assert_eq!(
            derive_name("/teams/{team_id}", "put", &["get", "put"], false, 1),
            "update_team"
        );
        assert_eq!(
            derive_name("/workflows/node-types", "get", &["get"], false, 1),
            "list_node_types"
        );
        assert_eq!(
            derive_name("/auth/login", "post", &["post"], false, 1),
            "login"
        );
        assert_eq!(
            derive_name("/auth/login", "post", &["post"], false, 2),
            "login_auth"
        );
        assert_eq!(
            derive_name("/teams/join", "post", &["post"], false, 1),
            "join_team"
        );
        assert_eq!(derive_name("/kv", "get", &["get"], true, 1), "list_kv");
    }

    #[test]
    fn derived_names_say_a_repeated_word_once() {
        assert_eq!(
            derive_name("/agents/{agent}/agent_tools", "get", &["get"], false, 2),
            "list_agent_tools"
        );
    }

    #[test]
    fn collisions_take_the_verbatim_word_then_the_owner() {
        assert_eq!(
            verbatim_variant("/teams/{team}/invites", "create_team_invite").as_deref(),
            Some("create_team_invites")
        );
        assert_eq!(
            verbatim_variant("/teams/{team}/invite", "create_team_invite"),
            None
        );
        assert_eq!(
            owner_word("/agents/{agent}/agent_tools").as_deref(),
            Some("agent")
        );
        assert_eq!(owner_word("/agent_tools"), None);
    }

    #[test]
    fn declared_ids_that_spell_method_and_path_are_mechanical() {
        assert!(spells_method_and_path(
            "post_oauth_token",
            "post",
            "/oauth/token"
        ));
        assert!(spells_method_and_path(
            "postOauthDeviceApprove",
            "post",
            "/oauth/device/approve"
        ));
        assert!(!spells_method_and_path(
            "exchange_token",
            "post",
            "/oauth/token"
        ));
        assert!(!spells_method_and_path("getSettings", "get", "/settings"));
    }

    #[test]
    fn plurals_are_respelled() {
        assert_eq!(respell_plurals("list_app_sandboxs"), "list_app_sandboxes");
        assert_eq!(respell_plurals("list_policys"), "list_policies");
        assert_eq!(respell_plurals("list_keys_and_days"), "list_keys_and_days");
        assert_eq!(respell_plurals("list_addresss"), "list_addresses");
    }

    #[test]
    fn mechanical_ids() {
        assert!(is_mechanical("delete_api_v1_agent_env_vars__env_var"));
        assert!(is_mechanical("get_api_v1_activity_feed"));
        assert!(!is_mechanical("listUserThreads"));
        assert!(!is_mechanical("get_current_user"));
        assert_eq!(singular("statuses"), "status");
        assert_eq!(singular("agent_env_vars"), "agent_env_var");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("inbound_sms"), "inbound_sms");
        assert_eq!(singular("ids"), "id");
    }
}
