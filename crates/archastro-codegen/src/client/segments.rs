//! `Display` for the types of array and object path parameters ([`SegmentValue`]): progenitor
//! builds a path with `.to_string()` on every path parameter, then percent-encodes the text
//! (`,` and `=` stay as they are). The text is OpenAPI's `style: simple`: an array's items
//! joined by `,`; an object's properties (those present, in key order, as the normalized
//! document lists them) as `key,value` pairs, or `key=value` when the parameter explodes. Each item
//! and value is written as serde writes it in JSON (so formats such as `date-time` keep their
//! wire form), strings without quotes. A `,` inside an item cannot be told apart from the
//! separator: `style: simple` has no escape once the path is percent-encoded this way.
//!
//! Nothing is emitted for an API without such parameters.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{Api, SegmentValue};
use crate::names::type_name;

/// The `Display` impls of the segment types of `api` and the module they write with, or
/// nothing when `api` has none.
pub(super) fn segment_displays(api: &Api<'_>) -> TokenStream {
    // Whether each component is written exploded, by component name (one impl each; the
    // normalizer gives an object component one `explode`).
    let mut explode_of: BTreeMap<String, bool> = BTreeMap::new();
    for (family, op) in api.operations() {
        for value in op
            .parameters
            .iter()
            .filter_map(|p| p.segment_value(family.doc))
        {
            let explode = matches!(value, SegmentValue::Object { explode: true, .. });
            explode_of
                .entry(value.component().to_owned())
                .or_insert(explode);
        }
    }
    if explode_of.is_empty() {
        return TokenStream::new();
    }
    let impls = explode_of.iter().map(|(component, explode)| {
        let ty = format_ident!("{}", type_name(component));
        quote! {
            impl ::std::fmt::Display for types::#ty {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    path_segments::write(f, self, #explode)
                }
            }
        }
    });
    quote! {
        /// Path parameters that are arrays or objects, written in their segment as OpenAPI's
        /// `style: simple` says.
        mod path_segments {
            use serde_json::Value;

            /// Writes `value`, an array or an object of scalars: the items joined by `,`, or
            /// the present fields as `key,value` pairs (`key=value` when `explode`) joined by
            /// `,`. Scalars are written as in JSON, strings without their quotes.
            pub(crate) fn write(
                f: &mut ::std::fmt::Formatter<'_>,
                value: &impl serde::Serialize,
                explode: bool,
            ) -> ::std::fmt::Result {
                match serde_json::to_value(value).map_err(|_| ::std::fmt::Error)? {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            if i > 0 {
                                f.write_str(",")?;
                            }
                            scalar(f, item)?;
                        }
                        Ok(())
                    }
                    Value::Object(fields) => {
                        let present = fields.iter().filter(|(_, v)| !v.is_null());
                        for (i, (key, item)) in present.enumerate() {
                            if i > 0 {
                                f.write_str(",")?;
                            }
                            f.write_str(key)?;
                            f.write_str(if explode { "=" } else { "," })?;
                            scalar(f, item)?;
                        }
                        Ok(())
                    }
                    other => scalar(f, &other),
                }
            }

            fn scalar(f: &mut ::std::fmt::Formatter<'_>, value: &Value) -> ::std::fmt::Result {
                match value {
                    Value::String(text) => f.write_str(text),
                    other => write!(f, "{other}"),
                }
            }
        }

        #(#impls)*
    }
}
