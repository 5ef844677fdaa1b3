//! `images`: what the simulated registry knows about images. Owns image reference
//! normalization (as containerd and the kubelet spell references), a small built-in table of
//! common images with plausible sizes and digests, the pull-time model, and which references
//! cannot be pulled, with the errors containerd really returns for them. Pure: no network, no
//! clock; unknown images get facts derived from a hash of their name.

use super::logs::{HTTPD_STARTED, NGINX_ENTRYPOINT, POSTGRES_READY, REDIS_BANNER};

/// What a node learns about an image once it has pulled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFacts {
    /// What the kubelet reports as `Image size: N bytes` and in `node.status.images`: the
    /// compressed size of the layers for linux/amd64.
    pub size_bytes: u64,
    /// The repo digest, `sha256:<64 hex>`; `<repository>@<digest>` is the container's `imageID`.
    pub digest: String,
    /// Plausible startup lines of the image, without timestamps (`logs::startup_lines` stamps
    /// and completes them).
    pub default_log: &'static [&'static str],
}

/// A pull that cannot succeed. `message` is the CRI error as the kubelet prints it after
/// `Failed to pull image "<image>": `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PullError {
    pub message: String,
}

/// The sandbox ("pause") image of Kubernetes 1.32, preloaded on every node as on kind.
pub const PAUSE_IMAGE: &str = "registry.k8s.io/pause:3.10";
/// pause:3.10's real repo digest and size as kind nodes report them.
const PAUSE_DIGEST: &str =
    "sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a";
const PAUSE_SIZE: u64 = 320_368;

/// Docker Hub's registry host: `docker.io` is only a name; containerd talks to this host.
const DOCKER_HUB_HOST: &str = "registry-1.docker.io";
/// The resolver a kind node uses (Docker's embedded DNS), named in DNS failures.
const NODE_RESOLVER: &str = "127.0.0.11:53";

/// An image reference taken apart the way `github.com/distribution/reference` does it:
/// `nginx:1.27` is domain `docker.io`, path `library/nginx`, tag `1.27`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    /// `sha256:...` when the reference pins a digest (`nginx@sha256:...`).
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(image: &str) -> ImageRef {
        let image = image.trim();
        let (name_tag, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (image, None),
        };
        // A tag is what follows the last ':' after the last '/'; a ':' before it is a port.
        let last_slash = name_tag.rfind('/');
        let (name, tag) = match name_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
                (&name_tag[..colon], Some(name_tag[colon + 1..].to_string()))
            }
            _ => (name_tag, None),
        };
        let (domain, path) = split_domain(name);
        ImageRef {
            domain,
            path,
            tag,
            digest,
        }
    }

    /// `docker.io/library/nginx`: the name without tag or digest.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The fully qualified reference: `docker.io/library/nginx:1.27`; `:latest` is added
    /// when neither tag nor digest is given.
    pub fn normalized(&self) -> String {
        let mut out = self.repository();
        match (&self.tag, &self.digest) {
            (Some(tag), _) => {
                out.push(':');
                out.push_str(tag);
            }
            (None, None) => out.push_str(":latest"),
            (None, Some(_)) => {}
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// What the registry is asked for: the digest when pinned, else the tag.
    fn object(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The manifest URL containerd's resolver sends its `HEAD` to.
    fn manifest_url(&self) -> String {
        let host = if self.domain == "docker.io" {
            DOCKER_HUB_HOST
        } else {
            &self.domain
        };
        let scheme = if is_localhost(&self.domain) {
            "http"
        } else {
            "https"
        };
        format!(
            "{scheme}://{host}/v2/{}/manifests/{}",
            self.path,
            self.object()
        )
    }
}

/// `splitDockerDomain`: the first component is a registry when it has a '.' or ':', is
/// `localhost`, or has upper case; otherwise the image is on Docker Hub, where one-component
/// names live under `library/`.
fn split_domain(name: &str) -> (String, String) {
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let domain = if domain == "index.docker.io" {
        "docker.io".to_string()
    } else {
        domain
    };
    let path = if domain == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    (domain, path)
}

fn is_localhost(domain: &str) -> bool {
    let host = domain.split(':').next().unwrap_or_default();
    host == "localhost" || host == "127.0.0.1"
}

/// `nginx:1.27` → `docker.io/library/nginx:1.27`; `nginx` → `docker.io/library/nginx:latest`;
/// `ghcr.io/x/y:v1` unchanged; a pinned `@sha256:...` is kept.
pub fn normalize(image: &str) -> String {
    ImageRef::parse(image).normalized()
}

/// The kubelet's `InvalidImageName` message for a reference it cannot parse, or `None` when
/// it parses. The kubelet stops there: it never asks the runtime to pull such an image.
pub fn invalid_image_name(image: &str) -> Option<String> {
    let prefix = format!(
        "Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: invalid reference format"
    );
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-/:@".contains(c);
    if image.is_empty() || !image.chars().all(allowed) {
        return Some(prefix);
    }
    let parsed = ImageRef::parse(image);
    if parsed.path.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(format!(
            "{prefix}: repository name ({}) must be lowercase",
            parsed.path
        ));
    }
    None
}

/// One row of the built-in table: a repository and its sizes by tag flavour.
struct Known {
    repository: &'static str,
    size: u64,
    alpine: Option<u64>,
    slim: Option<u64>,
    log: &'static [&'static str],
}

const fn known(repository: &'static str, size: u64) -> Known {
    Known {
        repository,
        size,
        alpine: None,
        slim: None,
        log: &[],
    }
}

/// Compressed linux/amd64 sizes of current tags on Docker Hub and registry.k8s.io (rounded
/// snapshots; a tag moves a little around them, see `facts`).
const KNOWN: &[Known] = &[
    Known {
        alpine: Some(20_506_631),
        log: NGINX_ENTRYPOINT,
        ..known("docker.io/library/nginx", 72_188_133)
    },
    Known {
        alpine: Some(17_289_417),
        log: REDIS_BANNER,
        ..known("docker.io/library/redis", 45_003_120)
    },
    Known {
        alpine: Some(105_602_448),
        log: POSTGRES_READY,
        ..known("docker.io/library/postgres", 153_380_227)
    },
    Known {
        alpine: Some(22_213_954),
        log: HTTPD_STARTED,
        ..known("docker.io/library/httpd", 58_120_564)
    },
    Known {
        alpine: Some(57_120_088),
        slim: Some(75_530_264),
        ..known("docker.io/library/node", 399_470_812)
    },
    Known {
        alpine: Some(20_108_320),
        slim: Some(45_217_731),
        ..known("docker.io/library/python", 380_134_554)
    },
    Known {
        alpine: Some(81_406_112),
        ..known("docker.io/library/golang", 298_720_015)
    },
    known("docker.io/library/busybox", 2_167_176),
    known("docker.io/library/alpine", 3_623_807),
    known("docker.io/library/ubuntu", 29_754_422),
    Known {
        slim: Some(28_227_259),
        ..known("docker.io/library/debian", 48_494_272)
    },
    known("docker.io/library/mysql", 172_890_320),
    Known {
        alpine: Some(6_101_448),
        ..known("docker.io/library/memcached", 31_032_866)
    },
    known("docker.io/curlimages/curl", 11_814_091),
    known("docker.io/hashicorp/http-echo", 3_445_060),
    known("registry.k8s.io/coredns/coredns", 18_562_039),
    known("registry.k8s.io/e2e-test-images/agnhost", 51_020_933),
    known("registry.k8s.io/pause", 320_368),
];

/// Size, digest and startup lines of an image. Deterministic: the same reference always
/// gets the same facts. Unknown images get 20–200 MB and a digest derived from their name.
pub fn facts(image: &str) -> ImageFacts {
    let parsed = ImageRef::parse(image);
    let normalized = parsed.normalized();
    if normalized == PAUSE_IMAGE {
        return ImageFacts {
            size_bytes: PAUSE_SIZE,
            digest: PAUSE_DIGEST.to_string(),
            default_log: &[],
        };
    }
    let hash = fnv1a(&normalized);
    let digest = parsed
        .digest
        .clone()
        .filter(|d| is_sha256_digest(d))
        .unwrap_or_else(|| digest_from(&normalized));
    let repository = parsed.repository();
    let tag = parsed.tag.as_deref().unwrap_or("latest");
    match KNOWN.iter().find(|k| k.repository == repository) {
        Some(k) => {
            let base = match (k.alpine, k.slim) {
                (Some(alpine), _) if tag.contains("alpine") => alpine,
                (_, Some(slim)) if tag.contains("slim") => slim,
                _ => k.size,
            };
            // Tags of one repository differ a little in size: ±1.5%, fixed per tag.
            let spread = base / 33;
            let size_bytes = if spread == 0 {
                base
            } else {
                base - spread / 2 + hash % spread
            };
            ImageFacts {
                size_bytes,
                digest,
                default_log: k.log,
            }
        }
        None => ImageFacts {
            size_bytes: 20_000_000 + hash % 180_000_000,
            digest,
            default_log: &[],
        },
    }
}

// The pull model, in virtual milliseconds: a fixed cost for the registry round trips, then
// the layers downloaded, then unpacked into the snapshotter. nginx (72 MB) takes ~1.9 s,
// busybox ~0.35 s, a 400 MB `node` image ~9 s: the order of a kind cluster on a good link.

/// Token, manifest list, manifest and config requests before any layer moves; also all a
/// pull of an image already present costs (it only re-resolves the tag).
pub const REGISTRY_ROUND_TRIPS_MS: i64 = 300;
/// Layer download rate.
pub const DOWNLOAD_BYTES_PER_SECOND: u64 = 60_000_000;
/// Decompress-and-apply rate, per compressed byte.
pub const UNPACK_BYTES_PER_SECOND: u64 = 200_000_000;

/// How long pulling `size_bytes` takes under the model above.
pub fn pull_duration_ms(size_bytes: u64) -> i64 {
    let bytes = u128::from(size_bytes);
    let transfer = bytes * 1000 / u128::from(DOWNLOAD_BYTES_PER_SECOND)
        + bytes * 1000 / u128::from(UNPACK_BYTES_PER_SECOND);
    i64::try_from(transfer)
        .unwrap_or(i64::MAX)
        .saturating_add(REGISTRY_ROUND_TRIPS_MS)
}

/// The error a pull of `image` fails with, or `None` when it can be pulled. Unpullable:
/// - a registry host that does not resolve (`invalid.…`, or under the reserved `.invalid`,
///   `.example`, `.test` TLDs): a DNS failure;
/// - a registry on `localhost`/`127.0.0.1` (nothing listens there in the simulation);
/// - a repository named `…does-not-exist…`, `…doesnotexist…` or `…nonexistent…`: Docker Hub
///   answers 401 for repositories it does not have, other registries 404;
/// - a tag `does-not-exist`, `doesnotexist`, or containing `nonexistent`: 404, not found.
pub fn pull_error(image: &str) -> Option<PullError> {
    let parsed = ImageRef::parse(image);
    let host = parsed.domain.split(':').next().unwrap_or_default();
    let cause = if unresolvable(host) {
        format!(
            "failed to do request: Head {:?}: dial tcp: lookup {host} on {NODE_RESOLVER}: no such host",
            parsed.manifest_url()
        )
    } else if is_localhost(&parsed.domain) {
        let port = parsed.domain.split(':').nth(1).unwrap_or("80");
        format!(
            "failed to do request: Head {:?}: dial tcp 127.0.0.1:{port}: connect: connection refused",
            parsed.manifest_url()
        )
    } else if missing(&parsed.path) {
        if parsed.domain == "docker.io" {
            "pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed".to_string()
        } else {
            return Some(not_found(&parsed));
        }
    } else if parsed
        .tag
        .as_deref()
        .is_some_and(|t| t == "does-not-exist" || t == "doesnotexist" || t.contains("nonexistent"))
    {
        return Some(not_found(&parsed));
    } else {
        return None;
    };
    Some(unknown_resolve_error(&parsed, &cause))
}

/// What every pull fails with while the registry is down (the `set_pull_failure` fault): the
/// resolver's `HEAD` for the manifest gets a 503.
pub fn registry_unavailable(image: &str) -> PullError {
    let parsed = ImageRef::parse(image);
    let cause = format!(
        "unexpected status from HEAD request to {}: 503 Service Unavailable",
        parsed.manifest_url()
    );
    unknown_resolve_error(&parsed, &cause)
}

/// A 404 on the manifest: containerd maps it to `errdefs.ErrNotFound`, so gRPC `NotFound`.
fn not_found(parsed: &ImageRef) -> PullError {
    let reference = parsed.normalized();
    PullError {
        message: format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image {reference:?}: failed to resolve reference {reference:?}: {reference}: not found"
        ),
    }
}

/// Any other resolve failure reaches the kubelet as gRPC `Unknown`.
fn unknown_resolve_error(parsed: &ImageRef, cause: &str) -> PullError {
    let reference = parsed.normalized();
    PullError {
        message: format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image {reference:?}: failed to resolve reference {reference:?}: {cause}"
        ),
    }
}

fn unresolvable(host: &str) -> bool {
    host.starts_with("invalid.")
        || [".invalid", ".example", ".test"]
            .iter()
            .any(|tld| host.ends_with(tld))
        || missing(host)
}

fn missing(name: &str) -> bool {
    ["does-not-exist", "doesnotexist", "nonexistent"]
        .iter()
        .any(|marker| name.contains(marker))
}

fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// A stand-in digest: 256 bits spread from the name's hash. Not the sha256 of any content,
/// but stable and shaped like one.
fn digest_from(name: &str) -> String {
    let seed = fnv1a(name);
    let hex: String = (0..4u64)
        .map(|i| {
            format!(
                "{:016x}",
                splitmix64(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            )
        })
        .collect();
    format!("sha256:{hex}")
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_cases() {
        let cases = [
            ("nginx:1.27", "docker.io/library/nginx:1.27"),
            ("nginx", "docker.io/library/nginx:latest"),
            ("library/nginx", "docker.io/library/nginx:latest"),
            ("docker.io/nginx:1.27", "docker.io/library/nginx:1.27"),
            (
                "index.docker.io/library/nginx",
                "docker.io/library/nginx:latest",
            ),
            ("bitnami/redis:7.2", "docker.io/bitnami/redis:7.2"),
            ("ghcr.io/x/y:v1", "ghcr.io/x/y:v1"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
            ("localhost/app:dev", "localhost/app:dev"),
            ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
            (
                "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                "docker.io/library/nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ),
            (
                "nginx:1.27@sha256:abc",
                "docker.io/library/nginx:1.27@sha256:abc",
            ),
            ("  redis  ", "docker.io/library/redis:latest"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), want, "normalize({input:?})");
        }
    }

    #[test]
    fn facts_are_deterministic_and_plausible() {
        let a = facts("nginx:1.27");
        assert_eq!(a, facts("docker.io/library/nginx:1.27"));
        assert_eq!(a.default_log, NGINX_ENTRYPOINT);
        assert!((70_000_000..74_000_000).contains(&a.size_bytes));
        assert!(a.digest.starts_with("sha256:") && a.digest.len() == 71);
        assert!(is_sha256_digest(&a.digest));
        assert_ne!(a.digest, facts("nginx:1.26").digest);
        assert!(facts("nginx:1.27-alpine").size_bytes < 25_000_000);
        assert!(facts("python:3.12-slim").size_bytes < 50_000_000);
        assert!(facts("busybox").size_bytes < 3_000_000);

        let unknown = facts("ghcr.io/acme/billing:v3");
        assert_eq!(unknown, facts("ghcr.io/acme/billing:v3"));
        assert!((20_000_000..200_000_000).contains(&unknown.size_bytes));
        assert!(unknown.default_log.is_empty());

        let pause = facts(PAUSE_IMAGE);
        assert_eq!(pause.size_bytes, 320_368);
        assert_eq!(pause.digest, PAUSE_DIGEST);

        let pinned = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        assert_eq!(facts(&format!("nginx@{pinned}")).digest, pinned);
    }

    #[test]
    fn pull_model() {
        assert_eq!(pull_duration_ms(0), 300);
        // 60 MB: 1 s download + 0.3 s unpack + 0.3 s round trips.
        assert_eq!(pull_duration_ms(60_000_000), 1_600);
        assert!(pull_duration_ms(u64::MAX) > 0);
    }

    #[test]
    fn missing_tag_is_not_found() {
        let err = pull_error("nginx:does-not-exist").unwrap();
        assert_eq!(
            err.message,
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:does-not-exist\": failed to resolve reference \"docker.io/library/nginx:does-not-exist\": docker.io/library/nginx:does-not-exist: not found"
        );
        assert_eq!(err.to_string(), err.message);
        assert!(pull_error("nginx:doesnotexist").is_some());
        assert!(pull_error("nginx:v1-nonexistent").is_some());
        assert!(
            pull_error("ghcr.io/acme/nonexistent-app:v1")
                .unwrap()
                .message
                .contains("code = NotFound")
        );
    }

    #[test]
    fn missing_docker_hub_repository_is_access_denied() {
        let err = pull_error("acme/does-not-exist").unwrap();
        assert_eq!(
            err.message,
            "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/acme/does-not-exist:latest\": failed to resolve reference \"docker.io/acme/does-not-exist:latest\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        );
    }

    #[test]
    fn unresolvable_registry_and_localhost() {
        let err = pull_error("invalid.registry.io/team/app:1.0").unwrap();
        assert_eq!(
            err.message,
            "rpc error: code = Unknown desc = failed to pull and unpack image \"invalid.registry.io/team/app:1.0\": failed to resolve reference \"invalid.registry.io/team/app:1.0\": failed to do request: Head \"https://invalid.registry.io/v2/team/app/manifests/1.0\": dial tcp: lookup invalid.registry.io on 127.0.0.11:53: no such host"
        );
        assert!(pull_error("registry.example/app").is_some());
        let local = pull_error("localhost:5000/app:dev").unwrap();
        assert!(local.message.ends_with(
            "failed to do request: Head \"http://localhost:5000/v2/app/manifests/dev\": dial tcp 127.0.0.1:5000: connect: connection refused"
        ));
    }

    #[test]
    fn pullable_images() {
        for image in [
            "nginx",
            "nginx:1.27",
            "redis:7",
            "ghcr.io/x/y:v1",
            PAUSE_IMAGE,
        ] {
            assert_eq!(pull_error(image), None, "{image}");
        }
    }

    #[test]
    fn registry_down() {
        assert_eq!(
            registry_unavailable("nginx:1.27").message,
            "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/nginx:1.27\": failed to resolve reference \"docker.io/library/nginx:1.27\": unexpected status from HEAD request to https://registry-1.docker.io/v2/library/nginx/manifests/1.27: 503 Service Unavailable"
        );
    }

    #[test]
    fn invalid_names() {
        assert_eq!(
            invalid_image_name("Nginx").as_deref(),
            Some(
                "Failed to apply default image tag \"Nginx\": couldn't parse image name \"Nginx\": invalid reference format: repository name (library/Nginx) must be lowercase"
            )
        );
        assert!(invalid_image_name("nginx latest").is_some());
        assert_eq!(invalid_image_name("nginx:1.27"), None);
        assert_eq!(invalid_image_name("ghcr.io/x/y:V1"), None);
    }
}
