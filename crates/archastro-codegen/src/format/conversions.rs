//! The conversion impls typify writes for every string enum (`Display`, `FromStr`,
//! `TryFrom<&str>`, `TryFrom<String>`), written straight in prettyplease 0.2's layout: four
//! items per string enum, the most frequent items [`super::plain`] does not take. An item is
//! taken only when its tokens are exactly typify's (the impl is rebuilt from the name and the
//! variants found in it and compared token by token) and every line fits the margin; any
//! other gets `None` and goes to syn and prettyplease.

use proc_macro2::{Delimiter, Ident, Literal, TokenStream, TokenTree};
use quote::quote;

use super::plain::Lines;
use crate::tokens::same_as;

/// The item's text `depth` modules deep, when it is one of typify's string enum conversions.
pub(crate) fn print(item: &[TokenTree], depth: usize) -> Option<String> {
    let [head @ .., TokenTree::Ident(name), TokenTree::Group(body)] = item else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let head: TokenStream = head.iter().cloned().collect();
    let head = head.to_string();
    let mut lines = Lines::new(depth * 4);
    match head.as_str() {
        "impl :: std :: fmt :: Display for" => display(item, name, body.stream(), &mut lines)?,
        "impl :: std :: str :: FromStr for" => from_str(item, name, body.stream(), &mut lines)?,
        "impl :: std :: convert :: TryFrom < & str > for" => {
            try_from(item, name, quote! { &str }, "&str", &mut lines)?;
        }
        "impl :: std :: convert :: TryFrom < :: std :: string :: String > for" => try_from(
            item,
            name,
            quote! { ::std::string::String },
            "::std::string::String",
            &mut lines,
        )?,
        _ => return None,
    }
    Some(lines.text)
}

/// `impl Display`: `match *self { Self::V => f.write_str("v"), ... }`.
fn display(item: &[TokenTree], name: &Ident, body: TokenStream, lines: &mut Lines) -> Option<()> {
    let arms = match_arms(body)?;
    let variants = arms
        .iter()
        .map(|arm| match &arm[..] {
            // The rest is checked against the rebuilt impl.
            [
                self_,
                _,
                _,
                TokenTree::Ident(variant),
                ..,
                TokenTree::Group(call),
            ] if self_.to_string() == "Self" => {
                let [TokenTree::Literal(text)] = &call.stream().into_iter().collect::<Vec<_>>()[..]
                else {
                    return None;
                };
                Some((variant.clone(), text.clone()))
            }
            _ => None,
        })
        .collect::<Option<Vec<(Ident, Literal)>>>()?;
    let rebuilt = variants
        .iter()
        .map(|(variant, text)| quote! { Self::#variant => f.write_str(#text), });
    let expected = quote! {
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match *self { #(#rebuilt)* }
            }
        }
    };
    if variants.is_empty() || !same_as(item, expected) {
        return None;
    }
    lines.code(&format!("impl ::std::fmt::Display for {name} {{"))?;
    lines.indent += 4;
    lines.signature(
        "fn fmt(",
        "&self, f: &mut ::std::fmt::Formatter<'_>",
        "::std::fmt::Result",
    )?;
    lines.indent += 4;
    lines.code("match *self {")?;
    lines.indent += 4;
    for (variant, text) in &variants {
        lines.code(&format!("Self::{variant} => f.write_str({text}),"))?;
    }
    close(lines, 3)
}

/// `impl FromStr`: `match value { "v" => Ok(Self::V), ..., _ => Err("invalid value".into()) }`.
fn from_str(item: &[TokenTree], name: &Ident, body: TokenStream, lines: &mut Lines) -> Option<()> {
    let arms = match_arms(body)?;
    let (_, arms) = arms.split_last()?;
    let variants = arms
        .iter()
        .map(|arm| match &arm[..] {
            [TokenTree::Literal(text), _, _, _, TokenTree::Group(ok)] => {
                match &ok.stream().into_iter().collect::<Vec<_>>()[..] {
                    [_, _, _, TokenTree::Ident(variant)] => Some((variant.clone(), text.clone())),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect::<Option<Vec<(Ident, Literal)>>>()?;
    let rebuilt = variants
        .iter()
        .map(|(variant, text)| quote! { #text => Ok(Self::#variant), });
    let expected = quote! {
        impl ::std::str::FromStr for #name {
            type Err = self::error::ConversionError;
            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                match value {
                    #(#rebuilt)*
                    _ => Err("invalid value".into()),
                }
            }
        }
    };
    if variants.is_empty() || !same_as(item, expected) {
        return None;
    }
    lines.code(&format!("impl ::std::str::FromStr for {name} {{"))?;
    lines.indent += 4;
    lines.code("type Err = self::error::ConversionError;")?;
    lines.signature(
        "fn from_str(",
        "value: &str",
        "::std::result::Result<Self, self::error::ConversionError>",
    )?;
    lines.indent += 4;
    lines.code("match value {")?;
    lines.indent += 4;
    for (variant, text) in &variants {
        lines.code(&format!("{text} => Ok(Self::{variant}),"))?;
    }
    lines.code("_ => Err(\"invalid value\".into()),")?;
    close(lines, 3)
}

/// `impl TryFrom<source>`: `value.parse()`.
fn try_from(
    item: &[TokenTree],
    name: &Ident,
    source: TokenStream,
    source_text: &str,
    lines: &mut Lines,
) -> Option<()> {
    let expected = quote! {
        impl ::std::convert::TryFrom<#source> for #name {
            type Error = self::error::ConversionError;
            fn try_from(value: #source) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
    };
    if !same_as(item, expected) {
        return None;
    }
    lines.code(&format!(
        "impl ::std::convert::TryFrom<{source_text}> for {name} {{"
    ))?;
    lines.indent += 4;
    lines.code("type Error = self::error::ConversionError;")?;
    lines.signature(
        "fn try_from(",
        &format!("value: {source_text}"),
        "::std::result::Result<Self, self::error::ConversionError>",
    )?;
    lines.indent += 4;
    lines.code("value.parse()")?;
    close(lines, 2)
}

/// Closes `levels` open braces.
fn close(lines: &mut Lines, levels: usize) -> Option<()> {
    for _ in 0..levels {
        lines.indent -= 4;
        lines.code("}")?;
    }
    Some(())
}

/// The arms of the one `match` in a function body (`fn ... { match x { arms } }`), each
/// without its trailing comma; `None` for any other body.
fn match_arms(body: TokenStream) -> Option<Vec<Vec<TokenTree>>> {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let TokenTree::Group(block) = tokens.last()? else {
        return None;
    };
    let inner: Vec<TokenTree> = block.stream().into_iter().collect();
    let TokenTree::Group(arms) = inner.last()? else {
        return None;
    };
    if arms.delimiter() != Delimiter::Brace {
        return None;
    }
    let mut out = vec![Vec::new()];
    for token in arms.stream() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => out.push(Vec::new()),
            _ => out.last_mut()?.push(token),
        }
    }
    // The last arm ends with a comma too.
    out.pop().filter(Vec::is_empty)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenTree;
    use quote::quote;

    /// Whether the printer takes the item; its text is then prettyplease's.
    fn prints_as_prettyplease(item: proc_macro2::TokenStream) -> bool {
        let tokens: Vec<TokenTree> = item.clone().into_iter().collect();
        let Some(written) = super::print(&tokens, 0) else {
            return false;
        };
        let file = syn::parse2::<syn::File>(item).expect("parses");
        assert_eq!(written, prettyplease::unparse(&file));
        true
    }

    #[test]
    fn string_enum_conversions_print_as_prettyplease() {
        // Up to a name whose `impl ::std::fmt::Display for` line fits the margin exactly (the
        // longer `impl` lines of the others are declined).
        for (name, all_taken) in [
            ("A".to_owned(), true),
            ("ActivityFeedEntryType".to_owned(), true),
            ("X".repeat(58), false),
        ] {
            let name = quote::format_ident!("{name}");
            let mut taken = Vec::new();
            taken.push(prints_as_prettyplease(quote! {
                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::Automation => f.write_str("automation"),
                            Self::Quoted => f.write_str("a \"b\""),
                        }
                    }
                }
            }));
            taken.push(prints_as_prettyplease(quote! {
                impl ::std::str::FromStr for #name {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value {
                            "automation" => Ok(Self::Automation),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
            }));
            taken.push(prints_as_prettyplease(quote! {
                impl ::std::convert::TryFrom<&str> for #name {
                    type Error = self::error::ConversionError;
                    fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        value.parse()
                    }
                }
            }));
            taken.push(prints_as_prettyplease(quote! {
                impl ::std::convert::TryFrom<::std::string::String> for #name {
                    type Error = self::error::ConversionError;
                    fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> {
                        value.parse()
                    }
                }
            }));
            assert!(taken[0], "{name}");
            assert_eq!(taken.iter().all(|t| *t), all_taken, "{name}");
        }
    }

    #[test]
    fn other_impls_are_declined() {
        for item in [
            quote! { impl ::std::fmt::Display for A { fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { match *self {} } } },
            quote! { impl ::std::fmt::Display for A { fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { match *self { Self::B => f.write_str("b"), Self::C(x) => x.fmt(f), } } } },
            quote! { impl ::std::str::FromStr for A { type Err = E; fn from_str(value: &str) -> ::std::result::Result<Self, E> { value.parse() } } },
            quote! { impl ::std::convert::TryFrom<&str> for A { type Error = self::error::ConversionError; fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> { Ok(Self(value.into())) } } },
            quote! { #[allow(x)] impl ::std::convert::TryFrom<&str> for A { type Error = self::error::ConversionError; fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() } } },
        ] {
            let tokens: Vec<TokenTree> = item.into_iter().collect();
            assert_eq!(super::print(&tokens, 0), None, "{tokens:?}");
        }
    }
}
