//! The resource tree of a family, read off its paths: what the client's
//! `api.runtime().team(team_id).invites().create()` is made of.
//!
//! A path (without its meaningless prefix, `/protected/api/v2`, and without a first segment
//! that repeats the family's name) is walked segment by segment: a literal followed by parameters enters a
//! member (`teams/{team_id}` → `team(team_id)`, the parameters given there and nowhere
//! else), a literal followed by a literal is a namespace or collection (`teams` → `teams()`).
//! The last literal of a path is a resource of its own (its operations named by the standard
//! verbs `list`, `get`, `create`, `update`, `replace`, `delete`) when it is a collection (a
//! plural, or a parent of `{param}`), has paths below it, or holds several operations;
//! otherwise it is an action of the resource before it, named after the literal
//! (`installations/{id}/activate` → `installation(id).activate()`). A `POST` to a singular
//! literal is always an action (`auth/login` → `login()`); a namespace that shares an
//! action's name is folded into its parent (`login/link` → `login_link()`). `x-sdk-name`
//! names an operation inside the resource its path enters (`kv/{key}` + `upsert` →
//! `kv_entry(key).upsert()`). Array parameters name several members at once: the collection
//! that follows them takes them (`agents/{agent}/agent_tools` → `agents().agent_tools(agent)`).
//!
//! Names are claimed in path order in one [`Namespace`] per resource (and one for the
//! resources' type names); every name that had to change is a [`Resolution`].

use std::collections::{BTreeMap, BTreeSet};

mod joins;

pub use joins::ChannelJoin;

use super::{Family, Method, Operation};
use crate::names::{
    Case, GENERATED_TYPE_NAMES, Namespace, ascii_type_ident, client_setter_name, joined_type_name,
    rust_ident, sanitize_snake,
};
use crate::normalize::naming::singular;

/// A family's resources; [`Resources::nodes`]`[0]` is the family itself (its `Client`).
#[derive(Debug)]
pub struct Resources {
    pub nodes: Vec<Resource>,
    /// Every name that is not the one first wanted, in the order it was claimed.
    pub resolutions: Vec<Resolution>,
    /// Where each operation of the family is: its resource and its index among its methods.
    placed: Vec<(usize, usize)>,
}

/// One resource: a namespace, a collection or a member.
#[derive(Debug)]
pub struct Resource {
    /// The Rust type (`TeamInvites`); the family root's is `Client`.
    pub type_name: String,
    pub parent: Option<usize>,
    /// The method of the parent that enters it (`invites`, `team`); empty for the root.
    pub accessor: String,
    /// The path parameters it is entered with (their spec names), in path order.
    pub params: Vec<String>,
    pub children: Vec<usize>,
    pub methods: Vec<ResourceMethod>,
    /// The channel joins whose topic its path parameters give ([`joins`]).
    pub channel_joins: Vec<ChannelJoin>,
    /// What one member is called (`thread` for `threads/{thread_id}`), before any collision
    /// was resolved; empty for a namespace or a collection.
    noun: String,
    /// What each of `params` holds ([`shape`]).
    shapes: Vec<String>,
}

/// An operation as a method of its resource.
#[derive(Debug)]
pub struct ResourceMethod {
    pub name: String,
    /// The index of the operation in its family.
    pub operation: usize,
}

/// A name that was taken and what was used instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The operation (or, for a resource, its first operation) it was claimed for.
    pub pointer: String,
    pub message: String,
}

/// A type name the family module already holds (progenitor's imports and its client), beside
/// the names its code uses unqualified ([`GENERATED_TYPE_NAMES`]).
const TAKEN_TYPE_NAMES: &[&str] = &[
    "Client",
    "Error",
    "ByteStream",
    "ClientInfo",
    "ClientHooks",
    "OperationInfo",
    "RequestBuilderExt",
    "ResponseValue",
];

/// Method names a resource cannot take: the methods of the traits it implements or users
/// call on any value (a resource is `Clone` and `Debug`), the root's constructors, and the
/// resource macro's own helper.
const TAKEN_METHOD_NAMES: &[&str] = &[
    "borrow",
    "clone",
    "clone_from",
    "eq",
    "fmt",
    "from",
    "into",
    "new",
    "new_with_client",
    "resource_client",
    "to_owned",
    "to_string",
    "try_from",
    "try_into",
    "type_id",
];

/// Method names the root resource (the family's `Client`) cannot take besides: the methods of
/// progenitor's `ClientInfo` and `ClientHooks` that the client's code calls on it (an
/// inherent method of the same name would be called instead).
const ROOT_TAKEN_METHOD_NAMES: &[&str] = &[
    "api_version",
    "baseurl",
    "client",
    "exec",
    "inner",
    "post",
    "pre",
];

/// One step from a resource to its child, before names are claimed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Step {
    /// The literal segment (empty for a member entered by parameters alone).
    literal: String,
    /// The parameters it binds (empty for a namespace).
    params: Vec<String>,
    /// What the parameters hold ([`shape`]): operations that type a parameter differently
    /// (an array of ids here, one id there) enter different resources.
    shapes: Vec<String>,
    /// A collection narrowed by the array parameters of the member before it
    /// ([`narrow_array_members`]): named by its literal as it is, not by its singular.
    narrowed: bool,
}

/// A child about to be added: its parent, its step and the next literal of the path.
struct Entering<'s> {
    parent: usize,
    step: &'s Step,
    next: Option<&'s String>,
}

/// Where an operation goes and the name it wants there.
struct Placement {
    steps: Vec<Step>,
    method: String,
}

impl Resources {
    /// The resources of `family`.
    pub fn new(family: &Family<'_>) -> Resources {
        let relative: Vec<Vec<Segment>> = family
            .operations
            .iter()
            .map(|op| segments(op.path, family.name))
            .collect();
        let layout = Layout::new(&family.operations, &relative);
        let mut tree = Resources {
            nodes: vec![Resource {
                type_name: "Client".into(),
                parent: None,
                accessor: String::new(),
                params: Vec::new(),
                children: Vec::new(),
                methods: Vec::new(),
                channel_joins: Vec::new(),
                noun: String::new(),
                shapes: Vec::new(),
            }],
            resolutions: Vec::new(),
            placed: Vec::with_capacity(family.operations.len()),
        };
        let mut keys: BTreeMap<(usize, Step), usize> = BTreeMap::new();
        let root_taken = TAKEN_METHOD_NAMES.iter().chain(ROOT_TAKEN_METHOD_NAMES);
        let mut method_names: Vec<Namespace> = vec![Namespace::with_taken(Case::Value, root_taken)];
        let mut type_names = Namespace::with_taken(Case::Type, TAKEN_TYPE_NAMES);
        for name in GENERATED_TYPE_NAMES {
            type_names.reserve(name);
        }
        for (index, op) in family.operations.iter().enumerate() {
            let placement = layout.place(family, op, &relative[index]);
            let mut node = 0;
            let literals: Vec<String> = placement.steps.iter().map(|s| s.literal.clone()).collect();
            for (depth, step) in placement.steps.into_iter().enumerate() {
                node = match keys.get(&(node, step.clone())) {
                    Some(&child) => child,
                    None => {
                        let next = literals[depth + 1..].iter().find(|l| !l.is_empty());
                        let entering = Entering {
                            parent: node,
                            step: &step,
                            next,
                        };
                        let child = tree.enter(entering, op, &mut method_names, &mut type_names);
                        keys.insert((node, step), child);
                        child
                    }
                };
            }
            let wanted = rust_ident(&placement.method);
            let last_word = relative[index]
                .iter()
                .rev()
                .find_map(Segment::literal)
                .unwrap_or("operation");
            let name = method_names[node].claim_or(&wanted, || {
                // `clone` on `config/system/{system}/clone`: the resource's word, not `clone_clone`.
                let word = match sanitize_snake(last_word) == wanted {
                    true => tree.nodes[node].accessor.clone(),
                    false => sanitize_snake(last_word),
                };
                let word = if word.is_empty() {
                    sanitize_snake(family.name)
                } else {
                    word
                };
                rust_ident(&format!("{wanted}_{word}"))
            });
            if name != wanted {
                tree.resolved(
                    op,
                    format!(
                        "`{wanted}` is taken in `{}`; using `{name}`",
                        tree.nodes[node].type_name
                    ),
                );
            }
            tree.placed.push((node, tree.nodes[node].methods.len()));
            tree.nodes[node].methods.push(ResourceMethod {
                name,
                operation: index,
            });
        }
        joins::place(&mut tree, family, &mut method_names);
        tree
    }

    /// Adds the child `step` of `parent`, its accessor and type name claimed.
    fn enter(
        &mut self,
        Entering { parent, step, next }: Entering<'_>,
        op: &Operation<'_>,
        method_names: &mut Vec<Namespace>,
        type_names: &mut Namespace,
    ) -> usize {
        let literal = sanitize_snake(&step.literal);
        let wanted = match (
            step.params.is_empty() || step.narrowed,
            step.literal.is_empty(),
        ) {
            (true, _) => literal.clone(),
            (false, false) => singular(&literal),
            (false, true) => param_stem(&step.params[0]),
        };
        let wanted = rust_ident(&wanted);
        let noun = match step.params.is_empty() || step.narrowed {
            true => String::new(),
            false => wanted.clone(),
        };
        let second = match step.shapes.iter().any(|s| s.starts_with("array:")) {
            true => "list",
            false => "entry",
        };
        let mut accessor =
            method_names[parent].claim_or(&wanted, || rust_ident(&format!("{wanted}_{second}")));
        if let Some(next) =
            next.filter(|_| accessor != wanted && accessor.ends_with(|c: char| c.is_ascii_digit()))
        {
            // A third resource of that name: named after what follows it.
            accessor = method_names[parent].claim(&rust_ident(&format!(
                "{wanted}_{second}_for_{}",
                sanitize_snake(next)
            )));
        }
        if accessor != wanted {
            self.resolved(
                op,
                format!(
                    "`{wanted}` is taken in `{}`; using `{accessor}`",
                    self.nodes[parent].type_name
                ),
            );
        }
        let parent_type = &self.nodes[parent].type_name;
        let own = ascii_type_ident(&accessor);
        let preferred = if parent == 0 {
            own.clone()
        } else {
            joined_type_name(parent_type, &own)
        };
        let type_name = type_names.claim_or(&preferred, || format!("{own}Of{parent_type}"));
        if type_name != preferred {
            self.resolved(
                op,
                format!("type `{preferred}` is taken; using `{type_name}`"),
            );
        }
        let child = self.nodes.len();
        self.nodes.push(Resource {
            type_name,
            parent: Some(parent),
            accessor,
            params: step.params.clone(),
            children: Vec::new(),
            methods: Vec::new(),
            channel_joins: Vec::new(),
            noun,
            shapes: step.shapes.clone(),
        });
        self.nodes[parent].children.push(child);
        method_names.push(Namespace::with_taken(Case::Value, TAKEN_METHOD_NAMES));
        child
    }

    fn resolved(&mut self, op: &Operation<'_>, message: String) {
        self.resolutions.push(Resolution {
            pointer: op.pointer.clone(),
            message: format!("{} {}: {message}", op.method, op.path),
        });
    }

    /// The resources from the root to `node`, both included.
    pub fn chain(&self, node: usize) -> Vec<usize> {
        let mut chain = vec![node];
        while let Some(parent) = self.nodes[*chain.last().expect("non-empty")].parent {
            chain.push(parent);
        }
        chain.reverse();
        chain
    }

    /// The parameters a resource holds: those of every resource on the way to it, in order.
    pub fn scope(&self, node: usize) -> Vec<&str> {
        self.chain(node)
            .into_iter()
            .flat_map(|n| self.nodes[n].params.iter().map(String::as_str))
            .collect()
    }

    /// The resource and method of operation `index`.
    pub fn method_of(&self, index: usize) -> Option<(usize, &ResourceMethod)> {
        let &(node, at) = self.placed.get(index)?;
        Some((node, &self.nodes[node].methods[at]))
    }

    /// How a user reaches resource `node` from its family (`team(team_id).invites()`).
    pub fn path_to(&self, node: usize) -> String {
        let mut parts = Vec::new();
        let mut at = node;
        while let Some(parent) = self.nodes[at].parent {
            let resource = &self.nodes[at];
            let args: Vec<String> = resource
                .params
                .iter()
                .map(|p| client_setter_name(p))
                .collect();
            parts.push(format!("{}({})", resource.accessor, args.join(", ")));
            at = parent;
        }
        parts.reverse();
        parts.join(".")
    }

    /// The call of operation `index` from its family (`team(team_id).invites().create()`).
    pub fn call(&self, index: usize) -> Option<String> {
        let (node, method) = self.method_of(index)?;
        let path = self.path_to(node);
        Some(match path.is_empty() {
            true => format!("{}()", method.name),
            false => format!("{path}.{}()", method.name),
        })
    }
}

/// A path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl Segment {
    fn literal(&self) -> Option<&str> {
        match self {
            Segment::Literal(l) => Some(l),
            Segment::Param(_) => None,
        }
    }
}

/// The segments of a path without its meaningless prefix (the leading literals up to its
/// last `api` or version: `/protected/api/v2`) and without a first literal that repeats the
/// family's name (`developer`).
fn segments(path: &str, family: &str) -> Vec<Segment> {
    let mut segments: Vec<Segment> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .flat_map(segment_parts)
        .collect();
    let meaningless = |s: &Segment| match s {
        Segment::Literal(l) => {
            l == "api"
                || (l.len() > 1 && l.starts_with('v') && l[1..].chars().all(|c| c.is_ascii_digit()))
        }
        Segment::Param(_) => false,
    };
    let literals = segments
        .iter()
        .take_while(|s| s.literal().is_some())
        .count();
    let lead = segments[..literals]
        .iter()
        .rposition(meaningless)
        .map_or(0, |i| i + 1);
    segments.drain(..lead);
    if segments.len() > 1
        && let Some(Segment::Literal(first)) = segments.first()
        && sanitize_snake(first) == sanitize_snake(family)
        && matches!(segments.get(1), Some(Segment::Literal(_)))
    {
        segments.remove(0);
    }
    segments
}

/// One path segment as segments: a literal, or one parameter per template variable it holds
/// (`{base}...{head}` is two, the text between them not part of any name).
fn segment_parts(segment: &str) -> Vec<Segment> {
    if !segment.contains('{') {
        return vec![Segment::Literal(segment.to_owned())];
    }
    segment
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}'))
        .map(|(name, _)| Segment::Param(name.to_owned()))
        .collect()
}

/// What is known of every path of a family: which literal paths are resources.
struct Layout {
    /// Literal-ending paths (segments joined with `/`) that are resources of their own.
    resources: BTreeSet<String>,
    /// Literal-ending paths with operations that are actions of the resource before them.
    actions: BTreeSet<String>,
    /// Paths with a `{param}` right below them.
    collections: BTreeSet<String>,
    /// The methods of each path.
    methods: BTreeMap<String, Vec<Method>>,
}

fn key(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.clone(),
            Segment::Param(p) => format!("{{{p}}}"),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a literal is a plural (`teams`, `sandboxes`).
fn is_plural(literal: &str) -> bool {
    let snake = sanitize_snake(literal);
    singular(&snake) != snake
}

impl Layout {
    fn new(operations: &[Operation<'_>], relative: &[Vec<Segment>]) -> Layout {
        let mut methods: BTreeMap<String, Vec<Method>> = BTreeMap::new();
        let mut parents = BTreeSet::new();
        let mut collections = BTreeSet::new();
        for (op, segments) in operations.iter().zip(relative) {
            methods.entry(key(segments)).or_default().push(op.method);
            for end in 1..segments.len() {
                parents.insert(key(&segments[..end]));
                if matches!(segments[end], Segment::Param(_)) {
                    collections.insert(key(&segments[..end]));
                }
            }
        }
        let (mut resources, mut actions) = (BTreeSet::new(), BTreeSet::new());
        for segments in relative {
            let Some(Segment::Literal(last)) = segments.last() else {
                continue;
            };
            let path = key(segments);
            let on_path = &methods[&path];
            // A POST to a singular literal is an action even with paths below it
            // (`auth/login` beside `auth/login/link`).
            let resource = is_plural(last)
                || collections.contains(&path)
                || on_path.len() > 1
                || (parents.contains(&path) && on_path[..] != [Method::Post]);
            match resource {
                true => resources.insert(path),
                false => actions.insert(path),
            };
        }
        Layout {
            resources,
            actions,
            collections,
            methods,
        }
    }

    /// Where `op` goes and the name it wants there.
    fn place(&self, family: &Family<'_>, op: &Operation<'_>, segments: &[Segment]) -> Placement {
        let mut steps = Vec::new();
        let mut prefix = String::new();
        let mut i = 0;
        let end = match (op.sdk_name, segments.last()) {
            // `x-sdk-name` names the method inside the resource its path enters.
            (Some(_), Some(Segment::Literal(_))) => last_member_end(segments),
            _ => segments.len(),
        };
        let last_literal = (end == segments.len())
            .then(|| segments.last().and_then(Segment::literal))
            .flatten();
        let final_at = last_literal.map(|_| segments.len() - 1);
        // A variable that stands twice in the path (one parameter) is held once, by the first
        // resource it stands in.
        let mut held: Vec<String> = Vec::new();
        let mut new_params = |params: Vec<String>| -> Vec<String> {
            let params: Vec<String> = params
                .into_iter()
                .filter(|p| !held.contains(p))
                .collect();
            held.extend(params.iter().cloned());
            params
        };
        while i < end && Some(i) != final_at {
            let params: Vec<String> = segments[i + 1..]
                .iter()
                .map_while(|s| match s {
                    Segment::Param(p) => Some(p.clone()),
                    Segment::Literal(_) => None,
                })
                .collect();
            match &segments[i] {
                Segment::Literal(literal) if params.is_empty() => {
                    let path = key(&segments[..=i]);
                    if self.actions.contains(&path) && !has_param_after(segments, i) {
                        // A namespace that shares an action's name is folded into its parent.
                        prefix.push_str(&sanitize_snake(literal));
                        prefix.push('_');
                    } else {
                        steps.push(Step {
                            literal: format!("{prefix}{literal}"),
                            params,
                            shapes: Vec::new(),
                            narrowed: false,
                        });
                        prefix.clear();
                    }
                    i += 1;
                }
                Segment::Literal(literal) => {
                    i += 1 + params.len();
                    let params = new_params(params);
                    steps.push(Step {
                        literal: format!("{prefix}{literal}"),
                        shapes: shapes(family, op, &params),
                        params,
                        narrowed: false,
                    });
                    prefix.clear();
                }
                Segment::Param(_) => {
                    let params: Vec<String> = segments[i..]
                        .iter()
                        .map_while(|s| match s {
                            Segment::Param(p) => Some(p.clone()),
                            Segment::Literal(_) => None,
                        })
                        .collect();
                    i += params.len();
                    let params = new_params(params);
                    if params.is_empty() {
                        continue;
                    }
                    steps.push(Step {
                        literal: String::new(),
                        shapes: shapes(family, op, &params),
                        params,
                        narrowed: false,
                    });
                }
            }
        }
        let method = match (op.sdk_name, last_literal) {
            (Some(sdk), _) => sanitize_snake(sdk),
            (None, Some(last)) => {
                let path = key(segments);
                if self.resources.contains(&path) {
                    steps.push(Step {
                        literal: format!("{prefix}{last}"),
                        params: Vec::new(),
                        shapes: Vec::new(),
                        narrowed: false,
                    });
                    self.standard_verb(op, segments)
                } else {
                    action_name(op.method, &format!("{prefix}{}", sanitize_snake(last)))
                }
            }
            (None, None) => self.standard_verb(op, segments),
        };
        narrow_array_members(&mut steps);
        Placement { steps, method }
    }

    /// The standard verb of `op` on the resource its path names: `list` a collection, `get`
    /// anything else, `create` in a collection (a `POST` to a member: its id's verb,
    /// `receive`), `update` (`replace` for a `PUT` beside a `PATCH`), `delete`.
    fn standard_verb(&self, op: &Operation<'_>, segments: &[Segment]) -> String {
        let path = key(segments);
        let member = matches!(segments.last(), Some(Segment::Param(_)));
        let listed = !member
            && (self.collections.contains(&path)
                || segments
                    .last()
                    .and_then(Segment::literal)
                    .is_some_and(is_plural));
        let beside_patch = self
            .methods
            .get(&path)
            .is_some_and(|m| m.contains(&Method::Patch));
        match op.method {
            Method::Get if listed => "list".into(),
            Method::Get => "get".into(),
            Method::Post if member => op.id.split('_').next().unwrap_or("create").into(),
            Method::Post => "create".into(),
            Method::Put if beside_patch => "replace".into(),
            Method::Put | Method::Patch => "update".into(),
            Method::Delete => "delete".into(),
            Method::Head => "check".into(),
            Method::Options => "options".into(),
            Method::Trace => "trace".into(),
        }
    }
}

/// What each of `params` holds in `op` ([`shape`]).
fn shapes(family: &Family<'_>, op: &Operation<'_>, params: &[String]) -> Vec<String> {
    params
        .iter()
        .map(|name| {
            op.parameters_in(super::Location::Path)
                .find(|p| p.name == name)
                .and_then(|p| p.schema)
                .map(|schema| shape(family, schema))
                .unwrap_or_default()
        })
        .collect()
}

/// What a parameter's schema makes of it in Rust, as text: its type and format
/// (`string:uuid`), an array's items after `array:`, and for a component its name after the
/// component's shape (`array:string:@ListAgentToolsAgent`). Descriptions and examples do not
/// count.
fn shape(family: &Family<'_>, schema: &serde_json::Value) -> String {
    if let Some(name) = super::ref_name(schema) {
        let inner = family
            .component(name)
            .filter(|c| c.get("$ref").is_none())
            .map(|c| shape(family, c))
            .unwrap_or_default();
        return format!("{inner}@{name}");
    }
    let text = |key: &str| {
        schema
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    };
    match schema.get("items") {
        Some(items) => format!("{}:{}", text("type"), shape(family, items)),
        None => format!("{}:{}", text("type"), text("format")),
    }
}

/// A member entered by array parameters names several members at once: when a collection
/// follows it, the collection takes the parameters and the literal before them is the plain
/// collection (`agents/{agent}/agent_tools`, `agent` an array: `agents().agent_tools(agent)`,
/// the agent tools of these agents, beside `agent(agent)` of one agent).
fn narrow_array_members(steps: &mut [Step]) {
    for at in 1..steps.len() {
        let (before, rest) = steps.split_at_mut(at);
        let (member, next) = (&mut before[at - 1], &mut rest[0]);
        let array = member.shapes.iter().any(|s| s.starts_with("array:"));
        if array && !member.literal.is_empty() && next.params.is_empty() && is_plural(&next.literal)
        {
            next.params = std::mem::take(&mut member.params);
            next.shapes = std::mem::take(&mut member.shapes);
            next.narrowed = true;
        }
    }
}

/// Whether a parameter follows segment `i` anywhere later in `segments`.
fn has_param_after(segments: &[Segment], i: usize) -> bool {
    segments[i + 1..]
        .iter()
        .any(|s| matches!(s, Segment::Param(_)))
}

/// Where the resource of the last member ends (after its parameters), or 0 (the family
/// itself) for a path without parameters: `POST /auth/verify/link` named `verify_magic_link`
/// is `verify_magic_link()`, not `verify().verify_magic_link()`.
fn last_member_end(segments: &[Segment]) -> usize {
    segments
        .iter()
        .rposition(|s| matches!(s, Segment::Param(_)))
        .map_or(0, |i| i + 1)
}

/// The name of an action: the literal (`activate`, `export`, `leave`); replacing or
/// updating it says so (`update_profile`).
fn action_name(method: Method, literal: &str) -> String {
    match method {
        Method::Put | Method::Patch => format!("update_{literal}"),
        _ => literal.to_owned(),
    }
}

/// The name a member entered by a parameter alone takes from it (`app_id` → `app`).
fn param_stem(param: &str) -> String {
    let snake = sanitize_snake(param);
    snake
        .strip_suffix("_id")
        .filter(|s| !s.is_empty())
        .map_or(snake.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A family document with an operation per `(method, path, id)` (and `x-sdk-name`).
    fn doc(operations: &[(&str, &str, &str, Option<&str>)]) -> Value {
        let mut paths = serde_json::Map::new();
        for (method, path, id, sdk) in operations {
            let parameters: Vec<Value> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .map(|name| json!({"name": name, "in": "path", "schema": {"type": "string"}}))
                .collect();
            let mut op = json!({"operationId": id, "parameters": parameters});
            if let Some(sdk) = sdk {
                op["x-sdk-name"] = json!(sdk);
            }
            let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
            item[*method] = op;
        }
        json!({"paths": paths})
    }

    /// Every operation's call, by id.
    fn calls(
        family: &str,
        operations: &[(&str, &str, &str, Option<&str>)],
    ) -> Vec<(String, String)> {
        let doc = doc(operations);
        let family = Family::new(family, &doc).unwrap();
        let tree = Resources::new(&family);
        family
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op.id.to_owned(), tree.call(i).unwrap()))
            .collect()
    }

    fn call<'c>(calls: &'c [(String, String)], id: &str) -> &'c str {
        &calls.iter().find(|(i, _)| i == id).unwrap().1
    }

    #[test]
    fn collections_members_and_standard_verbs() {
        let calls = calls(
            "runtime",
            &[
                ("get", "/api/v2/teams", "list_teams", None),
                ("post", "/api/v2/teams", "create_team", None),
                ("get", "/api/v2/teams/{team_id}", "get_team", None),
                ("put", "/api/v2/teams/{team_id}", "replace_team", None),
                ("patch", "/api/v2/teams/{team_id}", "update_team", None),
                ("delete", "/api/v2/teams/{team_id}", "delete_team", None),
                ("post", "/api/v2/teams/{team_id}/invites", "invite", None),
                (
                    "patch",
                    "/api/v2/teams/{team_id}/members/{user_id}",
                    "update_member",
                    None,
                ),
            ],
        );
        assert_eq!(call(&calls, "list_teams"), "teams().list()");
        assert_eq!(call(&calls, "create_team"), "teams().create()");
        assert_eq!(call(&calls, "get_team"), "team(team_id).get()");
        assert_eq!(call(&calls, "replace_team"), "team(team_id).replace()");
        assert_eq!(call(&calls, "update_team"), "team(team_id).update()");
        assert_eq!(call(&calls, "delete_team"), "team(team_id).delete()");
        assert_eq!(call(&calls, "invite"), "team(team_id).invites().create()");
        assert_eq!(
            call(&calls, "update_member"),
            "team(team_id).member(user_id).update()"
        );
    }

    #[test]
    fn actions_take_their_verb_from_the_path() {
        let calls = calls(
            "developer",
            &[
                (
                    "post",
                    "/protected/api/v2/developer/apps/{app_id}/routines/{routine_id}/activate",
                    "a",
                    None,
                ),
                (
                    "get",
                    "/protected/api/v2/developer/apps/{app_id}/export",
                    "b",
                    None,
                ),
                (
                    "put",
                    "/protected/api/v2/developer/apps/{app_id}/profile",
                    "c",
                    None,
                ),
                (
                    "post",
                    "/protected/api/v2/developer/apps/{app_id}/agents/{agent_id}",
                    "receive_agent",
                    None,
                ),
            ],
        );
        assert_eq!(
            call(&calls, "a"),
            "app(app_id).routine(routine_id).activate()"
        );
        assert_eq!(call(&calls, "b"), "app(app_id).export()");
        assert_eq!(call(&calls, "c"), "app(app_id).update_profile()");
        assert_eq!(
            call(&calls, "receive_agent"),
            "app(app_id).agent(agent_id).receive()"
        );
    }

    #[test]
    fn a_post_to_a_singular_literal_is_an_action_and_its_sub_paths_fold_into_its_parent() {
        let calls = calls(
            "auth",
            &[
                ("post", "/api/v2/auth/login", "login", None),
                ("post", "/api/v2/auth/login/link", "link", None),
                ("post", "/oauth/device/authorize", "authorize", None),
            ],
        );
        assert_eq!(call(&calls, "login"), "login()");
        assert_eq!(call(&calls, "link"), "login_link()");
        assert_eq!(call(&calls, "authorize"), "oauth().device().authorize()");
    }

    #[test]
    fn x_sdk_name_names_the_method_inside_its_resource() {
        let operations = [
            ("get", "/api/v1/kv", "list_kv", None),
            ("put", "/api/v1/kv/{key}", "upsert", Some("upsert")),
            (
                "post",
                "/api/v1/auth/login/link",
                "request_login_magic_link",
                Some("request_login_magic_link"),
            ),
        ];
        let calls = calls("runtime", &operations);
        assert_eq!(call(&calls, "list_kv"), "kv().list()");
        assert_eq!(call(&calls, "upsert"), "kv_entry(key).upsert()");
        assert_eq!(
            call(&calls, "request_login_magic_link"),
            "request_login_magic_link()"
        );
        let doc = doc(&operations);
        let family = Family::new("runtime", &doc).unwrap();
        let tree = Resources::new(&family);
        assert_eq!(tree.resolutions.len(), 1, "{:?}", tree.resolutions);
        assert!(
            tree.resolutions[0]
                .message
                .contains("`kv` is taken in `Client`; using `kv_entry`")
        );
        assert_eq!(
            tree.resolutions[0].pointer,
            "#/paths/~1api~1v1~1kv~1{key}/put"
        );
    }

    #[test]
    fn resources_hold_every_parameter_on_the_way_and_their_types_say_the_seam_once() {
        let operations = [
            (
                "get",
                "/api/agents/{agent}/agent_tools",
                "list_agent_tools",
                None,
            ),
            (
                "get",
                "/webhooks/{app_id}/{provider_or_key}",
                "get_webhook",
                None,
            ),
        ];
        let doc = doc(&operations);
        let family = Family::new("runtime", &doc).unwrap();
        let tree = Resources::new(&family);
        let (node, method) = tree.method_of(0).unwrap();
        assert_eq!(method.name, "list");
        assert_eq!(tree.nodes[node].type_name, "AgentTools");
        assert_eq!(tree.scope(node), ["agent"]);
        assert_eq!(
            tree.call(1).unwrap(),
            "webhook(app_id, provider_or_key).get()"
        );
    }

    #[test]
    fn an_array_parameter_narrows_the_collection_that_follows_it() {
        let path_param = |schema: Value| json!([{"name": "agent", "in": "path", "schema": schema}]);
        let ids = json!({"type": "array", "items": {"type": "string"}});
        let doc = json!({"paths": {
            "/api/v1/agents": {"get": {"operationId": "list_agents"}},
            "/api/v1/agents/{agent}": {"get": {"operationId": "get_agent", "parameters": path_param(json!({"type": "string"}))}},
            "/api/v1/agents/{agent}/agent_tools": {
                "get": {"operationId": "list_agent_tools", "parameters": path_param(ids.clone())},
                "post": {"operationId": "create_agent_tool", "parameters": path_param(json!({"type": "string"}))}
            },
            "/api/v1/agents/{agent}/agent_computers": {"get": {"operationId": "list_agent_computers", "parameters": path_param(ids)}}
        }});
        let family = Family::new("runtime", &doc).unwrap();
        let tree = Resources::new(&family);
        let calls: Vec<String> = (0..family.operations.len())
            .map(|i| tree.call(i).unwrap())
            .collect();
        assert_eq!(
            calls,
            [
                "agents().list()",
                "agent(agent).get()",
                "agents().agent_computers(agent).list()",
                "agents().agent_tools(agent).list()",
                "agent(agent).agent_tools().create()",
            ]
        );
        assert!(tree.resolutions.is_empty(), "{:?}", tree.resolutions);
        let (node, _) = tree.method_of(2).unwrap();
        assert_eq!(tree.nodes[node].type_name, "AgentsAgentComputers");
    }
}
