//! A loopback TLS front with its own certificate authority, and a recording proxy: for
//! tests of a client's root-certificate and proxy settings (feature `network`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use ctrlhub_fake::network::{RecordingProxy, TlsFront};
//! let fake = ctrlhub_fake::FakeCtrlHub::start().await?;
//! // https://127.0.0.1:PORT, trusted only by a client given `front.ca_pem()`.
//! let front = TlsFront::start(&fake.base_url()).await?;
//! // http://127.0.0.1:PORT, which answers CONNECT and records what it saw.
//! let proxy = RecordingProxy::start().await?;
//! # let _ = (front.base_url(), front.ca_pem(), proxy.url());
//! // ... then: what reached the proxy, as it saw it.
//! for connection in proxy.connections() {
//!     println!("{}", connection.request_line());
//! }
//! # Ok(()) }
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The most tunnelled bytes a [`RecordingProxy`] keeps per connection.
const KEPT: usize = 256 * 1024;

fn other(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

/// An `https://127.0.0.1:PORT` server that terminates TLS with a certificate of its own
/// certificate authority, made afresh at start, and passes the bytes to a plain-HTTP
/// backend (a [`FakeCtrlHub`](crate::FakeCtrlHub), say). Stops when dropped.
pub struct TlsFront {
    addr: SocketAddr,
    ca_pem: String,
    ca_der: Vec<u8>,
    handshakes: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for TlsFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsFront")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TlsFront {
    /// Starts a front for `backend`, given as `http://HOST:PORT` (a base URL; any path is
    /// ignored) or `HOST:PORT`. Its certificate names `127.0.0.1` and `localhost`.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the certificates cannot be made.
    pub async fn start(backend: &str) -> io::Result<TlsFront> {
        let backend = backend.trim_start_matches("http://");
        let backend = backend.split('/').next().unwrap_or(backend).to_owned();

        let ca_key = rcgen::KeyPair::generate().map_err(other)?;
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(other)?;
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "ctrlhub-fake test root");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).map_err(other)?;

        let leaf_key = rcgen::KeyPair::generate().map_err(other)?;
        let mut leaf_params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .map_err(other)?;
        leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(other)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(other)?
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .map_err(other)?;
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&handshakes);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let backend = backend.clone();
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    counted.fetch_add(1, Ordering::SeqCst);
                    if let Ok(mut plain) = TcpStream::connect(&backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
        Ok(TlsFront {
            addr,
            ca_pem: ca.pem(),
            ca_der: ca.der().to_vec(),
            handshakes,
            task,
        })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The certificate authority's certificate, PEM: the one root a client must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The certificate authority's certificate, DER.
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// How many TLS handshakes have completed.
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

/// One connection a [`RecordingProxy`] accepted, as the proxy saw it.
#[derive(Debug, Clone, Default)]
pub struct ProxyConnection {
    /// The request head the client sent the proxy: request line and headers, as text.
    pub head: String,
    /// For a `CONNECT`, the first bytes the client sent through the tunnel (up to
    /// 256 KiB): what a proxy could read of the traffic.
    pub tunnelled: Vec<u8>,
}

impl ProxyConnection {
    /// The request line, such as `CONNECT 127.0.0.1:4443 HTTP/1.1`.
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }

    /// Whether `needle` appears anywhere the proxy could read: the head or the tunnelled
    /// bytes.
    pub fn saw(&self, needle: &str) -> bool {
        self.head.contains(needle)
            || (!needle.is_empty()
                && self
                    .tunnelled
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes()))
    }
}

/// An HTTP proxy on `http://127.0.0.1:PORT`. It opens `CONNECT` tunnels (recording the
/// head and the bytes the client sends through), answers any other request `502` (after
/// recording it), and counts every connection. Stops when dropped.
pub struct RecordingProxy {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Arc<Mutex<ProxyConnection>>>>>,
    task: JoinHandle<()>,
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for RecordingProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingProxy")
            .field("addr", &self.addr)
            .field("accepted", &self.accepted())
            .finish_non_exhaustive()
    }
}

impl RecordingProxy {
    /// Starts a proxy on a free loopback port.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub async fn start() -> io::Result<RecordingProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicUsize::new(0));
        let seen: Arc<Mutex<Vec<Arc<Mutex<ProxyConnection>>>>> = Arc::default();
        let (count, record) = (Arc::clone(&accepted), Arc::clone(&seen));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let connection = Arc::new(Mutex::new(ProxyConnection::default()));
                record
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Arc::clone(&connection));
                tokio::spawn(serve(socket, connection));
            }
        });
        Ok(RecordingProxy {
            addr,
            accepted,
            seen,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections it has accepted.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Every connection so far, as the proxy saw it.
    pub fn connections(&self) -> Vec<ProxyConnection> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|c| c.lock().unwrap_or_else(PoisonError::into_inner).clone())
            .collect()
    }
}

/// Reads the head, then tunnels a `CONNECT` or refuses anything else.
async fn serve(mut client: TcpStream, record: Arc<Mutex<ProxyConnection>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
        if head.len() > 64 * 1024 {
            break;
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    record.lock().unwrap_or_else(PoisonError::into_inner).head = head.clone();
    let mut parts = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let (mut client_read, mut client_write) = client.split();
    let (mut upstream_read, mut upstream_write) = upstream.split();
    let outbound = async {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            {
                let mut seen = record.lock().unwrap_or_else(PoisonError::into_inner);
                let room = KEPT.saturating_sub(seen.tunnelled.len()).min(n);
                seen.tunnelled.extend_from_slice(&buffer[..room]);
            }
            if upstream_write.write_all(&buffer[..n]).await.is_err() {
                break;
            }
        }
        let _ = upstream_write.shutdown().await;
    };
    let inbound = async {
        let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    tokio::join!(outbound, inbound);
}
