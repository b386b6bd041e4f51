//! No ugly names in the generated client, on the repository's spec and every platform spec:
//! read from the model and the generated `types.rs` (not from the text), every method (each
//! resource's accessors, methods and channel joins, every builder setter) and type name
//! (resources, builders, shared types) is checked for a numeric suffix
//! (`create_team_invite_post_2`), a repeated word (`list_agent_agent_installations`), a wrong
//! plural (`sandboxs`) and a split brand name (`x_arch_astro_signature`); the names an
//! operation or a resource gives (its methods, builder and setters) also for an HTTP method
//! used as a word (`post_oauth_token`); a resource (its accessor and type) also for a standard
//! verb or a joining word as a word (`agent_list`, `AgentToolsOfAgentListForAgentTools`): a
//! resource is named by what it holds. A channel message may well be `post_message`: the
//! shared types are not checked for that.

use std::path::Path;

use archastro_codegen::client::{SupportSources, TYPES_FILE, generate_client, shared_type_names};
use archastro_codegen::families::FamiliesConfig;
use archastro_codegen::model::{Api, Resources};
use archastro_codegen::names::{client_setter_name, type_name};
use archastro_codegen::{load, normalize};
use archastro_tests::{shared_dir, workspace_root};

/// Where a name comes from, which decides the rules it is held to.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Operation,
    Resource,
    SharedType,
}

/// Words a resource's name never holds: the standard verbs, which name methods, and the words
/// that join one name to another.
const NOT_RESOURCE_WORDS: &[&str] = &[
    "list", "get", "create", "update", "replace", "delete", "for", "of",
];

/// The words of a snake_case or UpperCamelCase name, lower-cased.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        match out.last_mut() {
            _ if c == '_' => out.push(String::new()),
            Some(word) if !c.is_ascii_uppercase() => word.push(c),
            _ => out.push(c.to_ascii_lowercase().to_string()),
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// Why `name` is ugly, if it is.
fn ugliness(name: &str, source: Source) -> Option<&'static str> {
    let words = words(name);
    let last_is_number = words
        .last()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        || name.ends_with(|c: char| c.is_ascii_digit())
            && name[..name.len() - 1].ends_with(|c: char| c.is_ascii_lowercase());
    let wrong_plural = |w: &String| {
        ["xs", "chs", "shs", "sss", "zs"]
            .iter()
            .any(|s| w.ends_with(s))
            || (w.len() > 3
                && w.ends_with("ys")
                && !w[..w.len() - 2].ends_with(['a', 'e', 'i', 'o', 'u']))
    };
    if last_is_number {
        Some("a numeric suffix")
    } else if words.windows(2).any(|w| w[0] == w[1]) {
        Some("a repeated word")
    } else if words.iter().any(wrong_plural) {
        Some("a wrong plural")
    } else if name.contains("arch_astro") {
        Some("a split brand name")
    } else if source != Source::SharedType
        && words
            .iter()
            .any(|w| ["post", "put", "patch"].contains(&w.as_str()))
    {
        Some("an HTTP method as a word")
    } else if source == Source::Resource
        && words
            .iter()
            .any(|w| NOT_RESOURCE_WORDS.contains(&w.as_str()))
    {
        Some("a verb or a joining word in a resource's name")
    } else {
        None
    }
}

/// Every ugly name of the client generated from `spec` with `families`.
fn ugly_names(spec: &Path, families: &str) -> Vec<String> {
    let config = FamiliesConfig::load(&workspace_root().join(families)).unwrap();
    let normalized = normalize::normalize_owned(load::load_file(spec).unwrap(), &config).unwrap();
    let api = Api::new(&normalized).unwrap();
    let mut names: Vec<(String, Source)> = Vec::new();
    for family in &api.families {
        let tree = Resources::new(family);
        for node in tree.nodes.iter().skip(1) {
            names.push((node.type_name.clone(), Source::Resource));
            names.push((node.accessor.clone(), Source::Resource));
        }
        for node in &tree.nodes {
            names.extend(
                node.methods
                    .iter()
                    .map(|m| (m.name.clone(), Source::Operation)),
            );
            names.extend(
                node.channel_joins
                    .iter()
                    .map(|j| (j.name.clone(), Source::Operation)),
            );
        }
        for op in &family.operations {
            names.push((type_name(op.id), Source::Operation));
            names.extend(
                op.parameters
                    .iter()
                    .map(|p| (client_setter_name(p.name), Source::Operation)),
            );
        }
    }
    let support =
        SupportSources::read(&workspace_root().join("crates/archastro-client-support")).unwrap();
    let files = generate_client(&api, &config, &support, "0.0.0").unwrap();
    names.extend(
        shared_type_names(&files[TYPES_FILE])
            .into_iter()
            .map(|n| (n, Source::SharedType)),
    );
    assert!(
        names.len() > 100,
        "{}: only {} names read",
        spec.display(),
        names.len()
    );
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names.dedup_by(|a, b| a.0 == b.0);
    names
        .into_iter()
        .filter_map(|(name, source)| ugliness(&name, source).map(|why| format!("{name}: {why}")))
        .collect()
}

fn assert_no_ugly_names(spec: &Path, families: &str) {
    let ugly = ugly_names(spec, families);
    assert!(ugly.is_empty(), "{}:\n{}", spec.display(), ugly.join("\n"));
}

fn platform(folder: &str, date: &str) {
    let spec = shared_dir().join(format!("specs/{folder}/platform-openapi-{date}.json"));
    assert_no_ugly_names(&spec, "spec/families-platform-v1.toml");
}

#[test]
fn the_rules_see_each_kind_of_ugly_name() {
    let op = Source::Operation;
    assert_eq!(
        ugliness("create_team_invite_post_2", op),
        Some("a numeric suffix")
    );
    assert_eq!(ugliness("AgentList2", op), Some("a numeric suffix"));
    assert_eq!(
        ugliness("list_agent_agent_installations", op),
        Some("a repeated word")
    );
    assert_eq!(
        ugliness("OAuthErrorError", Source::SharedType),
        Some("a repeated word")
    );
    assert_eq!(ugliness("list_app_sandboxs", op), Some("a wrong plural"));
    assert_eq!(
        ugliness("x_arch_astro_signature", op),
        Some("a split brand name")
    );
    assert_eq!(
        ugliness("post_oauth_token", op),
        Some("an HTTP method as a word")
    );
    assert_eq!(
        ugliness("agent_list", Source::Resource),
        Some("a verb or a joining word in a resource's name")
    );
    assert_eq!(
        ugliness("AgentToolsOfAgentListForAgentTools", Source::Resource),
        Some("a verb or a joining word in a resource's name")
    );
    assert_eq!(ugliness("agent_list", op), None);
    assert_eq!(
        ugliness("ApiChatChannelPostMessageParams", Source::SharedType),
        None
    );
    assert_eq!(ugliness("list_keys", op), None);
    assert_eq!(ugliness("ArchAstro", op), None);
    assert_eq!(ugliness("OAuth2Token", op), None);
}

#[test]
fn repository_spec() {
    assert_no_ugly_names(
        &workspace_root().join("spec/openapi.json"),
        "spec/families.toml",
    );
}

#[test]
fn platform_2026_04_17() {
    platform("archastro", "2026-04-17");
}

#[test]
fn platform_2026_04_21() {
    platform("archastro", "2026-04-21");
}

#[test]
fn platform_2026_04_24() {
    platform("archastro", "2026-04-24");
}

#[test]
fn platform_2026_06_11() {
    platform("archastro", "2026-06-11");
}

#[test]
fn platform_2026_06_30() {
    platform("archastro", "2026-06-30");
}

#[test]
fn platform_2026_08_18() {
    platform("archastro-current", "2026-08-18");
}

#[test]
fn platform_2026_09_24() {
    platform("archastro-current", "2026-09-24");
}
