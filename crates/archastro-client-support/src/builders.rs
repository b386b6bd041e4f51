//! The builders the generated client declares with one line per field: [`request_builder!`]
//! for request structs (`types::builder`), [`operation_builder!`] for operations (each family's
//! `builder` module).
//!
//! ## `request_builder!`
//!
//! Every builder has the shape typify gives builders (typify 0.8, `struct_builder`): a struct
//! of `Result<FieldType, String>` fields, a `Default` that starts each field as its struct's
//! serde attributes say, one setter per field taking anything `TryInto` the field's type, and
//! the conversions `TryFrom<builder::X> for X` (the first missing or unconvertible field is the
//! error) and `From<X> for builder::X`. Written once here instead of once per struct, the
//! generated `types.rs` holds one line per field where it held about fifteen.
//!
//! The macro is invoked inside the `builder` module of a types module: `super::X` is the
//! struct being built and `super::error::ConversionError` its conversion error, as typify
//! writes them. Each field says how its builder starts:
//!
//! - `required`: `Err("no value supplied for <field>")` until it is set;
//! - `default`: `Default::default()` (serde's `default`, or a field it may skip);
//! - `custom(path)`: the value of the function at `path` (serde's `default = "path"`).

//!
//! ## `operation_builder!`
//!
//! The builder of one operation, in the shape progenitor 0.15 gives it (`builder_struct`): a
//! struct holding the family's client and one `Result` per parameter (and body), `new`, and
//! one setter per field taking anything `TryInto` its type. A field is `required` (an error
//! until it is set) or `optional` (`None` until it is set). The generated code adds `send`.

/// Declares `pub struct $name`, the builder of `super::$name` (see the module doc). Invoke it
/// through its name in scope (`use ...::request_builder;`): the expansion refers to itself so.
/// Only the generated client's `types.rs` invokes it (and the tests below).
#[allow(unused_macros)]
macro_rules! request_builder {
    ($name:ident { $($field:ident: $ty:ty = $start:ident $(($path:path))?,)* }) => {
        #[derive(Clone, Debug)]
        pub struct $name {
            $($field: ::std::result::Result<$ty, ::std::string::String>,)*
        }
        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self {
                    $($field: request_builder!(@start $field $start $(($path))?),)*
                }
            }
        }
        impl $name {
            $(
                pub fn $field<T>(mut self, value: T) -> Self
                where
                    T: ::std::convert::TryInto<$ty>,
                    T::Error: ::std::fmt::Display,
                {
                    self.$field = value.try_into().map_err(|e| {
                        format!(
                            concat!("error converting supplied value for ", stringify!($field), ": {}"),
                            e
                        )
                    });
                    self
                }
            )*
        }
        impl ::std::convert::TryFrom<$name> for super::$name {
            type Error = super::error::ConversionError;
            #[allow(unused_variables)]
            fn try_from(value: $name) -> ::std::result::Result<Self, super::error::ConversionError> {
                Ok(Self { $($field: value.$field?,)* })
            }
        }
        impl ::std::convert::From<super::$name> for $name {
            #[allow(unused_variables)]
            fn from(value: super::$name) -> Self {
                Self { $($field: Ok(value.$field),)* }
            }
        }
    };
    (@start $field:ident required) => {
        Err(concat!("no value supplied for ", stringify!($field)).to_string())
    };
    (@start $field:ident default) => {
        Ok(::std::default::Default::default())
    };
    (@start $field:ident custom($path:path)) => {
        Ok($path())
    };
}

#[allow(unused_imports)]
pub(crate) use request_builder;

/// Declares `pub struct $name<'a>`, the builder of one operation of `super::Client`, with its
/// attributes, `new` and setters (see the module doc). Invoke it through its name in scope.
/// Only the generated client's family modules invoke it (and the tests below).
#[allow(unused_macros)]
macro_rules! operation_builder {
    ($(#[$meta:meta])* $name:ident { $($field:ident: $ty:ty = $presence:ident,)* }) => {
        $(#[$meta])*
        pub struct $name<'a> {
            client: &'a super::Client,
            $($field: ::std::result::Result<operation_builder!(@slot $presence $ty), ::std::string::String>,)*
        }
        impl<'a> $name<'a> {
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client,
                    $($field: operation_builder!(@start $presence $field),)*
                }
            }
            $(
                pub fn $field<V>(mut self, value: V) -> Self
                where
                    V: ::std::convert::TryInto<$ty>,
                {
                    self.$field = operation_builder!(@convert $presence value.try_into()).map_err(|_| {
                        concat!("conversion to `", stringify!($ty), "` for ", stringify!($field), " failed")
                            .to_string()
                    });
                    self
                }
            )*
        }
    };
    (@slot optional $ty:ty) => { ::std::option::Option<$ty> };
    (@slot required $ty:ty) => { $ty };
    (@start optional $field:ident) => { Ok(None) };
    (@start required $field:ident) => {
        Err(concat!(stringify!($field), " was not initialized").to_string())
    };
    (@convert optional $value:expr) => { $value.map(Some) };
    (@convert required $value:expr) => { $value };
}

#[allow(unused_imports)]
pub(crate) use operation_builder;

#[cfg(test)]
mod tests {
    /// A types module as typify writes one, with a builder declared by the macro.
    mod types {
        #[derive(Clone, Debug, PartialEq)]
        pub struct Pet {
            pub name: String,
            pub r#type: Option<String>,
            pub legs: i64,
            pub tags: Vec<String>,
        }
        #[derive(Clone, Debug, PartialEq)]
        pub struct Empty {}
        pub mod defaults {
            pub fn pet_legs() -> i64 {
                4
            }
        }
        pub mod error {
            #[derive(Debug)]
            pub struct ConversionError(pub String);
            impl From<String> for ConversionError {
                fn from(value: String) -> Self {
                    Self(value)
                }
            }
        }
        pub mod builder {
            // In textual scope here; the generated `types.rs` imports it by path.
            request_builder! {
                Pet {
                    name: ::std::string::String = required,
                    r#type: ::std::option::Option<::std::string::String> = default,
                    legs: i64 = custom(super::defaults::pet_legs),
                    tags: ::std::vec::Vec<::std::string::String> = default,
                }
            }
            request_builder! { Empty {} }
        }
    }
    use types::{Pet, builder};

    /// A family module as progenitor writes one, with an operation builder declared by the
    /// macro (and the `send` the generated code adds, here returning what was set).
    mod family {
        #[derive(Debug)]
        pub struct Client;
        pub mod builder {
            operation_builder! {
                #[doc = "Builder for `list_pets`."]
                #[derive(Debug, Clone)]
                ListPets {
                    owner: ::std::string::String = required,
                    limit: u32 = optional,
                }
            }
            impl ListPets<'_> {
                pub fn send(self) -> Result<(String, Option<u32>), String> {
                    let _client: &super::Client = self.client;
                    Ok((self.owner?, self.limit?))
                }
            }
            operation_builder! {
                #[derive(Clone)]
                Ping {}
            }
            impl Ping<'_> {
                pub fn send(self) -> &'static str {
                    let _client: &super::Client = self.client;
                    "pong"
                }
            }
        }
    }

    #[test]
    fn operation_builders_hold_required_and_optional_parameters() {
        let client = family::Client;
        let list = || family::builder::ListPets::new(&client);
        assert_eq!(list().send().unwrap_err(), "owner was not initialized");
        assert_eq!(
            list().owner("ann").send().unwrap(),
            ("ann".to_owned(), None)
        );
        assert_eq!(
            list().owner("ann").limit(5u8).send().unwrap(),
            ("ann".to_owned(), Some(5))
        );
        let error = list().owner("ann").limit(-1i64).send().unwrap_err();
        assert_eq!(error, "conversion to `u32` for limit failed");
        assert_eq!(family::builder::Ping::new(&client).clone().send(), "pong");
    }

    #[test]
    fn fields_start_as_their_serde_attributes_say() {
        let error = Pet::try_from(builder::Pet::default()).unwrap_err();
        assert_eq!(error.0, "no value supplied for name");
        let pet = Pet::try_from(builder::Pet::default().name("Rex")).unwrap();
        assert_eq!(
            pet,
            Pet {
                name: "Rex".into(),
                r#type: None,
                legs: 4,
                tags: vec![]
            }
        );
    }

    #[test]
    fn setters_convert_and_report_the_field_that_failed() {
        let pet = builder::Pet::default()
            .name("Rex")
            .r#type(Some("dog".to_string()))
            .legs(3u8)
            .tags(vec!["good".to_string()]);
        assert_eq!(Pet::try_from(pet).unwrap().legs, 3);
        let error = Pet::try_from(builder::Pet::default().name("Rex").legs(u64::MAX)).unwrap_err();
        assert!(
            error
                .0
                .starts_with("error converting supplied value for legs: "),
            "{}",
            error.0
        );
    }

    #[test]
    fn a_struct_goes_back_into_its_builder() {
        let pet = Pet {
            name: "Rex".into(),
            r#type: Some("dog".into()),
            legs: 4,
            tags: vec![],
        };
        let again = Pet::try_from(builder::Pet::from(pet.clone()).legs(5)).unwrap();
        assert_eq!(again, Pet { legs: 5, ..pet });
        assert_eq!(
            types::Empty::try_from(builder::Empty::from(types::Empty {})).unwrap(),
            types::Empty {}
        );
    }
}
