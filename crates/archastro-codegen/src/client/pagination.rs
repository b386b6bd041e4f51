//! Pagination streams: a `stream()` method on the request builder of every `x-sdk-pagination`
//! list whose page has the shape the runtime follows (`support::paginate`): a required `data`
//! array of a named type, plus `after_cursor` / `next_cursor` (cursor) or `offset` (offset,
//! with an optional `total`). A list of another shape gets no stream.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::model::{Family, Location, Method, Operation, Pagination};
use crate::names::{module_name, type_name};

/// The `impl` blocks with the `stream()` methods of `family`'s lists.
pub(super) fn pagination_streams(family: &Family<'_>) -> Vec<TokenStream> {
    let module = format_ident!("{}", module_name(family.name));
    family
        .operations
        .iter()
        .filter_map(|op| stream_impl(&module, family, op))
        .collect()
}

/// The page schema of a list: a component with a required `data` array of a named type.
struct Page<'a> {
    schema: &'a Value,
    /// The type of `data`'s items.
    item_type: Ident,
}

impl<'a> Page<'a> {
    /// The page of `op`'s JSON `200` response, if it has the shape the runtime follows.
    fn of(family: &Family<'a>, op: &Operation<'a>) -> Option<Page<'a>> {
        let response = op
            .response("200")
            .filter(|r| r.media_type == Some("application/json"))?;
        let schema = family.referenced(response.schema?)?;
        let item_ref = schema
            .pointer("/properties/data/items/$ref")
            .and_then(Value::as_str)?;
        let page = Page {
            schema,
            item_type: format_ident!(
                "{}",
                type_name(item_ref.rsplit('/').next().unwrap_or_default())
            ),
        };
        page.required("data").then_some(page)
    }

    fn required(&self, field: &str) -> bool {
        self.schema["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == field))
    }

    fn has(&self, field: &str) -> bool {
        self.schema
            .pointer(&format!("/properties/{field}"))
            .is_some()
    }
}

/// `impl builder::X { stream() }` for a paginated `GET` whose page the runtime can follow.
fn stream_impl(module: &Ident, family: &Family<'_>, op: &Operation<'_>) -> Option<TokenStream> {
    if op.method != Method::Get {
        return None;
    }
    let kind = op.pagination?;
    let params: Vec<&str> = op.parameters_in(Location::Query).map(|p| p.name).collect();
    let page = Page::of(family, op)?;
    let methods = match kind {
        Pagination::Cursor => cursor_stream(op.id, &page, cursor_body(&page, &params)?),
        Pagination::Offset => offset_stream(op.id, &page, offset_body(&page, &params)?),
        Pagination::Other => return None,
    };
    let builder = format_ident!("{}", type_name(op.id));
    Some(quote! {
        impl<'a> #module::builder::#builder<'a> {
            #methods
        }
    })
}

fn stream_doc(id: &str) -> String {
    format!("Every item of every page of `{id}`, fetching pages as the stream is read.")
}

/// `stream()` of a cursor list.
fn cursor_stream(id: &str, page: &Page<'_>, body: TokenStream) -> TokenStream {
    let (doc_text, item_type) = (stream_doc(id), &page.item_type);
    quote! {
        #[doc = #doc_text]
        pub fn stream(self) -> crate::support::paginate::BoxStream<'a, Result<types::#item_type, Error>> {
            #body
        }
    }
}

/// `stream()` and `stream_from(start)` of an offset list.
fn offset_stream(id: &str, page: &Page<'_>, body: TokenStream) -> TokenStream {
    let (doc_text, item_type) = (stream_doc(id), &page.item_type);
    let from_doc = "Like [`Self::stream`], from item `start` on.";
    quote! {
        #[doc = #doc_text]
        pub fn stream(self) -> crate::support::paginate::BoxStream<'a, Result<types::#item_type, Error>> {
            self.stream_from(0)
        }

        #[doc = #from_doc]
        pub fn stream_from(self, start: u64) -> crate::support::paginate::BoxStream<'a, Result<types::#item_type, Error>> {
            #body
        }
    }
}

/// `crate::support::paginate::cursor_field(&page.FIELD)`, or `None` without a field.
fn cursor_value(field: Option<&str>) -> TokenStream {
    match field {
        Some(f) => {
            let f = format_ident!("{f}");
            quote! { crate::support::paginate::cursor_field(&page.#f) }
        }
        None => quote! { None },
    }
}

/// The body of a cursor list's `stream()`: the parameters that take a cursor, and the page
/// fields that give one. `None` when the list has neither an after nor a before cursor.
fn cursor_body(page: &Page<'_>, params: &[&str]) -> Option<TokenStream> {
    let has_param = |p: &str| params.contains(&p);
    let after_param = ["after_cursor", "cursor"]
        .into_iter()
        .find(|p| has_param(p));
    let after_field = ["after_cursor", "next_cursor", "cursor"]
        .into_iter()
        .find(|f| page.has(f));
    let before =
        (has_param("before_cursor") && page.has("before_cursor")).then_some("before_cursor");
    if after_param.zip(after_field).is_none() && before.is_none() {
        return None;
    }
    let after_value = cursor_value(after_field.filter(|_| after_param.is_some()));
    let before_value = cursor_value(before);
    let set_after = after_param.map(|p| {
        let p = format_ident!("{p}");
        quote! { Some(Cursor::After(c)) => self.clone().#p(c.clone()), }
    });
    let set_before = before.map(|p| {
        let p = format_ident!("{p}");
        quote! { Some(Cursor::Before(c)) => self.clone().#p(c.clone()), }
    });
    let more = if page.has("has_more") && page.required("has_more") {
        quote! { page.has_more }
    } else {
        quote! { true }
    };
    Some(quote! {
        use crate::support::paginate::Cursor;
        crate::support::paginate::cursor(move |cursor: Option<Cursor>| {
            #[allow(unreachable_patterns)]
            let request = match &cursor {
                #set_after
                #set_before
                _ => self.clone(),
            };
            async move {
                let page = request.send().await?;
                let next = if #more {
                    Cursor::next(cursor.as_ref(), #after_value, #before_value)
                } else {
                    None
                };
                Ok(crate::support::paginate::Page { next_cursor: next, total: None, items: page.data })
            }
        })
    })
}

/// The body of an offset list's `stream_from()`; `None` without an `offset` parameter.
fn offset_body(page: &Page<'_>, params: &[&str]) -> Option<TokenStream> {
    if !params.contains(&"offset") {
        return None;
    }
    let total = if page.has("total") {
        quote! { crate::support::paginate::count_field(&page.total) }
    } else {
        quote! { None }
    };
    Some(quote! {
        crate::support::paginate::offset(start, move |offset: u64| {
            let request = self.clone().offset(offset);
            async move {
                let page = request.send().await?;
                Ok(crate::support::paginate::Page {
                    next_cursor: None,
                    total: #total,
                    items: page.data,
                })
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A family with one paginated `GET` of `kind` with `query` parameters, whose page is
    /// `page`.
    fn family_doc(kind: &str, query: &[&str], page: Value) -> Value {
        let parameters: Vec<Value> = query
            .iter()
            .map(|name| json!({"name": name, "in": "query", "schema": {"type": "string"}}))
            .collect();
        json!({
            "paths": {"/pets": {"get": {
                "operationId": "list_pets",
                "x-sdk-pagination": {"type": kind},
                "parameters": parameters,
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PetPage"}}}}}
            }}},
            "components": {"schemas": {"PetPage": page, "Pet": {"type": "object"}}}
        })
    }

    fn page(required: &[&str], fields: &[&str]) -> Value {
        let mut properties = serde_json::Map::new();
        properties.insert(
            "data".into(),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}),
        );
        for field in fields {
            properties.insert((*field).into(), json!({"type": "string"}));
        }
        json!({"type": "object", "required": required, "properties": properties})
    }

    fn streams(doc: &Value) -> String {
        let family = Family::new("runtime", doc).unwrap();
        let streams = pagination_streams(&family);
        quote! { #(#streams)* }.to_string()
    }

    #[test]
    fn lists_the_runtime_can_follow_get_streams() {
        let cursor = streams(&family_doc(
            "cursor",
            &["after_cursor"],
            page(&["data"], &["next_cursor"]),
        ));
        assert!(
            cursor.contains("runtime :: builder :: ListPets"),
            "{cursor}"
        );
        assert!(
            cursor.contains("cursor_field (& page . next_cursor)"),
            "{cursor}"
        );
        assert!(!cursor.contains("stream_from"), "{cursor}");
        let offset = streams(&family_doc(
            "offset",
            &["offset"],
            page(&["data"], &["total"]),
        ));
        assert!(offset.contains("stream_from"), "{offset}");
        assert!(offset.contains("count_field (& page . total)"), "{offset}");
    }

    #[test]
    fn lists_of_another_shape_get_none() {
        for doc in [
            // `data` not required.
            family_doc("cursor", &["after_cursor"], page(&[], &["next_cursor"])),
            // No cursor to send back.
            family_doc("cursor", &["limit"], page(&["data"], &["next_cursor"])),
            family_doc("offset", &["limit"], page(&["data"], &[])),
            family_doc("pages", &["offset"], page(&["data"], &[])),
        ] {
            assert_eq!(streams(&doc), "", "{doc}");
        }
    }
}
