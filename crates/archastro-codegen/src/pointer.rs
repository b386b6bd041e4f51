//! JSON pointers (RFC 6901) in their URI-fragment form, `#/paths/~1users/get`, as used by
//! `$ref` and by every error and report line.

use serde_json::Value;

pub mod openapi;

/// Escapes one reference token: `~` → `~0`, `/` → `~1`.
pub fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

/// Appends [`escape`]`(token)` to `out`.
pub fn push_escaped(out: &mut String, token: &str) {
    let mut rest = token;
    // A byte search: both are ASCII, and no byte of a longer UTF-8 character is either.
    while let Some(i) = rest.bytes().position(|b| b == b'~' || b == b'/') {
        out.push_str(&rest[..i]);
        out.push_str(if rest.as_bytes()[i] == b'~' {
            "~0"
        } else {
            "~1"
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Undoes [`escape`].
pub fn unescape(token: &str) -> String {
    if !token.contains('~') {
        return token.to_owned();
    }
    token.replace("~1", "/").replace("~0", "~")
}

/// Builds `#/a/b/c` from raw (unescaped) tokens.
pub fn from_tokens<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::from("#");
    for t in tokens {
        out.push('/');
        push_escaped(&mut out, t.as_ref());
    }
    out
}

/// Appends one raw token to a pointer.
pub fn join(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + 1 + token.len());
    out.push_str(base);
    out.push('/');
    push_escaped(&mut out, token);
    out
}

/// `T` read from `value`, or where and why it does not read: the pointer (relative to
/// `value`, `#` for itself) of the deepest place serde reached, and serde's message. The
/// place is found by reading again with the path tracked, only after a failure: an untagged
/// `ReferenceOr` of openapiv3 is read from a buffered copy, so the place is the schema,
/// parameter or response that holds the fault, not the keyword inside it.
pub fn read_at<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, (String, String)> {
    let reason = match T::deserialize(value) {
        Ok(read) => return Ok(read),
        Err(e) => e.to_string(),
    };
    use serde_path_to_error::Segment;
    let mut at = String::from("#");
    if let Err(tracked) = serde_path_to_error::deserialize::<_, T>(value) {
        for segment in tracked.path().iter() {
            match segment {
                Segment::Map { key } => {
                    at.push('/');
                    push_escaped(&mut at, key);
                }
                Segment::Seq { index } => {
                    at.push('/');
                    at.push_str(&index.to_string());
                }
                Segment::Enum { .. } | Segment::Unknown => {}
            }
        }
    }
    Err((at, reason))
}

/// The value a local `#/...` pointer designates, if any.
pub fn resolve<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let rest = pointer.strip_prefix('#')?;
    if rest.is_empty() {
        return Some(root);
    }
    // serde_json's pointer() takes the RFC 6901 string form and unescapes itself,
    // but a `$ref` fragment may also be percent-encoded.
    get(root, &percent_decode(rest))
}

/// `value.pointer(pointer)` (RFC 6901, as serde_json reads it) without a copy of each token:
/// only a token holding `~` is unescaped.
pub fn get<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut target = value;
    for token in tokens(pointer)? {
        target = match target {
            Value::Object(map) => map.get(token.as_ref())?,
            Value::Array(list) => list.get(index(&token)?)?,
            _ => return None,
        };
    }
    Some(target)
}

/// [`get`], for changing the value.
pub fn get_mut<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    let mut target = value;
    for token in tokens(pointer)? {
        target = match target {
            Value::Object(map) => map.get_mut(token.as_ref())?,
            Value::Array(list) => list.get_mut(index(&token)?)?,
            _ => return None,
        };
    }
    Some(target)
}

/// The unescaped tokens of `pointer` (`None` unless it is empty or starts with `/`).
fn tokens(pointer: &str) -> Option<impl Iterator<Item = std::borrow::Cow<'_, str>>> {
    if !(pointer.is_empty() || pointer.starts_with('/')) {
        return None;
    }
    Some(pointer.split('/').skip(1).map(|token| {
        if token.contains('~') {
            std::borrow::Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
        } else {
            std::borrow::Cow::Borrowed(token)
        }
    }))
}

/// An array index as serde_json reads one in a pointer (no sign, no leading zero).
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        None
    } else {
        token.parse().ok()
    }
}

/// A `$ref` fragment with percent-encoding undone: `#/a/1bad%20name` and `#/a/1bad name`
/// designate the same value.
pub fn decode_fragment(reference: &str) -> String {
    percent_decode(reference)
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_reads_as_serde_json_does() {
        let doc = serde_json::json!({
            "a/b": {"m~n": [10, {"": "empty key"}]},
            "list": [0, 1, 2],
            "~1": "escaped tilde",
        });
        for pointer in [
            "",
            "/",
            "/a~1b",
            "/a~1b/m~0n/1",
            "/a~1b/m~0n/1/",
            "/list/2",
            "/list/02",
            "/list/+1",
            "/list/3",
            "/list/-",
            "/~01",
            "/~1",
            "/missing/x",
            "no-slash",
            "/a~1b/m~0n/0/deeper",
        ] {
            assert_eq!(get(&doc, pointer), doc.pointer(pointer), "{pointer:?}");
            let (mut ours, mut theirs) = (doc.clone(), doc.clone());
            assert_eq!(
                get_mut(&mut ours, pointer),
                theirs.pointer_mut(pointer),
                "{pointer:?}"
            );
        }
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(
            from_tokens(["paths", "/a/{b}", "get"]),
            "#/paths/~1a~1{b}/get"
        );
        assert_eq!(unescape("~1a~0b"), "/a~b");
        for token in ["", "plain", "~", "/", "a~/b", "é~ü/", "~~//x", "日本/語~"] {
            assert_eq!(escape(token), token.replace('~', "~0").replace('/', "~1"));
            assert_eq!(unescape(&escape(token)), token);
        }
        let v = serde_json::json!({"paths": {"/a b": {"get": 1}}});
        assert_eq!(
            resolve(&v, "#/paths/~1a%20b/get"),
            Some(&serde_json::json!(1))
        );
        assert_eq!(resolve(&v, "#/paths/~1x"), None);
    }

    #[test]
    fn a_value_that_does_not_read_names_where_it_stops() {
        type Read = Vec<std::collections::BTreeMap<String, u32>>;
        let fine = serde_json::json!([{"a": 1}]);
        assert_eq!(read_at::<Read>(&fine).unwrap()[0]["a"], 1);
        let bad = serde_json::json!([{"a": 1}, {"a/b": 2, "c~": "three"}]);
        let (pointer, reason) = read_at::<Read>(&bad).unwrap_err();
        assert_eq!(pointer, "#/1/c~0");
        assert!(
            reason.contains("invalid type: string \"three\""),
            "{reason}"
        );
        let (pointer, _) = read_at::<Read>(&serde_json::json!({"a": 1})).unwrap_err();
        assert_eq!(pointer, "#");
    }
}
