//! What a family document declares beside its operations and channels: its `info`, its
//! security schemes (`components.securitySchemes`) and the dialect's token flows
//! (`x-token-flows`).

use serde_json::Value;

use super::{Api, Family, Operation, text};

/// The document's `info` (every family document carries the spec's).
#[derive(Debug, Clone, Copy)]
pub struct Info<'a> {
    /// `None` when the document has no `info.title` string.
    pub title: Option<&'a str>,
    /// `None` when the document has no `info.version` string.
    pub version: Option<&'a str>,
}

/// One security scheme of `components.securitySchemes`.
#[derive(Debug, Clone, Copy)]
pub struct SecurityScheme<'a> {
    /// Its `type` (`http`, `apiKey`, `oauth2`...); empty when it declares none.
    pub kind: &'a str,
    /// An `apiKey` scheme's parameter (header) name.
    pub name: Option<&'a str>,
    /// `x-key-prefix`, the dialect's prefix of the keys it takes (`sk_`, `pk_`).
    pub key_prefix: &'a str,
    pub description: &'a str,
}

impl<'a> Family<'a> {
    /// The document's `info`.
    pub fn info(&self) -> Info<'a> {
        let info = self.doc.get("info");
        let field = |key| info.and_then(|i| i.get(key)).and_then(Value::as_str);
        Info {
            title: field("title"),
            version: field("version"),
        }
    }

    /// The security scheme `name` declares, if the document defines it.
    pub fn security_scheme(&self, name: &str) -> Option<SecurityScheme<'a>> {
        let scheme = self
            .doc
            .get("components")?
            .get("securitySchemes")?
            .get(name)?;
        Some(SecurityScheme {
            kind: text(scheme, "type"),
            name: scheme.get("name").and_then(Value::as_str),
            key_prefix: text(scheme, "x-key-prefix"),
            description: text(scheme, "description"),
        })
    }

    /// `x-token-flows.refresh.operation_name`: the operation id that exchanges a refresh token.
    pub fn refresh_operation_name(&self) -> Option<&'a str> {
        self.doc
            .pointer("/x-token-flows/refresh/operation_name")
            .and_then(Value::as_str)
    }
}

impl<'a> Api<'a> {
    /// The refresh operation the first family with `x-token-flows.refresh` names, with the
    /// first family that declares it.
    pub fn refresh_operation(&self) -> Option<(&Family<'a>, &Operation<'a>)> {
        let id = self
            .families
            .iter()
            .find_map(Family::refresh_operation_name)?;
        self.operation(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn info_schemes_and_token_flows_are_read() {
        let doc = json!({
            "info": {"title": "T", "version": 3},
            "x-token-flows": {"refresh": {"operation_name": "refresh"}},
            "components": {"securitySchemes": {
                "key": {"type": "apiKey", "name": "X-Key", "x-key-prefix": "sk_"}
            }},
            "paths": {"/token": {"post": {"operationId": "refresh"}}}
        });
        let family = Family::new("auth", &doc).unwrap();
        let info = family.info();
        assert_eq!((info.title, info.version), (Some("T"), None));
        let key = family.security_scheme("key").unwrap();
        assert_eq!(
            (key.kind, key.name, key.key_prefix),
            ("apiKey", Some("X-Key"), "sk_")
        );
        assert!(family.security_scheme("bearer").is_none());
        let api = Api {
            families: vec![family],
            ascii: true,
        };
        let (family, op) = api.refresh_operation().unwrap();
        assert_eq!((family.name, op.path), ("auth", "/token"));
    }
}
