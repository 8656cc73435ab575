//! A probe of a TLS server whose certificate nobody trusts: the connection is failing, and the
//! message says why in words (the trust), not "cannot reach".

use crate::common::TestServer;
use crate::health::{check, connection};
use model::user::Role;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

both_backends!(an_untrusted_certificate_is_failing_and_says_so);

/// A self-signed certificate for 127.0.0.1 (made with openssl for this test; it signs nothing
/// else and its key is no secret).
const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBpTCCAUugAwIBAgIUOQ9sYQTAJ2DKZ9a1IBV6Q67He8kwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOdW50cnVzdGVkLnRlc3QwIBcNMjYxMTIyMjMwNjE0WhgPMjEy
NjEwMjkyMzA2MTRaMBkxFzAVBgNVBAMMDnVudHJ1c3RlZC50ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEP/Q5pYyTDLy71vCLZcHSygJioP20J+pce+5g/y5X
8JIa0m59SoD39Da2SMsIiB0xxAZSA6aWxpMalQBVw6eSKKNvMG0wHQYDVR0OBBYE
FN5X62pNTeTE2b4Mr4N5i3yWRctUMB8GA1UdIwQYMBaAFN5X62pNTeTE2b4Mr4N5
i3yWRctUMA8GA1UdEwEB/wQFMAMBAf8wGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxo
b3N0MAoGCCqGSM49BAMCA0gAMEUCIQDp8RAk7PjOHHga+4sKD5npVy4QPiQ239RU
b5ilJZXq/gIgBnxsYT6WNTv7siejPv1yEcSG85/VMSd5RO+4b1V4u9s=
-----END CERTIFICATE-----
";
const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwAbrzUPI9xkTsLXS
E4SrFTlEw3kJpod5sunI5XyA7k2hRANCAAQ/9DmljJMMvLvW8ItlwdLKAmKg/bQn
6lx77mD/LlfwkhrSbn1KgPf0NrZIywiIHTHEBlIDppbGkxqVAFXDp5Io
-----END PRIVATE KEY-----
";

/// An HTTPS server on a free local port that presents `CERT` and answers 200 to any request that
/// gets through the handshake. Returns its address; it stops with the test's runtime.
async fn untrusted_tls_server() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let certs = vec![CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 1024];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .await;
                }
            });
        }
    });
    addr
}

async fn an_untrusted_certificate_is_failing_and_says_so(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let addr = untrusted_tls_server().await;
    let id = connection(
        s,
        &admin,
        "self-signed",
        "http",
        &format!("https://{addr}/"),
        None,
    )
    .await;
    let (status, c) = check(s, &admin, &id).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["health"]["state"], "failing", "{c}");
    assert_eq!(
        c["health"]["message"],
        "TLS: the server's certificate is not signed by an authority the credential or the system trusts",
        "{c}"
    );
    // the raw cause stays behind the words, for the details disclosure
    assert!(
        c["last_error"]
            .as_str()
            .is_some_and(|e| e.to_ascii_lowercase().contains("certificate")),
        "{c}"
    );
}
