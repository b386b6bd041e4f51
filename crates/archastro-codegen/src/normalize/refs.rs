//! `$ref` checks and reachability: every reference is local and resolves, no chain of
//! references loops without reaching a schema, a reference into a component's inside is made
//! a component of its own, and a family document keeps exactly the components its paths reach.

use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::pointer;
use crate::report::Report;
use crate::{Error, Result};

/// Keywords whose values are data (examples, defaults, enum values), never references.
const DATA_KEYS: &[&str] = &["example", "default", "enum", "const"];

/// Maps whose keys are names chosen by the spec's author (a property called `default`, the
/// `default` response, a header called `example`), not keywords; for arrays, lists of objects
/// keyed so.
const NAME_MAPS: &[&str] = &[
    "$defs",
    "callbacks",
    "content",
    "definitions",
    "encoding",
    "examples",
    "headers",
    "links",
    "mapping",
    "parameters",
    "paths",
    "patternProperties",
    "properties",
    "requestBodies",
    "responses",
    "schemas",
    "scopes",
    "securitySchemes",
    "variables",
];

/// True when `key`, found in a map that sits under `parent`, holds data rather than OpenAPI.
pub fn is_data_key(parent: Option<&str>, key: &str) -> bool {
    DATA_KEYS.contains(&key) && !is_name_map(parent)
}

/// True when `key`, found in a map that sits under `parent`, holds data or Example objects
/// (`examples`): nothing under it is a schema, nor a text the generated code carries. Unlike
/// [`is_data_key`], for walks that look for schemas or docs; an Example object may hold a
/// `$ref`, which the reference checks still follow. Under a map of names (`properties`, ...)
/// a key is a name, whatever it is spelled: a property called `examples` is a schema.
pub fn is_example_or_data_key(parent: Option<&str>, key: &str) -> bool {
    (DATA_KEYS.contains(&key) || key == "examples") && !is_name_map(parent)
}

/// Whether the keys of a map under `parent` are names chosen by the spec's author.
pub fn is_name_map(parent: Option<&str>) -> bool {
    parent.is_some_and(|p| NAME_MAPS.contains(&p))
}

/// The parent [`walk_refs`] gives the members of an `examples` map: Example objects.
const EXAMPLE_OBJECT: &str = "$example-object";

/// True when `key` (holding `value`, in a map under `parent`) holds example data that is not
/// one of [`DATA_KEYS`]: an Example object's `value`, or a schema's `examples` array (JSON
/// Schema's, as OpenAPI 3.1 writes it). A `$ref` in there is data, not a reference: it may
/// even name another file (GitHub's `ghec.json`).
fn is_example_data(parent: Option<&str>, key: &str, value: &Value) -> bool {
    match (parent, key) {
        (Some(EXAMPLE_OBJECT), "value") => true,
        (_, "examples") => value.is_array() && !is_name_map(parent),
        _ => false,
    }
}

/// Calls `f(pointer_of_holder, target)` for every `$ref` string under `value`.
pub fn for_each_ref(value: &Value, at: &mut String, f: &mut dyn FnMut(&str, &str)) {
    walk_refs(value, None, Some(at), f);
}

/// Calls `f(target)` for every `$ref` string under `value` (no pointers built: the cheap walk
/// for callers that only need the targets).
pub fn for_each_ref_target(value: &Value, f: &mut dyn FnMut(&str)) {
    walk_refs(value, None, None, &mut |_, target| f(target));
}

/// The walk of [`for_each_ref`]; `at` is the pointer of `value`, tracked only when given.
fn walk_refs(
    value: &Value,
    parent: Option<&str>,
    mut at: Option<&mut String>,
    f: &mut dyn FnMut(&str, &str),
) {
    match value {
        Value::Object(map) => {
            let names = parent.is_some_and(|p| NAME_MAPS.contains(&p));
            if !names && let Some(Value::String(target)) = map.get("$ref") {
                f(at.as_deref().map_or("", String::as_str), target);
            }
            for (k, v) in map {
                if is_data_key(parent, k) || is_example_data(parent, k, v) {
                    continue;
                }
                // Under a name map, each value is an object again, whose keys are keywords
                // (an Example object's among them, when the map is `examples`).
                let child_parent = match (names, parent) {
                    (true, Some("examples")) => Some(EXAMPLE_OBJECT),
                    (true, _) => None,
                    (false, _) => Some(k.as_str()),
                };
                match at.as_deref_mut() {
                    Some(at) => {
                        let len = at.len();
                        at.push('/');
                        pointer::push_escaped(at, k);
                        walk_refs(v, child_parent, Some(at), f);
                        at.truncate(len);
                    }
                    None => walk_refs(v, child_parent, None, f),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                match at.as_deref_mut() {
                    Some(at) => {
                        let len = at.len();
                        let _ = write!(at, "/{i}");
                        walk_refs(v, None, Some(at), f);
                        at.truncate(len);
                    }
                    None => walk_refs(v, None, None, f),
                }
            }
        }
        _ => {}
    }
}

/// Fails on the first external, dangling or cyclic `$ref`, naming where it is written. Each
/// distinct target is checked once, in the order the walk first meets it; the pointer of the
/// `$ref` that holds a bad target is only looked for once one is found. Returns the distinct
/// targets, in that order.
pub fn check(file: &str, root: &Value) -> Result<Vec<String>> {
    let mut targets: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for_each_ref_target(root, &mut |target| {
        if !seen.contains(target) {
            seen.insert(target.to_owned());
            targets.push(target.to_owned());
        }
    });
    let mut good = HashSet::new();
    for target in &targets {
        if let Err(problem) = check_target(root, target, &mut good) {
            let mut holder = None;
            for_each_ref(root, &mut String::from("#"), &mut |at, t| {
                if holder.is_none() && t == target.as_str() {
                    holder = Some(format!("{at}/$ref"));
                }
            });
            let pointer = holder.unwrap_or_else(|| "#".to_owned());
            return Err(match problem {
                Problem::External => Error::invalid(
                    file,
                    &pointer,
                    format!(
                        "external $ref `{target}` is not supported; only `#/...` pointers into this document"
                    ),
                ),
                Problem::Dangling(target) => Error::DanglingRef {
                    file: file.to_owned(),
                    pointer,
                    target,
                },
                Problem::Cycle(chain) => Error::RefCycle {
                    file: file.to_owned(),
                    pointer,
                    chain,
                },
            });
        }
    }
    Ok(targets)
}

/// What is wrong with a `$ref` target.
enum Problem {
    External,
    /// The first pointer of the chain that resolves to nothing.
    Dangling(String),
    /// The chain of targets, ending with the one seen before.
    Cycle(Vec<String>),
}

/// Follows `target` through pure references to a value that is not one. `good` holds the
/// targets already known to end well: a chain stops at the first of them, and all of its
/// targets join them, so that every target is followed once (a chain of n references costs
/// n steps, not n squared).
fn check_target(
    root: &Value,
    target: &str,
    good: &mut HashSet<String>,
) -> std::result::Result<(), Problem> {
    if !target.starts_with("#/") {
        return Err(Problem::External);
    }
    let mut chain = vec![target.to_owned()];
    let mut on_chain: HashSet<&str> = HashSet::from([target]);
    let mut current = target;
    loop {
        if good.contains(current) {
            break;
        }
        let Some(value) = pointer::resolve(root, current) else {
            return Err(Problem::Dangling(current.to_owned()));
        };
        let Some(next) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        chain.push(next.to_owned());
        if !on_chain.insert(next) {
            return Err(Problem::Cycle(chain));
        }
        current = next;
    }
    good.extend(chain);
    Ok(())
}

/// Longest chain of component schemas that are only a `$ref` to the next one that the
/// generated code keeps as it is: typify walks a chain of newtypes once per link (a chain of
/// n costs n squared), so longer chains are cut short.
pub const MAX_ALIAS_CHAIN: usize = 16;

/// Points every component schema that is only a `$ref` to another one, more than
/// [`MAX_ALIAS_CHAIN`] links from the schema its chain ends at, straight at that schema (a
/// warning names the first and counts them). Runs after [`check`]: chains end.
pub fn shorten_alias_chains(root: &mut Value, report: &mut Report) {
    const PREFIX: &str = "#/components/schemas/";
    let Some(schemas) = root
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let alias_of = |schema: &Value| -> Option<String> {
        let target = schema.get("$ref")?.as_str()?;
        target.strip_prefix(PREFIX).map(pointer::unescape)
    };
    // For each alias: its links to the chain's end, and the end's name.
    let mut ends: std::collections::HashMap<String, (usize, String)> =
        std::collections::HashMap::new();
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in &names {
        let mut path = Vec::new();
        let mut current = name.clone();
        let (mut links, mut end) = loop {
            if let Some((links, end)) = ends.get(&current) {
                break (*links, end.clone());
            }
            match schemas.get(&current).and_then(alias_of) {
                Some(next) if schemas.contains_key(&next) && path.len() <= names.len() => {
                    path.push(current);
                    current = next;
                }
                _ => break (0, current),
            }
        };
        for link in path.into_iter().rev() {
            links += 1;
            ends.insert(link, (links, end.clone()));
        }
        end.clear();
    }
    let mut shortened: Vec<&String> = names
        .iter()
        .filter(|n| {
            ends.get(*n)
                .is_some_and(|(links, _)| *links > MAX_ALIAS_CHAIN)
        })
        .collect();
    shortened.sort();
    let Some(first) = shortened.first() else {
        return;
    };
    report.warn(
        "ref-chain-shortened",
        pointer::from_tokens(["components", "schemas", first.as_str()]),
        format!(
            "{} component schemas more than {MAX_ALIAS_CHAIN} `$ref` links from a schema now refer to it directly",
            shortened.len()
        ),
    );
    for name in shortened {
        let end = &ends[name].1;
        if let Some(schema) = schemas.get_mut(name) {
            schema["$ref"] = Value::String(format!("{PREFIX}{}", pointer::escape(end)));
        }
    }
}

/// Writes every `$ref` whose fragment is percent-encoded (`#/paths/~1a~1%7Bid%7D/get`) as
/// the plain pointer it stands for (`#/paths/~1a~1{id}/get`), with a note per target:
/// progenitor looks references up as written. Runs after [`check`] (the targets resolve) and
/// returns `targets` so written.
pub fn decode_percent_encoded(
    root: &mut Value,
    report: &mut Report,
    targets: Vec<String>,
) -> Vec<String> {
    let encoded: BTreeSet<String> = targets
        .iter()
        .filter(|t| pointer::decode_fragment(t) != **t)
        .cloned()
        .collect();
    if encoded.is_empty() {
        return targets;
    }
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get_mut("$ref")
                    && target.contains('%')
                {
                    *target = pointer::decode_fragment(target);
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(root);
    for target in &encoded {
        let decoded = pointer::decode_fragment(target);
        report.info(
            "ref-percent-decoded",
            decoded.clone(),
            format!("`$ref: {target}` written without its percent-encoding"),
        );
    }
    let mut seen = HashSet::new();
    targets
        .iter()
        .map(|t| pointer::decode_fragment(t))
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// Makes every target of a `$ref` that points inside a component (`#/components/schemas/
/// Shape/oneOf/0`) or at a schema inside an operation (`#/paths/~1a/get/responses/200/
/// content/application~1json/schema/items`) a schema component of its own, a copy named after
/// the pointer (`ShapeOneOf0`, `AGet200Items`), and points those references at it, with a
/// warning: progenitor and typify only resolve references to whole components (they panic on
/// the others). A target that refers to itself ends up referring to the new component. Runs
/// after [`check`], on the targets it returned (those of `root`); returns whether it changed
/// anything.
pub fn componentize_inner_targets(root: &mut Value, report: &mut Report, all: &[String]) -> bool {
    let mut targets = BTreeSet::new();
    for target in all {
        let decoded = pointer::decode_fragment(target);
        // A schema inside a component: inside a schema component, or under a `schema` of
        // another kind (`#/components/parameters/P/schema`); not an example's data.
        let inner = decoded.strip_prefix("#/components/").is_some_and(|rest| {
            rest.split('/').count() > 2
                && (rest.starts_with("schemas/") || rest.split('/').any(|token| token == "schema"))
        });
        let operation_schema =
            decoded.starts_with("#/paths/") && decoded.split('/').any(|token| token == "schema");
        if inner || operation_schema {
            targets.insert(target.as_str());
        }
    }
    let changed = !targets.is_empty();
    for target in targets {
        let Some(copy) = pointer::resolve(root, target).cloned() else {
            continue;
        };
        let name = inner_target_name(root, target);
        let place = if target.starts_with("#/paths/") {
            "inside an operation"
        } else {
            "inside a component"
        };
        let to = pointer::from_tokens(["components", "schemas", name.as_str()]);
        rewrite_refs(root, target, &to);
        let mut copy = copy;
        rewrite_refs(&mut copy, target, &to);
        let components = root.as_object_mut().and_then(|r| {
            r.entry("components")
                .or_insert_with(|| Value::Object(Default::default()))
                .as_object_mut()
        });
        if let Some(Value::Object(schemas)) = components.map(|c| {
            c.entry("schemas")
                .or_insert_with(|| Value::Object(Default::default()))
        }) {
            schemas.insert(name.clone(), copy);
        }
        report.warn(
            "ref-into-component",
            target,
            format!("`$ref`s to `{target}`, {place}, now point at a copy: `{to}`"),
        );
    }
    changed
}

/// A schema component name for the inner target `#/components/<kind>/<name>/<rest...>`: the
/// pointer's tokens, alphanumeric only, each capitalized, unused in the document. For a target
/// in an operation, `#/paths/<path>/<method>/.../schema/<rest...>`: the path's last segment
/// that is not a variable, the method, the status of a response, then the tokens after
/// `schema`.
fn inner_target_name(root: &Value, target: &str) -> String {
    let fragment = pointer::decode_fragment(target);
    let tokens: Vec<&str> = match fragment.strip_prefix("#/paths/") {
        Some(rest) => operation_schema_tokens(rest),
        None => fragment
            .trim_start_matches("#/components/")
            .split('/')
            .skip(1)
            .collect(),
    };
    let mut base = String::new();
    for token in tokens {
        let clean: String = pointer::unescape(token)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let mut chars = clean.chars();
        if let Some(first) = chars.next() {
            base.push(first.to_ascii_uppercase());
            base.extend(chars);
        }
    }
    let taken = |name: &str| {
        root.get("components")
            .and_then(|c| c.get("schemas"))
            .is_some_and(|s| s.get(name).is_some())
    };
    let mut name = base.clone();
    let mut n = 2;
    while name.is_empty() || taken(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

/// The tokens naming a schema in an operation (`rest` is its pointer after `#/paths/`): the
/// last segment of the path, the method, a response's status, the tokens after `schema`.
fn operation_schema_tokens(rest: &str) -> Vec<&str> {
    let tokens: Vec<&str> = rest.split('/').collect();
    let path = tokens.first().copied().unwrap_or_default();
    let last_segment = path
        .rsplit("~1")
        .find(|s| !s.is_empty() && !s.starts_with('{'))
        .unwrap_or_default();
    let mut out = vec![last_segment];
    out.extend(tokens.get(1).copied());
    if tokens.get(2) == Some(&"responses") {
        out.extend(tokens.get(3).copied());
    }
    if let Some(schema) = tokens.iter().position(|t| *t == "schema") {
        out.extend(&tokens[schema + 1..]);
    }
    out
}

/// The `#/components/<kind>/<name>` pointers reachable from `start`, following references
/// through the components themselves.
pub fn reachable_components(root: &Value, start: &[&Value]) -> BTreeSet<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    let collect = |v: &Value, queue: &mut Vec<String>| {
        for_each_ref_target(v, &mut |target| queue.push(target.to_owned()));
    };
    for v in start {
        collect(v, &mut queue);
    }
    while let Some(target) = queue.pop() {
        let Some(rest) = target.strip_prefix("#/components/") else {
            continue;
        };
        let mut parts = rest.splitn(3, '/');
        let (Some(kind), Some(name)) = (parts.next(), parts.next()) else {
            continue;
        };
        let key = (pointer::unescape(kind), pointer::unescape(name));
        if seen.insert(key.clone())
            && let Some(component) = root
                .get("components")
                .and_then(|c| c.get(&key.0))
                .and_then(|c| c.get(&key.1))
        {
            collect(component, &mut queue);
        }
    }
    seen
}

/// What a `$ref` target that is not a schema is, by where it sits: a parameter, a header, a
/// response or a request body (`#/components/parameters/P`, `#/paths/~1a/get/responses/200`).
fn non_schema_kind(target: &str) -> Option<&'static str> {
    let tokens: Vec<String> = target
        .strip_prefix("#/")?
        .split('/')
        .map(pointer::unescape)
        .collect();
    let kind = |collection: &str| match collection {
        "parameters" => Some("a parameter"),
        "headers" => Some("a header"),
        "responses" => Some("a response"),
        "requestBodies" => Some("a request body"),
        _ => None,
    };
    match tokens.as_slice() {
        [components, collection, _] if components == "components" => kind(collection),
        [paths, _, rest @ ..] if paths == "paths" => match rest {
            [collection, _] | [_, collection, _] if collection == "parameters" => {
                Some("a parameter")
            }
            [_, collection, _] if collection == "responses" => Some("a response"),
            [_, body] if body == "requestBody" => Some("a request body"),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the `$ref` held at `holder` (a pointer) stands where a schema goes: under a
/// `schema`, or in a schema component.
fn in_schema_place(holder: &str) -> bool {
    let mut tokens = holder.trim_start_matches('#').split('/').skip(1);
    let first_two = (tokens.next(), tokens.next());
    first_two == (Some("components"), Some("schemas"))
        || holder.split('/').any(|token| token == "schema")
}

/// A `$ref` where a schema goes that names a parameter, a header, a response or a request
/// body (enode.io's array items name a parameter, rumble.run's response schema a response)
/// names that object's schema instead: a parameter's or header's `schema`, the first media
/// type's of a response or body with content; with none, the reference goes (any value).
/// Each with a warning. `targets` (every `$ref` target) gains the new targets, which
/// [`componentize_inner_targets`] makes components like any other schema inside a path or a
/// component.
pub fn point_schema_refs_at_schemas(
    root: &mut Value,
    report: &mut Report,
    mut targets: Vec<String>,
) -> Vec<String> {
    if !targets.iter().any(|t| non_schema_kind(t).is_some()) {
        return targets;
    }
    let mut misplaced = Vec::new();
    for_each_ref(root, &mut String::from("#"), &mut |holder, target| {
        if in_schema_place(holder)
            && let Some(kind) = non_schema_kind(target)
        {
            misplaced.push((holder.to_owned(), target.to_owned(), kind));
        }
    });
    for (holder, target, kind) in misplaced {
        let object = pointer::resolve(root, &target);
        let content_schema = object
            .and_then(|o| o.get("content"))
            .and_then(Value::as_object)
            .and_then(|content| {
                let media = content
                    .keys()
                    .find(|m| m.as_str() == "application/json")
                    .or_else(|| {
                        content
                            .keys()
                            .find(|m| content[m.as_str()].get("schema").is_some())
                    })?;
                content[media.as_str()].get("schema")?;
                Some(format!(
                    "{target}/content/{}/schema",
                    pointer::escape(media)
                ))
            });
        let schema = match object.and_then(|o| o.get("schema")) {
            Some(_) => Some(format!("{target}/schema")),
            None => content_schema,
        }
        // Not the holder itself (a parameter whose schema names the parameter).
        .filter(|schema| *schema != holder);
        let Some(Value::Object(map)) = pointer::get_mut(root, holder.trim_start_matches('#'))
        else {
            continue;
        };
        let message = match &schema {
            Some(schema) => {
                map.insert("$ref".into(), Value::String(schema.clone()));
                if !targets.contains(schema) {
                    targets.push(schema.clone());
                }
                format!(
                    "`$ref: {target}` names {kind}, not a schema: its schema `{schema}` is used"
                )
            }
            None => {
                map.remove("$ref");
                format!("`$ref: {target}` names {kind} without a schema, not a schema: any value")
            }
        };
        report.warn("schema-ref-not-a-schema", holder, message);
    }
    targets
}

/// Path items and callbacks that are `$ref`s (OpenAPI allows both; the OpenAPI model the
/// generators read, `openapiv3`, reads neither): each is replaced by a copy of what it names,
/// with an `info` entry. A path item's other members (3.1's `summary`, `description`) stay
/// beside the copy's where the copy has none. Chains are followed (`refs::check` has ruled out
/// cycles); a reference that names no object stays for the later checks to refuse.
pub fn inline_path_item_and_callback_refs(root: &mut Value, report: &mut Report) {
    /// What `target` names, through a chain of such references.
    fn resolved(root: &Value, target: &str) -> Option<Value> {
        let mut value = pointer::resolve(root, target)?;
        for _ in 0..MAX_ALIAS_CHAIN {
            match value.get("$ref").and_then(Value::as_str) {
                Some(next) => value = pointer::resolve(root, next)?,
                None => return value.is_object().then(|| value.clone()),
            }
        }
        None
    }
    let mut replacements: Vec<(String, String)> = Vec::new();
    let path_items = root
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (path, item) in path_items {
        let item_at = pointer::from_tokens(["paths", path.as_str()]);
        if let Some(target) = item.get("$ref").and_then(Value::as_str) {
            replacements.push((item_at.clone(), target.to_owned()));
        }
        for (method, operation) in item.as_object().into_iter().flatten() {
            let callbacks = operation.get("callbacks").and_then(Value::as_object);
            for (name, callback) in callbacks.into_iter().flatten() {
                if let Some(target) = callback.get("$ref").and_then(Value::as_str) {
                    let at = pointer::from_tokens(["paths", path, method, "callbacks", name]);
                    replacements.push((at, target.to_owned()));
                }
            }
        }
    }
    let component_callbacks = root
        .pointer("/components/callbacks")
        .and_then(Value::as_object);
    for (name, callback) in component_callbacks.into_iter().flatten() {
        if let Some(target) = callback.get("$ref").and_then(Value::as_str) {
            let at = pointer::from_tokens(["components", "callbacks", name]);
            replacements.push((at, target.to_owned()));
        }
    }
    for (at, target) in replacements {
        let Some(Value::Object(copy)) = resolved(root, &target) else {
            continue;
        };
        let Some(Value::Object(holder)) = pointer::get_mut(root, at.trim_start_matches('#')) else {
            continue;
        };
        holder.remove("$ref");
        for (key, value) in copy {
            holder.entry(key).or_insert(value);
        }
        report.info(
            "ref-inlined",
            at,
            format!("`$ref: {target}` replaced by a copy of what it names (the OpenAPI model the generators read takes no reference here)"),
        );
    }
}

/// Rewrites every `$ref` equal to `from` into `to`.
pub fn rewrite_refs(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && (target == from
                    || pointer::decode_fragment(target) == pointer::decode_fragment(from))
            {
                *target = to.to_owned();
            }
            for v in map.values_mut() {
                rewrite_refs(v, from, to);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, from, to)),
        _ => {}
    }
}

/// The deepest chain of `allOf` references the generator takes: typify merges every level of a
/// chain into every schema below it, in time that grows with the cube of the depth and in
/// stack that grows with it (a chain of 1,000 took 69 s, one of 3,000 overflowed the stack).
/// The deepest in 2,639 real specs (APIs.guru) is 8.
pub const MAX_ALL_OF_DEPTH: usize = 64;

/// Refuses a component schema whose chain of `allOf` references (through inline `allOf`
/// parts too) is deeper than [`MAX_ALL_OF_DEPTH`], naming the component that starts the
/// deepest chain. A loop counts once (loops are another pass's to report).
pub fn check_all_of_depth(file: &str, root: &Value) -> Result<()> {
    let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let names: Vec<&String> = schemas.keys().collect();
    let index = |name: &str| names.binary_search_by(|n| n.as_str().cmp(name)).ok();
    let parents: Vec<Vec<usize>> = names
        .iter()
        .map(|name| {
            let mut found = Vec::new();
            all_of_refs(&schemas[name.as_str()], &mut |target| {
                if let Some(i) = target
                    .strip_prefix("#/components/schemas/")
                    .and_then(|name| index(&pointer::unescape(name)))
                {
                    found.push(i);
                }
            });
            found
        })
        .collect();
    // Depth of each schema's chain and the next link on it, without recursion (a hostile chain
    // is as deep as it likes): 0 unseen, 1 on the stack, 2 done.
    let mut depth = vec![0usize; names.len()];
    let mut next: Vec<Option<usize>> = vec![None; names.len()];
    let mut state = vec![0u8; names.len()];
    for start in 0..names.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some((node, child)) = stack.last_mut() {
            let node = *node;
            if let Some(&parent) = parents[node].get(*child) {
                *child += 1;
                if state[parent] == 0 {
                    state[parent] = 1;
                    stack.push((parent, 0));
                }
                continue;
            }
            let deepest = parents[node]
                .iter()
                .filter(|p| state[**p] == 2)
                .max_by_key(|p| (depth[**p], std::cmp::Reverse(**p)));
            depth[node] = 1 + deepest.map_or(0, |p| depth[*p]);
            next[node] = deepest.copied();
            state[node] = 2;
            stack.pop();
        }
    }
    let Some(deepest) = (0..names.len()).max_by_key(|i| (depth[*i], std::cmp::Reverse(*i))) else {
        return Ok(());
    };
    if depth[deepest] <= MAX_ALL_OF_DEPTH {
        return Ok(());
    }
    let mut chain = vec![names[deepest].as_str()];
    let mut at = deepest;
    while let (Some(n), true) = (next[at], chain.len() < 4) {
        chain.push(names[n].as_str());
        at = n;
    }
    Err(Error::invalid(
        file,
        &pointer::from_tokens(["components", "schemas", names[deepest].as_str()]),
        format!(
            "a chain of `allOf` references {} schemas deep ({} → …), deeper than {MAX_ALL_OF_DEPTH}: typify merges every level into every schema below it, in time and stack that grow with the depth",
            depth[deepest],
            chain.join(" → ")
        ),
    ))
}

/// Calls `f` with the target of each `$ref` among `schema`'s `allOf` parts, and among those of
/// its inline parts' `allOf`s.
fn all_of_refs(schema: &Value, f: &mut dyn FnMut(&str)) {
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match part.get("$ref").and_then(Value::as_str) {
            Some(target) => f(target),
            None => all_of_refs(part, f),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A document whose component `S0` refers to `S1`, ... up to `S{links}`, an object.
    fn chain(links: usize) -> Value {
        let mut schemas = serde_json::Map::new();
        for i in 0..links {
            schemas.insert(
                format!("S{i}"),
                json!({"$ref": format!("#/components/schemas/S{}", i + 1)}),
            );
        }
        schemas.insert(format!("S{links}"), json!({"type": "object"}));
        json!({"components": {"schemas": schemas}})
    }

    /// A `$ref` in data is no reference; one in an object named like a data keyword (a
    /// header, a component parameter, a property or an example called `example`, `default`,
    /// `enum`) is, and is checked.
    #[test]
    fn references_under_names_spelled_like_data_are_checked() {
        let dangling = json!({"$ref": "#/components/schemas/Missing"});
        let names = [
            json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
                "headers": {"example": {"schema": dangling}}}}}}}}),
            json!({"components": {"parameters": {"default": {"name": "d", "in": "query",
                "schema": dangling}}}}),
            json!({"components": {"schemas": {"A": {"properties": {"enum": dangling}}}}}),
            // GitHub's specs name a media type's one example `default`, by reference.
            json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
                "content": {"application/json": {"examples": {"default":
                    {"$ref": "#/components/examples/missing"}}}}}}}}}}),
        ];
        for root in names {
            let error = check("spec.json", &root).expect_err("a dangling reference");
            assert!(
                matches!(error, Error::DanglingRef { .. }),
                "{root}: {error}"
            );
        }
        let data = json!({"components": {"schemas": {"A": {"type": "object",
            "example": dangling, "default": {"$ref": "x"}, "enum": [dangling]}}}});
        assert_eq!(check("spec.json", &data).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn example_values_are_data_even_when_they_hold_a_ref() {
        // An Example object's `value` and a schema's `examples` array are data; the Example
        // object itself may be a reference, which is followed.
        let root = json!({"paths": {"/a": {"get": {"responses": {"200": {"description": "d",
            "content": {"application/json": {
                "schema": {"type": "object", "examples": [{"$ref": "other.yaml"}]},
                "examples": {
                    "inline": {"value": [{"stats": {"$ref": "stats.yaml"}}]},
                    "shared": {"$ref": "#/components/examples/Shared"}}}}}}}}},
            "components": {"examples": {"Shared": {"summary": "s",
                "value": {"$ref": "#/nowhere"}}},
                "schemas": {"B": {"properties": {"examples": {"$ref": "#/components/schemas/C"},
                    "value": {"$ref": "#/components/schemas/C"}}},
                    "C": {"type": "string"}}}});
        assert_eq!(
            check("spec.json", &root).unwrap(),
            ["#/components/schemas/C", "#/components/examples/Shared"]
        );
    }

    #[test]
    fn only_schemas_inside_components_become_components() {
        let mut root = json!({
            "paths": {},
            "components": {
                "schemas": {"A": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": "string"}}},
                "examples": {
                    "One": {"value": {"kind": "x"}},
                    "Many": {"value": {"$ref": "#/components/examples/One/value"}}
                },
                "responses": {"R": {"description": "r", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/A/oneOf/0"}}}}},
                "headers": {"H": {"schema": {"$ref": "#/components/parameters/P/schema"}}}
            }
        });
        let targets = check("spec.json", &root).unwrap();
        let mut report = Report::default();
        assert!(componentize_inner_targets(&mut root, &mut report, &targets));
        let mut names: Vec<&String> = root["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        names.sort();
        assert_eq!(names, ["A", "AOneOf0", "PSchema"]);
        assert_eq!(
            root["components"]["examples"]["Many"]["value"]["$ref"],
            "#/components/examples/One/value"
        );
    }

    #[test]
    fn short_alias_chains_are_kept() {
        let mut root = chain(MAX_ALIAS_CHAIN);
        let before = root.clone();
        let mut report = Report::default();
        shorten_alias_chains(&mut root, &mut report);
        assert_eq!(root, before);
        assert!(report.entries.is_empty());
    }

    #[test]
    fn long_alias_chains_point_at_their_end() {
        let links = MAX_ALIAS_CHAIN + 5;
        let mut root = chain(links);
        let mut report = Report::default();
        shorten_alias_chains(&mut root, &mut report);
        let target = |i: usize| root["components"]["schemas"][format!("S{i}")]["$ref"].clone();
        let end = json!(format!("#/components/schemas/S{links}"));
        for i in 0..5 {
            assert_eq!(target(i), end, "S{i}");
        }
        assert_eq!(target(5), json!("#/components/schemas/S6"));
        assert_eq!(report.entries.len(), 1);
        assert_eq!(report.entries[0].pointer, "#/components/schemas/S0");
        check("spec.json", &root).unwrap();
    }

    /// Each target is followed once: a chain of 20,000 references is checked at once.
    #[test]
    fn a_long_chain_is_checked_in_linear_time() {
        let root = chain(20_000);
        let started = std::time::Instant::now();
        check("spec.json", &root).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    /// The depth follows `allOf` references through inline parts, counts a loop once, and
    /// names the component that starts the deepest chain.
    #[test]
    fn all_of_chains_deeper_than_the_limit_are_refused() {
        let chain = |n: usize, inline: bool| {
            let mut schemas = serde_json::Map::new();
            for i in 0..n {
                let part = json!({"$ref": format!("#/components/schemas/C{:03}", i + 1)});
                let part = if inline {
                    json!({"allOf": [part]})
                } else {
                    part
                };
                schemas.insert(format!("C{i:03}"), json!({"allOf": [part]}));
            }
            schemas.insert(
                format!("C{n:03}"),
                json!({"allOf": [{"$ref": "#/components/schemas/C000"}]}),
            );
            json!({"components": {"schemas": schemas}})
        };
        check_all_of_depth("spec.json", &chain(MAX_ALL_OF_DEPTH - 1, false)).unwrap();
        for inline in [false, true] {
            let err = check_all_of_depth("spec.json", &chain(MAX_ALL_OF_DEPTH + 5, inline))
                .unwrap_err()
                .to_string();
            assert!(err.contains("#/components/schemas/C000: "), "{err}");
            assert!(
                err.contains("70 schemas deep (C000 → C001 → C002 → C003 → …)"),
                "{err}"
            );
        }
    }
}
