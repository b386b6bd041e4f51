//! The channel joins of a family's resources: a join of `x-channels` hangs off the member
//! resource whose path parameters give every variable of its topic (`thread:{thread_id}` off
//! `team(team_id).thread(thread_id)`), so `api.runtime().team(t).thread(id).channel(&socket)`
//! joins the thread's channel.
//!
//! A topic variable is given by the path parameter of a member on the way to the resource
//! when the variable names that member (`thread_id` and `thread` for `threads/{thread}`: the
//! variable without its `_id` is the member's noun) and the parameter holds a scalar (a string
//! or a number, as the topic is written). The resource is the one where the last such member
//! is entered: its own parameters each give a variable. A join whose params require anything
//! but the topic's variables is not placed (the resource gives nothing else); nor is a topic
//! no member names (`api:chat:user:key:{key}` beside `kv/{key}`): it stays reached through its
//! facade alone.
//!
//! A join is named after its channel (`chat_channel`), the words every channel of the family
//! starts with (`Api`) and the channel's noun, when it is the member's, left out
//! (`user(user_id).channel()`); a name taken adds the join's (`chat_team_thread_channel`).

use super::{Resolution, Resources, param_stem};
use crate::model::{Family, Join, ref_name};
use crate::names::{Namespace, rust_ident, sanitize_snake};

/// A channel join as a method of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelJoin {
    /// The method's name (`channel`, `chat_channel`).
    pub name: String,
    /// The channel's index in [`Family::channels`].
    pub channel: usize,
    /// The join's index in the channel's joins.
    pub join: usize,
    /// Each variable of the topic, in pattern order, with the path parameter (its spec name)
    /// of the resource that gives it.
    pub bindings: Vec<(String, String)>,
}

/// Places every join of `family`'s channels on the resources of `tree` that give its topic.
pub(super) fn place(tree: &mut Resources, family: &Family<'_>, method_names: &mut [Namespace]) {
    let names: Vec<Vec<String>> = family
        .channels
        .iter()
        .map(|c| words(&sanitize_snake(c.name)))
        .collect();
    let shared = shared_lead(&names);
    for (c, channel) in family.channels.iter().enumerate() {
        for (j, join) in channel.joins.iter().enumerate() {
            let variables = topic_variables(join.pattern);
            if variables.is_empty() || !needs_only(family, join, &variables) {
                continue;
            }
            for (node, taken) in method_names.iter_mut().enumerate().skip(1) {
                let Some(bindings) = bind(tree, node, &variables) else {
                    continue;
                };
                let name = claim(tree, node, &names[c][shared..], join, taken);
                tree.nodes[node].channel_joins.push(ChannelJoin {
                    name,
                    channel: c,
                    join: j,
                    bindings,
                });
            }
        }
    }
}

/// The method name of a join on resource `node`, claimed in its namespace (a name that had to
/// change is a [`Resolution`] of `tree`).
fn claim(
    tree: &mut Resources,
    node: usize,
    channel: &[String],
    join: &Join<'_>,
    taken: &mut Namespace,
) -> String {
    let mut stem: Vec<&str> = channel.iter().map(String::as_str).collect();
    if stem.last() == Some(&"channel") {
        stem.pop();
    }
    if stem.join("_") == tree.nodes[node].noun {
        stem.clear();
    }
    let wanted = rust_ident(&[stem.as_slice(), &["channel"]].concat().join("_"));
    let name = taken.claim_or(&wanted, || {
        let join_name = sanitize_snake(join.name.unwrap_or("join"));
        let join_words = join_name
            .strip_prefix("join")
            .unwrap_or(&join_name)
            .trim_start_matches('_');
        let words: Vec<&str> = stem
            .iter()
            .copied()
            .chain(join_words.split('_'))
            .filter(|w| !w.is_empty())
            .collect();
        rust_ident(&[words.as_slice(), &["channel"]].concat().join("_"))
    });
    if name != wanted {
        tree.resolutions.push(Resolution {
            pointer: join.pointer.clone(),
            message: format!(
                "{}: `{wanted}` is taken in `{}`; using `{name}`",
                join.pattern, tree.nodes[node].type_name
            ),
        });
    }
    name
}

/// The words of a snake_case name.
fn words(snake: &str) -> Vec<String> {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How many leading words every name shares, leaving each at least two (a noun and
/// `channel`); none for fewer than two names (`api` of `api_chat_channel` and
/// `api_tasks_channel`).
fn shared_lead(names: &[Vec<String>]) -> usize {
    let Some((first, rest)) = names.split_first().filter(|(_, rest)| !rest.is_empty()) else {
        return 0;
    };
    let shortest = names.iter().map(Vec::len).min().unwrap_or(0);
    (0..shortest.saturating_sub(2))
        .take_while(|&i| rest.iter().all(|n| n[i] == first[i]))
        .count()
}

/// The `{name}`s of a topic pattern, in order (the model checked that each is closed).
fn topic_variables(pattern: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// Whether the join's params require nothing but `variables` (the params of a `$ref` are its
/// component's).
fn needs_only(family: &Family<'_>, join: &Join<'_>, variables: &[&str]) -> bool {
    let params = join.params.map(|p| {
        ref_name(p)
            .and_then(|name| family.component(name))
            .unwrap_or(p)
    });
    let required = params
        .and_then(|p| p.get("required"))
        .and_then(serde_json::Value::as_array);
    required
        .into_iter()
        .flatten()
        .all(|name| name.as_str().is_some_and(|n| variables.contains(&n)))
}

/// Each of `variables` with the path parameter of `node`'s scope that gives it, when every
/// variable is given and each of `node`'s own parameters gives one.
fn bind(tree: &Resources, node: usize, variables: &[&str]) -> Option<Vec<(String, String)>> {
    let resource = &tree.nodes[node];
    if resource.params.is_empty() {
        return None;
    }
    let chain = tree.chain(node);
    let bindings: Vec<(String, String)> = variables
        .iter()
        .map(|variable| {
            let noun = param_stem(variable);
            chain
                .iter()
                .map(|&n| &tree.nodes[n])
                .find(|member| {
                    member.params.len() == 1 && member.noun == noun && is_scalar(&member.shapes[0])
                })
                .map(|member| ((*variable).to_owned(), member.params[0].clone()))
        })
        .collect::<Option<_>>()?;
    let gives_own = resource
        .params
        .iter()
        .all(|p| bindings.iter().any(|(_, given)| given == p));
    gives_own.then_some(bindings)
}

/// Whether a parameter's shape (`string:uuid`, `array:string:`) is a string or a number.
fn is_scalar(shape: &str) -> bool {
    ["string:", "integer:", "number:"]
        .iter()
        .any(|kind| shape.starts_with(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A runtime family with `paths` (each parameter a string unless it is `ids`) and
    /// `channels`.
    fn family_doc(paths: &[&str], channels: Value) -> Value {
        let mut items = serde_json::Map::new();
        for (i, path) in paths.iter().enumerate() {
            let parameters: Vec<Value> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .map(|name| {
                    let schema = match name {
                        "ids" => json!({"type": "array", "items": {"type": "string"}}),
                        _ => json!({"type": "string"}),
                    };
                    json!({"name": name, "in": "path", "schema": schema})
                })
                .collect();
            items.insert(
                path.to_string(),
                json!({"get": {"operationId": format!("op_{i}"), "parameters": parameters}}),
            );
        }
        json!({"paths": items, "x-channels": channels})
    }

    /// Every placed join as `resource path: method -> channel join`.
    fn joins(paths: &[&str], channels: Value) -> Vec<String> {
        let doc = family_doc(paths, channels);
        let family = Family::new("runtime", &doc).unwrap();
        let tree = Resources::new(&family);
        let mut out = Vec::new();
        for (node, resource) in tree.nodes.iter().enumerate() {
            for join in &resource.channel_joins {
                let channel = &family.channels[join.channel];
                out.push(format!(
                    "{}: {} -> {} {}",
                    tree.path_to(node),
                    join.name,
                    channel.name,
                    channel.joins[join.join].pattern
                ));
            }
        }
        out
    }

    /// A channel with its joins: name, topic pattern, required params (beside the topic's
    /// variables, each join has `limit`).
    fn channel(name: &str, joins: &[(&str, &str, &[&str])]) -> Value {
        let joins: Vec<Value> = joins
            .iter()
            .map(|(join, pattern, required)| {
                let properties: serde_json::Map<String, Value> = topic_variables(pattern)
                    .into_iter()
                    .chain(["limit"])
                    .map(|v| (v.to_owned(), json!({"type": "string"})))
                    .collect();
                json!({"name": join, "pattern": pattern,
                    "params": {"type": "object", "properties": properties, "required": required}})
            })
            .collect();
        json!({"name": name, "joins": joins})
    }

    #[test]
    fn a_join_hangs_off_every_member_that_gives_its_topic() {
        let placed = joins(
            &[
                "/api/v2/users/{user_id}",
                "/api/v2/teams/{team_id}/threads/{thread_id}/messages",
                "/api/v2/users/{user_id}/threads/{thread_id}",
                "/api/v2/teams/{team_id}/members/{user_id}",
            ],
            json!([
                channel(
                    "UserChannel",
                    &[("join_user", "user:{user_id}", &["user_id"])]
                ),
                channel(
                    "ThreadChannel",
                    &[("join_thread", "thread:{thread_id}", &["thread_id"])]
                ),
            ]),
        );
        assert_eq!(
            placed,
            [
                "team(team_id).thread(thread_id): channel -> ThreadChannel thread:{thread_id}",
                "user(user_id): channel -> UserChannel user:{user_id}",
                "user(user_id).thread(thread_id): channel -> ThreadChannel thread:{thread_id}",
            ]
        );
    }

    #[test]
    fn joins_are_named_after_their_channel_without_the_shared_words() {
        let placed = joins(
            &[
                "/api/v1/threads/{thread}",
                "/api/v1/kv/{key}",
                "/api/v1/agents/{agent}",
                "/api/v1/orgs/{ids}",
            ],
            json!([
                channel(
                    "ApiChatChannel",
                    &[
                        (
                            "join_user_thread",
                            "api:chat:user:thread:{thread_id}",
                            &["thread_id"]
                        ),
                        ("join_user_keyed", "api:chat:user:key:{key}", &["key"]),
                        (
                            "join_team_thread",
                            "api:chat:team:{team_id}:thread:{thread_id}",
                            &["team_id", "thread_id"]
                        ),
                        ("join_thread", "api:chat:thread:{thread_id}", &["thread_id"]),
                    ]
                ),
                channel(
                    "ApiTasksChannel",
                    &[(
                        "join_thread",
                        "api:tasks:thread:{thread_id}",
                        &["thread_id"]
                    )]
                ),
                channel(
                    "ApiActivityFeedChannel",
                    &[
                        (
                            "join_agent",
                            "api:activity_feed:agent:{agent_id}",
                            &["agent_id", "limit"]
                        ),
                        ("join_org", "api:activity_feed:org:{org_id}", &["org_id"]),
                    ]
                ),
            ]),
        );
        assert_eq!(
            placed,
            [
                "thread(thread): chat_channel -> ApiChatChannel api:chat:user:thread:{thread_id}",
                "thread(thread): chat_thread_channel -> ApiChatChannel api:chat:thread:{thread_id}",
                "thread(thread): tasks_channel -> ApiTasksChannel api:tasks:thread:{thread_id}",
            ]
        );
    }

    #[test]
    fn a_taken_name_is_a_resolution() {
        let doc = family_doc(
            &["/api/v1/threads/{thread}/channel"],
            json!([channel(
                "ThreadChannel",
                &[("join_thread", "thread:{thread_id}", &["thread_id"])]
            )]),
        );
        let family = Family::new("runtime", &doc).unwrap();
        let tree = Resources::new(&family);
        let names: Vec<&str> = tree
            .nodes
            .iter()
            .flat_map(|n| &n.channel_joins)
            .map(|j| j.name.as_str())
            .collect();
        assert_eq!(names, ["thread_channel"]);
        assert_eq!(tree.resolutions.len(), 1);
        assert_eq!(tree.resolutions[0].pointer, "#/x-channels/0/joins/0");
        assert!(
            tree.resolutions[0]
                .message
                .contains("`channel` is taken in `Thread`"),
            "{:?}",
            tree.resolutions
        );
    }
}
