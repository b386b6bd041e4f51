//! `src/types.rs`, the types every family shares: the items of progenitor's `types` module
//! (converted without builders), each request struct followed by its `builder()` function as
//! typify places it, then the `builder` module: one `request_builder!` (the client support's
//! macro, typify's builder shape) per request struct, read from its struct
//! ([`super::builders`]), then the other modules (of typify's generic `defaults` functions,
//! only those the types name).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::{format_ident, quote};

use super::builders::{
    builder_invocation, defined_type, last_ident_before_body, mod_item_name, struct_name,
};
use super::file::{file_header, generate_error};
use super::variant_names::{lowercase_variant_enums, with_upper_camel_variants};
use crate::format::{FormatError, format_items};
use crate::names::type_name;
use crate::{Error, Result};

/// The parts of `src/types.rs`, printed by the types job and put together at the end.
pub(super) struct TypesFile {
    /// The file up to the `builder` module.
    main: String,
    /// The items of the `builder` module.
    builders: String,
    /// The modules after `builder`.
    trailing: String,
}

fn types_format_error(e: FormatError) -> Error {
    generate_error("types", format!("generated code does not parse: {e}"))
}

/// `impl X { pub fn builder() }`, printed into `out`: written as prettyplease prints it
/// where its longest line fits prettyplease's margin, else printed from tokens.
fn builder_fn(name: &str, out: &mut String) -> Result<()> {
    const SIGNATURE: &str = "    pub fn builder() -> builder::";
    if SIGNATURE.len() + name.len() + " {".len() <= crate::format::plain::MARGIN {
        out.push_str(&format!(
            "impl {name} {{\n{SIGNATURE}{name} {{\n        Default::default()\n    }}\n}}\n"
        ));
        return Ok(());
    }
    builder_fn_printed(name, out)
}

/// [`builder_fn`] through the printer.
fn builder_fn_printed(name: &str, out: &mut String) -> Result<()> {
    let ty = format_ident!("{name}");
    let tokens = quote! {
        impl #ty {
            pub fn builder() -> builder::#ty {
                Default::default()
            }
        }
    };
    crate::format::format_items(tokens, out).map_err(types_format_error)
}

impl TypesFile {
    /// Prints `types_module` (the contents of progenitor's `types` module); the structs of the
    /// components `with_builder` get builders.
    pub(super) fn lay_out(
        types_module: TokenStream,
        with_builder: &BTreeSet<String>,
    ) -> Result<TypesFile> {
        let builder_types: BTreeSet<String> = with_builder.iter().map(|n| type_name(n)).collect();
        let mut main = file_header("Types shared by every scope family.");
        let mut trailing = Vec::new();
        // `impl X { pub fn builder() }` goes after the last item about `X`, as typify puts it.
        let mut pending: Option<String> = None;
        let items: Vec<Vec<TokenTree>> = crate::format::split_items(types_module).collect();
        let local: BTreeSet<String> = items.iter().filter_map(|item| defined_type(item)).collect();
        let lowercase_variants = lowercase_variant_enums(&items);
        // Each builder's text, by its type's name (the order of typify's `builder` module).
        let mut builders = BTreeMap::new();
        for item in items {
            let item = with_upper_camel_variants(
                super::field_names::with_distinct_fields(item),
                &lowercase_variants,
            );
            if mod_item_name(&item).is_some() {
                trailing.push(item);
                continue;
            }
            let about = last_ident_before_body(&item);
            if let Some(name) = pending.take_if(|p| about.as_ref() != Some(p)) {
                builder_fn(&name, &mut main)?;
            }
            if let Some(name) = struct_name(&item).filter(|n| builder_types.contains(n)) {
                builders.insert(name.clone(), builder_text(&item, &local)?);
                pending = Some(name);
            }
            format_items(item.into_iter().collect(), &mut main).map_err(types_format_error)?;
        }
        if let Some(name) = pending.take() {
            builder_fn(&name, &mut main)?;
        }
        let mut after = String::new();
        for item in trailing {
            let item = if mod_item_name(&item).as_deref() == Some("defaults") {
                without_unused_generic_defaults(item, &main)
            } else {
                item
            };
            format_items(item.into_iter().collect(), &mut after).map_err(types_format_error)?;
        }
        Ok(TypesFile {
            main,
            builders: builders.into_values().collect(),
            trailing: after,
        })
    }

    /// The file: the types, the `builder` module with the builders, then the other modules.
    pub(super) fn into_text(self) -> Result<String> {
        let mut out = self.main;
        let header = quote! {
            #[doc = " Types for composing complex structures."]
            pub mod builder {}
        };
        let mut header_text = String::new();
        crate::format::format_items(header, &mut header_text).map_err(types_format_error)?;
        out.push_str(header_text.trim_end().trim_end_matches('}'));
        out.push('\n');
        // `OptionalValue` is named by the setters of `optional` fields only.
        if self.builders.contains(" = optional,") {
            out.push_str("    use crate::support::builders::{request_builder, OptionalValue};\n");
        } else if !self.builders.is_empty() {
            out.push_str("    use crate::support::builders::request_builder;\n");
        }
        out.push_str(&self.builders);
        out.push_str("}\n");
        out.push_str(&self.trailing);
        Ok(out)
    }
}

/// typify's `defaults` module `item` without the generic functions (`default_bool`,
/// `default_i64`, `default_u64`, `default_nzu64`) that `types` never names: typify adds
/// `default_i64` for every non-zero `number` default, which it then writes as a function of
/// its own, and the unused function is a compiler warning.
fn without_unused_generic_defaults(mut item: Vec<TokenTree>, types: &str) -> Vec<TokenTree> {
    const GENERIC: [&str; 4] = [
        "default_bool",
        "default_i64",
        "default_u64",
        "default_nzu64",
    ];
    let Some(TokenTree::Group(body)) = item.pop() else {
        return item;
    };
    let used = |f: &Vec<TokenTree>| {
        let name = f
            .iter()
            .skip_while(|t| !matches!(t, TokenTree::Ident(i) if i == "fn"))
            .nth(1)
            .map(ToString::to_string)
            .unwrap_or_default();
        !GENERIC.contains(&name.as_str()) || types.contains(&format!("defaults::{name}::"))
    };
    let kept: TokenStream = crate::format::split_items(body.stream())
        .filter(used)
        .flatten()
        .collect();
    let mut kept = Group::new(body.delimiter(), kept);
    kept.set_span(body.span());
    item.push(TokenTree::Group(kept));
    item
}

/// The builder of the struct `item`, an invocation of `request_builder!` inside `builder`.
fn builder_text(item: &[TokenTree], local: &BTreeSet<String>) -> Result<String> {
    let name = struct_name(item).unwrap_or_default();
    builder_invocation(item, local, 4)
        .map_err(|e| generate_error("types", e))?
        .ok_or_else(|| generate_error("types", format!("`{name}` is no struct")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn builder_fn_is_written_as_printed() {
        // Up to the longest name whose signature line fits the margin exactly.
        for name in ["A".to_owned(), "AclRemoveTarget".to_owned(), "X".repeat(54)] {
            let (mut written, mut printed) = (String::new(), String::new());
            super::builder_fn(&name, &mut written).unwrap();
            super::builder_fn_printed(&name, &mut printed).unwrap();
            assert_eq!(written, printed, "{name}");
        }
    }

    #[test]
    fn generic_defaults_the_types_never_name_are_left_out() {
        let module: Vec<proc_macro2::TokenTree> = quote::quote! {
            pub mod defaults {
                pub(super) fn default_bool<const V: bool>() -> bool { V }
                pub(super) fn default_i64<T, const V: i64>() -> T where T: ::std::convert::TryFrom<i64>, <T as ::std::convert::TryFrom<i64>>::Error: ::std::fmt::Debug { T::try_from(V).unwrap() }
                pub(super) fn thing_ratio() -> f64 { 1.5_f64 }
            }
        }
        .into_iter()
        .collect();
        let types = r#"#[serde(default = "defaults::default_bool::<true>")] pub enabled: bool,"#;
        let kept: proc_macro2::TokenStream =
            super::without_unused_generic_defaults(module, types).into_iter().collect();
        let kept = kept.to_string();
        assert!(kept.contains("fn default_bool") && kept.contains("fn thing_ratio"), "{kept}");
        assert!(!kept.contains("default_i64"), "{kept}");
    }
}
