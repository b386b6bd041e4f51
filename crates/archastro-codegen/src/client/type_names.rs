//! The names of the shared types as users see them: the top-level `pub struct` and `pub enum`
//! items of the generated client's `src/types.rs` (the spec's components, the normalizer's
//! lifted shapes, the realtime surface's types and any typify names on its own), and how long
//! they are. The type-name test and `cargo xtask bench` both read them here.

/// Where the shared types live, relative to the client crate.
pub const TYPES_FILE: &str = "src/types.rs";

/// The names of the top-level structs and enums declared in `types_rs`, the text of a
/// generated `src/types.rs`, in file order. Items of its nested modules (the builders) are
/// indented and not counted.
pub fn shared_type_names(types_rs: &str) -> Vec<String> {
    types_rs
        .lines()
        .filter_map(|line| {
            line.strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "))
        })
        .map(|rest| {
            rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// How long a set of type names is, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameLengths {
    /// How many names there are.
    pub count: usize,
    /// The longest name (the first of the longest, in the order given).
    pub longest_name: String,
    /// Its length.
    pub longest: usize,
    /// The nearest-rank 90th percentile of the lengths: 90 % of the names are at most this long.
    pub ninetieth_percentile: usize,
}

impl NameLengths {
    /// The lengths of `names`; `None` when there are none.
    pub fn of(names: &[String]) -> Option<NameLengths> {
        let longest_name = names
            .iter()
            .reduce(|a, b| if b.len() > a.len() { b } else { a })?
            .clone();
        let mut lengths: Vec<usize> = names.iter().map(String::len).collect();
        lengths.sort_unstable();
        Some(NameLengths {
            count: names.len(),
            longest: longest_name.len(),
            longest_name,
            ninetieth_percentile: lengths[(lengths.len() * 9).div_ceil(10) - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lengths: impl IntoIterator<Item = usize>) -> Vec<String> {
        lengths.into_iter().map(|n| "x".repeat(n)).collect()
    }

    #[test]
    fn the_percentile_is_the_nearest_rank() {
        assert_eq!(
            NameLengths::of(&names(1..=10))
                .unwrap()
                .ninetieth_percentile,
            9
        );
        assert_eq!(
            NameLengths::of(&names([1])).unwrap().ninetieth_percentile,
            1
        );
        assert_eq!(NameLengths::of(&[]), None);
    }

    #[test]
    fn the_longest_is_the_first_of_the_longest() {
        let list = vec!["Ab".to_owned(), "Abc".to_owned(), "Xyz".to_owned()];
        let lengths = NameLengths::of(&list).unwrap();
        assert_eq!(
            (
                lengths.longest_name.as_str(),
                lengths.longest,
                lengths.count
            ),
            ("Abc", 3, 3)
        );
    }

    #[test]
    fn only_top_level_structs_and_enums_are_names() {
        let text = "pub struct Agent {\n    pub id: String,\n}\npub enum Kind {\n    A,\n}\n\
                    pub type Alias = String;\npub mod builder {\n    pub struct Agent {}\n}\n\
                    pub struct Unit;\npub struct Pair(pub String);\n";
        assert_eq!(shared_type_names(text), ["Agent", "Kind", "Unit", "Pair"]);
    }
}
