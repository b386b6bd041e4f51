//! Where progenitor fails: its errors and typify's panics name no place in the document, so
//! when a run fails, the operations are tried one at a time, then each schema component with
//! the components it reaches, and the first operation (or the smallest component closure) that
//! fails on its own is the place reported. Panics are caught quietly: the panic hook stays
//! silent on the thread that expects them, so no panic text or backtrace is printed.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use openapiv3::{OpenAPI, ReferenceOr};
use serde_json::json;

use crate::normalize::refs::reachable_components;
use crate::pointer;

thread_local! {
    /// Whether a panic on this thread is expected (inside [`quietly`]) and must print nothing.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, returning the text of its panic as an error; the panic prints nothing. The
/// process's panic hook is wrapped once, so that it stays silent only on a thread inside
/// `quietly` (another thread's panics print as before).
pub(super) fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static WRAP_HOOK: Once = Once::new();
    WRAP_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was_quiet = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was_quiet));
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// The JSON pointer of the operation (`#/paths/~1a/get`) or schema component
/// (`#/components/schemas/A`) of `api` on which `fails` fails on its own, or `None`.
pub(super) fn failing_place(api: &OpenAPI, fails: impl Fn(OpenAPI) -> bool) -> Option<String> {
    failing_operation(api, &fails).or_else(|| failing_component(api, &fails))
}

/// The first operation of `api` on which `fails` fails alone (with its path's parameters).
fn failing_operation(api: &OpenAPI, fails: &impl Fn(OpenAPI) -> bool) -> Option<String> {
    let without_paths = OpenAPI {
        paths: Default::default(),
        ..api.clone()
    };
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, _) in item.iter() {
            let mut alone = item.clone();
            let slots = [
                ("get", &mut alone.get),
                ("put", &mut alone.put),
                ("post", &mut alone.post),
                ("delete", &mut alone.delete),
                ("options", &mut alone.options),
                ("head", &mut alone.head),
                ("patch", &mut alone.patch),
                ("trace", &mut alone.trace),
            ];
            for (_, slot) in slots.into_iter().filter(|(m, _)| *m != method) {
                *slot = None;
            }
            let mut candidate = without_paths.clone();
            candidate.paths.paths = [(path.clone(), ReferenceOr::Item(alone))]
                .into_iter()
                .collect();
            if fails(candidate) {
                return Some(pointer::from_tokens(["paths", path.as_str(), method]));
            }
        }
    }
    None
}

/// Schemas converted, summed over the closures tried, before [`failing_component`] gives up:
/// the search stays within a few times the cost of the failed run on any spec.
const COMPONENT_SEARCH_BUDGET: usize = 100_000;

/// The schema component of `api` whose closure (it and the components it reaches) is the
/// smallest on which `fails` fails, without paths: the broken component rather than those
/// that reach it. Closures are tried smallest first, within [`COMPONENT_SEARCH_BUDGET`].
fn failing_component(api: &OpenAPI, fails: &impl Fn(OpenAPI) -> bool) -> Option<String> {
    let components = api.components.as_ref()?;
    let root = json!({ "components": serde_json::to_value(components).ok()? });
    let mut closures: Vec<(&String, BTreeSet<String>)> = components
        .schemas
        .keys()
        .map(|name| {
            let start =
                json!({ "$ref": pointer::from_tokens(["components", "schemas", name.as_str()]) });
            let closure = reachable_components(&root, &[&start])
                .into_iter()
                .filter(|(kind, _)| kind == "schemas")
                .map(|(_, name)| name)
                .collect();
            (name, closure)
        })
        .collect();
    closures.sort_by_key(|(_, closure)| closure.len());
    let without_schemas = OpenAPI {
        paths: Default::default(),
        components: Some(openapiv3::Components {
            schemas: Default::default(),
            ..components.clone()
        }),
        ..api.clone()
    };
    let mut spent = 0;
    for (name, closure) in closures {
        spent += closure.len();
        if spent > COMPONENT_SEARCH_BUDGET {
            return None;
        }
        let mut candidate = without_schemas.clone();
        if let Some(c) = candidate.components.as_mut() {
            let reached = components
                .schemas
                .iter()
                .filter(|(n, _)| closure.contains(*n));
            c.schemas = reached.map(|(n, s)| (n.clone(), s.clone())).collect();
        }
        if fails(candidate) {
            return Some(pointer::from_tokens([
                "components",
                "schemas",
                name.as_str(),
            ]));
        }
    }
    None
}
