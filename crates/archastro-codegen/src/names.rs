//! The naming authority: the only ways a name or a text from the spec becomes Rust.
//!
//! - A name becomes an identifier through [`rust_ident`] (snake_case values, fields,
//!   functions), [`type_name`] (UpperCamelCase types, as typify names components) or
//!   [`module_name`] (family modules); each knows Rust 2024's keywords, `gen` among them.
//!   [`progenitor_method_name`] is the name progenitor gives the client's methods, for code
//!   that calls them. Wire names of the realtime surface (channels, joins, events) become
//!   ASCII identifiers through [`ascii_snake_ident`] and [`ascii_type_ident`].
//! - Names that must be distinct are claimed in a [`Namespace`], which sees two names as one
//!   when they become the same identifier (`Foo.Bar`, `Foo_Bar` and `foo-bar` all become
//!   `FooBar`) and resolves the collision deterministically (the first claim keeps the name,
//!   later ones get the first free number). A namespace starts with the names the generated
//!   code itself uses there ([`GENERATED_TYPE_NAMES`]).
//! - A text reaches code only through [`str_lit`] (an escaped string literal) or
//!   [`doc_comment`] (`///` lines without control or bidirectional-text characters), so
//!   nothing from the spec is ever code. [`fitted`] picks a layout as rustfmt would.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use heck::{ToSnakeCase, ToUpperCamelCase};
use unicode_ident::{is_xid_continue, is_xid_start};

/// `text` in snake_case, exactly as heck's `to_snake_case` writes it; text that is snake_case
/// already (`[a-z0-9]` words joined by single `_`) is returned as it is, without heck's walk
/// (names are cased many times over on a large spec).
pub fn snake_case(text: &str) -> String {
    let words_ok = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if text.split('_').all(words_ok) {
        return text.to_owned();
    }
    lint_free_ident(&text.to_snake_case()).into_owned()
}

/// `ident` with each character rustc warns about in an identifier (`uncommon_codepoints`: one
/// outside Unicode's general security profile for identifiers, such as `ʿ`) spelled as its
/// code point, `u2bf` (`U2bf` in an identifier with an upper-case letter): typify and progenitor
/// keep any character an identifier may hold, so the same rule rewrites their output
/// ([`crate::client`]) and every name made here. Identifiers without such characters (every
/// ASCII one) are left as they are. A type's or a variant's name whose only letters have no
/// case (`ʿʿ`, `ʿayin` as typify makes a variant of it) takes [`lint_free_type_ident`].
pub fn lint_free_ident(ident: &str) -> Cow<'_, str> {
    // An identifier with an upper-case letter is a type's or a variant's (UpperCamelCase).
    spelled_lint_free(ident, ident.chars().any(char::is_uppercase))
}

/// [`lint_free_ident`] for the name of a type or an enum variant: the code points are spelled
/// `U2bf` whatever case the identifier's letters have, so that the name starts upper-case
/// where such a character starts it (`ʿayin` is `U2bfayin`, which rustc's
/// `non_camel_case_types` takes).
pub fn lint_free_type_ident(ident: &str) -> Cow<'_, str> {
    spelled_lint_free(ident, true)
}

fn spelled_lint_free(ident: &str, upper: bool) -> Cow<'_, str> {
    use unicode_security::GeneralSecurityProfile;
    let allowed = |c: char| c.is_ascii() || c.identifier_allowed();
    if ident.is_ascii() || ident.chars().all(allowed) {
        return Cow::Borrowed(ident);
    }
    let mut out = String::with_capacity(ident.len() + 8);
    for c in ident.chars() {
        if allowed(c) {
            out.push(c);
        } else {
            let _ = write!(out, "{}{:x}", if upper { 'U' } else { 'u' }, u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// `text` in UpperCamelCase, exactly as heck's `to_upper_camel_case` writes it; text that is
/// UpperCamelCase already (ASCII letters and digits, starting upper-case, and no upper-case
/// letter after another with only digits between them) is returned as it is.
pub fn upper_camel_case(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut previous_letter_upper = false;
    let already = bytes.first().is_some_and(u8::is_ascii_uppercase)
        && bytes.iter().all(|&b| {
            let upper = b.is_ascii_uppercase();
            let fits = b.is_ascii_alphanumeric() && !(upper && previous_letter_upper);
            if b.is_ascii_alphabetic() {
                previous_letter_upper = upper;
            }
            fits
        });
    if already {
        return text.to_owned();
    }
    lint_free_type_ident(&text.to_upper_camel_case()).into_owned()
}

/// `name` as a snake_case Rust identifier: a leading digit gets a `_` before it, a keyword a
/// `_` after it, and a character no identifier may hold becomes `_`.
pub fn rust_ident(name: &str) -> String {
    let mut snake = snake_case(name);
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    if is_identifier(&snake) {
        return snake;
    }
    let suffixed = format!("{snake}_");
    if is_identifier(&suffixed) {
        return suffixed;
    }
    let ascii: String = snake
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    match ascii.starts_with(|c: char| c.is_ascii_digit()) || ascii.chars().all(|c| c == '_') {
        true => format!("_{ascii}_x"),
        false => format!("{ascii}_"),
    }
}

/// Lower-case snake_case identifier made of `[a-z0-9_]`, never starting with a digit.
pub fn sanitize_snake(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut s = snake_case(&cleaned);
    if s.is_empty() {
        s.push_str("operation");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "op_");
    }
    s
}

/// The name progenitor gives a generated method after `name`: an operation's client method
/// (after its `operationId`) and a request builder's setter (after a parameter's name). It is
/// progenitor's own rule (`sanitize(name, Case::Snake)` in progenitor-impl 0.15): drop `'`,
/// every character no identifier may continue with becomes a word break, snake_case; `_`
/// before a first character no identifier may start with, `_` after a keyword. Code that
/// calls the generated client (the contract crate) names its methods with this.
pub fn progenitor_method_name(name: &str) -> String {
    let snake = match name {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => snake_case(
            &name
                .replace('\'', "")
                .replace(|c: char| !is_xid_continue(c), "-"),
        ),
    };
    let snake = match snake.chars().next() {
        None => "x".to_owned(),
        Some(c) if is_xid_start(c) => snake,
        Some(_) => format!("_{snake}"),
    };
    if snake == "_" || KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// The variant typify 0.8 writes for the string enum value `value` (`sanitize(value,
/// Case::Pascal)` in typify-impl): drop `'`, every character no identifier may continue with
/// becomes a word break, UpperCamelCase; `X` before a first character no identifier may start
/// with, `_` after a keyword. Typify falls back to [`enum_variant_name_spelled_out`] when two
/// values get one name, and panics when they still do.
pub fn enum_variant_name(value: &str) -> String {
    let camel = match value {
        "+1" => "Plus1".to_owned(),
        "-1" => "Minus1".to_owned(),
        _ => value
            .replace('\'', "")
            .replace(|c: char| !is_xid_continue(c), "-")
            .to_upper_camel_case(),
    };
    let camel = match camel.chars().next() {
        None => "X".to_owned(),
        Some(c) if is_xid_start(c) => camel,
        Some(_) => format!("X{camel}"),
    };
    if camel == "Self" {
        format!("{camel}_")
    } else {
        lint_free_type_ident(&camel).into_owned()
    }
}

/// Typify's second try at naming the string enum value `value` apart from the others: every
/// `_` and every character no identifier may continue with spelled `X`, then
/// [`enum_variant_name`].
pub fn enum_variant_name_spelled_out(value: &str) -> String {
    enum_variant_name(&value.replace(|c: char| c == '_' || !is_xid_continue(c), "X"))
}

/// Two UpperCamelCase names as one, the words where they meet said once (`Agent` +
/// `AgentTools` → `AgentTools`, `OAuthError` + `Error` → `OAuthError`).
pub fn joined_type_name(head: &str, tail: &str) -> String {
    let words = |s: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in s.chars() {
            match out.last_mut() {
                Some(w) if !c.is_ascii_uppercase() => w.push(c),
                _ => out.push(c.to_string()),
            }
        }
        out
    };
    let mut all = words(head);
    let tail = words(tail);
    let overlap = (1..=tail.len().min(all.len()))
        .rev()
        .find(|&n| all[all.len() - n..] == tail[..n])
        .unwrap_or(0);
    all.extend(tail.into_iter().skip(overlap));
    all.concat()
}

/// Brand names that snake_case splits at their inner capital, and the one word they are
/// (`ArchAstro` → `arch_astro` → `archastro`).
pub const BRANDS: &[(&str, &str)] = &[("arch_astro", "archastro")];

/// `ident` (snake_case) with every brand name of [`BRANDS`] as one word.
pub fn joined_brands(ident: &str) -> String {
    // A brand's words can only be found where its split spelling is (most identifiers have
    // none: they are returned without being split into words).
    if !BRANDS.iter().any(|(split, _)| ident.contains(split)) {
        return ident.to_owned();
    }
    let mut words: Vec<String> = ident.split('_').map(str::to_owned).collect();
    for (split, joined) in BRANDS {
        let parts: Vec<&str> = split.split('_').collect();
        let mut i = 0;
        while i + parts.len() <= words.len() {
            if words[i..i + parts.len()]
                .iter()
                .zip(&parts)
                .all(|(w, p)| w == p)
            {
                words.splice(i..i + parts.len(), [(*joined).to_owned()]);
            }
            i += 1;
        }
    }
    words.join("_")
}

/// The name of the client's builder setter for parameter `name`: progenitor's
/// ([`progenitor_method_name`]) with brand names as one word (`X-ArchAstro-Signature` →
/// `x_archastro_signature`); the client's family modules are rewritten so.
pub fn client_setter_name(name: &str) -> String {
    joined_brands(&progenitor_method_name(name))
}

/// The field typify 0.8 writes for the object property `name` (`sanitize(name, Case::Snake)`
/// in typify-impl): progenitor's rule ([`progenitor_method_name`]), except that a first
/// character no identifier may start with gets an `x` before it. Two properties of one struct
/// with the same field name give a struct that does not compile.
pub fn struct_field_name(name: &str) -> String {
    let method = progenitor_method_name(name);
    // heck's snake case never starts with `_`: a leading one is the prefix.
    match method.strip_prefix('_') {
        Some(rest) => format!("x{rest}"),
        None => method,
    }
}

/// Whether `name` is written as a lowercase snake_case identifier (`a`, `created_at`, `v2_id`:
/// ASCII lowercase letters, digits and single underscores between words). Such a name is its
/// own [`struct_field_name`], a keyword with `_` after it, which no such name ends with: no
/// two of them give one struct the same field.
pub fn is_snake_identifier(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes.last() != Some(&b'_')
        && !name.contains("__")
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

/// The struct field of each of one object's `properties`, told apart where typify 0.8 would
/// give two the same [`struct_field_name`] (`@id` and `id` are both `id`): a property written
/// as a snake_case identifier keeps it (else the first in sorted order); each other one takes
/// [`spelled_out_field_name`] (`@id` is `at_id`), numbered from 2 if that is taken too. The
/// result does not depend on the order of `properties`.
pub fn distinct_field_names<'a>(
    properties: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<&'a str, String> {
    let mut sorted: Vec<&str> = properties.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let plain = |p: &str| {
        p.chars()
            .all(|c| c == '_' || (is_xid_continue(c) && !c.is_uppercase()))
    };
    sorted.sort_by_key(|p| !plain(p));
    let mut taken = BTreeSet::new();
    let mut fields = BTreeMap::new();
    for property in sorted {
        let mut field = struct_field_name(property);
        if taken.contains(&field) {
            let spelled = spelled_out_field_name(property);
            field = spelled.clone();
            let stem = spelled.trim_end_matches('_');
            let mut n = 2;
            while taken.contains(&field) {
                field = format!("{stem}_{n}");
                n += 1;
            }
        }
        taken.insert(field.clone());
        fields.insert(property, field);
    }
    fields
}

/// The field of the property `name` with every character no identifier may hold spelled as a
/// word (`@id` is `at_id`, `a-b` is `a_dash_b`, `$ref` is `dollar_ref`), then
/// [`struct_field_name`].
pub fn spelled_out_field_name(name: &str) -> String {
    let mut spelled = String::new();
    for c in name.chars() {
        let word = match c {
            '@' => "at",
            '$' => "dollar",
            '#' => "hash",
            '-' => "dash",
            '.' => "dot",
            '+' => "plus",
            '/' => "slash",
            ':' => "colon",
            '%' => "percent",
            '&' => "and",
            '*' => "star",
            '!' => "bang",
            '~' => "tilde",
            '=' => "equals",
            '?' => "question",
            c if c == '_' || is_xid_continue(c) => {
                spelled.push(c);
                continue;
            }
            _ => "x",
        };
        spelled.push('_');
        spelled.push_str(word);
        spelled.push('_');
    }
    struct_field_name(&spelled)
}

/// `text` as `///` lines indented by `indent` (a doc comment ends at its line break, so
/// nothing in `text` can leave the comment; a bare carriage return is not allowed in one).
pub fn doc_comment(out: &mut String, indent: &str, text: &str) {
    // Printable ASCII, line breaks and tabs (most texts) need no cleaning.
    let cleaned: String;
    let text = if text
        .bytes()
        .all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t'))
    {
        text
    } else {
        cleaned = text
            .chars()
            .map(|c| if c == '\r' { ' ' } else { c })
            .filter(|c| !dropped_from_docs(*c))
            .collect();
        &cleaned
    };
    for line in text.split('\n') {
        let line = line.trim_end();
        out.push_str(indent);
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// The first of three layouts of the same code whose lines all fit in 100 columns (as
/// rustfmt would choose), else the last.
pub fn fitted(one_line: &str, wrapped: &str, broken: &str) -> String {
    let fits = |text: &str| text.lines().all(|l| l.chars().count() <= 100);
    [one_line, wrapped]
        .into_iter()
        .find(|t| fits(t))
        .unwrap_or(broken)
        .to_owned()
}

/// `text` as a Rust string literal (escaped as by `quote`).
pub fn str_lit(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

/// Characters generated docs never hold: control characters other than line breaks and tabs,
/// and bidirectional-text controls (rustc refuses those in comments and literals: they can
/// make code read differently from how it compiles).
pub fn dropped_from_docs(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Rust 2024's strict and reserved keywords (`gen` included), which no plain identifier may be.
pub const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names the generated crates use beside the spec's types (the prelude's, the crates'
/// own and axum's), which a spec name must not shadow where both are in scope.
pub const GENERATED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Client",
    "Err",
    "Error",
    "IntoResponse",
    "None",
    "Ok",
    "Option",
    "Result",
    "Self",
    "Some",
    "String",
    "Vec",
];

/// Names typify's code in `types.rs` uses unqualified: the types and traits `String` and
/// `Default`, which a component of the same name shadows, and the constructors `Ok`, `Err`,
/// `Some` and `None`, which a component shadows unless it is a struct with named fields (a
/// braced struct's name is no value).
pub const TYPIFY_UNQUALIFIED_TYPES: &[&str] = &["Default", "String"];
pub const TYPIFY_UNQUALIFIED_VALUES: &[&str] = &["Err", "None", "Ok", "Some"];

/// The type name a component gets instead of `name` when typify's code would read it in place
/// of the prelude's item (`String` → `ApiString`), or `None` when it shadows nothing;
/// `braced_struct` says whether typify makes the component a struct with named fields.
pub fn prelude_safe_type_name(name: &str, braced_struct: bool) -> Option<String> {
    let name = type_name(name);
    let shadows = TYPIFY_UNQUALIFIED_TYPES.contains(&name.as_str())
        || (!braced_struct && TYPIFY_UNQUALIFIED_VALUES.contains(&name.as_str()));
    shadows.then(|| format!("Api{name}"))
}

/// Type names the generated client's crate root exports, which no spec type may take: users
/// meet both (`archastro_client::Error` beside `types::Error`).
pub const CLIENT_ROOT_TYPE_NAMES: &[&str] = &["Error"];

/// The names every request builder of the client has beside its parameters' fields and
/// setters (the client support's `operation_builder!`: the field `settings`, the methods
/// `new`, `timeout`, `retry_policy`, the `send`s): a parameter whose argument has one of these
/// names would be a second field or method of that name.
pub const REQUEST_BUILDER_NAMES: &[&str] = &[
    "settings",
    "new",
    "timeout",
    "retry_policy",
    "send",
    "send_with_response",
    "send_blocking",
    "send_with_response_blocking",
];

/// The field of every progenitor builder that holds the client.
const BUILDER_CLIENT_FIELD: &str = "client";

/// The field of a progenitor builder that holds the request body, when the operation has one.
const BUILDER_BODY_FIELD: &str = "body";

/// Why a request builder keeps `argument` for itself, if it does: its own client, a name
/// every request builder has ([`REQUEST_BUILDER_NAMES`]), or (`has_body`: beside a request
/// body) the body.
pub fn taken_by_request_builder(argument: &str, has_body: bool) -> Option<&'static str> {
    if argument == BUILDER_CLIENT_FIELD {
        Some("the name of its builder's own client")
    } else if REQUEST_BUILDER_NAMES.contains(&argument) {
        Some("a name every request builder has for itself")
    } else if has_body && argument == BUILDER_BODY_FIELD {
        Some("the name of its builder's request body")
    } else {
        None
    }
}

/// The argument (the builder's field and setter, before [`joined_brands`]) the client gives
/// each of an operation's parameters, given as `(name, location)` in declaration order, with
/// `has_body` when the operation has a request body. It is progenitor's
/// ([`progenitor_method_name`]), except for a query, header or cookie parameter whose argument
/// the request builder keeps for itself ([`taken_by_request_builder`]: `client`, `timeout`,
/// `body` beside a body): that one is `{argument}_{location}` (`client_query`), or the first
/// of `{argument}_{location}_2`, ... that neither the builder nor another parameter has. Its
/// wire name stays. (A path parameter is renamed in its path template instead, by the
/// normalizer.) The parameters' own arguments are expected to differ, as the normalizer
/// leaves them.
pub fn client_arguments(parameters: &[(&str, &str)], has_body: bool) -> Vec<String> {
    let mut arguments: Vec<String> = parameters
        .iter()
        .map(|(name, _)| progenitor_method_name(name))
        .collect();
    let renamed: Vec<usize> = (0..parameters.len())
        .filter(|&i| {
            parameters[i].1 != "path" && taken_by_request_builder(&arguments[i], has_body).is_some()
        })
        .collect();
    let mut used: BTreeSet<String> = (0..parameters.len())
        .filter(|i| !renamed.contains(i))
        .map(|i| arguments[i].clone())
        .collect();
    for i in renamed {
        let stem = format!(
            "{}_{}",
            arguments[i],
            progenitor_method_name(parameters[i].1)
        );
        let mut argument = stem.clone();
        for n in 2.. {
            if !used.contains(&argument) && taken_by_request_builder(&argument, has_body).is_none()
            {
                break;
            }
            argument = format!("{stem}_{n}");
        }
        used.insert(argument.clone());
        arguments[i] = argument;
    }
    arguments
}

/// The type name a component gets instead of `name` when users would misread it beside the
/// client's own types, or `None` when it reads well: a name of [`CLIENT_ROOT_TYPE_NAMES`]
/// gets `Api` before it (`Error` → `ApiError`), and a name that says `Error` twice where two
/// names meet (`OAuthErrorError`, the `error` of `OAuthError`, an error's code) says `Kind`
/// the second time (`OAuthErrorKind`).
pub fn unambiguous_type_name(name: &str) -> Option<String> {
    let name = type_name(name);
    if CLIENT_ROOT_TYPE_NAMES.contains(&name.as_str()) {
        return Some(format!("Api{name}"));
    }
    let doubled = name.match_indices("ErrorError").find(|(at, _)| {
        let after = &name[at + "ErrorError".len()..];
        !after.starts_with(|c: char| c.is_lowercase())
    })?;
    let mut renamed = name.clone();
    renamed.replace_range(doubled.0..doubled.0 + "ErrorError".len(), "ErrorKind");
    Some(renamed)
}

/// Whether `name` is a plain Rust identifier (no keyword, not `_`).
pub fn is_identifier(name: &str) -> bool {
    if KEYWORDS.contains(&name) {
        return false;
    }
    // ASCII letters, digits and `_`, not starting with a digit (most names): an identifier
    // unless it is `_` alone; anything else is left to syn's parser.
    let bytes = name.as_bytes();
    if bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return name != "_";
    }
    syn::parse_str::<syn::Ident>(name).is_ok()
}

/// The Rust type name typify gives a component (its replacement key): UpperCamelCase, every
/// character no identifier may hold a word break.
pub fn type_name(component: &str) -> String {
    let cleaned: String = component
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    upper_camel_case(&cleaned)
}

/// The module name of a family (`runtime`; a keyword gets `_api`).
pub fn module_name(name: &str) -> String {
    let snake = snake_case(name);
    if is_identifier(&snake) {
        snake
    } else {
        format!("{snake}_api")
    }
}

/// `name` as an ASCII snake_case identifier: every character but an ASCII letter or digit
/// breaks words, a leading digit gets `op_` before it, an empty name is `operation`, and a
/// keyword gets a `_` after it (`api:chat:typing` → `api_chat_typing`, `type` → `type_`).
pub fn ascii_snake_ident(name: &str) -> String {
    let snake = sanitize_snake(name);
    if is_identifier(&snake) {
        snake
    } else {
        format!("{snake}_")
    }
}

/// `name` as an ASCII UpperCamelCase identifier: every character but an ASCII letter or digit
/// breaks words, a leading digit gets `T` before it, an empty name is `Unnamed` and `Self` is
/// `SelfEvent` (`message_created` → `MessageCreated`).
pub fn ascii_type_ident(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let camel = upper_camel_case(&cleaned);
    if camel.is_empty() {
        "Unnamed".to_owned()
    } else if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{camel}")
    } else if camel == "Self" {
        "SelfEvent".to_owned()
    } else {
        camel
    }
}

/// How a namespace's names become identifiers, which decides when two names collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Types ([`type_name`]).
    Type,
    /// Values, fields and functions ([`rust_ident`]).
    Value,
    /// Names taken exactly as they are written.
    Exact,
}

impl Case {
    fn fold(self, name: &str) -> String {
        match self {
            Case::Type => type_name(name),
            Case::Value => rust_ident(name),
            Case::Exact => name.to_owned(),
        }
    }
}

/// A set of names that must stay distinct as identifiers (component schemas, a channel's
/// methods...). Claims are deterministic: the result depends only on the order of claims.
#[derive(Debug, Clone)]
pub struct Namespace {
    case: Case,
    /// The identifiers taken.
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new(case: Case) -> Self {
        Namespace {
            case,
            taken: BTreeSet::new(),
        }
    }

    /// A namespace in which `names` are already taken.
    pub fn with_taken<S: AsRef<str>>(case: Case, names: impl IntoIterator<Item = S>) -> Self {
        let mut ns = Namespace::new(case);
        for name in names {
            ns.reserve(name.as_ref());
        }
        ns
    }

    /// Whether `name`'s identifier is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(&self.case.fold(name))
    }

    /// Takes `name` as it is, whether or not it was free.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(self.case.fold(name));
    }

    /// `wanted`, or `wanted` with the first free number (from 2); taken from now on.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        self.reserve(&name);
        name
    }

    /// `preferred`, or `fallback()` (numbered if need be) when `preferred` is taken.
    pub fn claim_or(&mut self, preferred: &str, fallback: impl FnOnce() -> String) -> String {
        if self.contains(preferred) {
            self.claim(&fallback())
        } else {
            self.claim(preferred)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_the_request_builder_keeps_are_renamed_after_their_place() {
        let arguments =
            |parameters: &[(&str, &str)], has_body| super::client_arguments(parameters, has_body);
        assert_eq!(
            arguments(
                &[
                    ("id", "path"),
                    ("client", "query"),
                    ("Timeout", "header"),
                    ("body", "query")
                ],
                false
            ),
            ["id", "client_query", "timeout_header", "body"]
        );
        // `body` beside a body is taken; a name already used moves on to the next number.
        assert_eq!(
            arguments(
                &[
                    ("body", "query"),
                    ("body_query", "query"),
                    ("Client", "query"),
                    ("client", "header")
                ],
                true
            ),
            [
                "body_query_2",
                "body_query",
                "client_query",
                "client_header"
            ]
        );
        // A path parameter is left to the normalizer's template renaming.
        assert_eq!(arguments(&[("client", "path")], false), ["client"]);
    }

    #[test]
    fn a_snake_identifier_is_its_own_field_or_a_keyword_with_an_underscore() {
        let snake = "a id created_at v2 v2_id a1b2 x_1 type self crate async box abc1def z9_9z";
        for name in snake.split(' ') {
            assert!(super::is_snake_identifier(name), "{name}");
            let field = super::struct_field_name(name);
            assert!(
                field == *name || field == format!("{name}_"),
                "{name}: {field}"
            );
        }
        for name in ["", "_a", "a_", "a__b", "A", "aB", "1a", "a-b", "@id", "é"] {
            assert!(!super::is_snake_identifier(name), "{name}");
        }
    }

    #[test]
    fn components_named_as_prelude_items_typify_uses_are_renamed() {
        use super::prelude_safe_type_name as renamed;
        assert_eq!(renamed("String", true).as_deref(), Some("ApiString"));
        assert_eq!(renamed("default", true).as_deref(), Some("ApiDefault"));
        assert_eq!(renamed("Ok", false).as_deref(), Some("ApiOk"));
        assert_eq!(renamed("Ok", true), None);
        assert_eq!(renamed("Strings", false), None);
    }

    #[test]
    fn enum_variants_are_named_as_typify_names_them() {
        let names = |values: &[&str]| {
            values
                .iter()
                .map(|v| {
                    (
                        super::enum_variant_name(v),
                        super::enum_variant_name_spelled_out(v),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&["US", "us", "DD.MM.YYYY", "a_b", "1st", "Self", ""]),
            [
                ("Us".into(), "Us".into()),
                ("Us".into(), "Us".into()),
                ("DdMmYyyy".into(), "Ddxmmxyyyy".into()),
                ("AB".into(), "AXb".into()),
                ("X1st".into(), "X1st".into()),
                ("Self_".into(), "Self_".into()),
                ("X".into(), "X".into()),
            ]
        );
    }

    use super::*;

    #[test]
    fn identifiers_rustc_warns_about_are_spelled_as_code_points() {
        assert_eq!(lint_free_ident("pʿal"), "pu2bfal");
        assert_eq!(lint_free_ident("Paʿʿel"), "PaU2bfU2bfel");
        assert!(matches!(lint_free_ident("größe"), Cow::Borrowed("größe")));
        assert!(matches!(lint_free_ident("plain_1"), Cow::Borrowed(_)));
        // The names made here and typify's, rewritten by the same rule, agree.
        assert_eq!(enum_variant_name("Pʿal"), "PU2bfal");
        assert_eq!(struct_field_name("Eṯpaʿʿal"), "eu1e6fpau2bfu2bfal");
        assert_eq!(type_name("ʿayin-thing"), "U2bfayinThing");
        // A type's or variant's name whose letters have no case starts upper-case all the same.
        assert_eq!(lint_free_ident("ʿayin"), "u2bfayin");
        assert_eq!(lint_free_type_ident("ʿayin"), "U2bfayin");
        assert_eq!(enum_variant_name("ʿayin"), "U2bfayin");
        assert_eq!(enum_variant_name("ʿʿ"), "U2bfU2bf");
        assert_eq!(upper_camel_case("ʿain"), "U2bfain");
    }

    /// Every text of up to six characters over an alphabet of every character class heck
    /// tells apart: the shortcuts of `snake_case` and `upper_camel_case` write what heck does.
    #[test]
    fn casing_shortcuts_agree_with_heck() {
        const ALPHABET: [char; 7] = ['a', 'B', '1', '_', '-', 'é', 'Z'];
        let mut text = String::new();
        fn each(text: &mut String, left: usize, f: &mut dyn FnMut(&str)) {
            f(text);
            if left == 0 {
                return;
            }
            for c in ALPHABET {
                text.push(c);
                each(text, left - 1, f);
                text.pop();
            }
        }
        let mut checked = 0;
        each(&mut text, 6, &mut |t| {
            assert_eq!(snake_case(t), t.to_snake_case(), "snake_case({t:?})");
            assert_eq!(
                upper_camel_case(t),
                t.to_upper_camel_case(),
                "upper_camel_case({t:?})"
            );
            checked += 1;
        });
        assert!(checked > 100_000);
    }

    #[test]
    fn names_users_would_misread_beside_the_clients_are_renamed() {
        let renamed = |name: &str| unambiguous_type_name(name);
        assert_eq!(renamed("Error").as_deref(), Some("ApiError"));
        assert_eq!(renamed("error").as_deref(), Some("ApiError"));
        assert_eq!(
            renamed("OAuthErrorError").as_deref(),
            Some("OAuthErrorKind")
        );
        assert_eq!(
            renamed("OAuthErrorErrorValue").as_deref(),
            Some("OAuthErrorKindValue")
        );
        assert_eq!(renamed("ErrorEnvelope"), None);
        assert_eq!(renamed("OAuthError"), None);
        assert_eq!(renamed("ErrorErrors"), None);
        assert_eq!(renamed("ChatLocalToolResultError"), None);
    }

    #[test]
    fn joined_type_names_say_the_seam_once() {
        assert_eq!(joined_type_name("Agent", "AgentTools"), "AgentTools");
        assert_eq!(joined_type_name("OAuthError", "Error"), "OAuthError");
        assert_eq!(joined_type_name("Team", "Invites"), "TeamInvites");
        assert_eq!(
            joined_type_name("ListAgentToolsForAgent", "Agent"),
            "ListAgentToolsForAgent"
        );
    }

    #[test]
    fn brand_names_are_one_word() {
        assert_eq!(
            client_setter_name("X-ArchAstro-Signature"),
            "x_archastro_signature"
        );
        assert_eq!(joined_brands("arch_astro"), "archastro");
        assert_eq!(joined_brands("search_arch"), "search_arch");
        assert_eq!(joined_brands("my_arch_astronaut"), "my_arch_astronaut");
    }

    #[test]
    fn struct_fields_are_named_as_typify_names_them() {
        for (property, field) in [
            ("a-b", "a_b"),
            ("aB", "a_b"),
            ("a_b", "a_b"),
            ("self", "self_"),
            ("Self", "self_"),
            ("2fa", "x2fa"),
            ("", "x"),
        ] {
            assert_eq!(struct_field_name(property), field, "{property}");
        }
    }

    #[test]
    fn properties_typify_names_alike_get_distinct_fields_whatever_their_order() {
        let expected = [
            ("$ref", "dollar_ref"),
            ("@id", "at_id"),
            ("Self", "self_2"),
            ("a-b", "a_dash_b"),
            ("aB", "a_b_2"),
            ("a_b", "a_b"),
            ("id", "id"),
            ("ref", "ref_"),
            ("self", "self_"),
        ];
        let properties: Vec<&str> = expected.iter().map(|(p, _)| *p).collect();
        let mut reversed = properties.clone();
        reversed.reverse();
        for order in [properties, reversed] {
            let fields = distinct_field_names(order);
            let fields: Vec<(&str, &str)> = fields.iter().map(|(p, f)| (*p, f.as_str())).collect();
            assert_eq!(fields, expected);
        }
        assert_eq!(spelled_out_field_name("x.y+z"), "x_dot_y_plus_z");
    }

    #[test]
    fn names_become_identifiers() {
        assert_eq!(rust_ident("userId"), "user_id");
        assert_eq!(rust_ident("type"), "type_");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident("2fa-code"), "_2fa_code");
        assert_eq!(rust_ident("x-request-id"), "x_request_id");
        for hostile in ["²", "\"); fn evil() {", "a b", ""] {
            let ident = rust_ident(hostile);
            assert!(
                syn::parse_str::<syn::Ident>(&ident).is_ok(),
                "{hostile:?} -> {ident:?}"
            );
        }
    }

    #[test]
    fn identifiers_are_what_syn_parses_as_one() {
        let names = [
            "_", "__", "a", "A1", "_1", "a_b", "gen", "union", "raw", "r#type", "1a", "", "é",
            "a-b", "a b", "Ωmega",
        ];
        for name in KEYWORDS.iter().copied().chain(names) {
            let parsed = !KEYWORDS.contains(&name) && syn::parse_str::<syn::Ident>(name).is_ok();
            assert_eq!(is_identifier(name), parsed, "{name:?}");
        }
    }

    #[test]
    fn texts_stay_in_their_comment_or_literal() {
        let mut out = String::new();
        doc_comment(
            &mut out,
            "    ",
            "first\r\nsecond \u{202e}reversed\u{2066}\n\nlast */ fn evil() {}",
        );
        assert_eq!(
            out,
            "    /// first\n    /// second reversed\n    ///\n    /// last */ fn evil() {}\n"
        );
        // Plain ASCII is written as it is, trailing blanks cut.
        out.clear();
        doc_comment(&mut out, "", "a\tb  \n\nc");
        assert_eq!(out, "/// a\tb\n///\n/// c\n");
        let lit = str_lit("\"); fn evil() { \"\\\n\u{202e}");
        assert_eq!(
            syn::parse_str::<syn::LitStr>(&lit).unwrap().value(),
            "\"); fn evil() { \"\\\n\u{202e}"
        );
        assert!(!lit.contains('\u{202e}') && !lit.contains('\n'), "{lit}");
    }

    #[test]
    fn the_first_layout_that_fits_wins() {
        let long = "x".repeat(101);
        assert_eq!(fitted("short", "wrapped", "broken"), "short");
        assert_eq!(fitted(&long, "wrapped", "broken"), "wrapped");
        assert_eq!(fitted(&long, &long, "broken"), "broken");
    }

    #[test]
    fn keywords_of_rust_2024_are_not_identifiers() {
        assert_eq!(rust_ident("gen"), "gen_");
        assert_eq!(rust_ident("async"), "async_");
        assert_eq!(module_name("gen"), "gen_api");
        assert_eq!(type_name("foo-bar"), "FooBar");
    }

    /// Runs progenitor on an operation with awkward parameter names and looks for the methods
    /// [`progenitor_method_name`] expects.
    #[test]
    fn progenitor_names_methods_as_expected() {
        let names = [
            "userId",
            "2fa",
            "it's",
            "page[size]",
            "gen",
            "type",
            "x\u{b2}",
            "a.b",
            "+1",
            "Ünï",
        ];
        let parameters: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!({"name": n, "in": "query", "required": true, "schema": {"type": "string"}}))
            .collect();
        let spec = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/x": {"get": {
                "operationId": "type",
                "parameters": parameters,
                "responses": {"204": {"description": "none"}}
            }}}
        });
        let spec: openapiv3::OpenAPI = serde_json::from_value(spec).unwrap();
        let mut settings = progenitor_impl::GenerationSettings::default();
        settings.with_interface(progenitor_impl::InterfaceStyle::Builder);
        let code = progenitor_impl::Generator::new(&settings)
            .generate_tokens(&spec)
            .unwrap()
            .to_string();
        assert_eq!(progenitor_method_name("type"), "type_");
        assert!(code.contains("pub fn type_ (& self)"), "{code}");
        for name in names {
            let method = progenitor_method_name(name);
            assert!(
                code.contains(&format!("pub fn {method} < V >")),
                "{name:?} -> {method:?} is not a builder method of\n{code}"
            );
        }
    }

    #[test]
    fn wire_names_become_ascii_identifiers() {
        assert_eq!(ascii_snake_ident("api:chat:typing"), "api_chat_typing");
        assert_eq!(ascii_snake_ident("type"), "type_");
        assert_eq!(ascii_snake_ident("self"), "self_");
        assert_eq!(ascii_snake_ident("gen"), "gen_");
        assert_eq!(ascii_snake_ident("1x"), "op_1x");
        assert_eq!(ascii_snake_ident("é"), "operation");
        assert_eq!(ascii_type_ident("message_created"), "MessageCreated");
        assert_eq!(ascii_type_ident("1x"), "T1x");
        assert_eq!(ascii_type_ident("Self"), "SelfEvent");
        assert_eq!(ascii_type_ident("é"), "Unnamed");
    }

    #[test]
    fn names_collide_after_case_conversion() {
        let mut types = Namespace::with_taken(Case::Type, GENERATED_TYPE_NAMES);
        assert_eq!(types.claim("Foo.Bar"), "Foo.Bar");
        assert_eq!(types.claim("Foo_Bar"), "Foo_Bar2");
        assert_eq!(types.claim("foo-bar"), "foo-bar3");
        assert_eq!(type_name("foo-bar3"), "FooBar3");
        assert_eq!(types.claim("result"), "result2");
        assert_eq!(types.claim("item1"), "item1");
        assert_eq!(types.claim("item_1"), "item_12");
        let mut values = Namespace::new(Case::Value);
        assert_eq!(values.claim_or("a-b", || "other".to_owned()), "a-b");
        assert_eq!(values.claim_or("a_b", || "other".to_owned()), "other");
        let mut exact = Namespace::new(Case::Exact);
        assert_eq!(exact.claim("a_b"), "a_b");
        assert_eq!(exact.claim("aB"), "aB");
    }
}
