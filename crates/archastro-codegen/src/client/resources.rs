//! A family's resources ([`Resources`]) in its module: one `resource!` (the client support's
//! macro) per resource, one line per method, in place of progenitor's flat per-tag extension
//! traits (`ClientTeamsExt`), which [`without_flat_methods`] takes out of progenitor's output
//! (their `prelude` with them); the builders' docs name the resource method instead. The
//! channel joins a resource gives the topic of are one `channel_joins!` per resource, calling
//! the facades of `channels.rs`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proc_macro2::{Literal, TokenStream, TokenTree};

use super::builders::mod_item_name;
use super::operation_builders::{builder_struct, fields};
use super::realtime::Realtime;
use crate::format::split_items;
use crate::model::{Family, Resources};
use crate::names::{
    client_setter_name, doc_comment, joined_brands, progenitor_method_name, str_lit, type_name,
};

/// The module of a family's file that holds the operations' builders.
const BUILDER_MODULE: &str = "builder";

/// Progenitor's output for `family` without the extension traits, their impls and the
/// `prelude` that re-exports them; each builder's doc names its resource method, and every
/// identifier holds brand names as one word ([`joined_brands`]: `x_archastro_signature`).
pub(super) fn without_flat_methods(
    tokens: TokenStream,
    family: &Family<'_>,
    tree: &Resources,
) -> TokenStream {
    let calls: BTreeMap<String, String> = family
        .operations
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let call = tree.call(i)?;
            Some((
                progenitor_method_name(op.id),
                format!("{}().{call}", family.name),
            ))
        })
        .collect();
    // Identifiers with a brand's split spelling come from parameter names (setters, fields and
    // the bindings of `send`); without one, only the builders' doc attributes are rewritten.
    let brands = family.operations.iter().any(|op| {
        op.parameters.iter().any(|p| {
            joined_brands(&progenitor_method_name(p.name)) != progenitor_method_name(p.name)
        })
    });
    let rewrite = BuilderRewrite {
        calls: &calls,
        brands,
    };
    split_items(tokens)
        .filter(|item| !is_flat_method_item(item))
        .flat_map(|item| match mod_item_name(&item).as_deref() {
            Some(BUILDER_MODULE) => rewrite.tokens(item.into_iter().collect(), 0),
            _ => item.into_iter().collect(),
        })
        .collect()
}

/// What [`rewrite_builders`](BuilderRewrite::tokens) changes in a builder module: the builders'
/// docs (by progenitor's method name, the resource call), and, when `brands`, identifiers.
struct BuilderRewrite<'c> {
    calls: &'c BTreeMap<String, String>,
    brands: bool,
}

/// `pub trait ClientXExt`, `impl ClientXExt for Client` or `pub mod prelude`.
fn is_flat_method_item(item: &[TokenTree]) -> bool {
    let idents: Vec<String> = item
        .iter()
        .filter_map(|t| match t {
            TokenTree::Ident(i) => Some(i.to_string()),
            _ => None,
        })
        .take(3)
        .collect();
    let ext = |name: &str| name.starts_with("Client") && name.ends_with("Ext");
    matches!(&idents[..], [p, t, name, ..] if p == "pub" && t == "trait" && ext(name))
        || matches!(&idents[..], [i, name, f, ..] if i == "impl" && ext(name) && f == "for")
        || mod_item_name(item).as_deref() == Some("prelude")
}

impl BuilderRewrite<'_> {
    /// `tokens` (the builder module, `depth` groups deep) with every `"Builder for
    /// [`ClientXExt::m`]..."` doc (or its several-tags form) naming `m`'s resource call, and brand names in identifiers as
    /// one word. Without brands, only the module's body and the attributes of its items are
    /// read: the docs are there, and function bodies hold neither.
    fn tokens(&self, tokens: TokenStream, depth: usize) -> TokenStream {
        tokens
            .into_iter()
            .map(|token| match token {
                TokenTree::Group(group) if self.enters(&group, depth) => {
                    let mut inner = proc_macro2::Group::new(
                        group.delimiter(),
                        self.tokens(group.stream(), depth + 1),
                    );
                    inner.set_span(group.span());
                    TokenTree::Group(inner)
                }
                TokenTree::Literal(literal) => {
                    let text = literal.to_string();
                    // One tag: "Builder for [`ClientXExt::m`]..."; several: "Builder for `m`
                    // operation\n\nSee [`ClientXExt::m`], [`ClientYExt::m`]...". Either links
                    // to extension traits, which are not generated.
                    let method = text
                        .strip_prefix("\"Builder for [`Client")
                        .and_then(|rest| rest.split_once("Ext::"))
                        .and_then(|(_, rest)| rest.split_once('`'))
                        .or_else(|| {
                            text.strip_prefix("\"Builder for `")
                                .and_then(|rest| rest.split_once("` operation"))
                        })
                        .map(|(method, _)| method);
                    match method {
                        Some(m) => TokenTree::Literal(Literal::string(&match self.calls.get(m) {
                            Some(call) => format!("Builder of `{call}`."),
                            None => format!("Builder of the `{m}` operation."),
                        })),
                        None => TokenTree::Literal(literal),
                    }
                }
                TokenTree::Ident(ident) if self.brands => {
                    let text = ident.to_string();
                    let joined = joined_brands(&text);
                    match joined == text {
                        true => TokenTree::Ident(ident),
                        false => TokenTree::Ident(proc_macro2::Ident::new(&joined, ident.span())),
                    }
                }
                other => other,
            })
            .collect()
    }

    /// Whether the rewrite looks inside `group`, met `depth` groups deep.
    fn enters(&self, group: &proc_macro2::Group, depth: usize) -> bool {
        self.brands
            || depth == 0
            || (depth == 1 && group.delimiter() == proc_macro2::Delimiter::Bracket)
    }
}

/// The type of every path parameter setter of every builder in `tokens` (a family's
/// progenitor output), by builder and setter name.
pub(super) fn builder_field_types(
    tokens: &TokenStream,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for item in split_items(tokens.clone()) {
        if mod_item_name(&item).as_deref() != Some(BUILDER_MODULE) {
            continue;
        }
        let Some(TokenTree::Group(body)) = item.last() else {
            continue;
        };
        for member in split_items(body.stream()) {
            let Some((_, name, body)) = builder_struct(&member) else {
                continue;
            };
            let Some(fields) = fields(body) else {
                continue;
            };
            out.insert(
                name.to_string(),
                fields
                    .into_iter()
                    .map(|f| (f.name.to_string(), f.ty.to_string()))
                    .collect(),
            );
        }
    }
    out
}

/// The `resource!` invocations of `family`'s resources, as the family file holds them, then
/// their channel joins ([`channel_joins_text`]).
pub(super) fn resources_text(
    family: &Family<'_>,
    tree: &Resources,
    field_types: &BTreeMap<String, BTreeMap<String, String>>,
    realtime: &Realtime,
) -> String {
    let mut out = String::from("use crate::support::resources::resource;\n");
    for (index, node) in tree.nodes.iter().enumerate() {
        if node.methods.is_empty() && node.children.is_empty() {
            continue;
        }
        out.push_str("resource! {\n");
        if index == 0 {
            out.push_str("    Client;\n");
        } else {
            doc_comment(&mut out, "    ", &resource_doc(family, tree, index));
            let fields: Vec<String> = tree
                .scope(index)
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        client_setter_name(p),
                        param_type(family, tree, index, p, field_types)
                    )
                })
                .collect();
            let fields = match fields.is_empty() {
                true => "{}".to_owned(),
                false => format!("{{ {} }}", fields.join(", ")),
            };
            let _ = writeln!(out, "    {} {fields}", node.type_name);
        }
        let held: Vec<String> = tree
            .scope(index)
            .iter()
            .map(|p| client_setter_name(p))
            .collect();
        for method in &node.methods {
            let op = &family.operations[method.operation];
            doc_comment(&mut out, "    ", &operation_doc(op));
            let _ = writeln!(
                out,
                "    fn {}() -> builder {}({});",
                method.name,
                type_name(op.id),
                held.join(", ")
            );
        }
        for &child in &node.children {
            let resource = &tree.nodes[child];
            let args: Vec<String> = resource
                .params
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        client_setter_name(p),
                        param_type(family, tree, child, p, field_types)
                    )
                })
                .collect();
            doc_comment(&mut out, "    ", &resource_doc(family, tree, child));
            let _ = writeln!(
                out,
                "    fn {}({}) -> resource {}({});",
                resource.accessor,
                args.join(", "),
                resource.type_name,
                held.join(", ")
            );
        }
        out.push_str("}\n");
    }
    out.push_str(&channel_joins_text(family, tree, realtime));
    out
}

/// One `channel_joins!` per resource with joins: each calls its facade's join (`channels.rs`)
/// with the params the resource's parameters give.
fn channel_joins_text(family: &Family<'_>, tree: &Resources, realtime: &Realtime) -> String {
    let mut out = String::new();
    for node in &tree.nodes {
        let joins: Vec<_> = node
            .channel_joins
            .iter()
            .filter_map(|join| {
                let channel = family.channels.get(join.channel)?;
                Some((join, realtime.facade_join(channel.name, join.join)?))
            })
            .collect();
        if joins.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str("use crate::support::resources::channel_joins;\n");
        }
        let _ = writeln!(out, "channel_joins! {{\n    {};", node.type_name);
        for (join, facade) in joins {
            let constructor = format!("{}::{}", facade.facade, facade.method);
            let given: Vec<String> = join
                .bindings
                .iter()
                .map(|(_, p)| format!("`{}`", client_setter_name(p)))
                .collect();
            doc_comment(
                &mut out,
                "    ",
                &format!(
                    "Joins `{}` with the resource's {} (the join's other params unset), as [`{constructor}`](crate::channels::{constructor}) does.",
                    facade.pattern,
                    given.join(", ")
                ),
            );
            let reply = facade.reply.map_or("::serde_json::Value".to_owned(), |r| {
                format!("crate::types::{r}")
            });
            let fields: Vec<String> = join
                .bindings
                .iter()
                .map(|(variable, param)| {
                    format!("{}: {}", str_lit(variable), client_setter_name(param))
                })
                .collect();
            let _ = writeln!(
                out,
                "    fn {}(socket: &crate::channels::Socket) -> (crate::channels::{}, {reply}) = crate::channels::{constructor} {{ {} }};",
                join.name,
                facade.facade,
                fields.join(", ")
            );
        }
        out.push_str("}\n");
    }
    out
}

/// A resource's doc: how it is reached.
fn resource_doc(family: &Family<'_>, tree: &Resources, node: usize) -> String {
    format!("`{}().{}`", family.name, tree.path_to(node))
}

/// An operation's doc: its summary (else its method and path).
fn operation_doc(op: &crate::model::Operation<'_>) -> String {
    let summary = op.summary.lines().next().unwrap_or_default().trim();
    match summary.is_empty() {
        true => format!("`{} {}`", op.method, op.path),
        false => format!("{summary} (`{} {}`)", op.method, op.path),
    }
}

/// The Rust type of path parameter `param` of resource `node`: its setter's type in the
/// builder of the first operation below the resource (a string when none says).
fn param_type(
    family: &Family<'_>,
    tree: &Resources,
    node: usize,
    param: &str,
    field_types: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let setter = client_setter_name(param);
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        for method in &tree.nodes[n].methods {
            let builder = type_name(family.operations[method.operation].id);
            if let Some(ty) = field_types.get(&builder).and_then(|f| f.get(&setter)) {
                return ty.replace(' ', "");
            }
        }
        pending.extend(tree.nodes[n].children.iter().rev());
    }
    "::std::string::String".to_owned()
}
