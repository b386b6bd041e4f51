//! The one TLS configuration of a client: rustls with the aws-lc-rs provider and the
//! platform's certificate verifier (the operating system's trust store, as reqwest uses by
//! default). [`RuntimeBuilder::build`](super::RuntimeBuilder::build) builds it once and gives
//! it to both the HTTP client and the channels' WebSocket, so REST and channels trust exactly
//! the same certificates.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt;

use super::error::Error;

/// A client configuration with the platform verifier.
pub(crate) fn client_config() -> Result<Arc<rustls::ClientConfig>, Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| Error::Config(format!("TLS: {e}")))?
        .with_no_client_auth();
    Ok(Arc::new(config))
}
