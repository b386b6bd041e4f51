//! The client's public API as a reviewer reads it, from the model: every family's resource
//! tree ([`Resources`]), each resource with the parameters it is entered with, each method
//! with the builder it returns and the builder's setters (the parameters the resources have not
//! set, then `body`), each channel join with its channel and topic. `tests/public_api.rs` snapshots it per spec, so that a change of the
//! Rust API shows in review as plainly as a change of the spec.

use std::fmt::Write as _;

use crate::model::{Api, Family, Resources};
use crate::names::{client_setter_name, module_name, type_name};

/// The public API of the client generated from `api`, one line per resource and method.
pub fn public_api(api: &Api<'_>) -> String {
    let mut out = String::new();
    for family in &api.families {
        let _ = writeln!(out, "{}()", module_name(family.name));
        let tree = family.resources();
        resource_lines(family, tree, 0, 1, &mut out);
    }
    out
}

/// The methods and children of resource `node`, indented by `depth`.
fn resource_lines(
    family: &Family<'_>,
    tree: &Resources,
    node: usize,
    depth: usize,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    let held = tree.scope(node);
    for method in &tree.nodes[node].methods {
        let op = &family.operations[method.operation];
        let mut setters: Vec<String> = op
            .parameters
            .iter()
            .filter(|p| !held.contains(&p.name))
            .map(|p| {
                let optional = if p.required { "" } else { "?" };
                format!("{}{optional}", p.setter)
            })
            .collect();
        if let Some(body) = &op.body {
            setters.push(if body.required { "body" } else { "body?" }.to_owned());
        }
        let setters = match setters.is_empty() {
            true => String::new(),
            false => format!(" {{ {} }}", setters.join(", ")),
        };
        let _ = writeln!(
            out,
            "{indent}.{}() -> {}{setters}  // {} {}",
            method.name,
            type_name(op.id),
            op.method,
            op.path
        );
    }
    for join in &tree.nodes[node].channel_joins {
        let channel = &family.channels[join.channel];
        let _ = writeln!(
            out,
            "{indent}.{}(socket) -> {}  // join {}",
            join.name, channel.name, channel.joins[join.join].pattern
        );
    }
    for &child in &tree.nodes[node].children {
        let resource = &tree.nodes[child];
        let args: Vec<String> = resource
            .params
            .iter()
            .map(|p| client_setter_name(p))
            .collect();
        let _ = writeln!(
            out,
            "{indent}.{}({}) -> {}",
            resource.accessor,
            args.join(", "),
            resource.type_name
        );
        resource_lines(family, tree, child, depth + 1, out);
    }
}
