//! Names of the lifted shapes. A shape equal to a component is that component. Any other gets
//! the short name of the place it stands: the property's name, singular for array items
//! (`templates[]` → `Template`), `{P}Value` for map values, `{P}Object`, `{P}Variant` or the
//! discriminator's value for an alternative of a union; the shortest of them when the shape
//! stands in several places. A short name wanted by two shapes, or already taken, is given to
//! neither: each is qualified by the root it stands in (the component, operation or channel
//! message: `ListTeamsResponseDataItem`), else by its owner (`TemplateDetails`); an alternative
//! or items reached through no property are named after their owner (`QuestionScore`). Where
//! several places give a name, the shortest wins (then the first in byte order).
//!
//! So a name depends only on the shapes that want it, never on the order of the spec, and a
//! qualified name depends on no other lifted shape's name unless it must: a shape keeps its
//! name from one version of the spec to the next unless another shape starts wanting it or a
//! shorter place appears. Names are claimed in a [`Namespace`] of type names (collisions after
//! case conversion end in a number).

use std::collections::BTreeMap;

use crate::names::{Namespace, ascii_type_ident, joined_type_name, type_name};

use super::shapes::{ClassId, Hint, Owner, Shapes, Step, Use};

/// The name of each class's type: a component's name, a new name for a lifted shape, or
/// `None` for a shape that only stands in slots (left as it is). `taken` holds every name
/// already in use (components, the generated code's own).
pub(super) fn assign(shapes: &Shapes, mut taken: Namespace) -> Vec<Option<String>> {
    let mut names: Vec<Option<String>> = shapes
        .classes
        .iter()
        .map(|class| class.component.clone())
        .collect();
    let lifted: Vec<ClassId> = (0..shapes.classes.len())
        .filter(|&c| names[c].is_none() && !shapes.classes[c].uses.is_empty())
        .collect();
    // The short name of the place, for a shape that alone wants it.
    let short = |u: &Use, is_object: bool| short_name(&u.hint, "", is_object);
    claim_unique(shapes, &lifted, short, &mut names, &mut taken);
    // Qualified by the root the use stands in (a component's or slot's name, never a name
    // given here, so that one shape's name does not move another's).
    let rooted = |u: &Use, is_object: bool| {
        let root = ascii_type_ident(&shapes.roots[u.owner.root]);
        qualified_name(&u.hint, &root, is_object)
    };
    claim_unique(shapes, &lifted, rooted, &mut names, &mut taken);
    // The others, and the shapes named after their owner (an alternative, the items of an
    // array with no property): qualified by the owner, whose name is known first in reverse
    // walk order (an owner comes after what it holds).
    for &class in lifted.iter().rev() {
        if names[class].is_some() {
            continue;
        }
        let is_object = shapes.classes[class].is_object;
        let name = shapes.classes[class]
            .uses
            .iter()
            .map(|u| {
                let owner = owner_name(shapes, &names, u.owner);
                qualified_name(&u.hint, &owner, is_object)
            })
            .min_by(shortest)
            .expect("a lifted shape has a use");
        names[class] = Some(taken.claim(&name));
    }
    names
}

/// Gives each unnamed class of `classes` the name `name_of` gives its uses through a property
/// (the shortest), when no other class wants that name and it is free.
fn claim_unique(
    shapes: &Shapes,
    classes: &[ClassId],
    name_of: impl Fn(&Use, bool) -> String,
    names: &mut [Option<String>],
    taken: &mut Namespace,
) {
    let mut wanted: BTreeMap<String, Vec<(ClassId, String)>> = BTreeMap::new();
    for &class in classes.iter().filter(|&&c| names[c].is_none()) {
        let is_object = shapes.classes[class].is_object;
        let name = shapes.classes[class]
            .uses
            .iter()
            .filter(|u| u.hint.property.is_some())
            .map(|u| name_of(u, is_object))
            .min_by(shortest);
        if let Some(name) = name {
            wanted
                .entry(type_name(&name))
                .or_default()
                .push((class, name));
        }
    }
    for wanting in wanted.into_values() {
        if let [(class, name)] = &wanting[..]
            && !taken.contains(name)
        {
            names[*class] = Some(taken.claim(name));
        }
    }
}

/// The shorter name first, then the first in byte order.
fn shortest(a: &String, b: &String) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The name of the type that holds a use (known by the time it is asked for).
fn owner_name(shapes: &Shapes, names: &[Option<String>], owner: Owner) -> String {
    match owner.node {
        None => ascii_type_ident(&shapes.roots[owner.root]),
        Some(node) => names[shapes.node_class(node)]
            .clone()
            .unwrap_or_else(|| "Unnamed".to_owned()),
    }
}

/// The short name of a use: after its property and the steps below it, or after its owner
/// when no property leads to it.
fn short_name(hint: &Hint, owner: &str, is_object: bool) -> String {
    match &hint.property {
        Some(property) => below(ascii_type_ident(property), &hint.steps, true, is_object),
        None => below(owner.to_owned(), &hint.steps, false, is_object),
    }
}

/// The short name qualified by `owner` (unless it already starts from it).
fn qualified_name(hint: &Hint, owner: &str, is_object: bool) -> String {
    let short = short_name(hint, owner, is_object);
    if hint.property.is_none() {
        return short;
    }
    // The seam said once: `OAuthError` + `Error` is `OAuthErrorKind`, not `OAuthErrorError`.
    match joined_type_name(owner, &short) {
        joined if joined == owner && is_object => format!("{owner}Details"),
        joined if joined == owner => format!("{owner}Kind"),
        joined => joined,
    }
}

/// `base` with a word for each step: the singular for the items of a property's array (when
/// the property is a plural), else `Item`; `Value` for map values; `Object` or `Variant` for
/// an alternative.
fn below(base: String, steps: &[Step], from_property: bool, is_object: bool) -> String {
    let mut name = base;
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Items => match singular(&name).filter(|_| from_property && i == 0) {
                Some(one) => name = one,
                None => name.push_str("Item"),
            },
            Step::Value => name.push_str("Value"),
            Step::Alternative(Some(value)) => name.push_str(&ascii_type_ident(value)),
            Step::Alternative(None) if is_object && i + 1 == steps.len() => {
                name.push_str("Object");
            }
            Step::Alternative(None) => name.push_str("Variant"),
        }
    }
    name
}

/// The singular of an UpperCamelCase name whose last word is an English plural (`Templates` →
/// `Template`, `Policies` → `Policy`, `Statuses` → `Status`), or `None` (`Data`, `Status`).
fn singular(name: &str) -> Option<String> {
    let word_start = name
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(0, |(i, _)| i);
    let (head, word) = name.split_at(word_start);
    let one = if ["Series", "Species"].contains(&word) {
        return None;
    } else if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if [
        "sses", "shes", "ches", "xes", "tuses", "nuses", "buses", "puses", "ruses",
    ]
    .iter()
    .any(|s| word.ends_with(s))
    {
        word[..word.len() - 2].to_owned()
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|s| word.ends_with(s)) {
        word[..word.len() - 1].to_owned()
    } else if word == "Children" {
        "Child".to_owned()
    } else {
        return None;
    };
    // A stem too short to be a word (`Ies`, `S`) is no singular.
    (one.len() >= 2).then(|| format!("{head}{one}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_become_singular() {
        let cases = [
            ("Templates", Some("Template")),
            ("ParticipatingAgents", Some("ParticipatingAgent")),
            ("Policies", Some("Policy")),
            ("Statuses", Some("Status")),
            ("Houses", Some("House")),
            ("TimeSeries", None),
            ("Addresses", Some("Address")),
            ("Matches", Some("Match")),
            ("Boxes", Some("Box")),
            ("Responses", Some("Response")),
            ("Children", Some("Child")),
            ("Data", None),
            ("Status", None),
            ("Access", None),
            ("Analysis", None),
            ("S", None),
        ];
        for (plural, one) in cases {
            assert_eq!(singular(plural).as_deref(), one, "{plural}");
        }
    }

    #[test]
    fn short_names_follow_the_steps() {
        let hint = |property: Option<&str>, steps: Vec<Step>| Hint {
            property: property.map(str::to_owned),
            steps,
        };
        let owner = "Owner";
        assert_eq!(
            short_name(&hint(Some("source_solution"), vec![]), owner, true),
            "SourceSolution"
        );
        assert_eq!(
            short_name(&hint(Some("templates"), vec![Step::Items]), owner, true),
            "Template"
        );
        assert_eq!(
            short_name(&hint(Some("data"), vec![Step::Items]), owner, true),
            "DataItem"
        );
        assert_eq!(
            short_name(
                &hint(Some("rows"), vec![Step::Items, Step::Items]),
                owner,
                true
            ),
            "RowItem"
        );
        assert_eq!(
            short_name(&hint(Some("labels"), vec![Step::Value]), owner, false),
            "LabelsValue"
        );
        let alternative = |value: Option<&str>| vec![Step::Alternative(value.map(str::to_owned))];
        assert_eq!(
            short_name(&hint(Some("agent"), alternative(None)), owner, true),
            "AgentObject"
        );
        assert_eq!(
            short_name(&hint(Some("kind"), alternative(None)), owner, false),
            "KindVariant"
        );
        assert_eq!(
            short_name(&hint(None, alternative(Some("d1_database"))), owner, true),
            "OwnerD1Database"
        );
        assert_eq!(
            short_name(&hint(None, vec![Step::Items]), owner, true),
            "OwnerItem"
        );
        assert_eq!(
            qualified_name(&hint(Some("details"), vec![]), "Template", true),
            "TemplateDetails"
        );
        assert_eq!(
            qualified_name(&hint(None, vec![Step::Items]), "Owner", true),
            "OwnerItem"
        );
    }
}
