//! `logs`: what simulated containers print. Owns the log line type the runtime stores and the
//! texts common images really write at startup (nginx's `docker-entrypoint.sh`, redis's banner,
//! httpd, postgres) and while serving (access log lines), each stamped the way that image stamps
//! it. Pure: time comes in as `now_ms`, nothing reads a clock.

use serde::{Deserialize, Serialize};

use super::images::ImageRef;

/// Which pipe a line came out of. The CRI log file records it per line (`stdout`/`stderr`),
/// and `kubectl logs` shows both interleaved in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    /// The word containerd writes in the CRI log file.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// One line a container wrote: what `kubectl logs` returns, one per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// When the runtime received the line (Unix ms, virtual clock).
    pub time_ms: i64,
    pub stream: Stream,
    /// The text without the trailing newline.
    pub text: String,
}

impl LogLine {
    pub fn new(time_ms: i64, stream: Stream, text: impl Into<String>) -> LogLine {
        LogLine {
            time_ms,
            stream,
            text: text.into(),
        }
    }

    /// The line as containerd stores it in `/var/log/pods/.../0.log`:
    /// `2024-11-23T03:22:20.123Z stdout F <text>` (`F` = a full line, not a partial one).
    pub fn cri_format(&self) -> String {
        format!(
            "{} {} F {}",
            rfc3339_nano(self.time_ms),
            self.stream.as_str(),
            self.text
        )
    }

    /// The line as `kubectl logs --timestamps` prints it.
    pub fn with_timestamp(&self) -> String {
        format!("{} {}", rfc3339_nano(self.time_ms), self.text)
    }
}

// Facts of the simulated node that images print. They mirror `node_object.rs` (4 CPUs, kernel
// `6.8.0-podflow`, kubelet v1.32) so a learner who compares `kubectl describe node` with the
// nginx log sees the same machine.
const NODE_KERNEL: &str = "6.8.0-podflow";
const NODE_CPUS: u32 = 4;
/// The kubelet's probe User-Agent is `kube-probe/<major>.<minor>`.
const KUBE_PROBE_AGENT: &str = "kube-probe/1.32";

/// nginx's `/docker-entrypoint.sh` output on the Debian-based images 1.25.3 and later (the
/// scripts in `/docker-entrypoint.d/` of `nginxinc/docker-nginx`), all on stdout.
pub(crate) const NGINX_ENTRYPOINT: &[&str] = &[
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
];

/// redis 7.2+'s startup messages without the `1:C <time> *` prefix, in the order it prints
/// them with no config file and an empty data directory.
pub(crate) const REDIS_BANNER: &[&str] = &[
    "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.",
    "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
    "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf",
    "monotonic clock: POSIX clock_gettime",
    "Running mode=standalone, port=6379.",
    "Server initialized",
    "Ready to accept connections tcp",
];

/// httpd's two notices once it is up (`httpd -D FOREGROUND` is the image's CMD).
pub(crate) const HTTPD_STARTED: &[&str] = &[
    "AH00489: Apache/2.4.63 (Unix) configured -- resuming normal operations",
    "AH00094: Command line: 'httpd -D FOREGROUND'",
];

/// The last thing postgres says when it is ready.
pub(crate) const POSTGRES_READY: &[&str] = &["database system is ready to accept connections"];

/// The family of an image, by its repository's last path component: what decides what it
/// prints. Images that run a user's command (busybox, alpine, ...) print nothing of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Nginx,
    Redis,
    Httpd,
    Postgres,
    HttpEcho,
    Quiet,
    Unknown,
}

fn family(image: &ImageRef) -> Family {
    let name = image.path.rsplit('/').next().unwrap_or_default();
    match name {
        "nginx" => Family::Nginx,
        "redis" => Family::Redis,
        "httpd" => Family::Httpd,
        "postgres" => Family::Postgres,
        "http-echo" => Family::HttpEcho,
        // Shells, language runtimes and daemons that log nothing by default: what they print
        // comes from the command a pod gives them, which the kubelet knows and this does not.
        "busybox" | "alpine" | "ubuntu" | "debian" | "node" | "python" | "golang" | "pause"
        | "memcached" | "curl" => Family::Quiet,
        _ => Family::Unknown,
    }
}

/// What a container prints as it starts, stamped from `now_ms` on (a few ms apart, as the
/// real processes take). nginx: the entrypoint lines then its notices; redis: its banner;
/// httpd, postgres, http-echo: their startup lines; busybox/alpine and other shells: nothing;
/// an image this does not know: one line `<container> started`.
pub fn startup_lines(image: &str, container: &str, pod_ip: &str, now_ms: i64) -> Vec<LogLine> {
    let image_ref = ImageRef::parse(image);
    let tag = image_ref.tag.as_deref().unwrap_or("latest");
    let mut out = Lines::new(now_ms);
    match family(&image_ref) {
        Family::Nginx => nginx_startup(&mut out, tag),
        Family::Redis => redis_startup(&mut out, tag),
        Family::Httpd => httpd_startup(&mut out, pod_ip),
        Family::Postgres => postgres_startup(&mut out, tag),
        Family::HttpEcho => {
            let time = go_log_time(out.at(12));
            out.push(
                12,
                Stream::Stderr,
                format!("{time} [INFO] server is listening on :5678"),
            );
        }
        Family::Quiet => {}
        Family::Unknown => out.push(0, Stream::Stdout, format!("{container} started")),
    }
    out.lines
}

/// The `n`th line a running container writes on its own, at `now_ms`, or `None` for images
/// that stay quiet. Web servers write an access log line per request; the client rotates with
/// `n`: the kubelet's probe (from the node, i.e. the `cni0` gateway `x.y.z.1`), `curl` from a
/// pod on another node, then busybox `wget` from one.
pub fn periodic_line(image: &str, pod_ip: &str, now_ms: i64, n: u64) -> Option<LogLine> {
    let (client, agent) = client(pod_ip, n);
    let time = access_log_time(now_ms);
    let text = match family(&ImageRef::parse(image)) {
        // nginx's default `log_format main` (combined plus X-Forwarded-For); its default
        // index.html is 615 bytes.
        Family::Nginx => {
            format!("{client} - - [{time}] \"GET / HTTP/1.1\" 200 615 \"-\" \"{agent}\" \"-\"")
        }
        // httpd's default `common` format; "It works!" is 45 bytes.
        Family::Httpd => format!("{client} - - [{time}] \"GET / HTTP/1.1\" 200 45"),
        _ => return None,
    };
    Some(LogLine::new(now_ms, Stream::Stdout, text))
}

/// Who sends request `n`, and with which User-Agent.
fn client(pod_ip: &str, n: u64) -> (String, &'static str) {
    let octets = pod_ip
        .parse::<std::net::Ipv4Addr>()
        .map(|ip| ip.octets())
        .unwrap_or([10, 244, 1, 2]);
    match n % 3 {
        0 => (
            format!("{}.{}.{}.1", octets[0], octets[1], octets[2]),
            KUBE_PROBE_AGENT,
        ),
        k => {
            // Another node's /24 in the same cluster range, and a host in it that moves with n.
            let third = octets[2].wrapping_add(k as u8);
            let host = 2 + (n / 3 % 40) as u8;
            let agent = if k == 1 { "curl/8.11.1" } else { "Wget" };
            (format!("{}.{}.{third}.{host}", octets[0], octets[1]), agent)
        }
    }
}

/// Lines stamped at `start + offset`.
struct Lines {
    start: i64,
    lines: Vec<LogLine>,
}

impl Lines {
    fn new(start: i64) -> Lines {
        Lines {
            start,
            lines: Vec::new(),
        }
    }

    fn at(&self, offset_ms: i64) -> i64 {
        self.start.saturating_add(offset_ms)
    }

    fn push(&mut self, offset_ms: i64, stream: Stream, text: String) {
        let time = self.at(offset_ms);
        self.lines.push(LogLine::new(time, stream, text));
    }
}

fn nginx_startup(out: &mut Lines, tag: &str) {
    for (i, line) in NGINX_ENTRYPOINT.iter().enumerate() {
        out.push(i as i64 * 3, Stream::Stdout, (*line).to_string());
    }
    // From here on it is nginx itself: its error log (notices included) is linked to stderr.
    let offset = 40;
    let time = nginx_time(out.at(offset));
    let compiler = if tag.contains("alpine") {
        "gcc 13.2.1 20240309 (Alpine 13.2.1_git20240309) "
    } else {
        "gcc 12.2.0 (Debian 12.2.0-14) "
    };
    let mut notices = vec![
        "using the \"epoll\" event method".to_string(),
        format!("nginx/{}", nginx_version(tag)),
        format!("built by {compiler}"),
        format!("OS: Linux {NODE_KERNEL}"),
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
        "start worker processes".to_string(),
    ];
    // `worker_processes auto;` starts one worker per CPU; the entrypoint's children used the
    // PIDs before them.
    notices.extend((0..NODE_CPUS).map(|i| format!("start worker process {}", 29 + i)));
    for notice in notices {
        out.push(
            offset,
            Stream::Stderr,
            format!("{time} [notice] 1#1: {notice}"),
        );
    }
}

fn redis_startup(out: &mut Lines, tag: &str) {
    let version = redis_version(tag);
    let (major, minor) = major_minor(&version);
    let modern = (major, minor) >= (7, 2);
    let stamp = |out: &Lines, offset: i64, role: char, level: char, text: &str| {
        format!("1:{role} {} {level} {text}", redis_time(out.at(offset)))
    };
    let mut lines: Vec<(i64, char, char, String)> = Vec::new();
    if modern {
        // Since 7.2 the overcommit check runs first, before the banner.
        lines.push((0, 'C', '#', REDIS_BANNER[0].to_string()));
    }
    lines.push((0, 'C', '*', REDIS_BANNER[1].to_string()));
    lines.push((
        0,
        'C',
        '*',
        format!(
            "Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started"
        ),
    ));
    lines.push((0, 'C', '#', REDIS_BANNER[2].to_string()));
    lines.push((1, 'M', '*', REDIS_BANNER[3].to_string()));
    lines.push((1, 'M', '*', REDIS_BANNER[4].to_string()));
    lines.push((2, 'M', '*', REDIS_BANNER[5].to_string()));
    let ready = if modern {
        REDIS_BANNER[6]
    } else {
        "Ready to accept connections"
    };
    lines.push((2, 'M', '*', ready.to_string()));
    for (offset, role, level, text) in lines {
        let line = stamp(out, offset, role, level, &text);
        out.push(offset, Stream::Stdout, line);
    }
}

fn httpd_startup(out: &mut Lines, pod_ip: &str) {
    // Without a ServerName httpd looks up its own address, the pod IP, and says so twice
    // (once while checking the config, once when it really starts).
    let ah00558 = format!(
        "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {pod_ip}. Set the 'ServerName' directive globally to suppress this message"
    );
    out.push(0, Stream::Stderr, ah00558.clone());
    out.push(2, Stream::Stderr, ah00558);
    let time = httpd_time(out.at(3));
    out.push(
        3,
        Stream::Stderr,
        format!(
            "[{time}] [mpm_event:notice] [pid 1:tid 139730366576512] {}",
            HTTPD_STARTED[0]
        ),
    );
    let time = httpd_time(out.at(4));
    out.push(
        4,
        Stream::Stderr,
        format!(
            "[{time}] [core:notice] [pid 1:tid 139730366576512] {}",
            HTTPD_STARTED[1]
        ),
    );
}

fn postgres_startup(out: &mut Lines, tag: &str) {
    let version = postgres_version(tag);
    let stdout = [
        "The files belonging to this database system will be owned by user \"postgres\".",
        "This user must also own the server process.",
        "",
        "The database cluster will be initialized with locale \"en_US.utf8\".",
        "The default database encoding has accordingly been set to \"UTF8\".",
        "The default text search configuration will be set to \"english\".",
        "",
        "Data page checksums are disabled.",
        "",
        "fixing permissions on existing directory /var/lib/postgresql/data ... ok",
        "creating subdirectories ... ok",
        "selecting dynamic shared memory implementation ... posix",
        "selecting default max_connections ... 100",
        "selecting default shared_buffers ... 128MB",
        "selecting default time zone ... Etc/UTC",
        "creating configuration files ... ok",
        "running bootstrap script ... ok",
        "performing post-bootstrap initialization ... ok",
        "syncing data to disk ... ok",
        "",
        "",
        "Success. You can now start the database server using:",
        "",
        "    pg_ctl -D /var/lib/postgresql/data -l logfile start",
        "",
    ];
    for (i, line) in stdout.iter().enumerate() {
        out.push(i as i64 * 20, Stream::Stdout, (*line).to_string());
    }
    out.push(
        600,
        Stream::Stderr,
        "initdb: warning: enabling \"trust\" authentication for local connections".to_string(),
    );
    out.push(
        600,
        Stream::Stderr,
        "initdb: hint: You can change this by editing pg_hba.conf or using the option -A, or --auth-local and --auth-host, the next time you run initdb.".to_string(),
    );
    out.push(
        1400,
        Stream::Stdout,
        "PostgreSQL init process complete; ready for start up.".to_string(),
    );
    let starting = format!(
        "starting PostgreSQL {version} (Debian {version}-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"
    );
    let server: [(i64, u32, String); 6] = [
        (1500, 1, starting),
        (
            1501,
            1,
            "listening on IPv4 address \"0.0.0.0\", port 5432".to_string(),
        ),
        (
            1501,
            1,
            "listening on IPv6 address \"::\", port 5432".to_string(),
        ),
        (
            1503,
            1,
            "listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\"".to_string(),
        ),
        (
            1508,
            76,
            format!(
                "database system was shut down at {}",
                postgres_time_seconds(out.at(1390))
            ),
        ),
        (1512, 1, POSTGRES_READY[0].to_string()),
    ];
    for (offset, pid, text) in server {
        let time = postgres_time(out.at(offset));
        out.push(
            offset,
            Stream::Stderr,
            format!("{time} [{pid}] LOG:  {text}"),
        );
    }
}

/// The nginx release an image tag runs (a snapshot of Docker Hub's tags).
fn nginx_version(tag: &str) -> String {
    if let Some(v) = full_version(tag) {
        return v;
    }
    let known = [
        ("1.28", "1.28.0"),
        ("1.27", "1.27.5"),
        ("1.26", "1.26.3"),
        ("1.25", "1.25.5"),
        ("1.24", "1.24.0"),
        ("stable", "1.28.0"),
    ];
    lookup_version(tag, &known, "1.27.5")
}

fn redis_version(tag: &str) -> String {
    if let Some(v) = full_version(tag) {
        return v;
    }
    let known = [
        ("7.4", "7.4.2"),
        ("7.2", "7.2.7"),
        ("7.0", "7.0.15"),
        ("7", "7.4.2"),
        ("6.2", "6.2.17"),
        ("6", "6.2.17"),
    ];
    lookup_version(tag, &known, "7.4.2")
}

fn postgres_version(tag: &str) -> String {
    // postgres tags are `<major>` or `<major>.<minor>`.
    let number: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if number.contains('.') {
        return number;
    }
    match number.as_str() {
        "17" | "" => "17.4".to_string(),
        "16" => "16.8".to_string(),
        "15" => "15.12".to_string(),
        "14" => "14.17".to_string(),
        other => format!("{other}.0"),
    }
}

/// `1.27.3` or `1.27.3-alpine` → `1.27.3`.
fn full_version(tag: &str) -> Option<String> {
    let number: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (number.split('.').filter(|p| !p.is_empty()).count() == 3).then_some(number)
}

/// A short tag (`1.27`, `1.27-alpine`, `stable`) → its release; a `major.minor` the table
/// does not have → its `.0`; anything else (`latest`, `alpine`, …) → `default`.
fn lookup_version(tag: &str, known: &[(&str, &str)], default: &str) -> String {
    let head = tag.split('-').next().unwrap_or_default();
    if let Some((_, full)) = known.iter().find(|(short, _)| *short == head) {
        return (*full).to_string();
    }
    let numeric = head
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if numeric && head.split('.').count() == 2 {
        return format!("{head}.0");
    }
    default.to_string()
}

fn major_minor(version: &str) -> (u32, u32) {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// A moment in UTC, broken down (containers run with `TZ` unset, so they all print UTC).
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
    /// 0 = Sunday.
    weekday: u32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

impl Civil {
    fn from_ms(ms: i64) -> Civil {
        let secs = ms.div_euclid(1000);
        let millis = ms.rem_euclid(1000) as u32;
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400) as u32;
        // Howard Hinnant's days-from-civil inverse: exact for the proleptic Gregorian calendar.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            millis,
            // 1970-01-01 was a Thursday.
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    fn month_name(&self) -> &'static str {
        MONTHS[(self.month as usize + 11) % 12]
    }

    fn hms(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

/// RFC 3339 with fractional seconds trimmed of trailing zeros, as Go's `time.RFC3339Nano`
/// writes it (containerd's log timestamps, `kubectl logs --timestamps`).
pub fn rfc3339_nano(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    let mut frac = format!("{:03}", c.millis);
    while frac.ends_with('0') {
        frac.pop();
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!(
        "{:04}-{:02}-{:02}T{}{frac}Z",
        c.year,
        c.month,
        c.day,
        c.hms()
    )
}

/// nginx's error log time: `2024/11/23 03:22:20`.
fn nginx_time(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!("{:04}/{:02}/{:02} {}", c.year, c.month, c.day, c.hms())
}

/// Go's `log` package default prefix has the same shape as nginx's.
fn go_log_time(ms: i64) -> String {
    nginx_time(ms)
}

/// Access log `$time_local` (nginx) / `%t` (httpd): `23/Nov/2024:03:22:25 +0000`.
fn access_log_time(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!(
        "{:02}/{}/{:04}:{} +0000",
        c.day,
        c.month_name(),
        c.year,
        c.hms()
    )
}

/// redis: `23 Nov 2024 03:22:20.123`.
fn redis_time(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!(
        "{:02} {} {:04} {}.{:03}",
        c.day,
        c.month_name(),
        c.year,
        c.hms(),
        c.millis
    )
}

/// httpd's error log: `Sat Nov 23 03:22:20.123456 2024`. The clock has ms; the microseconds
/// are filled from the ms so the same moment always prints the same.
fn httpd_time(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    let micros = c.millis * 1000 + (ms.rem_euclid(997) as u32 % 1000);
    format!(
        "{} {} {:02} {}.{:06} {:04}",
        WEEKDAYS[c.weekday as usize],
        c.month_name(),
        c.day,
        c.hms(),
        micros,
        c.year
    )
}

/// postgres `log_line_prefix` `%m`: `2024-11-23 03:22:21.123 UTC`.
fn postgres_time(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!(
        "{:04}-{:02}-{:02} {}.{:03} UTC",
        c.year,
        c.month,
        c.day,
        c.hms(),
        c.millis
    )
}

fn postgres_time_seconds(ms: i64) -> String {
    let c = Civil::from_ms(ms);
    format!("{:04}-{:02}-{:02} {} UTC", c.year, c.month, c.day, c.hms())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-11-23 03:22:20 UTC, a Saturday.
    const NOW: i64 = 1_732_332_140_000;

    fn texts(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn nginx_prints_the_entrypoint_then_its_notices() {
        let lines = startup_lines("nginx:1.27", "web", "10.244.1.2", NOW);
        let t = texts(&lines);
        assert_eq!(
            t[0],
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
        );
        assert!(t.contains(&"/docker-entrypoint.sh: Configuration complete; ready for start up"));
        assert!(t.contains(&"2024/11/23 03:22:20 [notice] 1#1: nginx/1.27.5"));
        assert!(t.contains(&"2024/11/23 03:22:20 [notice] 1#1: start worker processes"));
        assert!(t.contains(&"2024/11/23 03:22:20 [notice] 1#1: start worker process 32"));
        assert!(t.contains(&"2024/11/23 03:22:20 [notice] 1#1: OS: Linux 6.8.0-podflow"));
        // Entrypoint on stdout, nginx's own notices on stderr, in time order.
        assert!(lines[..9].iter().all(|l| l.stream == Stream::Stdout));
        assert!(lines[9..].iter().all(|l| l.stream == Stream::Stderr));
        assert!(lines.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
        assert_eq!(lines[0].time_ms, NOW);
    }

    #[test]
    fn nginx_version_follows_the_tag() {
        let has = |image: &str, want: &str| {
            texts(&startup_lines(image, "c", "10.244.1.2", NOW))
                .iter()
                .any(|t| t.ends_with(want))
        };
        assert!(has("nginx:1.25.4", "nginx/1.25.4"));
        assert!(has("nginx", "nginx/1.27.5"));
        assert!(has("docker.io/library/nginx:1.26-alpine", "nginx/1.26.3"));
        assert!(has("nginx:alpine", "(Alpine 13.2.1_git20240309) "));
        assert!(has("nginx:1.29", "nginx/1.29.0"));
    }

    #[test]
    fn redis_prints_its_banner() {
        let lines = startup_lines("redis:7.4", "cache", "10.244.1.3", NOW);
        let t = texts(&lines);
        assert!(t[0].starts_with("1:C 23 Nov 2024 03:22:20.000 # WARNING Memory overcommit"));
        assert_eq!(
            t[1],
            "1:C 23 Nov 2024 03:22:20.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"
        );
        assert_eq!(
            t[2],
            "1:C 23 Nov 2024 03:22:20.000 * Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started"
        );
        assert_eq!(
            *t.last().unwrap(),
            "1:M 23 Nov 2024 03:22:20.002 * Ready to accept connections tcp"
        );
        let old = startup_lines("redis:6.2", "cache", "10.244.1.3", NOW);
        assert!(
            old.last()
                .unwrap()
                .text
                .ends_with("Ready to accept connections")
        );
    }

    #[test]
    fn quiet_and_unknown_images() {
        assert!(startup_lines("busybox:1.36", "sh", "10.244.1.4", NOW).is_empty());
        assert!(startup_lines("alpine", "sh", "10.244.1.4", NOW).is_empty());
        let unknown = startup_lines("ghcr.io/acme/billing:v3", "billing", "10.244.1.4", NOW);
        assert_eq!(texts(&unknown), vec!["billing started"]);
        assert_eq!(unknown[0].stream, Stream::Stdout);
    }

    #[test]
    fn httpd_names_the_pod_ip() {
        let lines = startup_lines("httpd:2.4", "web", "10.244.2.7", NOW);
        assert!(lines[0].text.contains("using 10.244.2.7."));
        assert!(lines[2].text.starts_with("[Sat Nov 23 03:22:20."));
        assert!(lines[2].text.ends_with(
            "[mpm_event:notice] [pid 1:tid 139730366576512] AH00489: Apache/2.4.63 (Unix) configured -- resuming normal operations"
        ));
    }

    #[test]
    fn postgres_ends_ready() {
        let lines = startup_lines("postgres:16", "db", "10.244.1.5", NOW);
        let last = lines.last().unwrap();
        assert!(
            last.text
                .ends_with("[1] LOG:  database system is ready to accept connections")
        );
        assert!(
            lines
                .iter()
                .any(|l| l.text.contains("PostgreSQL 16.8 (Debian"))
        );
    }

    #[test]
    fn access_log_lines_rotate_clients() {
        let probe = periodic_line("nginx:1.27", "10.244.1.2", NOW + 5000, 0).unwrap();
        assert_eq!(
            probe.text,
            "10.244.1.1 - - [23/Nov/2024:03:22:25 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" \"kube-probe/1.32\" \"-\""
        );
        assert_eq!(probe.stream, Stream::Stdout);
        let curl = periodic_line("nginx:1.27", "10.244.1.2", NOW, 1).unwrap();
        assert!(curl.text.starts_with("10.244.2.2 - - ["));
        assert!(curl.text.contains("\"curl/8.11.1\""));
        let httpd = periodic_line("httpd", "10.244.1.2", NOW, 3).unwrap();
        assert_eq!(
            httpd.text,
            "10.244.1.1 - - [23/Nov/2024:03:22:20 +0000] \"GET / HTTP/1.1\" 200 45"
        );
        assert_eq!(periodic_line("redis:7", "10.244.1.2", NOW, 0), None);
        assert_eq!(periodic_line("busybox", "10.244.1.2", NOW, 0), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_nano(NOW), "2024-11-23T03:22:20Z");
        assert_eq!(rfc3339_nano(NOW + 120), "2024-11-23T03:22:20.12Z");
        assert_eq!(rfc3339_nano(0), "1970-01-01T00:00:00Z");
        // Leap day, and a time before the epoch.
        assert_eq!(rfc3339_nano(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_nano(-1), "1969-12-31T23:59:59.999Z");
        let line = LogLine::new(NOW + 7, Stream::Stderr, "boom");
        assert_eq!(line.cri_format(), "2024-11-23T03:22:20.007Z stderr F boom");
        assert_eq!(line.with_timestamp(), "2024-11-23T03:22:20.007Z boom");
    }
}
