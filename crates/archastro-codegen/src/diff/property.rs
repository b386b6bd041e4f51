//! The properties of two object schemas: added, removed, required or not, then each common
//! property's schema.
//!
//! Adding a property adds a field to the generated struct. typify's structs are not
//! `#[non_exhaustive]`, so code that names every field (a struct literal, a struct pattern
//! without `..`) needs the new one; builders (`types::X::builder()`, which every struct a
//! request body reaches has), field reads and patterns with `..` do not. An optional request
//! property and any response property are therefore
//! [`RustVerdict::StructLiterals`](super::RustVerdict::StructLiterals), not breaking; a
//! required request property is breaking (the builder fails until it is set).

use super::rust_type::field_type;
use super::schema::{Dir, Kind, SchemaDiff, Site, compare_schema, join, rule, same_or_breaking};
use super::shape::Side;
use super::{Level, RustVerdict};

impl<'a> SchemaDiff<'_, '_, 'a> {
    /// The generated field of property `name`: on the component's type, else on the owner.
    fn field_owner(&self, name: &str) -> String {
        match self.head.type_path() {
            Some(t) => format!("{t}::{name}"),
            None => format!("{}.{name}", self.site.owner),
        }
    }

    /// Records rule `id` at property `name`.
    fn push_property(
        &mut self,
        id: String,
        level: Level,
        verdict: RustVerdict,
        name: &str,
        text: String,
        rust: String,
    ) {
        let at = join(&self.site.at, name);
        self.ctx.push(id, level, verdict, &at, text, rust);
    }

    pub(super) fn properties(&mut self) {
        let (base, head) = (self.base, self.head);
        for (name, schema) in &head.properties {
            let new = head.written.at(schema);
            match base.properties.get(name) {
                None => self.property_added(name, new),
                Some(old) => self.property_changed(name, base.written.at(old), new),
            }
        }
        for (name, schema) in &base.properties {
            if !head.properties.contains_key(name) {
                self.property_removed(name, base.written.at(schema));
            }
        }
    }

    fn property_added(&mut self, name: &str, schema: Side) {
        let required = self.head.required.contains(name);
        let (id, level) = match (self.site.dir, required) {
            (Dir::Request, true) => ("new-required-request-property", Level::Breaking),
            (Dir::Request, false) => ("new-optional-request-property", Level::Info),
            (Dir::Response, true) => ("response-required-property-added", Level::Info),
            (Dir::Response, false) => ("response-optional-property-added", Level::Info),
        };
        let field = self.field_owner(name);
        let ty = field_type(schema, required);
        let struct_name = self
            .head
            .type_path()
            .unwrap_or_else(|| self.site.owner.clone());
        let (verdict, rust) = match (self.site.dir, required) {
            (Dir::Request, true) => (
                RustVerdict::Breaking,
                format!("{field}: {ty} added; the builder fails until it is set"),
            ),
            (Dir::Request, false) => (
                RustVerdict::StructLiterals,
                format!(
                    "{field}: {ty} added (struct literals need it; {struct_name}::builder() does not)"
                ),
            ),
            (Dir::Response, _) => (
                RustVerdict::StructLiterals,
                format!(
                    "{field}: {ty} added (struct literals need it; reading {struct_name} does not)"
                ),
            ),
        };
        let text = format!(
            "property `{name}` added{}",
            if required { " (required)" } else { "" }
        );
        self.push_property(id.into(), level, verdict, name, text, rust);
    }

    /// A property on both sides: whether it is required, then its schema.
    fn property_changed(&mut self, name: &str, base: Side<'a>, head: Side<'a>) {
        let was_required = self.base.required.contains(name);
        let now_required = self.head.required.contains(name);
        let owner = self.field_owner(name);
        if was_required != now_required {
            self.required_changed(name, &owner, (base, was_required), (head, now_required));
        }
        let site = Site {
            dir: self.site.dir,
            kind: Kind::Property,
            at: join(&self.site.at, name),
            owner,
            required: now_required && was_required,
        };
        compare_schema(self.ctx, base, head, &site);
    }

    /// A property that became required or optional. The generated field's type changes
    /// unless it has a default of its own (`Vec`, maps, `Option`); a request builder fails
    /// until a newly required field is set either way.
    fn required_changed(
        &mut self,
        name: &str,
        owner: &str,
        (base, was_required): (Side, bool),
        (head, now_required): (Side, bool),
    ) {
        let (what, level) = match (self.site.dir, now_required) {
            (Dir::Request, true) => ("became-required", Level::Breaking),
            (Dir::Request, false) => ("became-optional", Level::Info),
            (Dir::Response, false) => ("became-optional", Level::Breaking),
            (Dir::Response, true) => ("became-required", Level::Info),
        };
        let (before, after) = (
            field_type(base, was_required),
            field_type(head, now_required),
        );
        let verdict = if self.site.dir == Dir::Request && now_required {
            RustVerdict::Breaking
        } else {
            same_or_breaking(&before, &after)
        };
        let rust = if before == after {
            format!("{owner}: stays {after}")
        } else {
            format!("{owner}: {before} → {after}")
        };
        let text = format!("property `{name}` {}", what.replace('-', " "));
        let id = rule(self.site.dir, Kind::Property, what);
        self.push_property(id, level, verdict, name, text, rust);
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
            field_type(schema, was_required)
        );
        let text = format!("property `{name}` removed");
        self.push_property(id.into(), level, RustVerdict::Breaking, name, text, rust);
    }
}
