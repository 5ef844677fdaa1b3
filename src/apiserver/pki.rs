//! PKI and kubeconfig: the cluster CA, the apiserver's serving certificate (SANs 127.0.0.1,
//! ::1, localhost), the users' client certificates and tokens, and the kubeconfig that points
//! a real kubectl at podflow. Private keys, the token file and the kubeconfig are written with
//! mode 0600. The CA key is kept across restarts so copied kubeconfigs stay valid.

use anyhow::{Context, Result};
use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The material the apiserver serves with.
pub struct Pki {
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
    pub admin_cert_pem: String,
    pub admin_key_pem: String,
    /// Bearer token of the `student` user.
    pub student_token: String,
}

fn dn(common_name: &str, organization: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    if let Some(o) = organization {
        dn.push(DnType::OrganizationName, o);
    }
    dn.push(DnType::CommonName, common_name);
    dn
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn("podflow-ca", None);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2124, 1, 1);
    params
}

fn leaf_params(
    common_name: &str,
    organization: Option<&str>,
    usage: ExtendedKeyUsagePurpose,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn(common_name, organization);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![usage];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2124, 1, 1);
    params
}

/// Writes a file readable by its owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // The mode applies only when creating: tighten an older file too.
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(contents)?;
    Ok(())
}

/// The CA certificate and what it signs: the apiserver's serving certificate and the admin's
/// client certificate (fresh keys each time), as PEM.
struct Issued {
    ca_pem: String,
    server_cert_pem: String,
    server_key_pem: String,
    admin_cert_pem: String,
    admin_key_pem: String,
}

impl Issued {
    fn by(ca_key: &KeyPair) -> Result<Issued> {
        let ca = ca_params().self_signed(ca_key)?;
        let mut server = leaf_params("kube-apiserver", None, ExtendedKeyUsagePurpose::ServerAuth);
        server.subject_alt_names = vec![
            SanType::IpAddress("127.0.0.1".parse()?),
            SanType::IpAddress("::1".parse()?),
            SanType::DnsName("localhost".try_into()?),
            SanType::DnsName("kubernetes".try_into()?),
            SanType::DnsName("kubernetes.default".try_into()?),
            SanType::DnsName("kubernetes.default.svc".try_into()?),
        ];
        let server_key = KeyPair::generate()?;
        let server_cert = server.signed_by(&server_key, &ca, ca_key)?;
        let admin = leaf_params(
            "admin",
            Some("system:masters"),
            ExtendedKeyUsagePurpose::ClientAuth,
        );
        let admin_key = KeyPair::generate()?;
        let admin_cert = admin.signed_by(&admin_key, &ca, ca_key)?;
        Ok(Issued {
            ca_pem: ca.pem(),
            server_cert_pem: server_cert.pem(),
            server_key_pem: server_key.serialize_pem(),
            admin_cert_pem: admin_cert.pem(),
            admin_key_pem: admin_key.serialize_pem(),
        })
    }

    fn with_token(self, student_token: String) -> Pki {
        Pki {
            ca_pem: self.ca_pem,
            server_cert_pem: self.server_cert_pem,
            server_key_pem: self.server_key_pem,
            admin_cert_pem: self.admin_cert_pem,
            admin_key_pem: self.admin_key_pem,
            student_token,
        }
    }
}

impl Pki {
    /// Creates (or reuses the CA key of) the PKI under `state_dir`.
    pub fn load_or_create(state_dir: &Path) -> Result<Pki> {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        let ca_key_path = state_dir.join("ca.key");
        let ca_key = match std::fs::read_to_string(&ca_key_path)
            .ok()
            .and_then(|pem| KeyPair::from_pem(&pem).ok())
        {
            Some(key) => key,
            None => {
                let key = KeyPair::generate()?;
                write_private(&ca_key_path, key.serialize_pem().as_bytes())?;
                key
            }
        };
        // Same key and subject as before: certificates signed earlier still verify.
        let issued = Issued::by(&ca_key)?;
        std::fs::write(state_dir.join("ca.crt"), &issued.ca_pem)?;

        let tokens_path = state_dir.join("tokens.csv");
        let student_token = read_token(&tokens_path, "student").unwrap_or_else(random_token);
        // The format of kube-apiserver's --token-auth-file: token,user,uid,"group1,group2"
        write_private(
            &tokens_path,
            format!("{student_token},student,student,\"podflow:students\"\n").as_bytes(),
        )?;

        write_private(
            &state_dir.join("apiserver.key"),
            issued.server_key_pem.as_bytes(),
        )?;
        std::fs::write(state_dir.join("apiserver.crt"), &issued.server_cert_pem)?;
        write_private(
            &state_dir.join("admin.key"),
            issued.admin_key_pem.as_bytes(),
        )?;
        std::fs::write(state_dir.join("admin.crt"), &issued.admin_cert_pem)?;
        Ok(issued.with_token(student_token))
    }

    /// A fresh CA, serving certificate and admin certificate kept in memory only: the
    /// embedded clusters of `trace` and the TUI, whose kubectl speaks HTTPS over an in-memory
    /// pipe.
    pub fn ephemeral() -> Result<Pki> {
        Ok(Issued::by(&KeyPair::generate()?)?.with_token(random_token()))
    }

    /// Writes `<state-dir>/kubeconfig` for `server` (`https://127.0.0.1:6443`) and returns its path.
    pub fn write_kubeconfig(&self, state_dir: &Path, server: &str) -> Result<PathBuf> {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
        let kubeconfig = format!(
            "apiVersion: v1
kind: Config
clusters:
- name: podflow
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
- name: student
  user:
    token: {token}
contexts:
- name: podflow
  context:
    cluster: podflow
    user: admin
    namespace: default
- name: podflow-student
  context:
    cluster: podflow
    user: student
    namespace: default
current-context: podflow
preferences: {{}}
",
            ca = b64(&self.ca_pem),
            cert = b64(&self.admin_cert_pem),
            key = b64(&self.admin_key_pem),
            token = self.student_token,
        );
        let path = state_dir.join("kubeconfig");
        write_private(&path, kubeconfig.as_bytes())?;
        Ok(path)
    }

    /// The token table: token → (user, uid, groups).
    pub fn tokens(&self) -> Vec<(String, String, Vec<String>)> {
        vec![(
            self.student_token.clone(),
            "student".to_string(),
            vec!["podflow:students".to_string()],
        )]
    }
}

fn read_token(path: &Path, user: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(',');
        let token = fields.next()?;
        (fields.next()? == user && token.len() >= 32).then(|| token.to_string())
    })
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
