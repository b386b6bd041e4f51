//! The builders the generated client declares with one line per field: `request_builder!`
//! for request structs (`types::builder`), `operation_builder!` for operations (each family's
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
//! - `custom(path)`: the value of the function at `path` (serde's `default = "path"`);
//! - `optional`: the field is an `Option` of the type written, `None` until it is set; its
//!   setter takes the value itself (`.title("Q3")`, converted to the type when the request is
//!   built) or an `Option` of the type ([`OptionalValue`]).
//!
//! The required fields may be listed after the name (`Pet(name: String) { ... }`): the struct
//! then has `new(name)`, its builder with them given, so that the compiler sees none missing.

//!
//! ## `operation_builder!`
//!
//! The builder of one operation, in the shape progenitor 0.15 gives it (`builder_struct`): a
//! struct holding the family's client and one `Result` per parameter (and body), `new`, and
//! one setter per field taking anything `TryInto` its type (a value that does not convert is
//! the error `send` returns, named after the field). A field is `required` (an error until it
//! is set) or `optional` (`None` until it is set). Beside them: the request's own `timeout`
//! and `retry_policy` (a [`RequestSettings`](super::RequestSettings)), and `send`, which gives
//! the answer's body; the generated code adds `send_with_response`, which gives the whole
//! `ResponseValue`.

/// What the setter of an optional field of a request struct takes: the value, or anything
/// that converts to it (`Present`: `.title("Q3")`), or an `Option` of the field's type itself
/// (`Whole`: `.title(None)`). The marker `M` tells the two apart, so that a call infers it and
/// never names it. A value that does not convert is the builder's error, named after the field.
pub trait OptionalValue<T, M> {
    /// The field's value.
    fn into_option(self) -> Result<Option<T>, String>;
}

/// [`OptionalValue`] of a value that converts to the field's type.
#[derive(Debug)]
pub enum Present {}

/// [`OptionalValue`] of an `Option` of the field's type.
#[derive(Debug)]
pub enum Whole {}

impl<T, V> OptionalValue<T, Present> for V
where
    V: TryInto<T>,
    V::Error: std::fmt::Display,
{
    fn into_option(self) -> Result<Option<T>, String> {
        self.try_into().map(Some).map_err(|e| e.to_string())
    }
}

impl<T> OptionalValue<T, Whole> for Option<T> {
    fn into_option(self) -> Result<Option<T>, String> {
        Ok(self)
    }
}

/// Declares `pub struct $name`, the builder of `super::$name` (see the module doc). Invoke it
/// through its name in scope (`use ...::request_builder;`): the expansion refers to itself so.
/// Only the generated client's `types.rs` invokes it (and the tests below).
#[allow(unused_macros)]
macro_rules! request_builder {
    ($name:ident $(($($required:ident: $required_ty:ty),+))? { $($field:ident: $ty:ty = $start:ident $(($path:path))?,)* }) => {
        $(
            impl super::$name {
                /// The builder with every required field given, so that none can be missing
                /// (each converted when the request is built); the others start as their
                /// defaults.
                #[allow(clippy::new_ret_no_self)]
                pub fn new(
                    $($required: impl ::std::convert::TryInto<$required_ty, Error: ::std::fmt::Display>,)+
                ) -> $name {
                    <$name as ::std::default::Default>::default()$(.$required($required))+
                }
            }
        )?
        #[derive(Clone, Debug)]
        pub struct $name {
            $($field: ::std::result::Result<request_builder!(@slot $start $ty), ::std::string::String>,)*
        }
        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self {
                    $($field: request_builder!(@start $field $start $(($path))?),)*
                }
            }
        }
        impl $name {
            $(request_builder!(@setter $field $start $ty);)*
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
    (@slot optional $ty:ty) => { ::std::option::Option<$ty> };
    (@slot $start:ident $ty:ty) => { $ty };
    (@setter $field:ident optional $ty:ty) => {
        pub fn $field<T, M>(mut self, value: T) -> Self
        where
            T: OptionalValue<$ty, M>,
        {
            self.$field = value.into_option().map_err(|e| {
                format!(concat!("error converting supplied value for ", stringify!($field), ": {}"), e)
            });
            self
        }
    };
    (@setter $field:ident $start:ident $ty:ty) => {
        pub fn $field<T>(mut self, value: T) -> Self
        where
            T: ::std::convert::TryInto<$ty>,
            T::Error: ::std::fmt::Display,
        {
            self.$field = value.try_into().map_err(|e| {
                format!(concat!("error converting supplied value for ", stringify!($field), ": {}"), e)
            });
            self
        }
    };
    (@start $field:ident optional) => {
        Ok(None)
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

/// Declares `pub struct $name<'a>`, the builder of one operation of `super::Client` whose
/// answer's body is `$output`, with its attributes, `new`, its setters, the per-request
/// settings and `send` (see the module doc); the generated code adds `send_with_response`.
/// Invoke it through its name in scope, with `Error`, `ResponseValue`, `RequestSettings` and
/// `RetryPolicy` in scope too. Only the generated client's family modules invoke it (and the
/// tests below).
#[allow(unused_macros)]
macro_rules! operation_builder {
    ($(#[$meta:meta])* $name:ident -> $output:ty { $($field:ident: $ty:ty = $presence:ident,)* }) => {
        $(#[$meta])*
        pub struct $name<'a> {
            client: &'a super::Client,
            settings: RequestSettings,
            $($field: ::std::result::Result<operation_builder!(@slot $presence $ty), ::std::string::String>,)*
        }
        impl<'a> $name<'a> {
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client,
                    settings: RequestSettings::default(),
                    $($field: operation_builder!(@start $presence $field),)*
                }
            }
            $(
                pub fn $field<V>(mut self, value: V) -> Self
                where
                    V: ::std::convert::TryInto<$ty>,
                    V::Error: ::std::fmt::Display,
                {
                    self.$field = operation_builder!(@convert $presence value.try_into())
                        .map_err(|e| format!(concat!(stringify!($field), ": {}"), e));
                    self
                }
            )*
            /// The timeout of each attempt of this request (instead of the client's).
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.timeout = Some(timeout);
                self
            }
            /// The retries of this request (instead of the client's).
            pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
                self.settings.retry_policy = Some(policy);
                self
            }
            /// Sends the request: the answer's body, or the one error type of the client.
            /// [`Self::send_with_response`] gives the status and headers too.
            pub async fn send(self) -> ::std::result::Result<$output, Error> {
                self.send_with_response().await.map(ResponseValue::into_inner)
            }
            /// [`Self::send`], waiting for the answer on the client's one blocking runtime
            /// (the `blocking` feature). Not for async code: call [`Self::send`] there.
            #[cfg(feature = "blocking")]
            pub fn send_blocking(self) -> ::std::result::Result<$output, Error> {
                block_on(self.send())
            }
            /// [`Self::send_with_response`], waiting on the client's one blocking runtime (the
            /// `blocking` feature).
            #[cfg(feature = "blocking")]
            pub fn send_with_response_blocking(
                self,
            ) -> ::std::result::Result<ResponseValue<$output>, Error> {
                block_on(self.send_with_response())
            }
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

/// Runs `call` to its end on the one runtime every blocking call of the process shares (the
/// `blocking` feature): a multi-threaded tokio runtime with one worker, made at the first
/// call, so the connection pool, token refreshes and retries behave as in async code. A
/// runtime that cannot be made (no thread can be spawned) is [`Error::Config`]. Calling it
/// from async code blocks that code's thread; tokio refuses it on its own threads.
#[cfg(feature = "blocking")]
pub fn block_on<T>(
    call: impl std::future::Future<Output = Result<T, super::Error>>,
) -> Result<T, super::Error> {
    static RUNTIME: std::sync::OnceLock<Result<tokio::runtime::Runtime, String>> =
        std::sync::OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("archastro-blocking")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    match runtime {
        Ok(runtime) => runtime.block_on(call),
        Err(why) => Err(super::Error::Config(format!(
            "the blocking runtime could not start: {why}"
        ))),
    }
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
            pub nickname: Option<Nickname>,
            pub weight: Option<i64>,
        }
        /// A constrained string, as typify writes one: at most five characters.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Nickname(pub String);
        impl TryFrom<&str> for Nickname {
            type Error = &'static str;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                match value.chars().count() {
                    0..=5 => Ok(Nickname(value.to_owned())),
                    _ => Err("longer than 5 characters"),
                }
            }
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
            use super::super::super::OptionalValue;
            request_builder! {
                Pet(name: ::std::string::String) {
                    name: ::std::string::String = required,
                    r#type: ::std::option::Option<::std::string::String> = default,
                    legs: i64 = custom(super::defaults::pet_legs),
                    tags: ::std::vec::Vec<::std::string::String> = default,
                    nickname: super::Nickname = optional,
                    weight: i64 = optional,
                }
            }
            request_builder! { Empty {} }
        }
    }
    use types::{Nickname, Pet, builder};

    /// A family module as progenitor writes one, with an operation builder declared by the
    /// macro (and the `send_with_response` the generated code adds, here answering with what
    /// was set).
    mod family {
        #[derive(Debug)]
        pub struct Client;
        pub mod builder {
            use super::super::super::super::{Error, RequestSettings, RetryPolicy};
            #[cfg(feature = "blocking")]
            use super::super::super::block_on;
            use progenitor_client::ResponseValue;
            pub type Sent = (String, Option<u32>, RequestSettings);
            operation_builder! {
                #[doc = "Builder for `list_pets`."]
                #[derive(Debug, Clone)]
                ListPets -> Sent {
                    owner: ::std::string::String = required,
                    limit: u32 = optional,
                }
            }
            impl ListPets<'_> {
                pub async fn send_with_response(self) -> Result<ResponseValue<Sent>, Error> {
                    let _client: &super::Client = self.client;
                    let owner = self.owner.map_err(Error::InvalidRequest)?;
                    let limit = self.limit.map_err(Error::InvalidRequest)?;
                    let (status, headers) = (reqwest::StatusCode::OK, Default::default());
                    Ok(ResponseValue::new(
                        (owner, limit, self.settings),
                        status,
                        headers,
                    ))
                }
            }
            operation_builder! {
                #[derive(Clone)]
                Ping -> () {}
            }
            impl Ping<'_> {
                pub async fn send_with_response(self) -> Result<ResponseValue<()>, Error> {
                    let _client: &super::Client = self.client;
                    assert!(self.settings.timeout.is_some());
                    let status = reqwest::StatusCode::NO_CONTENT;
                    Ok(ResponseValue::new((), status, Default::default()))
                }
            }
        }
    }

    #[tokio::test]
    async fn operation_builders_hold_required_and_optional_parameters() {
        let client = family::Client;
        let list = || family::builder::ListPets::new(&client);
        let error = list().send().await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: owner was not initialized"
        );
        let sent = list().owner("ann").send().await.unwrap();
        assert_eq!((sent.0.as_str(), sent.1), ("ann", None));
        let sent = list().owner("ann").limit(5u8).send().await.unwrap();
        assert_eq!(sent.1, Some(5));
        let error = list().owner("ann").limit(-1i64).send().await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid request: limit: out of range integral type conversion attempted"
        );
        let ping = family::builder::Ping::new(&client).clone();
        let ping = ping.timeout(std::time::Duration::from_secs(1));
        ping.retry_policy(super::super::RetryPolicy::none())
            .send()
            .await
            .unwrap();
        let ping = family::builder::Ping::new(&client).timeout(std::time::Duration::from_secs(1));
        assert_eq!(ping.send_with_response().await.unwrap().status(), 204);
    }

    /// The `blocking` feature: the same builders, sent from synchronous code.
    #[cfg(feature = "blocking")]
    #[test]
    fn blocking_sends_wait_on_the_shared_runtime() {
        let client = family::Client;
        let sent = family::builder::ListPets::new(&client)
            .owner("ann")
            .send_blocking()
            .unwrap();
        assert_eq!(sent.0, "ann");
        let list = family::builder::ListPets::new(&client).owner("bo");
        assert_eq!(list.send_with_response_blocking().unwrap().status(), 200);
        let ping =
            || family::builder::Ping::new(&client).timeout(std::time::Duration::from_secs(1));
        ping().send_blocking().unwrap();
        assert_eq!(ping().send_with_response_blocking().unwrap().status(), 204);
    }

    #[tokio::test]
    async fn operation_builders_hold_the_requests_own_settings() {
        let client = family::Client;
        let list = || family::builder::ListPets::new(&client).owner("ann");
        assert_eq!(
            list().send().await.unwrap().2,
            super::super::RequestSettings::default()
        );
        let timeout = std::time::Duration::from_millis(300);
        let policy = super::super::RetryPolicy::none();
        let sent = list()
            .timeout(timeout)
            .retry_policy(policy.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            (sent.2.timeout, sent.2.retry_policy),
            (Some(timeout), Some(policy))
        );
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
                tags: vec![],
                nickname: None,
                weight: None,
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
    fn optional_fields_take_the_value_or_an_option_of_it() {
        let rex = || builder::Pet::default().name("Rex");
        let pet = Pet::try_from(rex().nickname("Rexy").weight(30)).unwrap();
        assert_eq!(
            (pet.nickname, pet.weight),
            (Some(Nickname("Rexy".into())), Some(30))
        );
        let nickname = Nickname::try_from("R").unwrap();
        let pet = Pet::try_from(rex().nickname(Some(nickname.clone())).weight(None)).unwrap();
        assert_eq!((pet.nickname, pet.weight), (Some(nickname), None));
        let pet = Pet::try_from(rex().nickname("Rexy").nickname(None)).unwrap();
        assert_eq!(pet.nickname, None);
        let error = Pet::try_from(rex().nickname("Rex the dog")).unwrap_err();
        assert_eq!(
            error.0,
            "error converting supplied value for nickname: longer than 5 characters"
        );
    }

    #[test]
    fn new_takes_every_required_field() {
        let pet = Pet::try_from(Pet::new("Rex").weight(30)).unwrap();
        assert_eq!(
            (pet.name.as_str(), pet.legs, pet.weight),
            ("Rex", 4, Some(30))
        );
    }

    #[test]
    fn a_struct_goes_back_into_its_builder() {
        let pet = Pet {
            name: "Rex".into(),
            r#type: Some("dog".into()),
            legs: 4,
            tags: vec![],
            nickname: None,
            weight: Some(30),
        };
        let again = Pet::try_from(builder::Pet::from(pet.clone()).legs(5)).unwrap();
        assert_eq!(again, Pet { legs: 5, ..pet });
        assert_eq!(
            types::Empty::try_from(builder::Empty::from(types::Empty {})).unwrap(),
            types::Empty {}
        );
    }
}
