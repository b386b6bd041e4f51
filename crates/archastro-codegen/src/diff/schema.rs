//! Two schemas compared structurally, one aspect at a time: type, nullability, enum values,
//! the bounds of what clients may send, the generated Rust type, `oneOf`/`anyOf` alternatives
//! ([`super::alternative`]), properties ([`super::property`]) and array items.
//!
//! Both sides are read after `$ref`s are followed, so a `$ref` of the same shape as an inline
//! schema is no change. Where both sides name the same component, what is written beside the
//! `$ref` (its `nullable`) is compared where the reference stands, and the component itself in
//! its own scope, once per context however many operations reach it ([`super::collect`]).
//! Recursion through differently named components is cut where the same pair is already
//! being compared.

use serde_json::Value;

use super::operation::OperationDiff;
use super::rust_type::field_type;
use super::shape::{Flat, Side, enum_values, type_of};
use super::{Level, RustVerdict};
use crate::names::type_name;

/// Which way data flows: what clients send may only get looser, what they receive tighter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Dir {
    Request,
    Response,
}

/// What a schema belongs to, for rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Kind {
    Parameter,
    Body,
    Property,
}

/// The rule id `{request|response}-{parameter|body|property}-{what}`.
pub(super) fn rule(dir: Dir, kind: Kind, what: &str) -> String {
    let d = match dir {
        Dir::Request => "request",
        Dir::Response => "response",
    };
    let k = match kind {
        Kind::Parameter => "parameter",
        Kind::Body => "body",
        Kind::Property => "property",
    };
    format!("{d}-{k}-{what}")
}

/// `at.name`, or `name` at the root of a scope.
pub(super) fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

/// Where a pair of schemas sits and what it belongs to.
#[derive(Debug, Clone)]
pub(super) struct Site {
    pub dir: Dir,
    pub kind: Kind,
    /// The path within the scope: `request.query.limit` in an operation, `members[].role`
    /// in a component (empty at its root).
    pub at: String,
    /// The generated Rust item: `types::Thread::title`, `runtime::builder::ListThreads::limit()`.
    pub owner: String,
    /// Whether the value must be present (on both sides).
    pub required: bool,
}

impl Site {
    /// The schema of a parameter, a request body or a response body.
    pub fn top(dir: Dir, kind: Kind, at: String, owner: String) -> Site {
        Site {
            dir,
            kind,
            at,
            owner,
            required: true,
        }
    }

    /// The root of component `name`, in its own scope.
    fn component(&self, name: &str) -> Site {
        Site {
            at: String::new(),
            owner: format!("types::{}", type_name(name)),
            required: true,
            ..self.clone()
        }
    }

    /// The array's items.
    fn items(&self) -> Site {
        Site {
            at: format!("{}[]", self.at),
            owner: format!("{}[]", self.owner),
            required: true,
            ..self.clone()
        }
    }
}

/// Which part of a pair one [`SchemaDiff`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Everything: the sides are inline or name different components.
    Whole,
    /// Only what is written beside the `$ref`s of one component (its `nullable`).
    Wrapper,
    /// The component both sides name, in its own scope.
    Component,
}

/// Compares the schema `base` became as `head` at `site`.
pub(super) fn compare_schema<'a>(
    ctx: &mut OperationDiff<'_, 'a>,
    base: Side<'a>,
    head: Side<'a>,
    site: &Site,
) {
    let (base, head) = (base.flatten(), head.flatten());
    match (&base.name, &head.name) {
        (Some(b), Some(h)) if b == h => {
            let name = h.clone();
            SchemaDiff::new(ctx, site, &base, &head, Part::Wrapper).compare();
            compare_component(ctx, &base, &head, site, name);
        }
        _ => {
            // Recursion stops at a pair of components already being compared further up.
            let named = |f: &Flat| f.name.clone().unwrap_or_else(|| site.at.clone());
            let key = (named(&base), named(&head));
            if base.name.is_some() && !ctx.visiting.insert(key.clone()) {
                return;
            }
            SchemaDiff::new(ctx, site, &base, &head, Part::Whole).compare();
            ctx.visiting.remove(&key);
        }
    }
}

/// Component `name` on both sides: compared in its own scope the first time its context
/// reaches it; any later time only recorded as reached.
fn compare_component<'a>(
    ctx: &mut OperationDiff<'_, 'a>,
    base: &Flat<'a>,
    head: &Flat<'a>,
    site: &Site,
    name: String,
) {
    let site = site.component(&name);
    let (scope, new) = ctx.reach((site.dir, site.kind, name));
    if !new {
        return;
    }
    let outer_scope = std::mem::replace(&mut ctx.scope, scope);
    let outer_visiting = std::mem::take(&mut ctx.visiting);
    SchemaDiff::new(ctx, &site, base, head, Part::Component).compare();
    ctx.scope = outer_scope;
    ctx.visiting = outer_visiting;
}

/// One pair of schemas being compared.
pub(super) struct SchemaDiff<'c, 'o, 'a> {
    pub ctx: &'c mut OperationDiff<'o, 'a>,
    pub site: &'c Site,
    pub base: &'c Flat<'a>,
    pub head: &'c Flat<'a>,
    part: Part,
}

impl<'c, 'o, 'a> SchemaDiff<'c, 'o, 'a> {
    fn new(
        ctx: &'c mut OperationDiff<'o, 'a>,
        site: &'c Site,
        base: &'c Flat<'a>,
        head: &'c Flat<'a>,
        part: Part,
    ) -> Self {
        SchemaDiff {
            ctx,
            site,
            base,
            head,
            part,
        }
    }

    fn compare(&mut self) {
        self.nullability();
        if self.part == Part::Wrapper {
            return;
        }
        if self.type_changed() {
            return;
        }
        if self.part == Part::Whole {
            self.rust_type_changed();
        }
        self.enum_values();
        if self.site.dir == Dir::Request {
            self.request_bounds();
            self.request_pattern();
        }
        if self.alternatives() {
            return;
        }
        self.properties();
        self.items();
    }

    /// Records rule `{dir}-{kind}-{what}` at the site.
    pub fn push(
        &mut self,
        what: &str,
        level: Level,
        verdict: RustVerdict,
        text: String,
        rust: String,
    ) {
        let id = rule(self.site.dir, self.site.kind, what);
        let at = self.site.at.clone();
        self.ctx.push(id, level, verdict, &at, text, rust);
    }

    /// The generated Rust type of the value before and after.
    fn rust_types(&self) -> (String, String) {
        (
            field_type(self.base.written, self.site.required),
            field_type(self.head.written, self.site.required),
        )
    }

    /// `owner: before → after`, or `owner: stays T` when they are the same.
    fn rust_change(&self, before: &str, after: &str) -> String {
        if before == after {
            format!("{}: stays {after}", self.site.owner)
        } else {
            format!("{}: {before} → {after}", self.site.owner)
        }
    }

    /// A different type: reported alone, since nothing else compares across types.
    fn type_changed(&mut self) -> bool {
        let (before, after) = (type_of(self.base.schema), type_of(self.head.schema));
        let (Some(before), Some(after)) = (before, after) else {
            return false;
        };
        if before == after {
            return false;
        }
        let (verdict, rust) = if self.part == Part::Component {
            let rust = format!(
                "{} is generated from {after} instead of {before}",
                self.site.owner
            );
            (RustVerdict::Breaking, rust)
        } else {
            let (old_rust, new_rust) = self.rust_types();
            (
                same_or_breaking(&old_rust, &new_rust),
                self.rust_change(&old_rust, &new_rust),
            )
        };
        self.push(
            "type-changed",
            Level::Breaking,
            verdict,
            format!("type changed from {before} to {after}"),
            rust,
        );
        true
    }

    /// The generated type changed though the wire type did not: another component, or a
    /// schema the normalizer now lifts into one. The `Option` around it is nullability's, and
    /// a `Vec`'s items are compared as items.
    fn rust_type_changed(&mut self) {
        if type_of(self.head.schema).as_deref() == Some("array") {
            return;
        }
        let (old_rust, new_rust) = self.rust_types();
        if strip_option(&old_rust) == strip_option(&new_rust) {
            return;
        }
        let text = format!(
            "generated type changed from `{}` to `{}`",
            strip_option(&old_rust),
            strip_option(&new_rust)
        );
        let rust = self.rust_change(&old_rust, &new_rust);
        self.push(
            "rust-type-changed",
            Level::Info,
            RustVerdict::Breaking,
            text,
            rust,
        );
    }

    /// Whether each side may be `null`, as far as this part reads it.
    fn nullable(&self, flat: &Flat) -> bool {
        match self.part {
            Part::Whole => flat.is_nullable(),
            Part::Wrapper => flat.written_nullable(),
            Part::Component => flat.own_nullable(),
        }
    }

    fn nullability(&mut self) {
        let (was, is) = (self.nullable(self.base), self.nullable(self.head));
        if was == is {
            return;
        }
        let (what, level) = match (self.site.dir, is) {
            (Dir::Request, false) => ("became-not-nullable", Level::Breaking),
            (Dir::Request, true) => ("became-nullable", Level::Info),
            (Dir::Response, true) => ("became-nullable", Level::Breaking),
            (Dir::Response, false) => ("became-not-nullable", Level::Info),
        };
        let (verdict, rust) = self.nullability_in_rust(is);
        let text = format!("{} nullable", if is { "became" } else { "is no longer" });
        self.push(what, level, verdict, text, rust);
    }

    /// What a change of nullability does to the generated Rust: an optional field is an
    /// `Option` either way (what else changed is reported by its own rule).
    fn nullability_in_rust(&self, is: bool) -> (RustVerdict, String) {
        let owner = &self.site.owner;
        if self.part == Part::Component {
            let now = if is { "Option<_>" } else { "without Option" };
            return (
                RustVerdict::Breaking,
                format!("fields of type {owner} are now {now}"),
            );
        }
        let (old_rust, new_rust) = self.rust_types();
        let wrapped = |t: &str| t.starts_with("Option<");
        if wrapped(&old_rust) != wrapped(&new_rust) {
            (
                RustVerdict::Breaking,
                self.rust_change(&old_rust, &new_rust),
            )
        } else if old_rust == new_rust {
            (RustVerdict::Unchanged, format!("{owner}: stays {new_rust}"))
        } else {
            (RustVerdict::Unchanged, format!("{owner}: stays an Option"))
        }
    }

    /// Enum values compared as sets: reordering is no change.
    fn enum_values(&mut self) {
        let (before, after) = (enum_values(self.base.schema), enum_values(self.head.schema));
        if before.is_empty() && after.is_empty() {
            return;
        }
        let enum_type = self
            .head
            .type_path()
            .unwrap_or_else(|| format!("the enum of {}", self.site.owner));
        let request = self.site.dir == Dir::Request;
        for v in before.difference(&after) {
            let level = if request {
                Level::Breaking
            } else {
                Level::Info
            };
            self.push(
                "enum-value-removed",
                level,
                RustVerdict::Breaking,
                format!("enum value {v} removed"),
                format!("{enum_type}: variant for {v} removed"),
            );
        }
        for v in after.difference(&before) {
            let (level, verdict, note) = if request {
                (Level::Info, RustVerdict::Compatible, "")
            } else {
                (
                    Level::Warning,
                    RustVerdict::Breaking,
                    " (exhaustive matches break)",
                )
            };
            self.push(
                "enum-value-added",
                level,
                verdict,
                format!("enum value {v} added"),
                format!("{enum_type}: new variant for {v}{note}"),
            );
        }
    }

    /// Length, value and item-count bounds that tighten what clients may send.
    fn request_bounds(&mut self) {
        const BOUNDS: [(&str, &str, bool); 6] = [
            ("maxLength", "max-length-decreased", true),
            ("minLength", "min-length-increased", false),
            ("maximum", "max-decreased", true),
            ("minimum", "min-increased", false),
            ("maxItems", "max-items-decreased", true),
            ("minItems", "min-items-increased", false),
        ];
        let (base, head) = (self.base.schema, self.head.schema);
        let bound = |s: &Value, k: &str| s.get(k).and_then(Value::as_f64);
        for (k, what, is_max) in BOUNDS {
            let tightened = match (bound(base, k), bound(head, k)) {
                (None, Some(_)) => true,
                (Some(old), Some(new)) if is_max => new < old,
                (Some(old), Some(new)) => new > old,
                _ => false,
            };
            if tightened {
                let before = base.get(k).unwrap_or(&Value::Null);
                self.push(
                    what,
                    Level::Breaking,
                    RustVerdict::Compatible,
                    format!("{k} tightened from {before} to {}", head[k]),
                    format!("{}: values valid before are rejected", self.site.owner),
                );
            }
        }
    }

    /// A pattern added or changed on what clients send.
    fn request_pattern(&mut self) {
        let (before, after) = (
            self.base.schema.get("pattern"),
            self.head.schema.get("pattern"),
        );
        let Some(pattern) = after.filter(|_| before != after) else {
            return;
        };
        let what = if before.is_some() {
            "pattern-changed"
        } else {
            "pattern-added"
        };
        self.push(
            what,
            Level::Breaking,
            RustVerdict::Compatible,
            format!("pattern {pattern}"),
            format!("{}: values valid before may be rejected", self.site.owner),
        );
    }

    /// The items of arrays on both sides.
    fn items(&mut self) {
        let (Some(base), Some(head)) =
            (self.base.schema.get("items"), self.head.schema.get("items"))
        else {
            return;
        };
        let (base, head) = (self.base.written.at(base), self.head.written.at(head));
        compare_schema(self.ctx, base, head, &self.site.items());
    }
}

/// `Unchanged` when the generated type is the same, else `Breaking`.
pub(super) fn same_or_breaking(before: &str, after: &str) -> RustVerdict {
    if before == after {
        RustVerdict::Unchanged
    } else {
        RustVerdict::Breaking
    }
}

/// `T` of `Option<T>`, else the type itself.
fn strip_option(t: &str) -> &str {
    t.strip_prefix("Option<")
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(t)
}
