//! The normalizer: one OpenAPI document in (3.0, 3.1 or 3.2, the reference's shape or the
//! platform's `x-*` dialect), one OpenAPI 3.0.3 document per scope family out, each within
//! what progenitor generates without panicking. Every rewrite is recorded in a [`Report`].
//!
//! The passes run in a fixed order over a `serde_json::Value` whose maps are sorted, so the
//! same input always gives byte-identical output.

mod deep_object;
mod dialect;
mod doc_texts;
mod example_fit;
mod fields;
mod hoist;
mod lift;
mod member_values;
pub mod naming;
mod openapi_3_2;
mod operations;
mod parameter_names;
mod path_params;
pub mod refs;
mod routes;
pub mod schema;
mod split;
mod typify_shapes;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::families::{ExclusionAction, FamiliesConfig, Placement};
use crate::load::Document;
use crate::pointer;
use crate::report::Report;
use crate::{Error, Result};

pub use operations::{WIRE_MEDIA_TYPE, template_names};
pub use routes::route_shape;

pub use crate::pointer::openapi::METHODS;

/// The normalized families and what it took to get them.
#[derive(Debug)]
pub struct Normalized {
    /// `(family name, OpenAPI 3.0.3 document)`, in the configuration's order.
    pub families: Vec<(String, Value)>,
    pub report: Report,
    /// Whether every name of the input is ASCII, as the doc texts' walk found: a key, an
    /// `enum` value, a title, a string that is no description, summary or example data.
    pub ascii: bool,
}

/// State shared by the passes.
pub(crate) struct Ctx {
    pub file: String,
    pub report: Report,
    /// Whether some `$ref` of the input points into `paths` ([`with_reference`]).
    pub refs_into_paths: bool,
    /// Whether every name of the document (a key, an `enum` value, a title, a string that is
    /// no description, summary or example data) is ASCII: found by the doc texts' walk
    /// ([`Normalized::ascii`]).
    pub names_ascii: bool,
}

impl Ctx {
    /// The state of a normalization of `file`, before any pass.
    pub(crate) fn new(file: impl Into<String>) -> Ctx {
        Ctx {
            file: file.into(),
            report: Report::default(),
            refs_into_paths: false,
            names_ascii: true,
        }
    }
}

/// Whether some `$ref` in `v` points into `paths` (then a pass that takes `paths` out of the
/// document must resolve against a copy of the whole of it).
fn points_into_paths(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            matches!(m.get("$ref"), Some(Value::String(t)) if t.starts_with("#/paths"))
                || m.values().any(points_into_paths)
        }
        Value::Array(a) => a.iter().any(points_into_paths),
        _ => false,
    }
}

/// Runs `f(reference, document)` for a pass that rewrites operations while resolving their
/// `$ref`s against the document as it was before the pass. `document` holds only `paths`,
/// taken out of `root` for the pass, and `reference` is the rest of `root` (no copy), unless
/// some `$ref` of the input pointed into `paths` (`ctx.refs_into_paths`, found once: no pass
/// writes such a `$ref`): then `reference` is a copy of the whole document.
pub(crate) fn with_reference<R>(
    refs_into_paths: bool,
    root: &mut Value,
    f: impl FnOnce(&Value, &mut Value) -> R,
) -> R {
    if refs_into_paths {
        let reference = root.clone();
        return f(&reference, root);
    }
    let mut document = Value::Object(Map::new());
    document["paths"] = std::mem::take(&mut root["paths"]);
    let result = f(root, &mut document);
    root["paths"] = std::mem::take(&mut document["paths"]);
    result
}

/// Calls `f(pointer, operation)` for every operation, in path then method order.
pub(crate) fn for_each_operation_mut(root: &mut Value, mut f: impl FnMut(&str, &mut Value)) {
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let item_at = pointer::from_tokens(["paths", path.as_str()]);
        for method in METHODS {
            if let Some(op) = item.get_mut(*method)
                && op.is_object()
            {
                f(&pointer::join(&item_at, method), op);
            }
        }
    }
}

/// The namespace of `root`'s component schemas (as type names: two names typify would give the
/// same type collide).
pub(crate) fn component_names(root: &Value) -> crate::names::Namespace {
    crate::names::Namespace::with_taken(
        crate::names::Case::Type,
        root.pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys()),
    )
}

/// Adds schemas to `components.schemas` (creating it when missing).
pub(crate) fn add_schemas(root: &mut Value, schemas: Vec<(String, Value)>) {
    if schemas.is_empty() {
        return;
    }
    let components = root
        .as_object_mut()
        .expect("checked at load")
        .entry("components")
        .or_insert_with(|| serde_json::json!({}));
    if let Some(Value::Object(target)) = components
        .as_object_mut()
        .map(|c| c.entry("schemas").or_insert_with(|| serde_json::json!({})))
    {
        target.extend(schemas);
    }
}

/// Normalizes `doc` into the families of `config`.
pub fn normalize(doc: &Document, config: &FamiliesConfig) -> Result<Normalized> {
    normalize_owned(doc.clone(), config)
}

/// Like [`normalize`], consuming the document: its tree is rewritten in place instead of
/// copied first, and is freed once the families are split off.
pub fn normalize_owned(doc: Document, config: &FamiliesConfig) -> Result<Normalized> {
    normalize_checked(doc, config, true)
}

/// Like [`normalize_owned`], leaving out the final check that each family reads as OpenAPI
/// 3.0, for a caller that reads each family as OpenAPI 3.0 itself and reports a failure with
/// [`Error::not_openapi`] (regen: the client generator does, so the check ran twice).
pub fn normalize_for_generation(doc: Document, config: &FamiliesConfig) -> Result<Normalized> {
    normalize_checked(doc, config, false)
}

fn normalize_checked(doc: Document, config: &FamiliesConfig, check: bool) -> Result<Normalized> {
    let mut ctx = Ctx::new(doc.origin);
    let mut root = doc.root;
    drop_paths_extensions(&mut ctx, &mut root);
    let targets = refs::check(&ctx.file, &root)?;
    let targets = refs::decode_percent_encoded(&mut root, &mut ctx.report, targets);
    let targets = refs::point_schema_refs_at_schemas(&mut root, &mut ctx.report, targets);
    let componentized = refs::componentize_inner_targets(&mut root, &mut ctx.report, &targets);
    // Shortening alias chains only points `$ref`s at other components.
    refs::shorten_alias_chains(&mut root, &mut ctx.report);
    refs::inline_path_item_and_callback_refs(&mut root, &mut ctx.report);
    openapi_3_2::run(&mut ctx, &mut root);
    ctx.refs_into_paths = if componentized {
        points_into_paths(&root)
    } else {
        targets.iter().any(|t| t.starts_with("#/paths"))
    };
    check_operations_are_objects(&ctx, &root)?;
    refs::check_all_of_depth(&ctx.file, &root)?;
    normalize_root(&mut ctx, &mut root)?;
    sanitize_component_names(&mut ctx, &mut root);
    rename_colliding_components(&mut ctx, &mut root);
    let template_renames = operations::normalize_templates(&mut ctx, &mut root)?;
    let mut placements = place_paths(&mut ctx, &mut root, config)?;
    dialect::convert_auth(&mut ctx, &mut root)?;
    rename_colliding_security_schemes(&mut ctx, &mut root);
    downgrade_schemas(&mut ctx, &mut root);
    operations::normalize_parameters(&mut ctx, &mut root, &template_renames)?;
    routes::merge_variable_renamings(&mut ctx, &mut root, &mut placements);
    parameter_names::rename_colliding_path_variables(&mut ctx, &mut root, &mut placements);
    parameter_names::dedupe(&mut ctx, &mut root)?;
    operations::normalize_bodies(&mut ctx, &mut root)?;
    operations::normalize_responses(&mut ctx, &mut root)?;
    routes::check(&ctx, &root)?;
    routes::drop_head_response_bodies(&mut ctx, &mut root);
    naming::assign_operation_ids(&mut ctx, &mut root, config)?;
    operations::unify_error_bodies(&mut ctx, &mut root);
    fields::report_renamed(&mut ctx, &root);
    hoist::run(&mut ctx, &mut root);
    lift::run(&mut ctx, &mut root);
    rename_misread_components(&mut ctx, &mut root);
    typify_shapes::split_nullable_unions(&mut root, &mut ctx.report);
    typify_shapes::open_closed_merge_parts(&mut root, &mut ctx.report);
    path_params::run(&mut ctx, &mut root);
    example_fit::run(&mut ctx, &mut root);
    doc_texts::run(&mut ctx, &mut root);
    split::report_unclaimed_extensions(&mut ctx, &root, config);

    // Each family's document is cut out, sorted and checked on its own: on the job pool, the
    // family with the most paths first (the pool's second thread starts while the first job
    // runs), with the report entries merged back in family order (so the result does not
    // depend on the threads). Each path item belongs to one family and moves into its
    // document, as do a root extension only one family claims and a component only one
    // family reaches (459 of the 528 schemas of the 2026-09-24 spec, hoisted ones included).
    let mut family_paths: Vec<Map<String, Value>> =
        config.families.iter().map(|_| Map::new()).collect();
    let mut family_extensions = family_paths.clone();
    if let Some(Value::Object(all)) = root.get_mut("paths") {
        let mut all = std::mem::take(all);
        for (path, i) in &placements {
            if let Some(item) = all.remove(path) {
                family_paths[*i].insert(path.clone(), item);
            }
        }
    }
    let whole = root.as_object_mut().expect("checked at load");
    for (i, family) in config.families.iter().enumerate() {
        for ext in &family.extensions {
            let claims = config
                .families
                .iter()
                .filter(|f| f.extensions.contains(ext));
            if claims.count() == 1
                && let Some(v) = whole.remove(ext)
            {
                family_extensions[i].insert(ext.clone(), v);
            }
        }
    }
    let mut order: Vec<usize> = (0..config.families.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(placements.iter().filter(|(_, f)| *f == i).count()));
    let mut family_components = family_components(&mut root, config, &order, |i| {
        (&family_paths[i], &family_extensions[i])
    });
    let (root, file) = (&root, ctx.file.as_str());
    let jobs: Vec<crate::jobs::Job<'_, Result<(Value, Report)>>> = order
        .iter()
        .map(|&i| {
            let family = &config.families[i];
            let paths = std::mem::take(&mut family_paths[i]);
            let extensions = std::mem::take(&mut family_extensions[i]);
            let components = std::mem::take(&mut family_components[i]);
            Box::new(move || {
                let mut fctx = Ctx::new(file);
                let (mut document, stats) =
                    split::family_document(&mut fctx, root, family, paths, extensions, components);
                sort_keys(&mut document);
                if check
                    && let Err((pointer, reason)) =
                        pointer::openapi::read_openapi(&document)
                {
                    return Err(Error::not_openapi(file, &family.name, &pointer, reason));
                }
                fctx.report.families.push(stats);
                Ok((document, fctx.report))
            }) as crate::jobs::Job<'_, _>
        })
        .collect();
    let mut results: Vec<Option<Result<(Value, Report)>>> =
        config.families.iter().map(|_| None).collect();
    for (&i, result) in order.iter().zip(crate::jobs::run(jobs)) {
        results[i] = Some(result);
    }
    let mut families = Vec::new();
    for (family, result) in config.families.iter().zip(results) {
        let (document, report) = result.expect("every family ran")?;
        ctx.report.entries.extend(report.entries);
        ctx.report.families.extend(report.families);
        families.push((family.name.clone(), document));
    }
    Ok(Normalized {
        families,
        report: ctx.report,
        ascii: ctx.names_ascii,
    })
}

/// The components each family's document needs (`components` by kind, then by name), in
/// family order: which each reaches is found on the job pool (in `order`); a component one
/// family alone reaches moves out of `root`, one several reach is copied into each (as are
/// security schemes, which every family's document reads from `root`).
fn family_components<'a>(
    root: &mut Value,
    config: &FamiliesConfig,
    order: &[usize],
    parts: impl Fn(usize) -> (&'a Map<String, Value>, &'a Map<String, Value>),
) -> Vec<Map<String, Value>> {
    let shared: &Value = root;
    let jobs: Vec<crate::jobs::Job<'_, _>> = order
        .iter()
        .map(|&i| {
            let (family, (paths, claimed)) = (&config.families[i], parts(i));
            Box::new(move || split::reached_components(shared, family, paths, claimed))
                as crate::jobs::Job<'_, _>
        })
        .collect();
    let mut reached = vec![BTreeSet::new(); config.families.len()];
    for (&i, set) in order.iter().zip(crate::jobs::run(jobs)) {
        reached[i] = set;
    }
    let mut reaching: BTreeMap<&(String, String), usize> = BTreeMap::new();
    for key in reached.iter().flatten() {
        *reaching.entry(key).or_default() += 1;
    }
    let mut components: Vec<Map<String, Value>> = Vec::new();
    for set in &reached {
        let mut family = Map::new();
        for key @ (kind, name) in set {
            let Some(Value::Object(all)) = root
                .get_mut("components")
                .and_then(|c| c.get_mut(kind.as_str()))
            else {
                continue;
            };
            let component = if reaching[key] == 1 && kind != "securitySchemes" {
                all.remove(name.as_str())
            } else {
                all.get(name.as_str()).cloned()
            };
            if let Some(component) = component {
                let entry = family.entry(kind.clone()).or_insert_with(|| json!({}));
                entry[name.as_str()] = component;
            }
        }
        components.push(family);
    }
    components
}

/// The `x-*` members of `paths` are the Paths object's extensions, not path items: each is
/// dropped (nothing generated reads one), with a note.
fn drop_paths_extensions(ctx: &mut Ctx, root: &mut Value) {
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return;
    };
    let extensions: Vec<String> = paths
        .keys()
        .filter(|k| k.starts_with("x-"))
        .cloned()
        .collect();
    for key in extensions {
        paths.remove(&key);
        ctx.report.info(
            "paths-extension-dropped",
            pointer::from_tokens(["paths", key.as_str()]),
            format!("`{key}` is an extension of the Paths object, not a path; dropped"),
        );
    }
}

fn check_operations_are_objects(ctx: &Ctx, root: &Value) -> Result<()> {
    for (path, item) in root["paths"].as_object().expect("checked at load") {
        let at = pointer::from_tokens(["paths", path.as_str()]);
        let Some(item) = item.as_object() else {
            return Err(Error::invalid(
                &ctx.file,
                &at,
                "a path item must be an object",
            ));
        };
        for method in METHODS {
            if let Some(op) = item.get(*method)
                && !op.is_object()
            {
                return Err(Error::invalid(
                    &ctx.file,
                    &pointer::join(&at, method),
                    "an operation must be an object",
                ));
            }
        }
    }
    Ok(())
}

/// `info` as 3.0 wants it (string title and version; no 3.1-only fields) and the 3.1-only
/// root fields dropped, each reported.
fn normalize_root(ctx: &mut Ctx, root: &mut Value) -> Result<()> {
    let obj = root.as_object_mut().expect("checked at load");
    let info = obj
        .get_mut("info")
        .and_then(Value::as_object_mut)
        .expect("checked at load");
    if let Some(Value::Number(n)) = info.get("version") {
        let text = n.to_string();
        ctx.report.info(
            "info-version-string",
            "#/info/version",
            format!("numeric version {text} became the string \"{text}\""),
        );
        info.insert("version".into(), Value::String(text));
    }
    for key in ["title", "version"] {
        if !info.get(key).is_some_and(Value::is_string) {
            return Err(Error::invalid(
                &ctx.file,
                &format!("#/info/{key}"),
                format!("`info.{key}` must be a string"),
            ));
        }
    }
    if info.remove("summary").is_some() {
        ctx.report.info(
            "root-field-dropped",
            "#/info/summary",
            "`info.summary` has no OpenAPI 3.0 form; dropped",
        );
    }
    if let Some(Value::Object(license)) = info.get_mut("license")
        && license.remove("identifier").is_some()
    {
        ctx.report.info(
            "root-field-dropped",
            "#/info/license/identifier",
            "`license.identifier` has no OpenAPI 3.0 form; dropped",
        );
    }
    match obj.get("servers") {
        None | Some(Value::Array(_)) => {}
        Some(found) => {
            let what = found.to_string();
            let listed = match found {
                Value::String(url) => Some(json!([{ "url": url }])),
                server @ Value::Object(_) => Some(json!([server])),
                _ => None,
            };
            let how = if listed.is_some() {
                "read as a list of that one server"
            } else {
                "dropped"
            };
            match listed {
                Some(servers) => obj.insert("servers".into(), servers),
                None => obj.remove("servers"),
            };
            ctx.report.warn(
                "member-value-repaired",
                "#/servers",
                format!("`servers` is `{what}`, not a list of servers: {how}"),
            );
        }
    }
    for key in ["webhooks", "jsonSchemaDialect"] {
        if obj.remove(key).is_some() {
            ctx.report.warn(
                "root-field-dropped",
                pointer::from_tokens([key]),
                format!("`{key}` has no OpenAPI 3.0 form; dropped"),
            );
        }
    }
    if let Some(Value::Object(c)) = obj.get_mut("components")
        && c.remove("pathItems").is_some()
    {
        ctx.report.warn(
            "root-field-dropped",
            "#/components/pathItems",
            "`components.pathItems` has no OpenAPI 3.0 form; dropped",
        );
    }
    Ok(())
}

/// Component names must match `^[A-Za-z0-9._-]+$` (3.0) and must not smuggle anything into
/// generated identifiers; anything else is renamed and every `$ref` follows.
fn sanitize_component_names(ctx: &mut Ctx, root: &mut Value) {
    let Some(Value::Object(components)) = root.get("components") else {
        return;
    };
    let mut renames = Vec::new();
    for (kind, entries) in components {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        for name in entries.keys() {
            let valid = !name.is_empty()
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !valid {
                let mut clean: String = name
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !clean.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    clean.insert_str(0, "Schema");
                }
                let mut candidate = clean.clone();
                let mut n = 2;
                while entries.contains_key(&candidate)
                    || renames
                        .iter()
                        .any(|(k, _, c): &(String, String, String)| k == kind && *c == candidate)
                {
                    candidate = format!("{clean}{n}");
                    n += 1;
                }
                renames.push((kind.clone(), name.clone(), candidate));
            }
        }
    }
    for (kind, from, to) in renames {
        let why = format!("component name {from:?} is not an identifier; renamed `{to}`");
        rename_component(ctx, root, &kind, &from, &to, why);
    }
}

/// Each of `names` that Rust spells as an earlier one (`thing_list` after `ThingList`), with
/// the name `free` gives it instead (the first free numbered one).
fn later_names_alike<'a>(
    names: impl IntoIterator<Item = &'a String>,
    free: &mut crate::names::Namespace,
) -> Vec<(String, String)> {
    let mut seen = crate::names::Namespace::new(crate::names::Case::Type);
    let mut renames = Vec::new();
    for name in names {
        if seen.contains(name) {
            renames.push((name.clone(), free.claim(name)));
        } else {
            seen.reserve(name);
        }
    }
    renames
}

/// Security schemes whose names the generated code spells alike (`BearerAuth` and
/// `bearerAuth`: one `Scheme` variant, one `Authenticator` method): the later one is renamed
/// (numbered), in `components.securitySchemes` and in every security requirement, with a
/// warning.
fn rename_colliding_security_schemes(ctx: &mut Ctx, root: &mut Value) {
    let Some(schemes) = root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return;
    };
    let mut free = crate::names::Namespace::new(crate::names::Case::Type);
    schemes.keys().for_each(|name| free.reserve(name));
    let renames = later_names_alike(schemes.keys(), &mut free);
    if renames.is_empty() {
        return;
    }
    let schemes = root
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
        .expect("read above");
    for (from, to) in &renames {
        if let Some(scheme) = schemes.remove(from) {
            schemes.insert(to.clone(), scheme);
        }
    }
    let rename_in = |requirements: &mut Value| {
        for requirement in requirements.as_array_mut().into_iter().flatten() {
            let Some(requirement) = requirement.as_object_mut() else {
                continue;
            };
            for (from, to) in &renames {
                if let Some(scopes) = requirement.remove(from) {
                    requirement.insert(to.clone(), scopes);
                }
            }
        }
    };
    if let Some(security) = root.get_mut("security") {
        rename_in(security);
    }
    for_each_operation_mut(root, |_, op| {
        if let Some(security) = op.get_mut("security") {
            rename_in(security);
        }
    });
    for (from, to) in &renames {
        ctx.report.warn(
            "component-renamed",
            pointer::from_tokens(["components", "securitySchemes", from.as_str()]),
            format!(
                "security scheme `{from}` is spelled as an earlier one in Rust; renamed `{to}`"
            ),
        );
    }
}

/// Moves the component `components/{kind}/{from}` to `{to}`, points every `$ref` at its new
/// place, and reports the rename (`component-renamed`, saying `why`).
fn rename_component(
    ctx: &mut Ctx,
    root: &mut Value,
    kind: &str,
    from: &str,
    to: &str,
    why: String,
) {
    let from_ref = pointer::from_tokens(["components", kind, from]);
    let to_ref = pointer::from_tokens(["components", kind, to]);
    if let Some(Value::Object(entries)) = root.get_mut("components").and_then(|c| c.get_mut(kind))
        && let Some(v) = entries.remove(from)
    {
        entries.insert(to.to_owned(), v);
    }
    refs::rewrite_refs(root, &from_ref, &to_ref);
    ctx.report.warn("component-renamed", &from_ref, why);
}

/// Component schemas whose names typify makes into one type name (`ThingList` and
/// `thing_list`): the first in name order keeps it, each later one gets the first free
/// numbered name (`thing_list2`); every `$ref` follows, and the report says so.
fn rename_colliding_components(ctx: &mut Ctx, root: &mut Value) {
    let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let renames = later_names_alike(schemas.keys(), &mut component_names(root));
    for (from, to) in renames {
        let why = format!(
            "`{from}` is the same Rust type name as an earlier component's; renamed `{to}`"
        );
        rename_component(ctx, root, "schemas", &from, &to, why);
    }
}

/// Component schemas whose type name users would misread beside the client's own types (a
/// second `Error`, `OAuthErrorError`) get the naming authority's name
/// ([`crate::names::unambiguous_type_name`]), and so do those whose name typify's code would
/// read in place of the prelude's item (`String`, [`crate::names::prelude_safe_type_name`]);
/// every `$ref` follows, and the report says so.
fn rename_misread_components(ctx: &mut Ctx, root: &mut Value) {
    let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let wanted: Vec<(String, String, &str)> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            if let Some(wanted) = crate::names::unambiguous_type_name(name) {
                return Some((
                    name.clone(),
                    wanted,
                    "would be misread beside the client's own types",
                ));
            }
            let braced = schema
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty());
            let wanted = crate::names::prelude_safe_type_name(name, braced)?;
            Some((
                name.clone(),
                wanted,
                "would shadow the prelude's item of that name in the generated types",
            ))
        })
        .collect();
    let mut taken = component_names(root);
    for (from, wanted, why) in wanted {
        let to = taken.claim(&wanted);
        let why = format!("`{from}` {why}; renamed `{to}`");
        rename_component(ctx, root, "schemas", &from, &to, why);
    }
}

/// Places every path in its family; drops (and reports) excluded ones; fails closed.
fn place_paths(
    ctx: &mut Ctx,
    root: &mut Value,
    config: &FamiliesConfig,
) -> Result<Vec<(String, usize)>> {
    let paths = root
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .expect("checked at load");
    let mut placed = Vec::new();
    let mut unmapped = Vec::new();
    let mut rejected = Vec::new();
    let mut dropped = Vec::new();
    let mut ambiguous = Vec::new();
    for path in paths.keys() {
        let at = pointer::from_tokens(["paths", path.as_str()]);
        match config.place(path) {
            Ok(Some(Placement::Family(i))) => placed.push((path.clone(), i)),
            Ok(Some(Placement::Excluded(i))) => {
                let x = &config.exclusions[i];
                match x.action {
                    ExclusionAction::Drop => dropped.push((path.clone(), at, x.reason.clone())),
                    ExclusionAction::Reject => rejected.push((at, x.reason.clone())),
                }
            }
            Ok(None) => unmapped.push(at),
            Err(families) => ambiguous.push(format!("  {at} ({})", families.join(", "))),
        }
    }
    if !ambiguous.is_empty() {
        return Err(Error::Config {
            file: config.origin.clone(),
            message: format!(
                "{}: {} path(s) match more than one family; make the patterns disjoint:\n{}",
                ctx.file,
                ambiguous.len(),
                ambiguous.join("\n")
            ),
        });
    }
    if !rejected.is_empty() {
        return Err(Error::InternalPaths {
            file: ctx.file.clone(),
            config: config.origin.clone(),
            paths: rejected,
        });
    }
    if !unmapped.is_empty() {
        return Err(Error::UnmappedPaths {
            file: ctx.file.clone(),
            config: config.origin.clone(),
            pointers: unmapped,
        });
    }
    for (path, at, reason) in dropped {
        paths.remove(&path);
        ctx.report
            .warn("path-dropped-internal", at, format!("{path} ({reason})"));
    }
    Ok(placed)
}

/// JSON Schema's type names: an extension object whose `type` is something else (`"sse"`) is
/// not a schema.
const JSON_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// Appends `text` as a JSON string, exactly as `Value::to_string` writes it (serde_json escapes
/// only `"`, `\` and control characters below U+0020), without a copy when nothing needs
/// escaping.
pub(crate) fn push_json_string(out: &mut String, text: &str) {
    if text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(&serde_json::to_string(text).unwrap_or_default());
    } else {
        out.push('"');
        out.push_str(text);
        out.push('"');
    }
}

fn looks_like_schema(v: &Value) -> bool {
    let Some(m) = v.as_object() else { return false };
    match m.get("type") {
        Some(Value::String(t)) => JSON_TYPES.contains(&t.as_str()),
        Some(Value::Array(ts)) => ts
            .iter()
            .all(|t| t.as_str().is_some_and(|t| JSON_TYPES.contains(&t))),
        Some(_) => false,
        None => [
            "properties",
            "items",
            "allOf",
            "anyOf",
            "oneOf",
            "$ref",
            "enum",
            "const",
        ]
        .iter()
        .any(|k| m.contains_key(*k)),
    }
}

/// Finds schemas inside an extension value (`x-channels`, `x-sdk-streaming`) and downgrades them.
fn downgrade_extension(v: &mut Value, at: &str, report: &mut Report) {
    if looks_like_schema(v) {
        schema::downgrade(v, at, report);
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                downgrade_extension(child, &pointer::join(at, k), report);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter_mut().enumerate() {
                downgrade_extension(child, &format!("{at}/{i}"), report);
            }
        }
        _ => {}
    }
}

/// Applies [`schema::downgrade`] at every place a schema can stand.
fn downgrade_schemas(ctx: &mut Ctx, root: &mut Value) {
    fn in_content(holder: &mut Value, at: &str, report: &mut Report) {
        if let Some(Value::Object(content)) = holder.get_mut("content") {
            for (media, m) in content.iter_mut() {
                if let Some(s) = m.get_mut("schema") {
                    schema::downgrade(
                        s,
                        &format!("{}/schema", pointer::join(&format!("{at}/content"), media)),
                        report,
                    );
                }
            }
        }
    }
    fn in_parameter(p: &mut Value, at: &str, report: &mut Report) {
        if let Some(s) = p.get_mut("schema") {
            schema::downgrade(s, &format!("{at}/schema"), report);
        }
        in_content(p, at, report);
    }
    fn in_response(r: &mut Value, at: &str, report: &mut Report) {
        in_content(r, at, report);
        if let Some(Value::Object(headers)) = r.get_mut("headers") {
            for (name, h) in headers.iter_mut() {
                in_parameter(h, &pointer::join(&format!("{at}/headers"), name), report);
            }
        }
    }
    fn in_path_item(item: &mut Value, item_at: &str, report: &mut Report) {
        if let Some(Value::Array(params)) = item.get_mut("parameters") {
            for (i, p) in params.iter_mut().enumerate() {
                in_parameter(p, &format!("{item_at}/parameters/{i}"), report);
            }
        }
        for method in METHODS {
            let Some(op) = item.get_mut(*method) else {
                continue;
            };
            let at = pointer::join(item_at, method);
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                for (i, p) in params.iter_mut().enumerate() {
                    in_parameter(p, &format!("{at}/parameters/{i}"), report);
                }
            }
            if let Some(body) = op.get_mut("requestBody") {
                in_content(body, &format!("{at}/requestBody"), report);
            }
            if let Some(Value::Object(responses)) = op.get_mut("responses") {
                for (code, r) in responses.iter_mut() {
                    in_response(r, &pointer::join(&format!("{at}/responses"), code), report);
                }
            }
            if let Some(Value::Object(op_map)) = Some(op) {
                for (key, v) in op_map.iter_mut() {
                    if key.starts_with("x-") {
                        downgrade_extension(v, &pointer::join(&at, key), report);
                    }
                }
            }
        }
    }
    /// What a unit of the walk is, and so how it is walked.
    #[derive(Clone, Copy)]
    enum Place {
        Schema,
        Parameter,
        Content,
        Response,
        Extension,
        PathItem,
    }
    // The units in the order their report entries come: components (schemas, parameters,
    // headers, request bodies, responses), the document's `x-` extensions, then the paths;
    // walked on the job pool.
    const COMPONENTS: [(&str, Place); 5] = [
        ("schemas", Place::Schema),
        ("parameters", Place::Parameter),
        ("headers", Place::Parameter),
        ("requestBodies", Place::Content),
        ("responses", Place::Response),
    ];
    let Some(root_map) = root.as_object_mut() else {
        return;
    };
    let mut components: Vec<Vec<(Place, &mut Value, String)>> =
        COMPONENTS.iter().map(|_| Vec::new()).collect();
    let (mut extensions, mut paths) = (Vec::new(), Vec::new());
    for (key, v) in root_map.iter_mut() {
        if key == "components"
            && let Value::Object(kinds) = v
        {
            for (kind, entries) in kinds.iter_mut() {
                let Some(at) = COMPONENTS.iter().position(|(k, _)| k == kind) else {
                    continue;
                };
                let Value::Object(entries) = entries else {
                    continue;
                };
                for (name, v) in entries.iter_mut() {
                    let pointer = pointer::from_tokens(["components", kind, name.as_str()]);
                    components[at].push((COMPONENTS[at].1, v, pointer));
                }
            }
        } else if key == "paths"
            && let Value::Object(items) = v
        {
            for (path, item) in items.iter_mut() {
                let pointer = pointer::from_tokens(["paths", path.as_str()]);
                paths.push((Place::PathItem, item, pointer));
            }
        } else if key.starts_with("x-") {
            let pointer = pointer::from_tokens([key.as_str()]);
            // An extension's members or items are units of their own (a platform spec's
            // `x-channels` holds a third of its schemas), walked as the whole would be.
            if looks_like_schema(v) || !matches!(v, Value::Object(_) | Value::Array(_)) {
                extensions.push((Place::Extension, v, pointer));
            } else if let Value::Object(members) = v {
                for (k, child) in members.iter_mut() {
                    extensions.push((Place::Extension, child, pointer::join(&pointer, k)));
                }
            } else if let Value::Array(items) = v {
                for (i, child) in items.iter_mut().enumerate() {
                    extensions.push((Place::Extension, child, format!("{pointer}/{i}")));
                }
            }
        }
    }
    let units: Vec<(Place, &mut Value, String)> = components
        .into_iter()
        .flatten()
        .chain(extensions)
        .chain(paths)
        .collect();
    let reports = crate::jobs::map_chunks(units, |(place, v, at)| {
        let mut report = Report::default();
        match place {
            Place::Schema => schema::downgrade(v, &at, &mut report),
            Place::Parameter => in_parameter(v, &at, &mut report),
            Place::Content => in_content(v, &at, &mut report),
            Place::Response => in_response(v, &at, &mut report),
            Place::Extension => downgrade_extension(v, &at, &mut report),
            Place::PathItem => in_path_item(v, &at, &mut report),
        }
        report.entries
    });
    ctx.report.entries.extend(reports.into_iter().flatten());
}

/// Puts every map in key order, whatever map type serde_json was built with: nothing to do
/// when its maps are sorted maps (without its `preserve_order` feature), and a map already in
/// order is left as it is.
pub fn sort_keys(v: &mut Value) {
    static MAPS_ARE_SORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let sorted = *MAPS_ARE_SORTED.get_or_init(|| {
        let mut probe = Map::new();
        probe.insert("b".into(), Value::Null);
        probe.insert("a".into(), Value::Null);
        probe.keys().next().is_some_and(|k| k == "a")
    });
    if !sorted {
        sort_keys_of(v);
    }
}

fn sort_keys_of(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if !m.keys().zip(m.keys().skip(1)).all(|(a, b)| a < b) {
                // In place: the entries are reordered, not rebuilt.
                m.sort_keys();
            }
            m.values_mut().for_each(sort_keys_of);
        }
        Value::Array(a) => a.iter_mut().for_each(sort_keys_of),
        _ => {}
    }
}
