//! Authentication: who is asking. x509 client certificates signed by the cluster CA (CN is the
//! user, each O a group), bearer tokens from the token table, in-process components, and
//! anonymous requests (`system:anonymous`). Invalid credentials are a 401, as in kube-apiserver;
//! the TLS layer only *requests* a certificate, and the chain is checked here.

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The authenticated identity (`user.Info`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    pub fn new(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.to_string(),
            uid: String::new(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    pub fn anonymous() -> UserInfo {
        UserInfo::new("system:anonymous", &["system:unauthenticated"])
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// The component name the flow shows for an identity.
    pub fn component_name(&self) -> String {
        match self.name.as_str() {
            "system:kube-scheduler" => "scheduler".to_string(),
            "system:kube-controller-manager" => "controller-manager".to_string(),
            name if name.starts_with("system:node:") => "kubelet".to_string(),
            name => name.to_string(),
        }
    }
}

/// How the user was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticated {
    User {
        user: UserInfo,
        method: &'static str,
    },
    Anonymous(UserInfo),
    Failed(String),
}

pub struct Authenticator {
    client_ca: Option<Arc<dyn ClientCertVerifier>>,
    tokens: BTreeMap<String, UserInfo>,
}

impl Authenticator {
    /// `ca_pem`: the CA whose client certificates are trusted; `tokens`: (token, user, groups).
    pub fn new(ca_pem: Option<&str>, tokens: Vec<(String, String, Vec<String>)>) -> Authenticator {
        let client_ca = ca_pem.and_then(|pem| {
            let mut roots = RootCertStore::empty();
            for cert in rustls_pemfile::certs(&mut pem.as_bytes()).flatten() {
                roots.add(cert).ok()?;
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .ok()
        });
        let tokens = tokens
            .into_iter()
            .map(|(token, name, groups)| {
                (
                    token,
                    UserInfo {
                        uid: name.clone(),
                        name,
                        groups,
                    },
                )
            })
            .collect();
        Authenticator { client_ca, tokens }
    }

    /// Tries each presented credential in kube-apiserver's order (x509, then bearer token):
    /// the first that proves a user wins; if none does and any was presented, it is a 401.
    pub fn authenticate(&self, certificates: &[Vec<u8>], bearer: Option<&str>) -> Authenticated {
        let mut failures = Vec::new();
        if !certificates.is_empty() {
            match self.authenticate_certificate(certificates) {
                Ok(user) => {
                    return Authenticated::User {
                        user: with_authenticated(user),
                        method: "x509 client certificate",
                    };
                }
                Err(why) => failures.push(why),
            }
        }
        if let Some(token) = bearer {
            match self.tokens.get(token) {
                Some(user) => {
                    return Authenticated::User {
                        user: with_authenticated(user.clone()),
                        method: "bearer token",
                    };
                }
                None => failures.push("invalid bearer token".to_string()),
            }
        }
        if failures.is_empty() {
            Authenticated::Anonymous(UserInfo::anonymous())
        } else {
            Authenticated::Failed(failures.join("; "))
        }
    }

    fn authenticate_certificate(&self, certificates: &[Vec<u8>]) -> Result<UserInfo, String> {
        let Some((leaf, intermediates)) = certificates.split_first() else {
            return Err("no certificate".to_string());
        };
        let verifier = self
            .client_ca
            .as_ref()
            .ok_or("client certificates are not accepted")?;
        let leaf_der = CertificateDer::from(leaf.as_slice());
        let chain: Vec<CertificateDer> = intermediates
            .iter()
            .map(|c| CertificateDer::from(c.as_slice()))
            .collect();
        verifier
            .verify_client_cert(&leaf_der, &chain, UnixTime::now())
            .map_err(|e| format!("verifying certificate: {e}"))?;
        match subject_of(leaf) {
            Some((name, groups)) if !name.is_empty() => Ok(UserInfo {
                uid: String::new(),
                name,
                groups,
            }),
            _ => Err("certificate has no common name".to_string()),
        }
    }
}

fn with_authenticated(mut user: UserInfo) -> UserInfo {
    if !user.in_group("system:authenticated") {
        user.groups.push("system:authenticated".to_string());
    }
    user
}

/// The certificate's subject CN and O values.
fn subject_of(der: &[u8]) -> Option<(String, Vec<String>)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject();
    let name = subject
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_string();
    let groups = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_string))
        .collect();
    Some((name, groups))
}
