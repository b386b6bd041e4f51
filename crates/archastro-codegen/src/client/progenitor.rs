//! Running progenitor: the generation settings (builder interface, hooks, every shared
//! component replaced by `crate::types::X`), a family's document with its replaced schemas
//! stubbed, the document of the shared types, and the `types` module cut out of its output.
//! Progenitor reads the normalized JSON documents themselves; its failures, panics included,
//! become an error naming the operation or component it fails on (see [`super::locate`]).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use progenitor_impl::{
    GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl,
};
use quote::quote;
use serde_json::{Value, json};

use super::builders::braced_item;
use super::locate::{failing_place, quietly};
use super::patterns::linear_patterns;
use crate::Result;
use crate::model::Info;
use crate::names::{self, type_name};
use crate::normalize::refs::{for_each_ref_target, is_data_key, is_name_map};

/// Traits typify implements for a type, so that code using a replaced type may rely on them.
pub(super) fn replacement_impls(schema: &Value) -> Vec<TypeImpl> {
    let string_enum = schema.get("type").and_then(Value::as_str) == Some("string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.iter().all(Value::is_string));
    if string_enum {
        vec![TypeImpl::Display, TypeImpl::FromStr]
    } else {
        Vec::new()
    }
}

/// The builder interface with a tag per family, the runtime as the client's inner type and
/// its hooks, and every type of `replacements` (by type name) taken from `crate::types`.
fn settings(replacements: &BTreeMap<String, Vec<TypeImpl>>) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Separate)
        .with_inner_type(quote! { crate::support::Runtime })
        .with_hooks(HooksMode::Expected);
    for (name, impls) in replacements {
        settings.with_replacement(name, format!("crate::types::{name}"), impls.iter().cloned());
    }
    settings
}

/// What the generated code needs from optional dependencies.
#[derive(Debug, Default)]
pub(super) struct Uses {
    pub(super) chrono: bool,
    pub(super) uuid: bool,
    /// Patterns, checked by the `regex` crate (typify's `regress` checks rewritten).
    pub(super) regex: bool,
}

impl Uses {
    pub(super) fn merge(&mut self, other: Uses) {
        self.chrono |= other.chrono;
        self.uuid |= other.uuid;
        self.regex |= other.regex;
    }
}

/// Progenitor's output for one family's document (with the builder interface), and what it
/// needs from optional dependencies.
pub(super) fn run_progenitor(
    family: &str,
    doc: &Value,
    replacements: &BTreeMap<String, Vec<TypeImpl>>,
) -> Result<(TokenStream, Uses)> {
    let stubbed = with_replaced_schemas_stubbed(doc, replacements);
    let mut api = crate::pointer::openapi::read_openapi(stubbed.as_ref().unwrap_or(doc))
        .map_err(|(pointer, reason)| crate::Error::NotOpenApi {
            family: family.to_owned(),
            pointer,
            reason,
        })?;
    // Not held while progenitor runs (a copy of the family's paths).
    drop(stubbed);
    keep_error_bodies(&mut api);
    // progenitor writes the terms of service into the client's doc as they are (a URL, which
    // rustdoc warns about when it is no link); every other text it writes is sanitized.
    if let Some(terms) = &mut api.info.terms_of_service {
        *terms = crate::doc_text::sanitize(terms).into_owned();
    }
    let wire_names = rename_arguments_the_builder_keeps(&mut api);
    let (tokens, uses) = run_progenitor_api(family, api, replacements, true)?;
    Ok((with_wire_names(tokens, &wire_names), uses))
}

/// Gives each parameter whose argument a request builder keeps for itself (`client`, `body`
/// beside a body, `timeout`, ...) the argument [`names::client_arguments`] names, which
/// progenitor takes from the parameter's name: the parameter is renamed to a placeholder of
/// that argument (`client_query.`: progenitor's argument for it is `client_query`, and no
/// parameter of the document has the name). Returns each placeholder with the wire name it
/// stands for, which [`with_wire_names`] puts back where progenitor sends it.
fn rename_arguments_the_builder_keeps(api: &mut openapiv3::OpenAPI) -> BTreeMap<String, String> {
    use openapiv3::ReferenceOr;
    let mut names_in_use = BTreeSet::new();
    for (_, _, operation) in api.operations() {
        for parameter in &operation.parameters {
            if let ReferenceOr::Item(parameter) = parameter {
                names_in_use.insert(parameter.parameter_data_ref().name.clone());
            }
        }
    }
    let mut wire_names: BTreeMap<String, String> = BTreeMap::new();
    for (_, item) in api.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for operation in operations_mut(item) {
            let has_body = operation.request_body.is_some();
            let places: Vec<(String, &'static str)> = operation
                .parameters
                .iter()
                .map(|parameter| match parameter {
                    ReferenceOr::Item(parameter) => (
                        parameter.parameter_data_ref().name.clone(),
                        parameter_location(parameter),
                    ),
                    // Inlined by the normalizer: none is left.
                    ReferenceOr::Reference { .. } => (String::new(), "path"),
                })
                .collect();
            let borrowed: Vec<(&str, &str)> =
                places.iter().map(|(n, l)| (n.as_str(), *l)).collect();
            let arguments = names::client_arguments(&borrowed, has_body);
            for (parameter, argument) in operation.parameters.iter_mut().zip(arguments) {
                let ReferenceOr::Item(parameter) = parameter else {
                    continue;
                };
                let data = match parameter {
                    openapiv3::Parameter::Query { parameter_data, .. }
                    | openapiv3::Parameter::Header { parameter_data, .. }
                    | openapiv3::Parameter::Path { parameter_data, .. }
                    | openapiv3::Parameter::Cookie { parameter_data, .. } => parameter_data,
                };
                if names::progenitor_method_name(&data.name) == argument {
                    continue;
                }
                // A placeholder no parameter has, and none stands for another wire name.
                let mut placeholder = format!("{argument}.");
                while names_in_use.contains(&placeholder)
                    || wire_names
                        .get(&placeholder)
                        .is_some_and(|wire| *wire != data.name)
                {
                    placeholder.push('.');
                }
                let wire = std::mem::replace(&mut data.name, placeholder.clone());
                wire_names.insert(placeholder, wire);
            }
        }
    }
    wire_names
}

/// The operations of `item`.
fn operations_mut(
    item: &mut openapiv3::PathItem,
) -> impl Iterator<Item = &mut openapiv3::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// `in` of `parameter`, as the spec writes it.
fn parameter_location(parameter: &openapiv3::Parameter) -> &'static str {
    match parameter {
        openapiv3::Parameter::Query { .. } => "query",
        openapiv3::Parameter::Header { .. } => "header",
        openapiv3::Parameter::Path { .. } => "path",
        openapiv3::Parameter::Cookie { .. } => "cookie",
    }
}

/// `tokens` with each string literal that is a placeholder of `wire_names` (progenitor sends a
/// parameter under its name: `QueryParam::new("client_query.", &client_query)`) made the wire
/// name it stands for.
fn with_wire_names(tokens: TokenStream, wire_names: &BTreeMap<String, String>) -> TokenStream {
    use proc_macro2::{Group, Literal, TokenTree};
    if wire_names.is_empty() {
        return tokens;
    }
    fn replace(tokens: TokenStream, literals: &BTreeMap<String, &str>) -> TokenStream {
        tokens
            .into_iter()
            .map(|token| match token {
                TokenTree::Group(group) => {
                    let mut replaced =
                        Group::new(group.delimiter(), replace(group.stream(), literals));
                    replaced.set_span(group.span());
                    TokenTree::Group(replaced)
                }
                TokenTree::Literal(literal) => match literals.get(&literal.to_string()) {
                    Some(wire) => TokenTree::Literal(Literal::string(wire)),
                    None => TokenTree::Literal(literal),
                },
                other => other,
            })
            .collect()
    }
    let literals: BTreeMap<String, &str> = wire_names
        .iter()
        .map(|(placeholder, wire)| (Literal::string(placeholder).to_string(), wire.as_str()))
        .collect();
    replace(tokens, &literals)
}

/// Leaves out of `api` the error responses (4xx, 5xx, their ranges, `default`) that declare no
/// body: for those progenitor returns `Error::ErrorResponse(ResponseValue::empty(..))`, which
/// drops the body, and with it the error envelope the server sent (its code and message).
/// Undeclared, they come back as `Error::UnexpectedResponse`, whose body the client runtime
/// has kept and decodes into `support::Error::Api`.
fn keep_error_bodies(api: &mut openapiv3::OpenAPI) {
    use openapiv3::{ReferenceOr, StatusCode};
    let bodiless = |response: &ReferenceOr<openapiv3::Response>| matches!(response, ReferenceOr::Item(r) if r.content.is_empty());
    for (_, item) in api.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for operation in operations_mut(item) {
            let responses = &mut operation.responses;
            responses.responses.retain(|status, response| {
                let error = match status {
                    StatusCode::Code(code) => *code >= 400,
                    StatusCode::Range(range) => *range >= 4,
                };
                !(error && bodiless(response))
            });
            if responses.default.as_ref().is_some_and(bodiless) {
                responses.default = None;
            }
        }
    }
}

/// A copy of a family's document in which the components that progenitor replaces by a shared
/// type (all of them, in practice) are empty schemas, but for those it may look into, or
/// `None` to read the document as it is.
///
/// Progenitor converts every component schema to typify's form and typify keeps it, but for a
/// replaced type it converts nothing: it only looks a component up when it converts a schema
/// that merges others (`allOf`, `anyOf`, `oneOf`, `not`, or a `$ref` with siblings), and
/// progenitor only when it checks a non-JSON body given by reference. Reading the bodies of the
/// shared types again for each family is most of what reading the family costs (each schema is
/// still read once, for the types job, which reports a schema that is not OpenAPI 3.0), so
/// only the components such a schema refers to, and those they refer to in turn, keep their
/// bodies ([`looked_into`]); a family without any such schema is read with every body left
/// out.
///
/// Neither does the copy keep what progenitor never reads: the document's own extensions
/// (`x-channels`, ...) and every `example` and `examples` (a third of a platform spec's bytes;
/// progenitor generates nothing from them, and the normalized documents keep them), nor what
/// it writes only where the client drops it ([`without_operation_docs`]).
fn with_replaced_schemas_stubbed(
    doc: &Value,
    replacements: &BTreeMap<String, Vec<TypeImpl>>,
) -> Option<Value> {
    let root = doc.as_object()?;
    let schemas = root.get("components")?.get("schemas")?.as_object()?;
    if !schemas
        .keys()
        .all(|name| replacements.contains_key(&type_name(name)))
    {
        return None;
    }
    let mut copy = serde_json::Map::new();
    let mut looked_into_targets = Vec::new();
    for (key, value) in root {
        if key.starts_with("x-") {
            continue;
        }
        if key != "components" {
            let mut value = without_examples(value, Some(key));
            looked_into(&value, &mut looked_into_targets);
            if key == "paths" {
                without_operation_docs(&mut value);
            }
            copy.insert(key.clone(), value);
            continue;
        }
        let mut components = serde_json::Map::new();
        for (kind, value) in value.as_object()? {
            if kind != "schemas" {
                let value = without_examples(value, Some(kind));
                looked_into(&value, &mut looked_into_targets);
                components.insert(kind.clone(), value);
            }
        }
        copy.insert(key.clone(), Value::Object(components));
    }
    let kept = reached_components(schemas, looked_into_targets)?;
    let bodies = schemas.iter().map(|(name, schema)| {
        let body = if kept.contains(name.as_str()) {
            without_examples(schema, None)
        } else {
            json!({})
        };
        (name.clone(), body)
    });
    let components = copy.get_mut("components")?.as_object_mut()?;
    components.insert("schemas".to_owned(), Value::Object(bodies.collect()));
    Some(Value::Object(copy))
}

/// The components whose bodies progenitor may read: those `targets` name (`$ref`s) and, in
/// turn, every component their bodies refer to. `None` when a target is no component schema
/// of `schemas` (the document is then read whole).
fn reached_components(
    schemas: &serde_json::Map<String, Value>,
    mut targets: Vec<String>,
) -> Option<BTreeSet<&str>> {
    let mut kept = BTreeSet::new();
    while let Some(target) = targets.pop() {
        let fragment = crate::pointer::decode_fragment(&target);
        let rest = fragment.strip_prefix("#/components/schemas/")?;
        let token = rest.split('/').next().unwrap_or_default();
        let (name, body) = schemas.get_key_value(&crate::pointer::unescape(token))?;
        if kept.insert(name.as_str()) {
            for_each_ref_target(body, &mut |target| targets.push(target.to_owned()));
        }
    }
    Some(kept)
}

/// Pushes onto `targets` the `$ref`s of every schema in `v` whose conversion could look into a
/// component's body (see [`with_replaced_schemas_stubbed`]): a schema that merges others, a
/// `$ref` with siblings, or a reference as the schema of a content type other than JSON; each
/// with every reference inside it. Extensions (`x-...`) are not read by progenitor.
fn looked_into(v: &Value, targets: &mut Vec<String>) {
    fn push(v: &Value, targets: &mut Vec<String>) {
        for_each_ref_target(v, &mut |t| targets.push(t.to_owned()));
    }
    match v {
        Value::Object(map) => {
            let merges = ["allOf", "anyOf", "oneOf", "not"]
                .iter()
                .any(|k| map.contains_key(*k));
            if merges || (map.contains_key("$ref") && map.len() > 1) {
                push(v, targets);
                return;
            }
            for (key, value) in map {
                if key.starts_with("x-") {
                    continue;
                }
                if key == "content"
                    && let Some(media) = value.as_object()
                {
                    for (kind, m) in media {
                        let json = kind == "application/json" || kind.ends_with("+json");
                        if let Some(schema) =
                            m.get("schema").filter(|s| !json && s.get("$ref").is_some())
                        {
                            push(schema, targets);
                        }
                    }
                }
                looked_into(value, targets);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| looked_into(item, targets)),
        _ => {}
    }
}

/// Leaves out of `paths` the operations' `summary` and `description` and their parameters'
/// `description`: progenitor writes them only into the docs of the client methods, which the
/// client replaces by its own (`resources`), and escapes every character of them on the way.
fn without_operation_docs(paths: &mut Value) {
    for item in paths
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        // A path item's objects are its operations (its parameters are a list) and its
        // extensions, which progenitor does not read either.
        for (key, op) in item.as_object_mut().into_iter().flatten() {
            let Some(op) = op.as_object_mut().filter(|_| !key.starts_with("x-")) else {
                continue;
            };
            op.remove("summary");
            op.remove("description");
            for parameter in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                parameter.remove("description");
            }
        }
    }
}

/// A copy of `value` (found under the key `parent`) without the `example` and `examples`
/// keywords; a name spelled so stays, and data (`enum`, `default`, `const`) stays whole.
fn without_examples(value: &Value, parent: Option<&str>) -> Value {
    let named = is_name_map(parent);
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| named || !matches!(key.as_str(), "example" | "examples"))
                .map(|(key, child)| {
                    let child = if !named && is_data_key(parent, key) {
                        child.clone()
                    } else {
                        // Under a name map, each value is an object whose keys are keywords.
                        let child_parent = (!named).then_some(key.as_str());
                        without_examples(child, child_parent)
                    };
                    (key.clone(), child)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| without_examples(item, parent))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Progenitor's output for `api` (with the builder interface when `builders`), and what it
/// needs from optional dependencies.
pub(super) fn run_progenitor_api(
    family: &str,
    api: openapiv3::OpenAPI,
    replacements: &BTreeMap<String, Vec<TypeImpl>>,
    builders: bool,
) -> Result<(TokenStream, Uses)> {
    let mut settings = settings(replacements);
    if !builders {
        settings
            .with_interface(InterfaceStyle::Positional)
            .with_tag(TagStyle::Merged);
    }
    let generate = |api: &openapiv3::OpenAPI| {
        let mut generator = Generator::new(&settings);
        let tokens = generator.generate_tokens(api);
        let space = generator.get_type_space();
        let uses = Uses {
            chrono: space.uses_chrono(),
            uuid: space.uses_uuid(),
            regex: space.uses_regress(),
        };
        tokens.map(|tokens| (tokens, uses))
    };
    // Progenitor's output with its patterns made linear; a pattern that cannot be fails as
    // progenitor's own failures do, and is located the same way.
    let run = |api: &openapiv3::OpenAPI| match quietly(|| generate(api)) {
        // Only a type space with a `pattern` has `regress` checks to rewrite: the walk over
        // every token is skipped on the others.
        Ok(Ok((tokens, uses))) if !uses.regex => Ok((tokens, uses)),
        Ok(Ok((tokens, uses))) => linear_patterns(tokens).map(|tokens| (tokens, uses)),
        Ok(Err(e)) => Err(format!("progenitor: {e}")),
        // Typify's panic messages go on with the schema and its type entry, in Debug form.
        Err(panic) => Err(format!(
            "progenitor panicked: {}",
            panic.lines().next().unwrap_or_default()
        )),
    };
    let failure = match run(&api) {
        Ok(output) => return Ok(output),
        Err(failure) => failure,
    };
    let fails = |candidate: openapiv3::OpenAPI| run(&candidate).is_err();
    let place = failing_place(&api, fails);
    // The document of the shared types is the only one without paths.
    let what = if api.paths.paths.is_empty() {
        "the shared types (components of spec/normalized/*.json)".to_owned()
    } else {
        format!("the `{family}` family (spec/normalized/{family}.json)")
    };
    Err(crate::Error::Located {
        pointer: place.unwrap_or_else(|| "#".to_owned()),
        message: format!("generating {what}: {failure}"),
    })
}

/// `tokens` (progenitor's or typify's output) with every identifier as
/// [`names::lint_free_ident`] writes it, and every enum variant's name as
/// [`names::lint_free_type_ident`] does, where it is declared and where a path names it
/// (`Self::…`): typify names a variant after its value, and a value such as `ʿayin` gives a
/// name whose letters have no upper case, which a field of the same name keeps. They keep any
/// character an identifier may hold, and rustc warns about some. Only a spec with a name that
/// is not ASCII needs it.
pub(super) fn with_lint_free_idents(tokens: TokenStream) -> TokenStream {
    let mut variants = BTreeSet::new();
    collect_variant_names(tokens.clone(), &mut variants);
    rewrite_idents(tokens, &variants, false)
}

/// [`with_lint_free_idents`], given the names of the enums' variants; `enum_body` when
/// `tokens` are an enum's braces.
fn rewrite_idents(
    tokens: TokenStream,
    variants: &BTreeSet<String>,
    enum_body: bool,
) -> TokenStream {
    // How many `:` came just before (a path's `::`), whether an `enum`'s name and generics
    // are being read, and whether the next identifier starts a variant.
    let (mut colons, mut in_enum_head, mut item_start) = (0, false, enum_body);
    let mut out = Vec::new();
    for token in tokens {
        let token = match token {
            TokenTree::Ident(ident) => {
                let text = ident.to_string();
                let variant = variants.contains(&text) && (colons >= 2 || item_start);
                in_enum_head |= text == "enum";
                (colons, item_start) = (0, false);
                let free = if variant {
                    names::lint_free_type_ident(&text)
                } else {
                    names::lint_free_ident(&text)
                };
                match free {
                    std::borrow::Cow::Borrowed(_) => TokenTree::Ident(ident),
                    std::borrow::Cow::Owned(free) => {
                        TokenTree::Ident(proc_macro2::Ident::new(&free, ident.span()))
                    }
                }
            }
            TokenTree::Group(group) => {
                let body = in_enum_head && group.delimiter() == proc_macro2::Delimiter::Brace;
                let mut inner = proc_macro2::Group::new(
                    group.delimiter(),
                    rewrite_idents(group.stream(), variants, body),
                );
                inner.set_span(group.span());
                // An attribute's brackets keep the variant's start.
                item_start &= group.delimiter() == proc_macro2::Delimiter::Bracket;
                (colons, in_enum_head) = (0, false);
                TokenTree::Group(inner)
            }
            TokenTree::Punct(punct) => {
                colons = if punct.as_char() == ':' {
                    colons + 1
                } else {
                    0
                };
                match punct.as_char() {
                    ',' => item_start = enum_body,
                    '#' => {}
                    _ => item_start = false,
                }
                TokenTree::Punct(punct)
            }
            other => {
                (colons, item_start) = (0, false);
                other
            }
        };
        out.push(token);
    }
    out.into_iter().collect()
}

/// Adds the name of every variant of every `enum` in `tokens` (at any depth) to `out`: in
/// `enum Name … { … }`, the first identifier of each item of the braces after its attributes.
fn collect_variant_names(tokens: TokenStream, out: &mut BTreeSet<String>) {
    let mut in_enum_head = false;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) if ident == "enum" => in_enum_head = true,
            TokenTree::Group(group) => {
                if in_enum_head && group.delimiter() == proc_macro2::Delimiter::Brace {
                    let mut item_start = true;
                    for item in group.stream() {
                        match item {
                            TokenTree::Punct(p) if p.as_char() == ',' => item_start = true,
                            TokenTree::Ident(name) if item_start => {
                                out.insert(name.to_string());
                                item_start = false;
                            }
                            // `#` and the bracketed attribute after it keep the item's start.
                            TokenTree::Punct(p) if p.as_char() == '#' => {}
                            TokenTree::Group(g)
                                if item_start
                                    && g.delimiter() == proc_macro2::Delimiter::Bracket => {}
                            _ => item_start = false,
                        }
                    }
                } else {
                    collect_variant_names(group.stream(), out);
                }
                in_enum_head = false;
            }
            // The enum's name and generics come between `enum` and its braces.
            _ => {}
        }
    }
}

/// The contents of progenitor's `pub mod types { ... }`.
pub(super) fn extract_types_module(tokens: TokenStream) -> Option<TokenStream> {
    crate::format::split_items(tokens).find_map(|item| {
        let (name, body) = braced_item(&item, "mod")?;
        (name == "types").then(|| body.stream())
    })
}

/// The document of the shared types: the component `schemas` (in the order given) and no
/// paths, built without copying the schemas into a JSON document first.
pub(super) fn types_document<'s>(
    schemas: impl Iterator<Item = (&'s String, &'s Value)>,
    info: Info<'_>,
) -> Result<openapiv3::OpenAPI> {
    let mut components = openapiv3::Components::default();
    for (name, schema) in schemas {
        // Read without its examples, as a family's document is (typify makes nothing of them).
        let schema = without_examples(schema, None);
        let schema = crate::pointer::read_at::<openapiv3::ReferenceOr<openapiv3::Schema>>(&schema)
            .map_err(|(inner, reason)| crate::Error::Located {
                pointer: format!(
                    "{}{}",
                    crate::pointer::from_tokens(["components", "schemas", name.as_str()]),
                    &inner[1..]
                ),
                message: format!(
                    "generating the shared types: component `{name}` is not an OpenAPI 3.0 schema: {reason}"
                ),
            })?;
        components.schemas.insert(name.clone(), schema);
    }
    Ok(openapiv3::OpenAPI {
        openapi: "3.0.3".into(),
        info: openapiv3::Info {
            title: info.title.unwrap_or("API").to_owned(),
            version: info.version.unwrap_or("0").to_owned(),
            ..Default::default()
        },
        components: Some(components),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_go_from_the_copy_progenitor_reads_but_names_and_data_stay() {
        let doc = json!({
            "paths": {"/a": {"get": {
                "parameters": [{"name": "example", "in": "query", "example": 1, "schema": {"type": "integer", "example": 2}}],
                "responses": {"200": {"content": {"application/json": {
                    "example": {"a": 1},
                    "examples": {"one": {"value": 1}},
                    "schema": {
                        "type": "object",
                        "properties": {"example": {"type": "string", "example": "x"}},
                        "enum": [{"example": 1}],
                        "default": {"example": 2},
                        "discriminator": {"propertyName": "kind", "mapping": {"example": "#/components/schemas/E"}}
                    }
                }}}}
            }}}
        });
        assert_eq!(
            without_examples(&doc, None),
            json!({
                "paths": {"/a": {"get": {
                    "parameters": [{"name": "example", "in": "query", "example": 1, "schema": {"type": "integer"}}],
                    "responses": {"200": {"content": {"application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"example": {"type": "string"}},
                            "enum": [{"example": 1}],
                            "default": {"example": 2},
                            "discriminator": {"propertyName": "kind", "mapping": {"example": "#/components/schemas/E"}}
                        }
                    }}}}
                }}}
            })
        );
    }

    /// A family document whose components are all shared types, with `response` as the
    /// operation's success response.
    fn family(response: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {
                "/pets": {
                    "post": {
                        "operationId": "create_pet",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                        "responses": {
                            "200": response
                        }
                    }
                }
            },
            "components": {
                "schemas": {
                    "Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "kind": {"$ref": "#/components/schemas/Kind"}}},
                    "PetList": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                    "Kind": {"type": "string", "enum": ["cat", "dog"]}
                }
            }
        })
    }

    fn replacements(doc: &Value) -> BTreeMap<String, Vec<TypeImpl>> {
        doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, schema)| (type_name(name), replacement_impls(schema)))
            .collect()
    }

    #[test]
    fn a_family_reads_the_same_with_its_shared_schemas_stubbed() {
        let doc = family(
            json!({"description": "error", "content": {"application/json": {"schema": {"type": "object", "properties": {"pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}}}),
        );
        let replaced = replacements(&doc);
        let stubbed = with_replaced_schemas_stubbed(&doc, &replaced).expect("stubbed");
        assert_eq!(stubbed["components"]["schemas"]["Pet"], json!({}));
        assert_eq!(stubbed["paths"], doc["paths"]);
        let whole = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&doc).unwrap();
        let (expected, _) = run_progenitor_api("pets", whole, &replaced, true).unwrap();
        let (tokens, _) = run_progenitor("pets", &doc, &replaced).unwrap();
        assert_eq!(tokens.to_string(), expected.to_string());
    }

    /// A schema that may look into components keeps the bodies of those it refers to, and of
    /// theirs in turn; the others stay stubbed, and progenitor's output is the same.
    #[test]
    fn a_family_keeps_the_bodies_it_could_look_into() {
        let merging = [
            (
                json!({"allOf": [{"$ref": "#/components/schemas/Pet"}]}),
                "application/json",
                &["Kind", "Pet"][..],
            ),
            (
                json!({"oneOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "string"}]}),
                "application/json",
                &["Kind", "Pet"],
            ),
            (
                json!({"$ref": "#/components/schemas/Pet", "description": "sibling"}),
                "application/json",
                &["Kind", "Pet"],
            ),
            (
                json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/PetList", "nullable": true}}}),
                "application/json",
                &["Kind", "Pet", "PetList"],
            ),
            (
                json!({"$ref": "#/components/schemas/Kind"}),
                "application/octet-stream",
                &["Kind"],
            ),
        ];
        for (schema, media, kept) in merging {
            let doc = family(json!({"description": "e", "content": {media: {"schema": schema}}}));
            let replaced = replacements(&doc);
            let stubbed = with_replaced_schemas_stubbed(&doc, &replaced).expect("stubbed");
            for (name, body) in stubbed["components"]["schemas"].as_object().unwrap() {
                let expected = if kept.contains(&name.as_str()) {
                    doc["components"]["schemas"][name].clone()
                } else {
                    json!({})
                };
                assert_eq!(body, &expected, "{name} of {schema}");
            }
            let whole = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&doc).unwrap();
            let (expected, _) = run_progenitor_api("pets", whole, &replaced, true).unwrap();
            let (tokens, _) = run_progenitor("pets", &doc, &replaced).unwrap();
            assert_eq!(tokens.to_string(), expected.to_string(), "{schema}");
        }
        // Extensions are not read by progenitor.
        let doc = family(
            json!({"description": "e", "x-merge": {"allOf": [{"$ref": "#/components/schemas/Pet"}]}}),
        );
        let stubbed = with_replaced_schemas_stubbed(&doc, &replacements(&doc)).expect("stubbed");
        assert_eq!(stubbed["components"]["schemas"]["Pet"], json!({}));
    }

    /// A component that is not replaced, or a merging schema's reference to anything but a
    /// component schema, keeps the whole document.
    #[test]
    fn a_family_is_read_whole_when_a_stub_could_change_it() {
        let doc = family(json!({"description": "e"}));
        let mut partial = replacements(&doc);
        partial.remove("Kind");
        assert!(with_replaced_schemas_stubbed(&doc, &partial).is_none());
        let odd = json!({"allOf": [{"$ref": "#/components/responses/Other"}]});
        let doc =
            family(json!({"description": "e", "content": {"application/json": {"schema": odd}}}));
        assert!(with_replaced_schemas_stubbed(&doc, &replacements(&doc)).is_none());
    }

    /// An error response without a body is left out (progenitor would drop the envelope the
    /// server sends); one with a body, and every success, stays.
    #[test]
    fn bodiless_error_responses_are_left_to_the_runtime() {
        let envelope = json!({"application/json": {"schema": {"type": "object"}}});
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {"/pets": {"get": {"operationId": "list_pets", "responses": {
                "200": {"description": "ok", "content": envelope},
                "401": {"description": "no body"},
                "4XX": {"description": "no body"},
                "422": {"description": "envelope", "content": envelope},
                "default": {"description": "no body"}
            }}}}
        });
        let (tokens, _) = run_progenitor("f", &doc, &BTreeMap::new()).unwrap();
        let code = tokens.to_string();
        assert!(
            code.contains("422u16 =>") && code.contains("200u16 =>"),
            "{code}"
        );
        assert!(
            !code.contains("401u16 =>") && !code.contains("400u16 ..= 499u16"),
            "{code}"
        );
        assert!(
            code.contains("Err (Error :: UnexpectedResponse (response))"),
            "{code}"
        );
    }

    /// The pointer and message of a run's failure.
    fn failure(result: Result<(TokenStream, Uses)>) -> (String, String) {
        match result {
            Err(crate::Error::Located { pointer, message }) => (pointer, message),
            Err(other) => panic!("not located: {other}"),
            Ok(_) => panic!("progenitor accepted the document"),
        }
    }

    /// Progenitor's error on one operation names that operation, not the family.
    #[test]
    fn a_progenitor_error_names_the_operation() {
        let ok =
            json!({"get": {"operationId": "fine", "responses": {"200": {"description": "ok"}}}});
        let bad = json!({"get": {"operationId": "broken", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}});
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {"/fine": ok, "/broken/{id}/x}": bad}
        });
        let (pointer, message) = failure(run_progenitor("f", &doc, &BTreeMap::new()));
        assert_eq!(pointer, "#/paths/~1broken~1{id}~1x}/get", "{message}");
        assert!(
            message.starts_with("generating the `f` family (spec/normalized/f.json): progenitor: "),
            "{message}"
        );
    }

    /// A typify panic in the shared types names the smallest closure of components that
    /// panics (the broken one, not those that reach it), with the panic's first line only.
    #[test]
    fn a_typify_panic_names_the_component_without_its_dump() {
        let schemas = json!({
            "Fine": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Holder": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Broken"}}},
            "Broken": {"type": "object", "properties": {"c": {"not": {"type": "string"}}}}
        });
        let schemas = schemas.as_object().unwrap();
        let document = types_document(
            schemas.iter(),
            Info {
                title: None,
                version: None,
            },
        )
        .unwrap();
        let (pointer, message) = failure(run_progenitor_api(
            "types",
            document,
            &BTreeMap::new(),
            false,
        ));
        assert_eq!(pointer, "#/components/schemas/Broken", "{message}");
        assert!(
            message.contains("progenitor panicked: not yet implemented"),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
    }
}
