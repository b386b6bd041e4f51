//! `surface.rs` of the realtime scenario runner, written for the client generated from one
//! spec: a sweep of each channel facade (join every topic pattern, send every message,
//! receive every push the channel declares) and of each streaming operation (every event it
//! declares, an error status, a cut connection, each `error` event), run by the checks of
//! `tests/realtime/runner/sweep.rs`. Params are examples built from the spec's schemas.
//!
//! What a facade is called, and what its join and message methods are called, is read from the
//! client's `channels.rs` (each method's topic pattern or event is the first string literal of
//! its body); what they declare comes from the model, matched by pattern and event. A stream's
//! request is the contract crate's ([`contract::example_request`]). Every channel join, message
//! and push, and every streaming operation of the model, is swept or the generation fails: a
//! spec the client does not expose fully cannot pass.

use std::fmt::Write as _;

use archastro_codegen::contract;
use archastro_codegen::model::{Api, Channel, Family, Resources, example};
use archastro_codegen::names::{progenitor_method_name, rust_ident, str_lit, type_name};
use proc_macro2::TokenTree;
use quote::ToTokens as _;
use serde_json::Value;

/// A channel facade of `channels.rs`: its type and its async methods that take params.
struct Facade {
    ident: String,
    joins: Vec<Method>,
    messages: Vec<Method>,
}

/// A facade method and the topic pattern (joins) or event (messages) it sends.
struct Method {
    ident: String,
    literal: String,
}

/// The facades of the client's `channels.rs`.
fn facades(channels_rs: &str) -> Vec<Facade> {
    let file = syn::parse_file(channels_rs).expect("the generated channels.rs parses");
    let structs: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else { continue };
        let syn::Type::Path(ty) = &*block.self_ty else { continue };
        let Some(ident) = ty.path.get_ident().map(ToString::to_string) else { continue };
        if block.trait_.is_some() || !structs.contains(&ident) {
            continue;
        }
        let mut facade = Facade { ident, joins: Vec::new(), messages: Vec::new() };
        for item in &block.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let takes_params = f.sig.inputs.iter().any(|input| {
                matches!(input, syn::FnArg::Typed(t) if t.pat.to_token_stream().to_string() == "params")
            });
            if f.sig.asyncness.is_none() || !takes_params {
                continue;
            }
            let method = Method {
                ident: f.sig.ident.to_string(),
                literal: first_string(f.block.to_token_stream()).expect("a facade method sends a literal topic or event"),
            };
            match f.sig.receiver() {
                Some(_) => facade.messages.push(method),
                None => facade.joins.push(method),
            }
        }
        out.push(facade);
    }
    out
}

/// The first string literal of `tokens`, depth first.
fn first_string(tokens: proc_macro2::TokenStream) -> Option<String> {
    tokens.into_iter().find_map(|tree| match tree {
        TokenTree::Group(group) => first_string(group.stream()),
        TokenTree::Literal(literal) => syn::parse2::<syn::LitStr>(literal.into_token_stream()).ok().map(|s| s.value()),
        _ => None,
    })
}

/// The example of `schema` (none: an empty object) as a Rust string literal of its JSON.
fn example_literal(family: &Family<'_>, schema: Option<&Value>) -> String {
    let value = schema.map_or_else(|| serde_json::json!({}), |s| example(family.doc, s, 0));
    str_lit(&value.to_string())
}

/// Every channel of the model with the first family that lists it (the client has one facade
/// per channel name), in declaration order.
fn channels<'m>(api: &'m Api<'_>) -> Vec<(&'m Family<'m>, &'m Channel<'m>)> {
    let mut out: Vec<(&Family<'_>, &Channel<'_>)> = Vec::new();
    for family in &api.families {
        for channel in &family.channels {
            if !out.iter().any(|(_, c)| c.name == channel.name) {
                out.push((family, channel));
            }
        }
    }
    out
}

/// The channel of the spec that `facade` is generated from (found by its first topic pattern)
/// with its family; the facade has a method for each of its joins and messages, in order.
fn declared<'m>(api: &'m Api<'_>, facade: &Facade) -> (&'m Family<'m>, &'m Channel<'m>) {
    let first = facade.joins.first().unwrap_or_else(|| panic!("{} has no join", facade.ident));
    let (family, channel) = channels(api)
        .into_iter()
        .find(|(_, c)| c.joins.iter().any(|j| j.pattern == first.literal))
        .unwrap_or_else(|| panic!("no channel of the spec joins `{}`", first.literal));
    let literals = |methods: &[Method]| methods.iter().map(|m| m.literal.clone()).collect::<Vec<_>>();
    let patterns: Vec<String> = channel.joins.iter().map(|j| j.pattern.to_owned()).collect();
    assert_eq!(literals(&facade.joins), patterns, "the joins of {}", facade.ident);
    let events: Vec<String> = channel.messages.iter().map(|m| m.event.to_owned()).collect();
    assert_eq!(literals(&facade.messages), events, "the messages of {}", facade.ident);
    (family, channel)
}

/// Joins `pattern` with the example params; the last join of a sweep keeps its channel for the
/// messages and pushes, the others leave.
fn join_block(ident: &str, method: &Method, pattern: &str, json: &str, last: bool, out: &mut String) {
    let what = str_lit(&format!("{ident}::{}", method.ident));
    let _ = write!(
        out,
        "{binding}{{\n\
         let sent = crate::sweep::params({what}, {json})?;\n\
         let (channel, _reply) = {ident}::{m}(&socket, &sent).await.map_err(|e| format!(\"{{}}: {{e}}\", {what}))?;\n\
         crate::sweep::joined(h, channel.topic(), {pattern}, &sent).await?;\n\
         {end}\n}};\n",
        binding = if last { "let channel = " } else { "" },
        m = method.ident,
        pattern = str_lit(pattern),
        end = if last { "channel" } else { "channel.leave().await.map_err(|e| format!(\"leave: {e}\"))?;" },
    );
}

/// Sends the message `event` with the example params; its reply decodes, and the harness saw
/// the params as sent.
fn message_block(ident: &str, method: &Method, event: &str, json: &str, out: &mut String) {
    let what = str_lit(&format!("{ident}::{}", method.ident));
    let _ = write!(
        out,
        "{{\n\
         let sent = crate::sweep::params({what}, {json})?;\n\
         let _reply = channel.{m}(&sent).await.map_err(|e| format!(\"{{}}: {{e}}\", {what}))?;\n\
         crate::sweep::sent_as_is(h, channel.topic(), {event}, &sent).await?;\n\
         }}\n",
        m = method.ident,
        event = str_lit(event),
    );
}

/// The sweep of one facade: a scenario function, appended to `out`; returns its name.
fn channel_sweep(api: &Api<'_>, facade: &Facade, out: &mut String) -> String {
    let (family, channel) = declared(api, facade);
    let name = format!("sweep_{}", rust_ident(&facade.ident));
    let ident = &facade.ident;
    let _ = write!(
        out,
        "\n/// `{ident}`: joins every topic pattern, sends every message, receives every push.\n\
         async fn {name}(h: &Harness) -> Check {{\n\
         use archastro_client::channels::{{{ident}, {ident}Event}};\n\
         let socket = h.socket(crate::harness::REPLY_TIMEOUT).await?;\n"
    );
    for (i, (method, join)) in facade.joins.iter().zip(&channel.joins).enumerate() {
        let json = example_literal(family, join.params);
        join_block(ident, method, join.pattern, &json, i + 1 == facade.joins.len(), out);
    }
    for (method, message) in facade.messages.iter().zip(&channel.messages) {
        message_block(ident, method, message.event, &example_literal(family, message.params), out);
    }
    let pushes: Vec<String> = channel.pushes.iter().map(|p| str_lit(p.event)).collect();
    let _ = write!(
        out,
        "let mut events = channel.events();\n\
         crate::sweep::pushes(h, channel.topic(), &mut events, &[{}], {ident}Event::name, |e| matches!(e, {ident}Event::Other {{ .. }})).await?;\n\
         socket.close().await;\n\
         Ok(())\n}}\n",
        pushes.join(", ")
    );
    name
}

/// The opener and the sweep of one streaming operation, appended to `out`; returns the
/// sweep's name.
fn stream_sweep(family: &Family<'_>, tree: &Resources, index: usize, streaming: &Value, out: &mut String) -> String {
    let op = &family.operations[index];
    let method = progenitor_method_name(op.id);
    let enum_ident = format!("{}Event", type_name(op.id));
    let chain = contract::example_request(family, tree, index);
    let names: Vec<&String> = streaming.get("events").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()).collect();
    let events: Vec<String> = names.iter().filter(|n| n.as_str() != "error").map(|n| str_lit(n)).collect();
    let errors: Vec<String> = names
        .iter()
        .filter(|n| n.as_str() == "error")
        .map(|n| format!("({}, |e| {enum_ident}::error_payload(e).is_some())", str_lit(n)))
        .collect();
    let name = format!("sweep_{method}");
    let _ = write!(
        out,
        "\n/// Sends `{id}` with example arguments and streams its events.\n\
         pub fn open_{method}(api: &archastro_client::ArchAstro) -> futures::stream::BoxStream<'_, Result<archastro_client::streaming::{enum_ident}, archastro_client::Error>> {{\n\
         api.{chain}.events()\n}}\n\
         \n/// `{id}`: every declared event, an error status, a cut connection, each `error` event.\n\
         async fn {name}(h: &Harness) -> Check {{\n\
         use archastro_client::streaming::{enum_ident};\n\
         crate::sweep::stream(h, crate::sweep::Stream {{\n\
         route: {route},\n\
         events: &[{events}],\n\
         errors: &[{errors}],\n\
         open: open_{method},\n\
         is_other: |e| matches!(e, {enum_ident}::Other {{ .. }}),\n\
         }})\n\
         .await\n}}\n",
        id = op.id,
        chain = chain.join("."),
        route = str_lit(&format!("{} {}", op.method.upper(), op.path)),
        events = events.join(", "),
        errors = errors.join(", "),
    );
    name
}

/// `surface.rs` for the client generated from `api`, whose `channels.rs` is `channels_rs`
/// (none: the client has no channels).
pub fn surface_rs(api: &Api<'_>, channels_rs: Option<&str>) -> String {
    let facades = channels_rs.map(facades).unwrap_or_default();
    let spec_channels = channels(api).len();
    assert_eq!(facades.len(), spec_channels, "the client has {} channel facades, the spec {spec_channels} channels", facades.len());
    let mut body = String::new();
    let mut scenarios: Vec<String> = facades.iter().map(|f| channel_sweep(api, f, &mut body)).collect();
    for family in &api.families {
        let tree = Resources::new(family);
        for (index, op) in family.operations.iter().enumerate() {
            if let Some(streaming) = op.streaming.filter(|s| s["type"] == "sse") {
                scenarios.push(stream_sweep(family, &tree, index, streaming, &mut body));
            }
        }
    }
    let mut out = String::from(
        "//! Written by tests/realtime_contract.rs (tests/realtime/sweep_source.rs) for one spec.\n\n\
         use crate::Check;\n\
         use crate::harness::Harness;\n\n\
         /// The sweeps of this spec, as `run` knows them.\n",
    );
    let quoted: Vec<String> = scenarios.iter().map(|s| str_lit(s)).collect();
    let _ = writeln!(out, "pub const SCENARIOS: &[&str] = &[{}];", quoted.join(", "));
    out.push_str(&body);
    out.push_str("\n/// Runs the sweep `name`; `None` when there is no such sweep.\npub async fn run(name: &str, h: &Harness) -> Option<Check> {\nSome(match name {\n");
    for scenario in &scenarios {
        let _ = writeln!(out, "{} => {scenario}(h).await,", str_lit(scenario));
    }
    out.push_str("_ => return None,\n})\n}\n");
    let file = syn::parse_file(&out).unwrap_or_else(|e| panic!("the generated surface.rs does not parse: {e}\n{out}"));
    prettyplease::unparse(&file)
}
