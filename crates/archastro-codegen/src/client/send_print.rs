//! Printing an operation's `impl` with `send_with_response` ([`super::send`]) as prettyplease
//! prints it, without parsing all of it.
//!
//! The `impl` line, the signature and the statements whose shape the rewrite makes
//! (`let Self { .. } = self;`, each field's `map_err`, the call of `execute_operation` and
//! the decoding of the answer) are written here, on one line where the line fits
//! prettyplease's margin and in prettyplease's broken layout where they certainly do not; the
//! statements that build the URL and the request, whose layout is prettyplease's own, are
//! printed by it ([`format_statements`]). An `impl` in any other shape, or a statement too
//! close to the margin to tell, goes to prettyplease as before. A test holds both printers'
//! texts equal.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::format::plain::{Lines, outer_attributes, type_path};
use crate::format::{FormatError, format_items_nested, format_statements};

/// Appends the `impl` item `item` printed `depth` modules deep.
pub(super) fn print(item: TokenStream, depth: usize, out: &mut String) -> Result<(), FormatError> {
    let tokens: Vec<TokenTree> = item.clone().into_iter().collect();
    let Some(pieces) = pieces(&tokens, depth) else {
        return format_items_nested(item, depth, out);
    };
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Statements(statements) => format_statements(statements, depth + 2, out)?,
        }
    }
    Ok(())
}

/// Part of the printed `impl`: text written here, or statements left to prettyplease.
enum Piece {
    Text(String),
    Statements(TokenStream),
}

/// The pieces of `impl<'a> Name<'a> { #[doc] pub async fn send_with_response(self) -> T {..} }`,
/// or `None` for any other item.
fn pieces(tokens: &[TokenTree], depth: usize) -> Option<Vec<Piece>> {
    let [
        TokenTree::Ident(keyword),
        generics @ ..,
        TokenTree::Ident(name),
        TokenTree::Punct(open),
        TokenTree::Punct(quote),
        TokenTree::Ident(lifetime),
        TokenTree::Punct(close),
        TokenTree::Group(body),
    ] = tokens
    else {
        return None;
    };
    let lifetime_generics = matches!(generics, [TokenTree::Punct(o), TokenTree::Punct(q), TokenTree::Ident(a), TokenTree::Punct(c)]
        if o.as_char() == '<' && q.as_char() == '\'' && a == "a" && c.as_char() == '>');
    if keyword != "impl"
        || !lifetime_generics
        || open.as_char() != '<'
        || quote.as_char() != '\''
        || lifetime != "a"
        || close.as_char() != '>'
        || body.delimiter() != Delimiter::Brace
    {
        return None;
    }
    let members: Vec<TokenTree> = body.stream().into_iter().collect();
    let (attrs, function) = outer_attributes(&members)?;
    let [
        TokenTree::Ident(public),
        TokenTree::Ident(asyncness),
        TokenTree::Ident(fn_keyword),
        TokenTree::Ident(function_name),
        TokenTree::Group(parameters),
        TokenTree::Punct(dash),
        TokenTree::Punct(arrow),
        output @ ..,
        TokenTree::Group(block),
    ] = function
    else {
        return None;
    };
    let parameters: Vec<TokenTree> = parameters.stream().into_iter().collect();
    if public != "pub"
        || asyncness != "async"
        || fn_keyword != "fn"
        || function_name != "send_with_response"
        || !matches!(&parameters[..], [TokenTree::Ident(s)] if s == "self")
        || dash.as_char() != '-'
        || arrow.as_char() != '>'
        || block.delimiter() != Delimiter::Brace
    {
        return None;
    }
    let mut returns = String::new();
    type_path(output, &mut returns)?;

    let mut lines = Lines::new(depth * 4);
    lines.code(&format!("impl<'a> {name}<'a> {{"))?;
    lines.indent += 4;
    for attr in attrs {
        lines.attribute(attr)?;
    }
    lines.signature("pub async fn send_with_response(", "self", &returns)?;
    lines.indent += 4;

    let mut pieces = Vec::new();
    // Statements left to prettyplease, not yet printed.
    let mut left: Vec<TokenTree> = Vec::new();
    for (statement, semicolon) in statements(block.stream()) {
        let mut written = Lines::new(lines.indent);
        if known_statement(&statement, semicolon.is_some(), &mut written).is_none() {
            left.extend(statement);
            left.extend(semicolon);
            continue;
        }
        if !left.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut lines.text)));
            pieces.push(Piece::Statements(
                std::mem::take(&mut left).into_iter().collect(),
            ));
        }
        lines.text.push_str(&written.text);
    }
    if !left.is_empty() {
        pieces.push(Piece::Text(std::mem::take(&mut lines.text)));
        pieces.push(Piece::Statements(left.into_iter().collect()));
    }
    lines.indent -= 4;
    lines.push("}");
    lines.indent -= 4;
    lines.push("}");
    pieces.push(Piece::Text(lines.text));
    Some(pieces)
}

/// The statements of a block: each one's tokens and its `;` (none for the last expression).
fn statements(block: TokenStream) -> Vec<(Vec<TokenTree>, Option<TokenTree>)> {
    let mut statements = Vec::new();
    let mut current = Vec::new();
    for token in block {
        if matches!(&token, TokenTree::Punct(p) if p.as_char() == ';') {
            statements.push((std::mem::take(&mut current), Some(token)));
        } else {
            current.push(token);
        }
    }
    if !current.is_empty() {
        statements.push((current, None));
    }
    statements
}

/// Writes `statement` to `lines` when it is in a shape known here and its layout is certain;
/// `None` otherwise (and what was written is not to be used).
fn known_statement(statement: &[TokenTree], semicolon: bool, lines: &mut Lines) -> Option<()> {
    let text = |t: &TokenTree| t.to_string();
    match (statement, semicolon) {
        // `let Self { client, settings, .. } = self;`
        (
            [
                TokenTree::Ident(l),
                TokenTree::Ident(s),
                TokenTree::Group(fields),
                TokenTree::Punct(eq),
                TokenTree::Ident(this),
            ],
            true,
        ) if l == "let"
            && s == "Self"
            && fields.delimiter() == Delimiter::Brace
            && eq.as_char() == '='
            && this == "self" =>
        {
            let names = field_names(fields.stream())?;
            let one = format!("let Self {{ {} }} = self;", names.join(", "));
            let pattern = format!("let Self {{ {} }}", names.join(", "));
            if lines.fits(&one) {
                lines.push(&one);
            } else if !lines.fits(&pattern) {
                lines.push("let Self {");
                lines.indent += 4;
                for name in &names {
                    lines.code(&format!("{name},"))?;
                }
                lines.indent -= 4;
                lines.push("} = self;");
            } else {
                return None;
            }
            Some(())
        }
        // `let x = x.map_err(Error::InvalidRequest)?;`
        (
            [
                TokenTree::Ident(l),
                TokenTree::Ident(name),
                TokenTree::Punct(eq),
                TokenTree::Ident(value),
                TokenTree::Punct(dot),
                TokenTree::Ident(map_err),
                TokenTree::Group(error),
                TokenTree::Punct(question),
            ],
            true,
        ) if l == "let"
            && eq.as_char() == '='
            && dot.as_char() == '.'
            && map_err == "map_err"
            && error.delimiter() == Delimiter::Parenthesis
            && path_text(error.stream()).as_deref() == Some("Error::InvalidRequest")
            && question.as_char() == '?' =>
        {
            lines.code(&format!(
                "let {name} = {value}.map_err(Error::InvalidRequest)?;"
            ))
        }
        // `let response = client.execute_operation(request, "id", settings).await?;`
        (
            [
                TokenTree::Ident(l),
                TokenTree::Ident(name),
                TokenTree::Punct(eq),
                TokenTree::Ident(client),
                TokenTree::Punct(dot),
                TokenTree::Ident(execute),
                TokenTree::Group(arguments),
                TokenTree::Punct(dot_await),
                TokenTree::Ident(awaited),
                TokenTree::Punct(question),
            ],
            true,
        ) if l == "let"
            && eq.as_char() == '='
            && client == "client"
            && dot.as_char() == '.'
            && execute == "execute_operation"
            && arguments.delimiter() == Delimiter::Parenthesis
            && dot_await.as_char() == '.'
            && awaited == "await"
            && question.as_char() == '?' =>
        {
            let arguments: Vec<TokenTree> = arguments.stream().into_iter().collect();
            let [
                TokenTree::Ident(request),
                TokenTree::Punct(c1),
                TokenTree::Literal(_),
                TokenTree::Punct(c2),
                TokenTree::Ident(settings),
            ] = &arguments[..]
            else {
                return None;
            };
            if c1.as_char() != ',' || c2.as_char() != ',' || settings != "settings" {
                return None;
            }
            let call = format!(
                ".execute_operation({request}, {}, {settings})",
                text(&arguments[2])
            );
            let one = format!("let {name} = client{call}.await?;");
            chain(
                lines,
                &one,
                &format!("let {name} = client"),
                &[&call, ".await?;"],
                2,
            )
        }
        // `crate::support::call::json(response, |status| matches!(status, 200u16)).await`
        (
            [
                TokenTree::Ident(krate),
                TokenTree::Punct(_),
                TokenTree::Punct(_),
                TokenTree::Ident(support),
                TokenTree::Punct(_),
                TokenTree::Punct(_),
                TokenTree::Ident(call_module),
                TokenTree::Punct(_),
                TokenTree::Punct(_),
                TokenTree::Ident(reader),
                TokenTree::Group(arguments),
                TokenTree::Punct(dot),
                TokenTree::Ident(awaited),
            ],
            false,
        ) if krate == "crate"
            && support == "support"
            && call_module == "call"
            && path_text(statement[..10].iter().cloned().collect()).is_some()
            && arguments.delimiter() == Delimiter::Parenthesis
            && dot.as_char() == '.'
            && awaited == "await" =>
        {
            let arguments: Vec<TokenTree> = arguments.stream().into_iter().collect();
            let [
                TokenTree::Ident(response),
                TokenTree::Punct(comma),
                TokenTree::Punct(bar1),
                TokenTree::Ident(status),
                TokenTree::Punct(bar2),
                TokenTree::Ident(matches),
                TokenTree::Punct(bang),
                TokenTree::Group(matched),
            ] = &arguments[..]
            else {
                return None;
            };
            let matched: Vec<TokenTree> = matched.stream().into_iter().collect();
            let [
                TokenTree::Ident(status_again),
                TokenTree::Punct(comma_again),
                TokenTree::Literal(pattern),
            ] = &matched[..]
            else {
                return None;
            };
            if comma.as_char() != ','
                || bar1.as_char() != '|'
                || bar2.as_char() != '|'
                || status != "status"
                || matches != "matches"
                || bang.as_char() != '!'
                || status_again != "status"
                || comma_again.as_char() != ','
            {
                return None;
            }
            let call = format!(
                "crate::support::call::{reader}({response}, |status| matches!(status, {pattern}))"
            );
            let one = format!("{call}.await");
            chain(lines, &one, &call, &[".await"], 0)
        }
        _ => None,
    }
}

/// A method chain's statement: `one` on one line where it fits; else, where even without its
/// last `trailing` characters (after the chain's box: `?;`) it would not fit, `first` and
/// then each of `calls` on a line of its own, indented once more; else `None`.
fn chain(lines: &mut Lines, one: &str, first: &str, calls: &[&str], trailing: usize) -> Option<()> {
    if lines.fits(one) {
        lines.push(one);
        return Some(());
    }
    if lines.fits(&one[..one.len() - trailing]) {
        return None;
    }
    let mut broken = Lines::new(lines.indent);
    broken.code(first)?;
    broken.indent += 4;
    for call in calls {
        broken.code(call)?;
    }
    lines.text.push_str(&broken.text);
    Some(())
}

/// The names of a struct pattern's shorthand fields (`a, b`), or `None`.
fn field_names(fields: TokenStream) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut expect_name = true;
    for token in fields {
        match token {
            TokenTree::Ident(name) if expect_name => {
                names.push(name.to_string());
                expect_name = false;
            }
            TokenTree::Punct(comma) if !expect_name && comma.as_char() == ',' => {
                expect_name = true;
            }
            _ => return None,
        }
    }
    (!names.is_empty()).then_some(names)
}

/// `a::b::c` written as such, when `tokens` are only identifiers joined by `::`.
fn path_text(tokens: TokenStream) -> Option<String> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut text = String::new();
    let mut rest = &tokens[..];
    loop {
        let [TokenTree::Ident(segment), after @ ..] = rest else {
            return None;
        };
        text.push_str(&segment.to_string());
        match after {
            [] => return Some(text),
            [TokenTree::Punct(a), TokenTree::Punct(b), after @ ..]
                if a.as_char() == ':' && b.as_char() == ':' =>
            {
                text.push_str("::");
                rest = after;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    /// The `impl` prints here as prettyplease prints it, and is not left to prettyplease whole.
    fn same(item: TokenStream) {
        let tokens: Vec<_> = item.clone().into_iter().collect();
        assert!(super::pieces(&tokens, 1).is_some(), "not taken: {item}");
        let mut fast = String::new();
        super::print(item.clone(), 1, &mut fast).unwrap();
        let mut printed = String::new();
        crate::format::format_items_nested(item, 1, &mut printed).unwrap();
        assert_eq!(fast, printed);
    }

    fn send(statements: TokenStream, output: TokenStream) -> TokenStream {
        quote! {
            impl<'a> ListAgentSessions<'a> {
                #[doc = "Sends a `GET` request to `/api/v1/agent_sessions`"]
                pub async fn send_with_response(self) -> Result<ResponseValue<#output>, Error> {
                    #statements
                }
            }
        }
    }

    #[test]
    fn short_and_broken_layouts_print_as_prettyplease_prints_them() {
        same(send(
            quote! {
                let Self { client, settings, body } = self;
                let body = body.map_err(Error::InvalidRequest)?;
                let url = format!("{}/api/v1/auth/login/link", client.baseurl,);
                let request = client.client.post(url).json(&body).build()?;
                let response = client.execute_operation(request, "login", settings).await?;
                crate::support::call::json(response, |status| matches!(status, 200u16)).await
            },
            quote! { () },
        ));
        same(send(
            quote! {
                let Self { client, settings, agent, exclude_system, limit, routine_run, status } = self;
                let agent = agent.map_err(Error::InvalidRequest)?;
                let exclude_system = exclude_system.map_err(Error::InvalidRequest)?;
                let url = format!("{}/api/v1/agent_sessions/{}", client.baseurl, encode_path(&agent.to_string()),);
                let request = client.client.get(url).header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json")).query(&progenitor_client::QueryParam::new("exclude_system", &exclude_system)).build()?;
                let response = client.execute_operation(request, "request_register_magic_link", settings).await?;
                crate::support::call::empty(response, |status| matches!(status, 204u16)).await
            },
            quote! { crate::types::AgentSessionListResponse },
        ));
    }

    #[test]
    fn other_shapes_are_left_to_prettyplease() {
        let taken = |item: TokenStream| {
            let tokens: Vec<_> = item.into_iter().collect();
            super::pieces(&tokens, 1).is_some()
        };
        assert!(!taken(quote! { impl<'a> A<'a> { pub fn send(self) {} } }));
        assert!(!taken(
            quote! { impl A { pub async fn send_with_response(self) -> () {} } }
        ));
        assert!(!taken(quote! { pub struct A {} }));
    }
}
