//! Security requirements compared: alternatives paired by their set of schemes, then the scopes
//! each scheme requires. A new alternative is additive unless the operation had none (then it
//! now requires authentication); a removed one locks its callers out.

use std::collections::{BTreeMap, BTreeSet};

use super::operation::OperationDiff;
use super::{Level, RustVerdict};
use crate::model::Operation;

/// One security alternative: its schemes, and per scheme the scopes it requires.
type Alternative<'a> = BTreeMap<&'a str, BTreeSet<&'a str>>;

/// The operation's alternatives, sorted and without duplicates.
fn alternatives<'a>(op: &Operation<'a>) -> Vec<Alternative<'a>> {
    let mut out: Vec<Alternative> = op
        .security_scopes
        .iter()
        .map(|requirement| {
            requirement
                .iter()
                .map(|(scheme, scopes)| (*scheme, scopes.iter().copied().collect()))
                .collect()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The schemes of an alternative, which is what pairs it with one of the other side.
fn schemes<'a>(alternative: &Alternative<'a>) -> Vec<&'a str> {
    alternative.keys().copied().collect()
}

/// `bearer + api_key`, or `none` for the alternative that needs no authentication.
fn render(alternative: &Alternative) -> String {
    if alternative.is_empty() {
        "none".to_owned()
    } else {
        schemes(alternative).join(" + ")
    }
}

pub(super) fn compare_security(ctx: &mut OperationDiff) {
    let before = alternatives(ctx.base.operation);
    let after = alternatives(ctx.head.operation);
    let method = ctx.method();
    for alternative in &after {
        if let Some(old) = before.iter().find(|o| schemes(o) == schemes(alternative)) {
            compare_scopes(ctx, &method, old, alternative);
        }
    }
    for alternative in before
        .iter()
        .filter(|o| !after.iter().any(|n| schemes(n) == schemes(o)))
    {
        ctx.push(
            "api-security-removed",
            Level::Breaking,
            RustVerdict::Compatible,
            "security",
            format!("security alternative `{}` removed", render(alternative)),
            format!(
                "{method}: callers authenticating with {} now fail",
                render(alternative)
            ),
        );
    }
    for alternative in after
        .iter()
        .filter(|n| !before.iter().any(|o| schemes(o) == schemes(n)))
    {
        let (level, rust) = if before.is_empty() {
            (
                Level::Breaking,
                format!("{method}: now requires {}", render(alternative)),
            )
        } else {
            (
                Level::Info,
                format!("{method}: also accepts {}", render(alternative)),
            )
        };
        ctx.push(
            "api-security-added",
            level,
            RustVerdict::Compatible,
            "security",
            format!("security alternative `{}` added", render(alternative)),
            rust,
        );
    }
}

/// The scopes of an alternative with the same schemes on both sides.
fn compare_scopes(
    ctx: &mut OperationDiff,
    method: &str,
    before: &Alternative,
    after: &Alternative,
) {
    for (scheme, scopes) in after {
        // The same schemes on both sides: every scheme has its scopes before.
        let Some(required_before) = before.get(scheme) else {
            continue;
        };
        for scope in scopes.difference(required_before) {
            ctx.push(
                "api-security-scope-added",
                Level::Breaking,
                RustVerdict::Compatible,
                "security",
                format!("`{scheme}` now requires scope `{scope}`"),
                format!("{method}: tokens without `{scope}` now fail"),
            );
        }
        for scope in required_before.difference(scopes) {
            ctx.push(
                "api-security-scope-removed",
                Level::Info,
                RustVerdict::Compatible,
                "security",
                format!("`{scheme}` no longer requires scope `{scope}`"),
                format!("{method}: accepts tokens without `{scope}`"),
            );
        }
    }
}
