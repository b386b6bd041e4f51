//! An operation's `send`, as progenitor 0.15.1 writes it (`method_sig_body`), rewritten into
//! `send_with_response`: the part that builds the request is kept, but for the `api-version`
//! header every operation sends (`execute_operation` sets it; the header map goes when no
//! header parameter is left in it); the part that
//! sends it (`pre`, `exec`, `post` with the `OperationInfo`) becomes one call of the family
//! client's `execute_operation` (written in `lib.rs`, with the builder's per-request
//! settings), and the match over every declared status (about seven printed lines per status)
//! becomes one call of the client support's `call` module, given the success statuses and the
//! kind of success body. Every other status is an error whose body the runtime kept, decoded
//! into the client's one `Error`, so the error arms need no code of their own.
//!
//! `operation_builder!` adds `send`, which returns the body alone.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::quote;

use crate::tokens;

/// How the success body of an operation is read (progenitor's `OperationResponseKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Empty,
    Stream,
    Upgrade,
}

impl Kind {
    /// The function of the support's `call` module that reads it.
    fn reader(self) -> Ident {
        let name = match self {
            Kind::Json => "json",
            Kind::Empty => "empty",
            Kind::Stream => "stream",
            Kind::Upgrade => "upgrade",
        };
        Ident::new(name, proc_macro2::Span::call_site())
    }
}

/// A rewritten `send`: `send_with_response`, and the type of the answer's body.
pub(super) struct Send {
    pub(super) function: TokenStream,
    pub(super) output: TokenStream,
}

/// Rewrites `send` (its tokens, doc attributes first) or says what it did not expect.
pub(super) fn rewrite(send: &[TokenTree]) -> Result<Send, String> {
    let fn_at = send
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "fn"))
        .ok_or("no `fn`")?;
    let attributes: TokenStream = send[..fn_at]
        .iter()
        .take_while(|t| !matches!(t, TokenTree::Ident(i) if i == "pub"))
        .cloned()
        .collect();
    let (TokenTree::Group(body), signature) = send.split_last().ok_or("an empty `send`")? else {
        return Err("`send` has no body".into());
    };
    let arrow = signature
        .windows(2)
        .position(|w| matches!(w, [TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == '-' && b.as_char() == '>'))
        .ok_or("`send` returns nothing")?;
    let output = response_value_type(&signature[arrow + 2..]).ok_or("an unexpected return type")?;
    let statements = rewrite_body(body.stream())?;
    let function = quote! {
        #attributes
        pub async fn send_with_response(self) -> Result<ResponseValue<#output>, Error> {
            #statements
        }
    };
    Ok(Send { function, output })
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn response_value_type(ty: &[TokenTree]) -> Option<TokenStream> {
    let [result, open, response_value, open_value, rest @ ..] = ty else {
        return None;
    };
    let starts = tokens::is_ident(result, "Result")
        && tokens::is_punct(open, '<')
        && tokens::is_ident(response_value, "ResponseValue")
        && tokens::is_punct(open_value, '<');
    // `T` ends at the `>` that closes `ResponseValue<`, before `, Error <`.
    let mut depth = 0usize;
    let end = rest.iter().position(|t| match t {
        TokenTree::Punct(p) if p.as_char() == '<' => {
            depth += 1;
            false
        }
        TokenTree::Punct(p) if p.as_char() == '>' => match depth.checked_sub(1) {
            Some(d) => {
                depth = d;
                false
            }
            None => true,
        },
        _ => false,
    })?;
    let follows = rest.get(end + 1..end + 3)?;
    (starts && tokens::is_punct(&follows[0], ',') && tokens::is_ident(&follows[1], "Error"))
        .then(|| rest[..end].iter().cloned().collect())
}

/// The body of `send_with_response`: progenitor's statements up to the `OperationInfo`, with
/// `settings` taken out of the builder beside `client`, then the call and the decoding.
fn rewrite_body(body: TokenStream) -> Result<TokenStream, String> {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let info_at = tokens
        .windows(4)
        .position(|w| {
            matches!(w, [TokenTree::Ident(l), TokenTree::Ident(i), TokenTree::Punct(e), TokenTree::Ident(o)]
                if l == "let" && i == "info" && e.as_char() == '=' && o == "OperationInfo")
        })
        .ok_or("no `OperationInfo`")?;
    let (kept, tail) = tokens.split_at(info_at);
    let request = exec_argument(tail).ok_or("no `exec` call")?;
    let kept = immutable(
        without_api_version(with_request_method(with_settings(kept)?)),
        &request,
    );
    let kept = form_error_typed(kept);
    let operation_id = tail
        .iter()
        .find_map(|t| match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                g.stream().into_iter().find_map(|t| match t {
                    TokenTree::Literal(l) => Some(l),
                    _ => None,
                })
            }
            _ => None,
        })
        .ok_or("no operation id")?;
    let (response, arms) = status_match(tail).ok_or("no match on the status")?;
    let (patterns, kind) = success_arms(arms)?;
    let reader = kind.reader();
    Ok(quote! {
        #kept
        let #response = client.execute_operation(#request, #operation_id, settings).await?;
        crate::support::call::#reader(#response, |status| matches!(status, #(#patterns)|*)).await
    })
}

/// `kept` with its first statement, `let Self { client, ... } = self;`, taking `settings` too.
fn with_settings(kept: &[TokenTree]) -> Result<TokenStream, String> {
    let [
        TokenTree::Ident(l),
        TokenTree::Ident(s),
        TokenTree::Group(fields),
        rest @ ..,
    ] = kept
    else {
        return Err("no `let Self { .. } = self`".into());
    };
    let mut inside: Vec<TokenTree> = fields.stream().into_iter().collect();
    let client_at = inside
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "client"))
        .ok_or("no `client` in `let Self`")?;
    let settings: TokenStream = quote! { settings, };
    let after = (client_at + 2).min(inside.len());
    inside.splice(after..after, settings);
    let mut group = Group::new(Delimiter::Brace, inside.into_iter().collect());
    group.set_span(fields.span());
    let mut out: Vec<TokenTree> = vec![l.clone().into(), s.clone().into(), group.into()];
    out.extend(rest.iter().cloned());
    Ok(out.into_iter().collect())
}

/// The methods progenitor calls as `client.client.METHOD(url)` that `reqwest::Client` has
/// no function for: their request is built with `request(Method::X, url)`.
const FUNCTIONLESS_VERBS: [(&str, &str); 2] = [("options", "OPTIONS"), ("trace", "TRACE")];

/// `kept` with `client.client.options(url)` (or `trace`) as
/// `client.client.request(::reqwest::Method::OPTIONS, url)`.
fn with_request_method(kept: TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = kept.into_iter().collect();
    let is = |t: &TokenTree, text: &str| matches!(t, TokenTree::Ident(i) if i == text);
    let dot = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == '.');
    let found = tokens.windows(6).enumerate().find_map(|(at, w)| {
        let (true, true, true, true, TokenTree::Ident(method), TokenTree::Group(url)) = (
            is(&w[0], "client"),
            dot(&w[1]),
            is(&w[2], "client"),
            dot(&w[3]),
            &w[4],
            &w[5],
        ) else {
            return None;
        };
        let (_, upper) = FUNCTIONLESS_VERBS
            .iter()
            .find(|(lower, _)| method == lower)?;
        (url.delimiter() == Delimiter::Parenthesis).then(|| (at, *upper, url.stream()))
    });
    if let Some((at, upper, url)) = found {
        let upper = Ident::new(upper, proc_macro2::Span::call_site());
        let call = quote! { client.client.request(::reqwest::Method::#upper, #url) };
        tokens.splice(at..at + 6, call);
    }
    tokens.into_iter().collect()
}

/// The name of progenitor's header map, and the header every operation adds to it first.
const HEADER_MAP: &str = "header_map";
const API_VERSION: &str = "\"api-version\"";

/// `kept` without `header_map.append(.. "api-version" ..);`, and without the header map itself
/// (its `let` statement and `.headers(header_map)`) when nothing else goes into it.
fn without_api_version(kept: TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = kept.into_iter().collect();
    let is = tokens::is_ident;
    if let Some(at) = tokens.windows(5).position(|w| {
        is(&w[0], HEADER_MAP)
            && tokens::is_punct(&w[1], '.')
            && is(&w[2], "append")
            && matches!(&w[3], TokenTree::Group(g) if tokens::has_literal(g.stream(), API_VERSION))
            && tokens::is_punct(&w[4], ';')
    }) {
        tokens.drain(at..at + 5);
    }
    let uses = tokens
        .iter()
        .map(|t| mentions(t, HEADER_MAP))
        .sum::<usize>();
    let declared = tokens
        .windows(3)
        .position(|w| is(&w[0], "let") && is(&w[1], "mut") && is(&w[2], HEADER_MAP));
    let header_map = Ident::new(HEADER_MAP, proc_macro2::Span::call_site());
    let sent = tokens.windows(3).position(|w| {
        tokens::is_punct(&w[0], '.')
            && is(&w[1], "headers")
            && tokens::is_group_of(&w[2], Delimiter::Parenthesis, quote! { #header_map })
    });
    if let (2, Some(declared), Some(sent)) = (uses, declared, sent)
        && let Some(end) = tokens[declared..]
            .iter()
            .position(|t| tokens::is_punct(t, ';'))
        && sent > declared + end
    {
        tokens.drain(sent..sent + 3);
        tokens.drain(declared..=declared + end);
    }
    tokens.into_iter().collect()
}

/// `kept` with the error of `.form_urlencoded(..)?` given its type: progenitor's
/// `RequestBuilderExt<E>` leaves `E` to the `?` of a `send` returning `Error<E>`, and
/// `send_with_response` returns the one `Error`, which converts from every `Error<E>`.
fn form_error_typed(kept: TokenStream) -> TokenStream {
    let mut tokens: Vec<TokenTree> = kept.into_iter().collect();
    let mut at = 0;
    while at + 3 <= tokens.len() {
        let form_call = matches!(&tokens[at], TokenTree::Ident(i) if i == "form_urlencoded")
            && matches!(&tokens[at + 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
            && matches!(&tokens[at + 2], TokenTree::Punct(p) if p.as_char() == '?');
        if form_call {
            let typed = quote! { .map_err(|e: progenitor_client::Error<()>| Error::from(e)) };
            tokens.splice(at + 2..at + 2, typed);
        }
        at += 1;
    }
    tokens.into_iter().collect()
}

/// `kept` with `#[allow(unused_mut)] let mut REQUEST` as `let REQUEST`: the request is
/// handed over, never changed.
fn immutable(kept: TokenStream, request: &Ident) -> TokenStream {
    let mut tokens: Vec<TokenTree> = kept.into_iter().collect();
    if let Some(at) = tokens.windows(5).position(|w| {
        tokens::is_punct(&w[0], '#')
            && tokens::is_group_of(&w[1], Delimiter::Bracket, quote! { allow(unused_mut) })
            && tokens::is_ident(&w[2], "let")
            && tokens::is_ident(&w[3], "mut")
            && matches!(&w[4], TokenTree::Ident(i) if i == request)
    }) {
        tokens.drain(at + 3..at + 4);
        tokens.drain(at..at + 2);
    }
    tokens.into_iter().collect()
}

/// How often `token` (a group: anything in it) is the identifier `name`.
fn mentions(token: &TokenTree, name: &str) -> usize {
    match token {
        TokenTree::Ident(i) => usize::from(i == name),
        TokenTree::Group(g) => g.stream().into_iter().map(|t| mentions(&t, name)).sum(),
        _ => 0,
    }
}

/// The request given to `client.exec(REQUEST, &info)`.
fn exec_argument(tail: &[TokenTree]) -> Option<Ident> {
    tail.windows(2).find_map(|w| match w {
        [TokenTree::Ident(exec), TokenTree::Group(args)] if exec == "exec" => {
            match args.stream().into_iter().next() {
                Some(TokenTree::Ident(request)) => Some(request),
                _ => None,
            }
        }
        _ => None,
    })
}

/// `match RESPONSE.status().as_u16() { ARMS }`: the response and the arms.
fn status_match(tail: &[TokenTree]) -> Option<(Ident, TokenStream)> {
    let at = tail
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "match"))?;
    let (Some(TokenTree::Ident(response)), Some(TokenTree::Group(arms))) =
        (tail.get(at + 1), tail.last())
    else {
        return None;
    };
    Some((response.clone(), arms.stream()))
}

/// The patterns of the success arms (progenitor writes them first) and how their body is read.
/// The error arms and the last arm (an undeclared status) are left to the support's decoding.
fn success_arms(arms: TokenStream) -> Result<(Vec<TokenStream>, Kind), String> {
    let tokens: Vec<TokenTree> = arms.into_iter().collect();
    let mut patterns = Vec::new();
    let mut kind = None;
    let mut i = 0;
    while i < tokens.len() {
        let arrow = tokens[i..]
            .windows(2)
            .position(|w| matches!(w, [TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == '=' && b.as_char() == '>'))
            .ok_or("an arm without `=>`")?;
        let pattern: TokenStream = tokens[i..i + arrow].iter().cloned().collect();
        let Some(TokenTree::Group(decode)) = tokens.get(i + arrow + 2) else {
            // The last arm, `_ => Err(Error::UnexpectedResponse(response)),`.
            break;
        };
        i += arrow + 3;
        if matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
            i += 1;
        }
        let decode = decode.stream().to_string();
        if decode.starts_with("Err") {
            continue;
        }
        let this =
            arm_kind(&decode).ok_or_else(|| format!("an unexpected success arm `{decode}`"))?;
        if kind.replace(this).is_some_and(|k| k != this) {
            return Err("success arms that read their bodies differently".into());
        }
        patterns.push(pattern);
    }
    match kind {
        Some(kind) => Ok((patterns, kind)),
        None => Err("no success status".into()),
    }
}

/// How a success arm's expression reads the body.
fn arm_kind(decode: &str) -> Option<Kind> {
    [
        ("ResponseValue :: from_response", Kind::Json),
        ("ResponseValue :: empty", Kind::Empty),
        ("ResponseValue :: stream", Kind::Stream),
        ("ResponseValue :: upgrade", Kind::Upgrade),
    ]
    .into_iter()
    .find_map(|(call, kind)| decode.contains(call).then_some(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `send` as progenitor writes one: a path parameter, two success statuses read as JSON,
    /// two error statuses and the catch-all.
    fn progenitor_send() -> Vec<TokenTree> {
        quote! {
            #[doc = "Sends a `GET` request to `/pets/{owner}`"]
            pub async fn send(self) -> Result<ResponseValue<crate::types::Pet>, Error<crate::types::ErrorEnvelope>> {
                let Self { client, owner } = self;
                let owner = owner.map_err(Error::InvalidRequest)?;
                let url = format!("{}/pets/{}", client.baseurl, encode_path(&owner.to_string()));
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                #[allow(unused_mut)]
                let mut request = client.client.get(url).headers(header_map).build()?;
                let info = OperationInfo { operation_id: "get_pet", };
                client.pre(&mut request, &info).await?;
                let result = client.exec(request, &info).await;
                client.post(&result, &info).await?;
                let response = result?;
                match response.status().as_u16() {
                    200u16 => { ResponseValue::from_response(response).await }
                    201u16 => { ResponseValue::from_response(response).await }
                    404u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) }
                    500u16..=599u16 => { Err(Error::ErrorResponse(ResponseValue::empty(response))) }
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        }
        .into_iter()
        .collect()
    }

    /// `reqwest::Client` has no `options` or `trace`: the request is built with `request`.
    #[test]
    fn options_and_trace_requests_are_built_with_their_method() {
        for (verb, method) in [("options", "OPTIONS"), ("trace", "TRACE"), ("get", "GET")] {
            let send: Vec<TokenTree> = progenitor_send()
                .into_iter()
                .map(|t| match t {
                    TokenTree::Group(body) if body.delimiter() == Delimiter::Brace => {
                        let text = body
                            .stream()
                            .to_string()
                            .replace(". get (url)", &format!(". {verb} (url)"));
                        TokenTree::Group(Group::new(Delimiter::Brace, text.parse().unwrap()))
                    }
                    other => other,
                })
                .collect();
            let text = rewrite(&send).unwrap().function.to_string();
            let direct = format!("client . client . {verb} (url)");
            let through_request =
                format!("client . client . request (:: reqwest :: Method :: {method} , url)");
            if verb == "get" {
                assert!(text.contains(&direct), "{text}");
            } else {
                assert!(
                    text.contains(&through_request) && !text.contains(&direct),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn send_becomes_send_with_response_over_the_support() {
        let send = rewrite(&progenitor_send()).unwrap();
        assert_eq!(send.output.to_string(), "crate :: types :: Pet");
        let expected = quote! {
            #[doc = "Sends a `GET` request to `/pets/{owner}`"]
            pub async fn send_with_response(self) -> Result<ResponseValue<crate::types::Pet>, Error> {
                let Self { client, settings, owner } = self;
                let owner = owner.map_err(Error::InvalidRequest)?;
                let url = format!("{}/pets/{}", client.baseurl, encode_path(&owner.to_string()));
                let request = client.client.get(url).build()?;
                let response = client.execute_operation(request, "get_pet", settings).await?;
                crate::support::call::json(response, |status| matches!(status, 200u16 | 201u16)).await
            }
        };
        assert_eq!(send.function.to_string(), expected.to_string());
    }

    #[test]
    fn a_header_parameter_keeps_the_header_map() {
        let text = progenitor_send()
            .into_iter()
            .collect::<TokenStream>()
            .to_string();
        let with_header = text.replace(
            "# [allow (unused_mut)]",
            "if let Some (value) = trace { header_map . append (\"x-trace\" , value . to_string () . try_into () ?) ; } # [allow (unused_mut)]",
        );
        let tokens: Vec<TokenTree> = with_header
            .parse::<TokenStream>()
            .unwrap()
            .into_iter()
            .collect();
        let function = rewrite(&tokens).unwrap().function.to_string();
        assert!(
            function.contains(
                "let mut header_map = :: reqwest :: header :: HeaderMap :: with_capacity (1usize) ;"
            ),
            "{function}"
        );
        assert!(function.contains(". headers (header_map)"), "{function}");
        assert!(function.contains("\"x-trace\""), "{function}");
        assert!(!function.contains("api-version"), "{function}");
    }

    #[test]
    fn each_kind_of_success_body_has_its_reader() {
        let with = |arm: TokenStream| {
            let text = progenitor_send()
                .into_iter()
                .collect::<TokenStream>()
                .to_string();
            let replaced = text.replace(
                "200u16 => { ResponseValue :: from_response (response) . await } 201u16 => { ResponseValue :: from_response (response) . await }",
                &arm.to_string(),
            );
            let tokens: Vec<TokenTree> = replaced
                .parse::<TokenStream>()
                .unwrap()
                .into_iter()
                .collect();
            rewrite(&tokens).map(|s| s.function.to_string())
        };
        let empty = with(quote! { 204u16 => { Ok(ResponseValue::empty(response)) } }).unwrap();
        assert!(
            empty.contains("call :: empty (response , | status | matches ! (status , 204u16))"),
            "{empty}"
        );
        let stream =
            with(quote! { 200u16..=299u16 => { Ok(ResponseValue::stream(response)) } }).unwrap();
        assert!(
            stream.contains(
                "call :: stream (response , | status | matches ! (status , 200u16 ..= 299u16))"
            ),
            "{stream}"
        );
        let mixed = with(quote! {
            200u16 => { ResponseValue::from_response(response).await }
            204u16 => { Ok(ResponseValue::empty(response)) }
        });
        assert_eq!(
            mixed.unwrap_err(),
            "success arms that read their bodies differently"
        );
        let unknown = with(quote! { 200u16 => { Ok(something_else(response)) } });
        assert!(
            unknown
                .unwrap_err()
                .starts_with("an unexpected success arm")
        );
        assert_eq!(with(quote! {}).unwrap_err(), "no success status");
    }
}
