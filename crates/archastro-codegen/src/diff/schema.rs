//! Two schemas compared structurally, one aspect at a time: type, nullability, enum values,
//! the bounds of what clients may send, `oneOf`/`anyOf` alternatives, properties and array
//! items. Both sides are read after `$ref`s are followed, so a `$ref` of the same shape as an
//! inline schema is no change; recursion is cut where the same pair of components is already
//! being compared.

use serde_json::Value;

use super::Level;
use super::operation::OperationDiff;
use super::shape::{Flat, Side, enum_values, type_of};
use crate::names::type_name;

/// Which way data flows: what clients send may only get looser, what they receive tighter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dir {
    Request,
    Response,
}

/// What a schema belongs to, for rule ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Where a pair of schemas sits and what it belongs to.
#[derive(Debug, Clone)]
pub(super) struct Site {
    pub dir: Dir,
    pub kind: Kind,
    /// The change's path: `request.query.limit`, `response.200.body.title`.
    pub at: String,
    /// The generated Rust item: `types::Thread::title`, `runtime::builder::ListThreads::limit()`.
    pub owner: String,
    /// Whether the value must be present.
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

    /// The alternative named after component `name`.
    fn alternative(&self, name: &str) -> Site {
        Site {
            at: format!("{}<{name}>", self.at),
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

/// Compares the schema `base` became as `head` at `site`.
pub(super) fn compare_schema<'a>(
    ctx: &mut OperationDiff<'a>,
    base: Side<'a>,
    head: Side<'a>,
    site: &Site,
) {
    let mut pair = SchemaDiff {
        ctx,
        site,
        base: base.flatten(),
        head: head.flatten(),
    };
    // Recursion stops at a pair of components already being compared further up.
    let key = (
        pair.base.name.clone().unwrap_or_else(|| site.at.clone()),
        pair.head.name.clone().unwrap_or_else(|| site.at.clone()),
    );
    if pair.base.name.is_some() && !pair.ctx.visiting.insert(key.clone()) {
        return;
    }
    pair.compare();
    pair.ctx.visiting.remove(&key);
}

/// One pair of schemas being compared.
struct SchemaDiff<'c, 'a> {
    ctx: &'c mut OperationDiff<'a>,
    site: &'c Site,
    base: Flat<'a>,
    head: Flat<'a>,
}

impl<'a> SchemaDiff<'_, 'a> {
    fn compare(&mut self) {
        if self.type_changed() {
            return;
        }
        self.nullability();
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
    fn push(&mut self, what: &str, level: Level, text: String, rust: String, rust_breaking: bool) {
        let id = rule(self.site.dir, self.site.kind, what);
        self.ctx
            .push(id, level, &self.site.at, text, rust, rust_breaking);
    }

    /// The generated Rust type of the value before and after.
    fn rust_types(&self) -> (String, String) {
        (
            self.base.written.rust_type(self.site.required),
            self.head.written.rust_type(self.site.required),
        )
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
        let (old_rust, new_rust) = self.rust_types();
        self.push(
            "type-changed",
            Level::Breaking,
            format!("type changed from {before} to {after}"),
            format!("{}: {old_rust} → {new_rust}", self.site.owner),
            true,
        );
        true
    }

    fn nullability(&mut self) {
        let (was, is) = (self.base.is_nullable(), self.head.is_nullable());
        if was == is {
            return;
        }
        let (what, level) = match (self.site.dir, is) {
            (Dir::Request, false) => ("became-not-nullable", Level::Breaking),
            (Dir::Request, true) => ("became-nullable", Level::Info),
            (Dir::Response, true) => ("became-nullable", Level::Breaking),
            (Dir::Response, false) => ("became-not-nullable", Level::Info),
        };
        let (old_rust, new_rust) = self.rust_types();
        let rust = format!("{}: {old_rust} → {new_rust}", self.site.owner);
        self.push(
            what,
            level,
            format!("{} nullable", if is { "became" } else { "is no longer" }),
            rust,
            // An optional field is an `Option` either way.
            old_rust != new_rust,
        );
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
            self.push(
                "enum-value-removed",
                if request {
                    Level::Breaking
                } else {
                    Level::Info
                },
                format!("enum value {v} removed"),
                format!("{enum_type}: variant for {v} removed"),
                true,
            );
        }
        for v in after.difference(&before) {
            let (level, breaks_rust, note) = if request {
                (Level::Info, false, "")
            } else {
                (Level::Warning, true, " (exhaustive matches break)")
            };
            self.push(
                "enum-value-added",
                level,
                format!("enum value {v} added"),
                format!("{enum_type}: new variant for {v}{note}"),
                breaks_rust,
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
                self.push(
                    what,
                    Level::Breaking,
                    format!(
                        "{k} tightened from {} to {}",
                        base.get(k).unwrap_or(&Value::Null),
                        head[k]
                    ),
                    format!("{}: values valid before are rejected", self.site.owner),
                    false,
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
        self.push(
            if before.is_some() {
                "pattern-changed"
            } else {
                "pattern-added"
            },
            Level::Breaking,
            format!("pattern {pattern}"),
            format!("{}: values valid before may be rejected", self.site.owner),
            false,
        );
    }

    /// `oneOf`/`anyOf` alternatives, paired by component name, else by shape; those present on
    /// both sides under one name are compared inside. True when either side has alternatives
    /// (then its properties are those of the alternatives, compared there).
    fn alternatives(&mut self) -> bool {
        let mut before = self.base.resolved().variants();
        let mut after = self.head.resolved().variants();
        // One side with alternatives, the other without: the other is one alternative (the
        // normalizer writes a one-member `oneOf` as `allOf`, which `resolve` looks through).
        if before.is_empty() && !after.is_empty() {
            before.push(self.base.as_variant());
        }
        if after.is_empty() && !before.is_empty() {
            after.push(self.head.as_variant());
        }
        if before.is_empty() && after.is_empty() {
            return false;
        }
        let request = self.site.dir == Dir::Request;
        for removed in before.iter().filter(|v| !v.pairs_with_any(&after)) {
            let name = removed.label(&before);
            self.push(
                "one-of-removed",
                if request {
                    Level::Breaking
                } else {
                    Level::Info
                },
                format!("alternative {name} removed"),
                format!("{}: variant {name} removed", self.site.owner),
                true,
            );
        }
        for added in after.iter().filter(|v| !v.pairs_with_any(&before)) {
            let name = added.label(&after);
            self.push(
                "one-of-added",
                if request {
                    Level::Info
                } else {
                    Level::Breaking
                },
                format!("alternative {name} added"),
                format!(
                    "{}: new variant {name} (exhaustive matches break)",
                    self.site.owner
                ),
                !request,
            );
        }
        for old in &before {
            let Some(name) = &old.name else { continue };
            if let Some(new) = after.iter().find(|v| v.name.as_ref() == Some(name)) {
                let (base, head) = (
                    self.base.written.at(old.schema),
                    self.head.written.at(new.schema),
                );
                compare_schema(self.ctx, base, head, &self.site.alternative(name));
            }
        }
        true
    }

    /// The generated field of property `name`: on the component's type, else on the owner.
    fn field_owner(&self, name: &str) -> String {
        match self.head.type_path() {
            Some(t) => format!("{t}::{name}"),
            None => format!("{}.{name}", self.site.owner),
        }
    }

    fn properties(&mut self) {
        let (before, after) = (self.base.properties.clone(), self.head.properties.clone());
        let (base, head) = (self.base.written, self.head.written);
        for (name, schema) in &after {
            match before.get(name) {
                None => self.property_added(name, head.at(schema)),
                Some(old) => self.property_changed(name, base.at(old), head.at(schema)),
            }
        }
        for (name, schema) in &before {
            if !after.contains_key(name) {
                self.property_removed(name, base.at(schema));
            }
        }
    }

    fn property_added(&mut self, name: &str, schema: Side) {
        let required = self.head.required.contains(name);
        let (id, level, breaks_rust) = match (self.site.dir, required) {
            (Dir::Request, true) => ("new-required-request-property", Level::Breaking, true),
            (Dir::Request, false) => ("new-optional-request-property", Level::Info, true),
            (Dir::Response, true) => ("response-required-property-added", Level::Info, false),
            (Dir::Response, false) => ("response-optional-property-added", Level::Info, false),
        };
        let note = if breaks_rust && self.site.dir == Dir::Request {
            " (struct literals need it)"
        } else {
            ""
        };
        let rust = format!(
            "{}: {} added{note}",
            self.field_owner(name),
            schema.rust_type(required)
        );
        self.ctx.push(
            id,
            level,
            &format!("{}.{name}", self.site.at),
            format!(
                "property `{name}` added{}",
                if required { " (required)" } else { "" }
            ),
            rust,
            breaks_rust,
        );
    }

    /// A property on both sides: whether it is required, then its schema.
    fn property_changed(&mut self, name: &str, base: Side<'a>, head: Side<'a>) {
        let at = format!("{}.{name}", self.site.at);
        let was_required = self.base.required.contains(name);
        let now_required = self.head.required.contains(name);
        let owner = self.field_owner(name);
        if was_required != now_required {
            let (what, level) = match (self.site.dir, now_required) {
                (Dir::Request, true) => ("became-required", Level::Breaking),
                (Dir::Request, false) => ("became-optional", Level::Info),
                (Dir::Response, false) => ("became-optional", Level::Breaking),
                (Dir::Response, true) => ("became-required", Level::Info),
            };
            self.ctx.push(
                rule(self.site.dir, Kind::Property, what),
                level,
                &at,
                format!("property `{name}` {}", what.replace('-', " ")),
                format!(
                    "{owner}: {} → {}",
                    base.rust_type(was_required),
                    head.rust_type(now_required)
                ),
                true,
            );
        }
        let site = Site {
            dir: self.site.dir,
            kind: Kind::Property,
            at,
            owner,
            required: now_required && was_required,
        };
        compare_schema(self.ctx, base, head, &site);
    }

    fn property_removed(&mut self, name: &str, schema: Side) {
        let was_required = self.base.required.contains(name);
        let (id, level) = match (self.site.dir, was_required) {
            (Dir::Request, _) => ("request-property-removed", Level::Warning),
            (Dir::Response, true) => ("response-required-property-removed", Level::Breaking),
            (Dir::Response, false) => ("response-optional-property-removed", Level::Warning),
        };
        let rust = format!(
            "{}: {} removed",
            self.field_owner(name),
            schema.rust_type(was_required)
        );
        self.ctx.push(
            id,
            level,
            &format!("{}.{name}", self.site.at),
            format!("property `{name}` removed"),
            rust,
            true,
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
