//! Parsing JSON text into a [`Value`], on two threads when the text is large and laid out as
//! pretty-printers lay it out.
//!
//! [`parse`] returns what `serde_json::from_str::<Value>` returns, the same value and the same
//! errors. A large document (a 7 MB platform spec takes ~13 ms to parse on one thread, the
//! longest step before normalization) is cut into runs of the members of its top-level object,
//! or of the members or items of an object or array one or two levels down when one holds
//! much of the text (`paths`, `x-channels`, `components/schemas`). Where an item starts is
//! guessed from the layout (a line that starts with the container's indentation, and a `"` in
//! an object), never trusted: each run is parsed on its own as a list of `"key": value`
//! members, or of values, that must fill its byte range exactly, and the text around the runs
//! (the brackets, the keys of the members cut, the commas between runs) is checked as it is
//! read. Lists that parse, between brackets, with commas between them, make a container whose
//! items are the lists' in order: the value is the one a single parse makes. Where anything
//! does not check out (a guess that fell inside a nested value, a syntax error, a depth
//! serde_json refuses), the whole text is parsed again on one thread, which gives the same
//! value or the same error as before.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Texts shorter than this are parsed on one thread: cutting them and parsing the pieces on
/// two threads costs about what it saves at ~2.5 MB (regen's load phase, medians of 12: a
/// 1.2 MB platform spec 4.8 ms in pieces against 4.35 ms whole, 3.7 MB 9.25 against 9.7,
/// 7.1 MB 14.4 against 17.2).
const PARALLEL_MIN_BYTES: usize = 2 * 1024 * 1024;

/// About how many pieces a text is cut into (more than the threads, so that they finish
/// together).
const PIECES: usize = 16;

/// How many levels a cut may go down: the top-level object's members, the items of one of its
/// members (`paths`), those of a member of that (`components/schemas`).
const MAX_CUT_DEPTH: usize = 3;

/// The nesting serde_json refuses: its 128th array or object inside one another.
const RECURSION_LIMIT: usize = 128;

/// `serde_json::from_str::<Value>(text)`: the same value and the same errors.
pub fn parse(text: &str) -> serde_json::Result<Value> {
    if text.len() >= PARALLEL_MIN_BYTES
        && let Some(value) = parse_in_pieces(text)
    {
        return Ok(value);
    }
    parse_whole(text)
}

/// The single-threaded parse, with each object's map built in one go from its entries
/// instead of by an insertion per key (a spec has hundreds of thousands of keys, mostly
/// written in order already).
fn parse_whole(text: &str) -> serde_json::Result<Value> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let value = JsonValue { level: 1 }.deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

/// A JSON value at nesting `level` (the document's own value is at level 1, its members' at 2).
#[derive(Clone, Copy)]
struct JsonValue {
    level: usize,
}

impl JsonValue {
    /// serde_json refuses the [`RECURSION_LIMIT`]th container counted from where it started;
    /// a piece starts below the top, so the level is checked here against the document's.
    fn enter<E: serde::de::Error>(self) -> Result<JsonValue, E> {
        if self.level >= RECURSION_LIMIT {
            return Err(E::custom("recursion limit exceeded"));
        }
        Ok(JsonValue {
            level: self.level + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for JsonValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonValue {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value_seed(inner)?));
        }
        Ok(object(entries))
    }
}

/// An object from its entries in text order: sorted by key, the last of a repeated key kept
/// (as repeated inserts make it).
fn object(entries: Vec<(String, Value)>) -> Value {
    Value::Object(entries.into_iter().collect::<Map<String, Value>>())
}

/// An object's or an array's contents, cut into runs of members or elements: its members or
/// elements are those of its pieces, in order.
struct Cut {
    /// Whether the container is an array.
    array: bool,
    /// The level of its members' or elements' values.
    level: usize,
    pieces: Vec<Piece>,
}

/// A run of a container's members or elements.
enum Piece {
    /// `text[start..end]` is a list of members or elements, parsed on its own.
    Run { start: usize, end: usize },
    /// One member (with its key) or element whose value is itself cut.
    Nested { key: Option<String>, inner: Cut },
}

/// A run as parsed.
enum Parsed {
    Members(Vec<(String, Value)>),
    Elements(Vec<Value>),
}

/// A run to parse: its range, whether it holds elements, its values' level.
type Run = (usize, usize, bool, usize);

/// The whole parse in pieces, or `None` when the text is not laid out so that it can be cut,
/// or when any piece or the text around the pieces does not check out.
fn parse_in_pieces(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    let open = skip_ws(bytes, 0);
    let close = last_non_ws(bytes, open, text.len())?;
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let target = text.len().div_ceil(PIECES);
    let cut = cut_container(text, open, close, 1, 1, target)?;
    let mut runs: Vec<Run> = Vec::new();
    cut.runs(&mut runs);
    // The largest first, so that no large run starts last; results come back in this order.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(runs[i].1 - runs[i].0));
    let jobs: Vec<crate::jobs::Job<'_, Option<Parsed>>> = order
        .iter()
        .map(|&i| {
            let (start, end, array, level) = runs[i];
            Box::new(move || parse_run(text, start, end, array, level))
                as crate::jobs::Job<'_, Option<Parsed>>
        })
        .collect();
    let mut parsed: Vec<Option<Parsed>> = runs.iter().map(|_| None).collect();
    for (&i, result) in order.iter().zip(crate::jobs::run(jobs)) {
        parsed[i] = Some(result?);
    }
    let mut parsed = parsed.into_iter().map(|p| p.expect("every run was parsed"));
    Some(cut.assemble(&mut parsed))
}

impl Cut {
    /// Every run's range, kind and level, in text order.
    fn runs(&self, out: &mut Vec<Run>) {
        for piece in &self.pieces {
            match piece {
                Piece::Run { start, end } => out.push((*start, *end, self.array, self.level)),
                Piece::Nested { inner, .. } => inner.runs(out),
            }
        }
    }

    /// The container's value, from its runs' (in the order of [`Cut::runs`]).
    fn assemble(self, parsed: &mut impl Iterator<Item = Parsed>) -> Value {
        let mut members = Vec::new();
        let mut elements = Vec::new();
        for piece in self.pieces {
            match piece {
                Piece::Run { .. } => match parsed.next().expect("a result per run") {
                    Parsed::Members(run) => members.extend(run),
                    Parsed::Elements(run) => elements.extend(run),
                },
                Piece::Nested { key, inner } => {
                    let value = inner.assemble(parsed);
                    match key {
                        Some(key) => members.push((key, value)),
                        None => elements.push(value),
                    }
                }
            }
        }
        if self.array {
            Value::Array(elements)
        } else {
            object(members)
        }
    }
}

/// The contents of the object or array that opens at `open` and (as guessed) closes at
/// `close`, at `level`, cut into runs of about `target` bytes; a member or element longer than
/// that whose value is an object or an array is cut in turn, down to [`MAX_CUT_DEPTH`]. `None`
/// when the container is not laid out one item per line at one indentation, or when a guess
/// does not check out.
fn cut_container(
    text: &str,
    open: usize,
    close: usize,
    level: usize,
    depth: usize,
    target: usize,
) -> Option<Cut> {
    let bytes = text.as_bytes();
    let array = match (bytes[open], bytes[close]) {
        (b'{', b'}') => false,
        (b'[', b']') => true,
        _ => return None,
    };
    if close <= open || level >= RECURSION_LIMIT {
        return None;
    }
    let starts = item_starts(bytes, open + 1, close, array)?;
    let mut pieces = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for (i, &start) in starts.iter().enumerate() {
        // Each item runs from its start to the comma before the next one (the last to `close`).
        let end = match starts.get(i + 1) {
            Some(&next) => comma_before(bytes, start, next)?,
            None => close,
        };
        if end - start > target
            && depth < MAX_CUT_DEPTH
            && let Some(nested) = cut_item(text, start, end, array, level + 1, depth, target)
        {
            if let Some((s, e)) = run.take() {
                pieces.push(Piece::Run { start: s, end: e });
            }
            pieces.push(nested);
            continue;
        }
        let (s, e) = match run {
            Some((s, _)) => (s, end),
            None => (start, end),
        };
        if e - s >= target {
            pieces.push(Piece::Run { start: s, end: e });
            run = None;
        } else {
            run = Some((s, e));
        }
    }
    if let Some((s, e)) = run {
        pieces.push(Piece::Run { start: s, end: e });
    }
    Some(Cut {
        array,
        level: level + 1,
        pieces,
    })
}

/// The item `text[start..end]` (a member `"key": value` or an element) as a
/// [`Piece::Nested`], when its value, at `level`, is an object or array [`cut_container`] can
/// cut.
fn cut_item(
    text: &str,
    start: usize,
    end: usize,
    array: bool,
    level: usize,
    depth: usize,
    target: usize,
) -> Option<Piece> {
    let bytes = text.as_bytes();
    let (key, open) = if array {
        (None, start)
    } else {
        let (key, value) = member_key(text, start, end)?;
        (Some(key), value)
    };
    // `end` is a comma or a closing bracket, so the value's text ends before it.
    let close = last_non_ws(bytes, open.min(end), end)?;
    let inner = cut_container(text, open, close, level, depth + 1, target)?;
    Some(Piece::Nested { key, inner })
}

/// Where each item of the container whose contents are `bytes[start..end]` starts, guessed
/// from the layout: the first item's line gives the indentation, and every line with that
/// indentation that does not close a container starts an item (with a `"`, in an object).
/// `None` for an empty container or one not laid out by lines.
fn item_starts(bytes: &[u8], start: usize, end: usize, array: bool) -> Option<Vec<usize>> {
    let first = skip_ws(bytes, start);
    if first >= end || (!array && bytes[first] != b'"') {
        return None;
    }
    let line = bytes[start..first].iter().rposition(|b| *b == b'\n')? + start;
    let indent = &bytes[line + 1..first];
    if indent.is_empty() || !indent.iter().all(|b| *b == b' ' || *b == b'\t') {
        return None;
    }
    let mut needle = Vec::with_capacity(indent.len() + 2);
    needle.push(b'\n');
    needle.extend_from_slice(indent);
    if !array {
        needle.push(b'"');
    }
    let mut starts = vec![first];
    for at in memchr::memmem::find_iter(&bytes[first..end], &needle) {
        let item = first + at + 1 + indent.len();
        if array
            && matches!(
                bytes.get(item),
                None | Some(b' ' | b'\t' | b'\r' | b'\n' | b']' | b'}')
            )
        {
            continue;
        }
        starts.push(item);
    }
    Some(starts)
}

/// The comma between the item starting at `start` and the one guessed at `next`: the last
/// byte before `next` that is not whitespace.
fn comma_before(bytes: &[u8], start: usize, next: usize) -> Option<usize> {
    let comma = last_non_ws(bytes, start, next)?;
    (bytes[comma] == b',').then_some(comma)
}

/// The run `text[start..end]`: members (`"key": value`) or, with `array`, elements, separated
/// by commas and nothing else (whitespace aside), with values at `level`; `None` when it is
/// not exactly that.
fn parse_run(text: &str, start: usize, end: usize, array: bool, level: usize) -> Option<Parsed> {
    let bytes = text.as_bytes();
    let mut members = Vec::new();
    let mut elements = Vec::new();
    let mut at = start;
    loop {
        let key = if array {
            None
        } else {
            let (key, value) = member_key(text, at, end)?;
            at = value;
            Some(key)
        };
        let mut reader = serde_json::Deserializer::from_str(&text[at..end]);
        let value = JsonValue { level }.deserialize(&mut reader).ok()?;
        // Where the value ends: then whitespace, and a comma or the end of the run.
        at = skip_ws(
            bytes,
            at + reader.into_iter::<serde::de::IgnoredAny>().byte_offset(),
        );
        match key {
            Some(key) => members.push((key, value)),
            None => elements.push(value),
        }
        if at >= end {
            return Some(if array {
                Parsed::Elements(elements)
            } else {
                Parsed::Members(members)
            });
        }
        if bytes[at] != b',' {
            return None;
        }
        at += 1;
    }
}

/// The key of the member that starts at `at` (a run or an item ending at `end`, a comma or a
/// closing bracket), and where its value starts: past the `:` and the whitespace around it.
fn member_key(text: &str, at: usize, end: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut keys = serde_json::Deserializer::from_str(&text[at..end]).into_iter::<String>();
    let key = keys.next()?.ok()?;
    let colon = skip_ws(bytes, at + keys.byte_offset());
    (colon < end && bytes[colon] == b':').then(|| (key, skip_ws(bytes, colon + 1)))
}

/// The last byte of `bytes[start..end]` that is not whitespace.
fn last_non_ws(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    Some(bytes[start..end].iter().rposition(|b| !is_ws(*b))? + start)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && is_ws(bytes[at]) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{parse, parse_in_pieces};

    /// What serde_json makes of `text`, errors as text.
    fn theirs(text: &str) -> Result<Value, String> {
        serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
    }

    /// Parses `text` in pieces, if it can be, and as a whole: both must agree with serde_json.
    /// Returns whether the pieces were used.
    fn agrees(text: &str) -> bool {
        let pieces = parse_in_pieces(text);
        if let Some(value) = &pieces {
            assert_eq!(Ok(value.clone()), theirs(text), "pieces of {text:.80}");
        }
        assert_eq!(parse(text).map_err(|e| e.to_string()), theirs(text));
        pieces.is_some()
    }

    /// A spec-like document: `paths` holds most of the text, `components/schemas` much of
    /// the rest, a few small members around them.
    fn document(paths: usize) -> Value {
        let mut p = serde_json::Map::new();
        let mut schemas = serde_json::Map::new();
        let channels: Vec<Value> = (0..paths)
            .map(|i| json!({"name": format!("c{i}"), "joins": [{"a": i}, [i, {}]]}))
            .collect();
        for i in 0..paths {
            p.insert(
                format!("/items/{i}"),
                json!({"get": {"operationId": format!("get{i}"), "description": "line\n  \"x\": 1,\n", "responses": {"200": {"description": "ok", "content": {"application/json": {"example": [i, -1.5, true, null, "s"]}}}}}}),
            );
            schemas.insert(
                format!("S{i}"),
                json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            );
        }
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": p, "components": {"schemas": schemas}, "x-empty": {}, "x-empty-list": [], "x-scalars": [1, "2", [3]], "x-list": channels})
    }

    #[test]
    fn json_reads_as_serde_json_reads_it() {
        let deep_ok = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let deep_bad = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        for text in [
            r#"{"b": 1, "a": [true, null, -0.0, 1.5e300, 18446744073709551615, -9223372036854775808], "c": {}}"#,
            r#"{"z": 1, "a": 2, "z": 3, "m": {"y": "\u00e9\n\"", "x": []}}"#,
            r#""just a string""#,
            r#"[1, 2,]"#,
            r#"{"a": 1e400}"#,
            r#"{"a": 1} trailing"#,
            r#"{"a" 1}"#,
            "",
            &deep_ok,
            &deep_bad,
        ] {
            assert_eq!(
                parse(text).map_err(|e| e.to_string()),
                theirs(text),
                "{text:.60}"
            );
        }
    }

    #[test]
    fn a_pretty_printed_document_is_read_in_pieces_as_a_whole_read_reads_it() {
        let text = serde_json::to_string_pretty(&document(300)).unwrap();
        assert!(agrees(&text));
        // Tabs, four spaces and CRLF line ends are layouts too.
        let mut tabs = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
        serde::Serialize::serialize(
            &document(200),
            &mut serde_json::Serializer::with_formatter(&mut tabs, formatter),
        )
        .unwrap();
        assert!(agrees(std::str::from_utf8(&tabs).unwrap()));
        assert!(agrees(&text.replace('\n', "\r\n")));
        assert!(agrees(&text.replace("\n", "\n  ")));
    }

    #[test]
    fn the_pieces_go_down_to_the_items_of_a_large_member() {
        let text = serde_json::to_string_pretty(&document(300)).unwrap();
        let open = super::skip_ws(text.as_bytes(), 0);
        let close = text.rfind('}').unwrap();
        let target = text.len() / super::PIECES;
        let cut = super::cut_container(&text, open, close, 1, 1, target).unwrap();
        let mut runs = Vec::new();
        cut.runs(&mut runs);
        assert!(runs.len() >= super::PIECES / 2, "{} runs", runs.len());
        assert!(runs.iter().any(|r| r.3 == 3 && !r.2), "`paths` is cut");
        assert!(runs.iter().any(|r| r.3 == 3 && r.2), "`x-list` is cut");
        assert!(runs.iter().any(|r| r.3 == 4), "`components/schemas` is cut");
    }

    #[test]
    fn a_guess_that_does_not_check_out_falls_back_to_the_whole_read() {
        let big = serde_json::to_string_pretty(&document(50)).unwrap();
        let body = &big[1..big.len() - 1];
        for text in [
            // A string of an array at the members' indentation.
            format!("{{\n  \"a\": [\n  \"x\",\n  \"y\"\n  ],{body}}}"),
            // An array's nested members and scalars at its elements' indentation.
            format!("{{\n  \"a\": [\n    {{\n    \"k\": 1\n    }},\n    2\n  ],{body}}}"),
            format!("{{\n  \"a\": [\n    [\n    1,\n    2\n    ],\n    3\n  ],{body}}}"),
            format!("{{\n  \"a\": [\n    1,\n    ,\n    2\n  ],{body}}}"),
            // A repeated key, in two pieces: the last one counts.
            format!("{{\n  \"paths\": 1,{body},\n  \"paths\": 2\n}}"),
            // Syntax errors: in a piece, between pieces, after the end.
            format!("{{{body},\n  \"z\": tru\n}}"),
            format!("{{{body},,\n  \"z\": 1\n}}"),
            format!("{{{body},\n  \"z\": 1,\n}}"),
            format!("{{{body}}} x"),
            format!("{{{body},\n  \"z\": 1x\n}}"),
            format!("{{{body},\n  \"z\" 1\n}}"),
            format!("{{{body},\n  \"z\\u12\": 1\n}}"),
            // Not an object; members on one line.
            format!("[{body}]"),
            format!("{{\"a\": 1,{body}}}"),
        ] {
            agrees(&text);
        }
    }

    #[test]
    fn damaged_documents_read_as_serde_json_reads_them() {
        // Bytes deleted, doubled or replaced by JSON's structural characters, anywhere: the
        // pieces either agree with serde_json or give way to the whole read, never a panic.
        let text = serde_json::to_string_pretty(&document(40)).unwrap();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        let mut used = 0;
        for _ in 0..400 {
            let mut bytes = text.clone().into_bytes();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                match next(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, bytes[at]),
                    _ => bytes[at] = b"{}[],:\"\n 1"[next(10)],
                }
            }
            used += usize::from(agrees(std::str::from_utf8(&bytes).unwrap()));
        }
        // Most damage is inside one run, which then fails; some leaves the pieces whole.
        assert!(used > 0);
    }

    #[test]
    fn nesting_is_refused_at_the_depth_serde_json_refuses_it() {
        let big = serde_json::to_string_pretty(&document(50)).unwrap();
        let body = &big[1..big.len() - 1];
        // Values under `paths/…` sit two levels down: the pieces must count from the top.
        for depth in [124, 125, 126, 127, 128, 129] {
            let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let text =
                format!("{{\n  \"paths\": {{\n    \"/a\": {deep},\n    \"/b\": 1\n  }},{body}}}");
            agrees(&text);
            let text = format!("{{\n  \"z\": {deep},{body}}}");
            agrees(&text);
        }
    }
}
