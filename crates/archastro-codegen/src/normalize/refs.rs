//! `$ref` checks and reachability: every reference is local and resolves, no chain of
//! references loops without reaching a schema, and a family document keeps exactly the
//! components its paths reach.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::pointer;
use crate::{Error, Result};

/// Keywords whose values are data (examples, defaults, enum values), never references.
const DATA_KEYS: &[&str] = &["example", "default", "enum", "const"];

/// Maps whose keys are names chosen by the spec's author (a property called `default`, the
/// `default` response), not keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "responses",
    "schemas",
    "$defs",
];

/// True when `key`, found in a map that sits under `parent`, holds data rather than OpenAPI.
pub fn is_data_key(parent: Option<&str>, key: &str) -> bool {
    DATA_KEYS.contains(&key) && !parent.is_some_and(|p| NAME_MAPS.contains(&p))
}

/// Calls `f(pointer_of_holder, target)` for every `$ref` string under `value`.
pub fn for_each_ref(value: &Value, at: &mut String, f: &mut dyn FnMut(&str, &str)) {
    walk_refs(value, None, at, f);
}

fn walk_refs(value: &Value, parent: Option<&str>, at: &mut String, f: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::Object(map) => {
            let names = parent.is_some_and(|p| NAME_MAPS.contains(&p));
            if !names && let Some(Value::String(target)) = map.get("$ref") {
                f(at, target);
            }
            for (k, v) in map {
                if is_data_key(parent, k) {
                    continue;
                }
                let len = at.len();
                at.push('/');
                pointer::push_escaped(at, k);
                // Under a name map, each value is an object again, whose keys are keywords.
                walk_refs(v, if names { None } else { Some(k) }, at, f);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                walk_refs(v, None, at, f);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// Fails on the first external, dangling or cyclic `$ref`, naming where it is written.
pub fn check(file: &str, root: &Value) -> Result<()> {
    let mut found = Vec::new();
    for_each_ref(root, &mut String::from("#"), &mut |at, target| {
        found.push((at.to_owned(), target.to_owned()));
    });
    for (at, target) in found {
        if !target.starts_with("#/") {
            return Err(Error::invalid(
                file,
                &format!("{at}/$ref"),
                format!(
                    "external $ref `{target}` is not supported; only `#/...` pointers into this document"
                ),
            ));
        }
        let mut chain = vec![target.clone()];
        let mut current = target.clone();
        loop {
            let Some(value) = pointer::resolve(root, &current) else {
                return Err(Error::DanglingRef {
                    file: file.to_owned(),
                    pointer: format!("{at}/$ref"),
                    target: current,
                });
            };
            let Some(next) = value.get("$ref").and_then(Value::as_str) else {
                break;
            };
            if chain.iter().any(|c| c == next) {
                chain.push(next.to_owned());
                return Err(Error::RefCycle {
                    file: file.to_owned(),
                    pointer: format!("{at}/$ref"),
                    chain,
                });
            }
            chain.push(next.to_owned());
            current = next.to_owned();
        }
    }
    Ok(())
}

/// The `#/components/<kind>/<name>` pointers reachable from `start`, following references
/// through the components themselves.
pub fn reachable_components(root: &Value, start: &[&Value]) -> BTreeSet<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    let collect = |v: &Value, queue: &mut Vec<String>| {
        for_each_ref(v, &mut String::new(), &mut |_, target| {
            queue.push(target.to_owned())
        });
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
