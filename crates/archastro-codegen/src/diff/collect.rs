//! Where findings are recorded, and how they become one [`Change`] each.
//!
//! A finding belongs to a scope: an operation, or a component schema compared in one context
//! (request or response, and what reached its root: a parameter, a body or a property). Each
//! component is compared once per context however many operations reach it; an operation (or a
//! component) records which components it reaches. At the end every operation is attached to
//! the findings of every component it reaches, directly or through others, and findings with
//! the same rule, subject, path and text become one change listing all of those operations.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::schema::{Dir, Kind};
use super::{Change, Level, OperationRef, RustVerdict};
use crate::names::type_name;

/// One change found in a scope, before the operations it reaches are known.
#[derive(Debug, Clone)]
pub(super) struct Finding {
    pub id: String,
    pub level: Level,
    pub verdict: RustVerdict,
    /// Where in the scope: `request.query.limit` in an operation, `email` in a schema.
    pub path: String,
    pub text: String,
    pub rust: String,
}

/// A component compared in one context: which way the data flows, what reached its root, its
/// name.
pub(super) type SchemaKey = (Dir, Kind, String);

/// Where findings go: an operation or a component (indices into the [`Collector`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    Operation(usize),
    Schema(usize),
}

/// The findings of one scope and the components it reaches directly.
#[derive(Debug, Default)]
struct Found {
    findings: Vec<Finding>,
    reaches: BTreeSet<usize>,
}

/// Every scope's findings.
#[derive(Debug, Default)]
pub(super) struct Collector {
    operations: Vec<(OperationRef, Found)>,
    schemas: Vec<(SchemaKey, Found)>,
    schema_index: HashMap<SchemaKey, usize>,
}

impl Collector {
    /// A new operation scope.
    pub fn operation(&mut self, operation: OperationRef) -> Scope {
        self.operations.push((operation, Found::default()));
        Scope::Operation(self.operations.len() - 1)
    }

    fn found(&mut self, scope: Scope) -> &mut Found {
        match scope {
            Scope::Operation(i) => &mut self.operations[i].1,
            Scope::Schema(i) => &mut self.schemas[i].1,
        }
    }

    pub fn record(&mut self, scope: Scope, finding: Finding) {
        self.found(scope).findings.push(finding);
    }

    /// Records that `scope` reaches the component `key`; the component's own scope, with
    /// `true` when it is new (and must be compared now).
    pub fn reach(&mut self, scope: Scope, key: SchemaKey) -> (Scope, bool) {
        let (index, new) = match self.schema_index.get(&key) {
            Some(&i) => (i, false),
            None => {
                self.schemas.push((key.clone(), Found::default()));
                let i = self.schemas.len() - 1;
                self.schema_index.insert(key, i);
                (i, true)
            }
        };
        self.found(scope).reaches.insert(index);
        (Scope::Schema(index), new)
    }

    /// The components `roots` reach, themselves included.
    fn reachable(&self, roots: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut seen = roots.clone();
        let mut pending: Vec<usize> = roots.iter().copied().collect();
        while let Some(i) = pending.pop() {
            for &next in &self.schemas[i].1.reaches {
                if seen.insert(next) {
                    pending.push(next);
                }
            }
        }
        seen
    }

    /// One change per rule, subject, path and text, with every operation that reaches it,
    /// sorted: operations' own changes first (by family, operation, level, rule), then the
    /// schemas' (by schema, path, rule).
    pub fn into_changes(self) -> Vec<Change> {
        let mut changes: BTreeMap<String, Change> = BTreeMap::new();
        let schema_changes: Vec<Vec<String>> = self
            .schemas
            .iter()
            .map(|((_, _, name), found)| {
                let subject = format!("types::{}", type_name(name));
                found
                    .findings
                    .iter()
                    .map(|f| merge(&mut changes, &subject, f, None))
                    .collect()
            })
            .collect();
        for (operation, found) in &self.operations {
            for f in &found.findings {
                merge(&mut changes, "", f, Some(operation));
            }
            for i in self.reachable(&found.reaches) {
                for fingerprint in &schema_changes[i] {
                    if let Some(change) = changes.get_mut(fingerprint) {
                        change.operations.push(operation.clone());
                    }
                }
            }
        }
        let mut out: Vec<Change> = changes.into_values().collect();
        for change in &mut out {
            change.operations.sort();
            change.operations.dedup();
        }
        out.retain(|c| !c.operations.is_empty());
        out.sort_by(|a, b| order(a).cmp(&order(b)));
        out
    }
}

/// The sort key of a change.
fn order(c: &Change) -> impl Ord + '_ {
    let first = c.operations.first();
    (
        &c.schema,
        first.map(|o| (&o.family, &o.operation)),
        std::cmp::Reverse(c.level),
        &c.id,
        &c.path,
        &c.text,
    )
}

/// Adds `finding` (of the schema `schema`, or else of `operation`) to the change with its
/// fingerprint, creating it when new; returns the fingerprint.
fn merge(
    changes: &mut BTreeMap<String, Change>,
    schema: &str,
    finding: &Finding,
    operation: Option<&OperationRef>,
) -> String {
    let subject = operation.map_or(schema, |o| o.operation.as_str());
    let fingerprint = fingerprint(&finding.id, subject, &finding.path, &finding.text);
    let change = changes
        .entry(fingerprint.clone())
        .or_insert_with(|| Change {
            id: finding.id.clone(),
            level: finding.level,
            rust_verdict: finding.verdict,
            schema: schema.to_owned(),
            path: finding.path.clone(),
            text: finding.text.clone(),
            rust: finding.rust.clone(),
            operations: Vec::new(),
            fingerprint: fingerprint.clone(),
        });
    change.level = change.level.max(finding.level);
    change.rust_verdict = change.rust_verdict.max(finding.verdict);
    change.operations.extend(operation.cloned());
    fingerprint
}

/// First 12 hex digits of sha256(`id:subject:path:text`).
fn fingerprint(id: &str, subject: &str, path: &str, text: &str) -> String {
    let digest = Sha256::digest(format!("{id}:{subject}:{path}:{text}").as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}
