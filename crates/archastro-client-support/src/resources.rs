//! [`resource!`]: the resource structs of the generated client, one line per method.
//!
//! Each family module of the client holds its operations as a tree of resources
//! (`api.runtime().team(team_id).invites().create()`). A resource is a struct holding the
//! family's `Client` and the path parameters of every resource on the way to it; its methods
//! either enter a child resource (taking the child's own parameters) or return an operation's
//! builder with the parameters the resource holds already set. The family's `Client` is the
//! root: `resource! { Client; ... }` adds its methods.
//!
//! A method is written `fn name(args) -> KIND Target(kept, ...);` where `KIND` is `builder`
//! (`Target` is a builder of the module's `builder`, `kept` its setters to call with the
//! resource's parameters) or `resource` (`Target` is a resource; `kept` the parameters it
//! takes over, `args` its own).
//!
//! [`channel_joins!`] adds to a resource the joins of the realtime channels whose topic its
//! parameters give (`api.runtime().user(user_id).channel(&socket)`): each builds the join's
//! params from the resource's parameters and calls the channel facade's own join, so both ways
//! in give the same facade. A join is written
//! `fn name(socket: &Socket) -> (Facade, Reply) = Facade::join { "property": field, ... };`.

/// Declares a resource struct (or, with `Client;`, the root's methods); see the module doc.
/// Invoke it through its name in scope: the expansion refers to itself so. Only the generated
/// client's family modules invoke it (and the tests below).
#[allow(unused_macros)]
macro_rules! resource {
    (Client; $($(#[$doc:meta])* fn $method:ident($($arg:ident: $ty:ty),*) -> $kind:ident $target:ident($($kept:ident),*);)*) => {
        impl Client {
            fn resource_client(&self) -> &Self {
                self
            }
            $(resource!(@$kind '_ $(#[$doc])* $method($($arg: $ty),*) $target($($kept),*));)*
        }
    };
    ($(#[$meta:meta])* $name:ident { $($field:ident: $field_ty:ty),* }
     $($(#[$doc:meta])* fn $method:ident($($arg:ident: $ty:ty),*) -> $kind:ident $target:ident($($kept:ident),*);)*) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $name<'a> {
            family_client: &'a Client,
            $($field: $field_ty,)*
        }
        impl<'a> $name<'a> {
            fn resource_client(&self) -> &'a Client {
                self.family_client
            }
            $(resource!(@$kind 'a $(#[$doc])* $method($($arg: $ty),*) $target($($kept),*));)*
        }
    };
    (@builder $life:lifetime $(#[$doc:meta])* $method:ident() $target:ident($($kept:ident),*)) => {
        $(#[$doc])*
        pub fn $method(&self) -> builder::$target<$life> {
            builder::$target::new(self.resource_client())$(.$kept(self.$kept.clone()))*
        }
    };
    (@resource $life:lifetime $(#[$doc:meta])* $method:ident($($arg:ident: $ty:ty),*) $target:ident($($kept:ident),*)) => {
        $(#[$doc])*
        // One argument per variable of the path's next segments: as many as the spec has.
        #[allow(clippy::too_many_arguments)]
        pub fn $method(&self, $($arg: impl ::std::convert::Into<$ty>),*) -> $target<$life> {
            $target {
                family_client: self.resource_client(),
                $($kept: self.$kept.clone(),)*
                $($arg: $arg.into(),)*
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use resource;

/// Adds channel joins to the resource struct `$name` (see the module doc): each method joins
/// with the params made of the resource's fields (the join's other params unset) and returns
/// what `$join` returns. `Error` is the one the invoking module names.
#[allow(unused_macros)]
macro_rules! channel_joins {
    ($name:ident;
     $($(#[$doc:meta])* fn $method:ident(socket: &$socket:ty) -> $joined:ty = $join:path {
        $($property:literal: $field:ident),* $(,)?
     };)*) => {
        impl $name<'_> {
            $(
                $(#[$doc])*
                pub async fn $method(&self, socket: &$socket) -> ::std::result::Result<$joined, Error> {
                    let invalid = |e: ::serde_json::Error| Error::InvalidRequest(e.to_string());
                    let mut params = ::serde_json::Map::new();
                    $(params.insert(
                        ::std::string::String::from($property),
                        ::serde_json::to_value(&self.$field).map_err(invalid)?,
                    );)*
                    let params = ::serde_json::from_value(::serde_json::Value::Object(params)).map_err(invalid)?;
                    $join(socket, &params).await
                }
            )*
        }
    };
}

#[allow(unused_imports)]
pub(crate) use channel_joins;

#[cfg(test)]
mod tests {
    /// A family's client, as progenitor writes one.
    #[derive(Debug)]
    pub struct Client {
        base: String,
    }

    /// Builders as progenitor writes them: a setter per parameter.
    mod builder {
        #[derive(Debug)]
        pub struct GetMember<'a> {
            pub client: &'a super::Client,
            pub team_id: Option<String>,
            pub user_id: Option<String>,
        }
        impl<'a> GetMember<'a> {
            pub fn new(client: &'a super::Client) -> Self {
                Self {
                    client,
                    team_id: None,
                    user_id: None,
                }
            }
            pub fn team_id(mut self, value: String) -> Self {
                self.team_id = Some(value);
                self
            }
            pub fn user_id(mut self, value: String) -> Self {
                self.user_id = Some(value);
                self
            }
        }
    }

    resource! { Client;
        /// A team.
        fn team(team_id: String) -> resource Team();
    }
    resource! {
        /// A team.
        Team { team_id: String }
        fn member(user_id: String) -> resource TeamMember(team_id);
    }
    resource! {
        TeamMember { team_id: String, user_id: String }
        fn get() -> builder GetMember(team_id, user_id);
    }

    /// A channel facade as the client's `channels` module writes one: its join takes typed
    /// params; this one answers with the params it was given.
    mod channels {
        use crate::Error;

        pub struct Socket;

        #[derive(serde::Deserialize)]
        pub struct JoinMemberParams {
            pub team_id: String,
            pub member: String,
            pub limit: Option<u32>,
        }

        pub struct MemberChannel;

        impl MemberChannel {
            pub async fn join_member(
                _socket: &Socket,
                params: &JoinMemberParams,
            ) -> Result<(Self, String), Error> {
                let limit = params.limit.map_or("none".to_owned(), |l| l.to_string());
                Ok((
                    Self,
                    format!("{}/{}/{limit}", params.team_id, params.member),
                ))
            }
        }
    }

    use crate::Error;

    channel_joins! {
        TeamMember;
        /// Joins the member's channel.
        fn channel(socket: &channels::Socket) -> (channels::MemberChannel, String) = channels::MemberChannel::join_member {
            "team_id": team_id, "member": user_id
        };
    }

    #[tokio::test]
    async fn a_join_reached_through_resources_takes_their_parameters() {
        let client = Client { base: "x".into() };
        let (_, joined) = client
            .team("t1")
            .member("u1")
            .channel(&channels::Socket)
            .await
            .unwrap();
        assert_eq!(joined, "t1/u1/none");
    }

    #[test]
    fn a_builder_reached_through_resources_has_their_parameters_set() {
        let client = Client { base: "x".into() };
        let builder = client.team("t1").member("u1").get();
        assert_eq!(builder.client.base, "x");
        assert_eq!(builder.team_id.as_deref(), Some("t1"));
        assert_eq!(builder.user_id.as_deref(), Some("u1"));
    }
}
