//! Path parameters checked against the operation's path template, on the URL about to be
//! sent. progenitor's `encode_path` escapes `/` and `%` in a parameter but leaves `.` alone,
//! and URL parsing then resolves dot segments (and, in `http(s)` URLs, reads `\` as `/`): a
//! parameter of `..` would turn `/api/v2/users/../threads` into `/api/v2/threads`, sending
//! the request, credentials and all, to another operation. Comparing the parsed URL's
//! segments with the template's catches every such case, whatever the parameter's type,
//! because it looks at what would be sent, before anything is.

/// Checks that `path` (the request URL's path) is `base_path` followed by `template` (the
/// operation's path, `{name}` for a parameter) segment for segment: literal segments equal,
/// parameter segments neither empty nor a dot segment. The error names the parameters that
/// can be at fault. An empty `template` (an operation the caller does not know) passes.
pub fn check_path(base_path: &str, template: &str, path: &str) -> Result<(), String> {
    if template.is_empty() {
        return Ok(());
    }
    let expected: Vec<&str> = segments(base_path).chain(segments(template)).collect();
    let sent: Vec<&str> = segments(path).collect();
    let fits = |t: &str, s: &str| match is_parameter(t) {
        true => !s.is_empty() && !is_dot_segment(s),
        false => t == s || (url_encodes(t) && !s.is_empty() && !is_dot_segment(s)),
    };
    let left = expected
        .iter()
        .zip(&sent)
        .take_while(|(t, s)| fits(t, s))
        .count();
    if left == expected.len() && left == sent.len() {
        return Ok(());
    }
    let room = expected.len().min(sent.len()) - left;
    let right = expected
        .iter()
        .rev()
        .zip(sent.iter().rev())
        .take(room)
        .take_while(|(t, s)| fits(t, s))
        .count();
    let suspects: Vec<String> = expected[left.saturating_sub(1)..expected.len() - right]
        .iter()
        .filter(|t| is_parameter(t))
        .map(|t| format!("`{}`", t.trim_start_matches('{').trim_end_matches('}')))
        .collect();
    let suspects = match suspects.is_empty() {
        true => "a path parameter".to_owned(),
        false => format!("path parameter {}", suspects.join(" or ")),
    };
    Err(format!(
        "{suspects} of `{template}` is empty, `.`, `..` or holds `\\`: the URL's path \
         would be `{path}`; nothing was sent"
    ))
}

/// The segments of an absolute path (`/a/b` → `a`, `b`; `/` and `` → none).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.trim_end_matches('/');
    path.split('/').skip(1)
}

/// Whether the URL parser writes `literal` differently (percent-encoded): then the sent
/// segment is not compared byte for byte, only checked like a parameter's.
fn url_encodes(literal: &str) -> bool {
    literal
        .bytes()
        .any(|b| !b.is_ascii_graphic() || b"\"<>`%".contains(&b))
}

fn is_parameter(segment: &str) -> bool {
    segment.contains('{')
}

/// `.` or `..`, also percent-encoded (`%2e`, `.%2E`, ...).
fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "/api/v2/users/{user_id}/threads/{thread_id}";

    /// The check of the URL `base` + `template` with `user_id` and `thread_id` sent as
    /// progenitor writes them.
    fn check(base: &str, user_id: &str, thread_id: &str) -> Result<(), String> {
        let encode = |p: &str| p.replace('%', "%25").replace('/', "%2F");
        let raw = format!(
            "{base}/api/v2/users/{}/threads/{}",
            encode(user_id),
            encode(thread_id)
        );
        let url = reqwest::Url::parse(&raw).unwrap();
        let base_path = reqwest::Url::parse(base).unwrap().path().to_owned();
        check_path(&base_path, TEMPLATE, url.path())
    }

    fn refused(user_id: &str, thread_id: &str, named: &str) {
        let error = check("http://h", user_id, thread_id).unwrap_err();
        assert!(error.contains(&format!("`{named}`")), "{error}");
    }

    #[test]
    fn ordinary_ids_pass() {
        check("http://h", "usr_1", "thr_1").unwrap();
        check("http://h/prefix", "usr_1", "thr_1").unwrap();
    }

    #[test]
    fn escaped_lookalikes_pass() {
        check("http://h", "%2e%2e", "a/../..").unwrap();
        check("http://h", "...", ".a").unwrap();
    }

    #[test]
    fn dot_dot_is_refused() {
        refused("..", "thr_1", "user_id");
        refused("usr_1", "..", "thread_id");
    }

    #[test]
    fn dot_is_refused() {
        refused(".", "thr_1", "user_id");
        refused("usr_1", ".", "thread_id");
    }

    #[test]
    fn empty_is_refused() {
        refused("", "thr_1", "user_id");
        refused("usr_1", "", "thread_id");
    }

    #[test]
    fn backslash_dot_dot_is_refused() {
        refused("a\\..\\..", "thr_1", "user_id");
    }

    #[test]
    fn encoded_dot_segments_are_refused() {
        assert!(check_path("", "/users/{id}", "/users/%2e%2E").is_err());
        assert!(check_path("", "/users/{id}", "/users/.%2e").is_err());
    }

    #[test]
    fn a_literal_the_url_encodes_passes() {
        let url = reqwest::Url::parse("http://h/api/caf\u{e9} au lait/usr_1").unwrap();
        check_path("", "/api/caf\u{e9} au lait/{id}", url.path()).unwrap();
    }

    #[test]
    fn an_unknown_operation_passes() {
        check_path("", "", "/anything/../at/all").unwrap();
    }
}
