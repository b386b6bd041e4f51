//! The one TLS configuration of a client, built once by
//! [`RuntimeBuilder::build`](super::RuntimeBuilder::build) and given to both the HTTP client
//! and the channels' WebSocket, so REST and channels trust exactly the same certificates
//! through the same verifier. The crate feature picks the TLS stack:
//!
//! - `rustls` (the default): rustls with the aws-lc-rs provider and the platform's certificate
//!   verifier (the operating system's trust store, as reqwest's `rustls` feature uses);
//! - `native-tls`: the operating system's TLS library (OpenSSL on Linux, Secure Transport on
//!   macOS, SChannel on Windows) and its verifier.
//!
//! With both enabled, `rustls` is used.

use std::sync::Arc;

use super::error::Error;

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
compile_error!(
    "the client needs a TLS stack: enable the `rustls` (default) or `native-tls` feature"
);

/// The TLS configuration of the selected stack, shared (cloning it shares it).
#[derive(Clone)]
pub(crate) struct TlsConfig(Arc<Backend>);

#[cfg(feature = "rustls")]
type Backend = rustls::ClientConfig;
#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
type Backend = native_tls::TlsConnector;

impl TlsConfig {
    /// The configuration with the platform's verifier.
    pub(crate) fn new() -> Result<TlsConfig, Error> {
        backend()
            .map(|backend| TlsConfig(Arc::new(backend)))
            .map_err(|e| Error::Config(format!("TLS: {e}")))
    }

    /// `builder` with this configuration.
    pub(crate) fn http(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder.tls_backend_preconfigured(Backend::clone(&self.0))
    }

    /// The WebSocket connector with this configuration.
    pub(crate) fn websocket(&self) -> tokio_tungstenite::Connector {
        #[cfg(feature = "rustls")]
        return tokio_tungstenite::Connector::Rustls(self.0.clone());
        #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
        return tokio_tungstenite::Connector::NativeTls(Backend::clone(&self.0));
    }

    /// Whether `self` and `other` are the same configuration (not merely equal ones).
    #[cfg(test)]
    pub(crate) fn is_shared_with(&self, other: &TlsConfig) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(feature = "rustls")]
fn backend() -> Result<Backend, rustls::Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth())
}

#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
fn backend() -> Result<Backend, native_tls::Error> {
    native_tls::TlsConnector::new()
}
