//! The contract crate (`generated/archastro-contract`, never published): one call of every
//! operation of the generated client with valid example arguments built from the spec's
//! schemas, for a mock server that validates each request against the spec (Prism). It is how
//! the tests prove that what the client sends is what the spec says, operation by operation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::Result;
use crate::client::{CLIENT_DIR, GENERATED_MARKER};
use crate::model::{
    Api, Body, Family, Location, Parameter, Resources, SegmentValue, example, ref_name,
};
use crate::names::{module_name, str_lit, type_name};
use crate::pointer;

/// Where the contract crate lives, relative to the output root.
pub const CONTRACT_DIR: &str = "generated/archastro-contract";

/// The fixed start of `src/lib.rs`, up to the client, built.
const LIB_START: &str = r#"//! Calls every operation of `archastro-client` once with example arguments.
use archastro_client::{ArchAstro, RetryPolicy};
/// What one call gave: `Ok` when the response was a success that decoded.
pub type Outcome = (&'static str, Result<(), String>);
/// Calls every operation against `base_url` (a mock server of the spec).
pub async fn call_every_operation(base_url: &str) -> Vec<Outcome> {
    let api = ArchAstro::builder()
        .base_url(base_url)
        .publishable_key("pk_test_contract")
        .secret_key("sk_test_contract")
        .bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfY29udHJhY3QifQ.c2lnbmF0dXJl")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a valid client configuration");
"#;

/// What follows [`LIB_START`], up to the first family's calls.
const LIB_CALLS_START: &str = "    let mut outcomes = Vec::new();\n";

/// What follows [`LIB_START`] when the spec has no operation: the client is only built.
const LIB_NO_CALLS: &str = "    let _ = api;\n    Vec::new()\n}\n";

/// The fixed end of `src/lib.rs`, after the last family's calls.
const LIB_END: &str = r#"    outcomes
}
fn outcome<T>(id: &'static str, result: Result<T, archastro_client::Error>) -> Outcome {
    (id, result.map(|_| ()).map_err(|e| e.to_string()))
}
"#;

/// `src/main.rs`, after the generated marker.
const MAIN: &str = r#"//! `archastro-contract BASE_URL`: calls every operation, prints one line each, fails if any failed.
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let Some(base_url) = std::env::args().nth(1) else {
        eprintln!("usage: archastro-contract BASE_URL");
        return std::process::ExitCode::FAILURE;
    };
    let outcomes = archastro_contract::call_every_operation(&base_url).await;
    let mut failed = 0;
    for (id, result) in &outcomes {
        match result {
            Ok(()) => println!("ok   {id}"),
            Err(e) => {
                failed += 1;
                println!("FAIL {id}: {e}");
            }
        }
    }
    println!("{} operations, {} failed", outcomes.len(), failed);
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
"#;

/// Every file of the contract crate, keyed by path relative to the crate directory. The code
/// is written as text (its shape is fixed; names from the spec go through the names the client
/// has for them, [`module_name`], the model's setters, the resources' and [`type_name`], values through
/// escaped literals).
pub fn generate_contract(api: &Api<'_>) -> Result<BTreeMap<String, String>> {
    let mut lib = format!("{GENERATED_MARKER}\n{LIB_START}");
    if api.families.iter().all(|family| family.operations.is_empty()) {
        lib.push_str(LIB_NO_CALLS);
    } else {
        lib.push_str(LIB_CALLS_START);
        for family in &api.families {
            family_calls(family, &mut lib);
        }
        lib.push_str(LIB_END);
    }
    let dependencies: BTreeSet<&str> = PARSED_STRINGS
        .iter()
        .filter(|(_, ty, _)| lib.contains(&format!("parse::<{ty}>")))
        .map(|(_, _, dependency)| *dependency)
        .collect();
    let mut files = BTreeMap::new();
    files.insert("src/lib.rs".to_owned(), lib);
    files.insert(
        "src/main.rs".to_owned(),
        format!("{GENERATED_MARKER}\n{MAIN}"),
    );
    files.insert("Cargo.toml".to_owned(), cargo_toml(&dependencies));
    Ok(files)
}

/// The string formats of path parameters the contract parses from their example: the type
/// the client gives them and the dependency the contract then needs.
const PARSED_STRINGS: &[(&str, &str, &str)] = &[
    ("date", "chrono::NaiveDate", "chrono = \"0.4\""),
    (
        "date-time",
        "chrono::DateTime<chrono::Utc>",
        "chrono = \"0.4\"",
    ),
    ("uuid", "uuid::Uuid", "uuid = \"1\""),
];

/// The entry of [`PARSED_STRINGS`] for a string `schema` of one of its formats.
fn parsed_string(schema: &Value) -> Option<&'static (&'static str, &'static str, &'static str)> {
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    let format = schema.get("format").and_then(Value::as_str)?;
    PARSED_STRINGS.iter().find(|(f, _, _)| *f == format)
}

/// `text` parsed into `ty`, as a multi-line expression.
fn parsed_literal(text: &str, ty: &str) -> String {
    format!(
        "{}\n                    .parse::<{ty}>()\n                    .expect(\"the example parameter fits its type\")",
        str_lit(text)
    )
}

/// The manifest, with `dependencies` (lines) beside the fixed ones.
fn cargo_toml(dependencies: &BTreeSet<&str>) -> String {
    let extra: String = dependencies.iter().map(|d| format!("{d}\n")).collect();
    format!(
        "# Generated by `cargo xtask regen`, do not edit by hand.\n\
         [package]\n\
         name = \"archastro-contract\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         description = \"Calls every operation of archastro-client once, for contract tests against a mock server\"\n\
         \n\
         [dependencies]\n\
         archastro-client = {{ path = \"../{}\" }}\n\
         progenitor-client = \"0.15.1\"\n\
         serde = \"1\"\n\
         serde_json = \"1\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n\
         {extra}",
        CLIENT_DIR.trim_start_matches("generated/")
    )
}

/// Appends one scope of calls per family: for each operation, the builder chain (through its
/// resources) with every required parameter and the body set from examples, sent, then its
/// outcome. Each call's future is boxed: inline, hundreds of them make one future too large
/// for a test thread's stack in a debug build.
fn family_calls(family: &Family<'_>, out: &mut String) {
    let tree = family.resources();
    out.push_str("    {\n");
    for (index, op) in family.operations.iter().enumerate() {
        // One level deeper than `example_request` writes them, inside `Box::pin(...)`.
        let mut chain: Vec<String> = example_request(family, tree, index)
            .into_iter()
            .map(|call| call.replace('\n', "\n    "))
            .collect();
        chain.push("send()".to_owned());
        let _ = write!(
            out,
            "        let result = Box::pin(\n            api\n                .{},\n        )\n        .await;\n        outcomes.push(outcome({}, result));\n",
            chain.join("\n                ."),
            str_lit(op.id)
        );
    }
    out.push_str("    }\n");
}

/// The calls that build one request of operation `index` of `family` with example arguments,
/// to be chained after the client (`api.`): the family's accessor, the resources of `tree` on
/// the way to the operation (each with the example of its path parameters), its builder,
/// every other required parameter and the body. Sending it (`send()`), or streaming it
/// (`events()`), is the caller's.
pub fn example_request(family: &Family<'_>, tree: &Resources, index: usize) -> Vec<String> {
    let doc = family.doc;
    let op = &family.operations[index];
    // A typed value (a multi-line expression) or a scalar literal.
    let argument = |p: &Parameter<'_>| {
        let schema = p.schema.unwrap_or(&Value::Null);
        let value = example(doc, schema, 0);
        match p.segment_value(doc) {
            Some(segment) => (segment_literal(doc, &segment, value), true),
            None => parameter_literal(doc, schema, &value),
        }
    };
    let mut chain = vec![format!("{}()", module_name(family.name))];
    let (node, method) = tree
        .method_of(index)
        .expect("every operation has a resource");
    let mut held = Vec::new();
    for resource in tree.chain(node).into_iter().skip(1) {
        let resource = &tree.nodes[resource];
        let args: Vec<String> = resource
            .params
            .iter()
            .filter_map(|name| op.parameters_in(Location::Path).find(|p| p.name == name))
            .map(|p| match typed_path_literal(doc, p) {
                Some(literal) => literal,
                None => argument(p).0,
            })
            .collect();
        held.extend(resource.params.iter().map(String::as_str));
        chain.push(format!("{}({})", resource.accessor, args.join(", ")));
    }
    chain.push(format!("{}()", method.name));
    let rest = op
        .parameters
        .iter()
        .filter(|p| p.required && !held.contains(&p.name));
    for p in rest {
        let method = &p.setter;
        chain.push(match argument(p) {
            (value, true) => format!("{method}(\n                {value},\n            )"),
            (value, false) => format!("{method}({value})"),
        });
    }
    if let Some(body) = op.body.as_ref().and_then(|b| body_call(doc, b)) {
        chain.push(body);
    }
    chain
}

/// The `body(...)` call of a request body: the example of a JSON body decoded into its type (a
/// component, an array of one, or a scalar), or sent as a JSON object where the body is one
/// (or any value); an empty body of the other types the client sends; `None` for a type it
/// cannot send, or cannot name (an array of dates: the call then fails as unsent).
fn body_call(doc: &Value, body: &Body<'_>) -> Option<String> {
    match body.media_type {
        "application/json" => {
            let schema = body.schema.unwrap_or(&Value::Null);
            let text = str_lit(&example(doc, schema, 0).to_string());
            let parsed = match decoded_type(schema) {
                Some(typed) => format!(
                    "serde_json::from_str::<{typed}>({text})\n                    .expect(\"the example body fits its type\")"
                ),
                None if matches!(json_type(schema), None | Some("object")) => {
                    format!(
                        "serde_json::from_str::<serde_json::Map<String, serde_json::Value>>({text})\n                    .unwrap_or_default()"
                    )
                }
                None => return None,
            };
            Some(format!("body(\n                {parsed},\n            )"))
        }
        "application/octet-stream" => Some("body(Vec::<u8>::new())".to_owned()),
        "text/plain" => Some("body(String::new())".to_owned()),
        _ => None,
    }
}

/// The JSON type of `schema`'s values: its `type`, else `array` where it has `items` (typify
/// reads it so).
fn json_type(schema: &Value) -> Option<&str> {
    match schema.get("type").and_then(Value::as_str) {
        None if schema.get("items").is_some() => Some("array"),
        ty => ty,
    }
}

/// The Rust type the client gives a JSON body of `schema`, which the contract decodes the
/// example into: a component, an array or a map (`additionalProperties` alone) of such types,
/// or a scalar; `None` for any other (sent as a JSON object).
fn decoded_type(schema: &Value) -> Option<String> {
    if let Some(name) = ref_name(schema) {
        return Some(format!(
            "archastro_client::types::{}",
            type_name(&pointer::unescape(name))
        ));
    }
    match json_type(schema) {
        Some("array") => Some(format!("Vec<{}>", decoded_type(schema.get("items")?)?)),
        Some("object") if schema.get("properties").is_none() => {
            let values = schema
                .get("additionalProperties")
                .filter(|v| v.is_object())?;
            Some(format!(
                "std::collections::HashMap<String, {}>",
                decoded_type(values)?
            ))
        }
        _ => scalar_type(schema).map(str::to_owned),
    }
}

/// The Rust type typify gives an inline scalar schema whose type is one the example decodes
/// into without a conversion: a string without a format typify types otherwise, an IP address
/// (std's), a boolean, an integer or a number without a format.
fn scalar_type(schema: &Value) -> Option<&'static str> {
    let format = schema.get("format").and_then(Value::as_str);
    match (schema.get("type").and_then(Value::as_str), format) {
        (Some("string"), Some("ip")) => Some("std::net::IpAddr"),
        (Some("string"), Some("ipv4")) => Some("std::net::Ipv4Addr"),
        (Some("string"), Some("ipv6")) => Some("std::net::Ipv6Addr"),
        (Some("string"), Some("date-time" | "date" | "uuid")) => None,
        (Some("string"), _) => Some("String"),
        (Some("boolean"), _) => Some("bool"),
        (Some("integer"), None) => Some("i64"),
        (Some("number"), None) => Some("f64"),
        _ => None,
    }
}

/// The example of an array or object path parameter decoded into its type. Every property of
/// an object is set: an empty object would leave its path segment empty.
fn segment_literal(doc: &Value, segment: &SegmentValue<'_>, mut value: Value) -> String {
    if let (SegmentValue::Object { properties, .. }, Value::Object(fields)) = (segment, &mut value)
    {
        for property in properties {
            fields
                .entry(property.name)
                .or_insert_with(|| example(doc, property.schema, 1));
        }
    }
    format!(
        "serde_json::from_str::<archastro_client::types::{}>({})\n                    .expect(\"the example parameter fits its type\")",
        type_name(segment.component()),
        str_lit(&value.to_string())
    )
}

/// The example `value` of a parameter of `schema` that is no path segment of its own, and
/// whether it is a multi-line expression: an array decoded into the setter's `Vec` or fixed
/// array (its item type inferred), a date or uuid, or a string component's value, parsed from its text
/// (typify gives those `FromStr`; a resource's accessor takes only its own type), another
/// component's decoded from JSON, a number as its float type, else a literal.
fn parameter_literal(doc: &Value, schema: &Value, value: &Value) -> (String, bool) {
    if value.is_array() {
        let text = str_lit(&value.to_string());
        // typify types an array of exactly `n` items as `[T; n]`, which a `Vec` does not
        // convert into.
        let length = |key: &str| schema.get(key).and_then(Value::as_u64);
        let ty = match (length("minItems"), length("maxItems")) {
            (Some(min), Some(max)) if min == max && min > 0 && ref_name(schema).is_none() => {
                format!("[_; {min}]")
            }
            _ => "Vec<_>".to_owned(),
        };
        let decoded = format!(
            "serde_json::from_str::<{ty}>({text})\n                    .expect(\"the example parameter fits its type\")"
        );
        return (decoded, true);
    }
    if let Some((_, ty, _)) = parsed_string(schema)
        && let Value::String(text) = value
    {
        return (parsed_literal(text, ty), true);
    }
    let Some(name) = ref_name(schema) else {
        let literal = number_literal(schema, value).unwrap_or_else(|| scalar_literal(value));
        return (literal, false);
    };
    let ty = format!(
        "archastro_client::types::{}",
        type_name(&pointer::unescape(name))
    );
    // typify gives a union (an untagged enum) no `FromStr`, nor a component of integers or
    // numbers (a newtype of an integer `enum`, of bounds): its value is decoded from JSON.
    let resolved = crate::normalize::schema::resolve_schema(doc, schema);
    let composed = ["oneOf", "anyOf", "allOf"]
        .iter()
        .any(|k| resolved.get(*k).is_some());
    if composed || resolved.get("type").and_then(Value::as_str) != Some("string") {
        let decoded = format!(
            "serde_json::from_str::<{ty}>({})\n                    .expect(\"the example parameter fits its type\")",
            str_lit(&value.to_string())
        );
        return (decoded, true);
    }
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned);
    (parsed_literal(&text, &ty), true)
}

/// The example of a number, uuid or date path parameter `p` as a resource's accessor takes it
/// (its own type, `impl Into<T>`, which no other number type nor `&str` converts into): a
/// literal of that type, or its text parsed into it (`std::num::NonZeroU64`, `uuid::Uuid`);
/// `None` for any other parameter.
fn typed_path_literal(doc: &Value, p: &Parameter<'_>) -> Option<String> {
    let schema = p.schema?;
    let resolved = crate::normalize::schema::resolve_schema(doc, schema);
    let parsed_string = parsed_string(resolved);
    let ty = match resolved.get("type").and_then(Value::as_str) {
        _ if ref_name(schema).is_some() => return None,
        Some("integer" | "number") => crate::diff::generated_type(doc, schema),
        Some("string") => parsed_string?.1.to_owned(),
        _ => return None,
    };
    let value = example(doc, schema, 0);
    let whole = |n: &serde_json::Number| n.is_u64() || (n.is_i64() && ty.starts_with('i'));
    let literal = match (ty.as_str(), &value) {
        ("f32" | "f64", Value::Number(n)) => {
            let n = proc_macro2::Literal::f64_unsuffixed(n.as_f64().unwrap_or(1.0));
            format!("{n}{ty}")
        }
        ("i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64", Value::Number(n))
            if whole(n) =>
        {
            format!("{n}{ty}")
        }
        (ty, value) if ty.starts_with("std::") || parsed_string.is_some() => {
            parsed_literal(value.as_str().map_or(&value.to_string(), |s| s), ty)
        }
        _ => return None,
    };
    Some(literal)
}

/// The example `value` of an inline `type: number` schema as a literal of the float type
/// typify gives it (`f32` for `format: float`): no integer type converts into a float.
fn number_literal(schema: &Value, value: &Value) -> Option<String> {
    let n = value.as_f64()?;
    if schema.get("type").and_then(Value::as_str) != Some("number") {
        return None;
    }
    let literal = match schema.get("format").and_then(Value::as_str) {
        Some("float") => proc_macro2::Literal::f32_suffixed(n as f32),
        _ => proc_macro2::Literal::f64_suffixed(n),
    };
    Some(literal.to_string())
}

/// A literal of a type every generated parameter setter accepts (`TryInto<T>`): suffixed
/// numbers, booleans, and strings (anything else as its JSON text).
fn scalar_literal(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_u64() => format!("{}u64", n.as_u64().unwrap_or(1)),
        Value::Number(n) if n.is_i64() => format!("{}i64", n.as_i64().unwrap_or(1)),
        Value::Number(n) => {
            proc_macro2::Literal::f64_suffixed(n.as_f64().unwrap_or(1.0)).to_string()
        }
        Value::String(s) => str_lit(s),
        other => str_lit(&other.to_string()),
    }
}
