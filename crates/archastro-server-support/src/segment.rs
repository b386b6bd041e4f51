//! Path parameters that are arrays or objects, read from their (percent-decoded) segment as
//! OpenAPI's `style: simple` writes them: an array's items joined by `,`; an object's
//! properties as `key,value,key,value`, or `key=value,key=value` when the parameter explodes.
//! The generated path structs use these through `#[serde(deserialize_with = ...)]`; each item
//! or value becomes whatever scalar its field asks for (a string, a number, a boolean), and a
//! segment that does not read answers 400 like any other bad path parameter.
//!
//! An empty segment is an empty array (or object). A `,` inside an item cannot be told apart
//! from the separator.

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Visitor};

/// Reads an array path parameter: `a,b,c`.
pub fn simple_array<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    let items = pieces(&text).map(Piece);
    T::deserialize(SeqDeserializer::<_, Error>::new(items)).map_err(de::Error::custom)
}

/// Reads an object path parameter that does not explode: `key,value,key,value`.
pub fn simple_object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    let pieces: Vec<&str> = pieces(&text).collect();
    if pieces.len() % 2 == 1 {
        return Err(de::Error::custom(format!(
            "expected `key,value` pairs, `{}` has no value",
            pieces[pieces.len() - 1]
        )));
    }
    let pairs = pieces
        .chunks(2)
        .map(|pair| (Piece(pair[0]), Piece(pair[1])));
    T::deserialize(MapDeserializer::<_, Error>::new(pairs)).map_err(de::Error::custom)
}

/// Reads an object path parameter that explodes: `key=value,key=value`.
pub fn simple_object_exploded<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    let pairs = pieces(&text)
        .map(|piece| {
            piece
                .split_once('=')
                .map(|(key, value)| (Piece(key), Piece(value)))
                .ok_or_else(|| de::Error::custom(format!("expected `key=value`, got `{piece}`")))
        })
        .collect::<Result<Vec<_>, D::Error>>()?;
    T::deserialize(MapDeserializer::<_, Error>::new(pairs.into_iter())).map_err(de::Error::custom)
}

/// The `,`-separated pieces of a segment; none for an empty one.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(move |_| !text.is_empty())
}

/// One item, key or value: text that becomes the scalar its field asks for.
struct Piece<'a>(&'a str);

impl<'de> IntoDeserializer<'de, Error> for Piece<'_> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// `deserialize_x` methods that parse the text as `ty` and visit it with `visit`.
macro_rules! parsed {
    ($($method:ident: $ty:ty => $visit:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.parse::<$ty>() {
                Ok(value) => visitor.$visit(value),
                Err(e) => Err(de::Error::custom(format!("`{}`: {e}", self.0))),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Piece<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.0)
    }

    parsed! {
        deserialize_bool: bool => visit_bool,
        deserialize_i8: i8 => visit_i8,
        deserialize_i16: i16 => visit_i16,
        deserialize_i32: i32 => visit_i32,
        deserialize_i64: i64 => visit_i64,
        deserialize_u8: u8 => visit_u8,
        deserialize_u16: u16 => visit_u16,
        deserialize_u32: u32 => visit_u32,
        deserialize_u64: u64 => visit_u64,
        deserialize_f32: f32 => visit_f32,
        deserialize_f64: f64 => visit_f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Ids {
        #[serde(deserialize_with = "simple_array")]
        ids: Vec<i64>,
    }

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    struct Point {
        x: f64,
        #[serde(default)]
        label: Option<String>,
        #[serde(default)]
        shown: Option<bool>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Points {
        #[serde(deserialize_with = "simple_object")]
        pairs: Point,
        #[serde(deserialize_with = "simple_object_exploded")]
        exploded: Point,
    }

    fn read<T: DeserializeOwned>(
        fields: &[(&str, &str)],
    ) -> Result<T, serde_urlencoded::de::Error> {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(fields).unwrap())
    }

    #[test]
    fn arrays_are_read_item_by_item() {
        assert_eq!(read::<Ids>(&[("ids", "1,2,3")]).unwrap().ids, [1, 2, 3]);
        assert_eq!(read::<Ids>(&[("ids", "")]).unwrap().ids, Vec::<i64>::new());
        let e = read::<Ids>(&[("ids", "1,x")]).unwrap_err().to_string();
        assert!(e.contains("`x`"), "{e}");
        #[derive(Debug, serde::Deserialize)]
        struct Names {
            #[serde(deserialize_with = "simple_array")]
            names: Vec<String>,
        }
        let names = read::<Names>(&[("names", "a b,ä/%,=")]).unwrap().names;
        assert_eq!(names, ["a b", "ä/%", "="]);
    }

    #[test]
    fn objects_are_read_as_pairs_or_exploded() {
        let points: Points = read(&[
            ("pairs", "label,a=b,x,1.5"),
            ("exploded", "shown=true,x=-2"),
        ])
        .unwrap();
        assert_eq!(
            points.pairs,
            Point {
                x: 1.5,
                label: Some("a=b".into()),
                shown: None
            }
        );
        assert_eq!(
            points.exploded,
            Point {
                x: -2.0,
                label: None,
                shown: Some(true)
            }
        );
        for (pairs, exploded, error) in [
            ("x,1,label", "x=1", "has no value"),
            ("x,1", "x", "expected `key=value`"),
            ("label,a", "x=1", "missing field `x`"),
            ("x,1,x,2", "x=1", "duplicate field `x`"),
            ("x,1", "x=1,shown=maybe", "`maybe`"),
        ] {
            let e = read::<Points>(&[("pairs", pairs), ("exploded", exploded)])
                .unwrap_err()
                .to_string();
            assert!(e.contains(error), "{pairs} {exploded}: {e}");
        }
    }
}
