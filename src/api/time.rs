//! API time: how Kubernetes writes and reads instants on the wire, and how `kubectl get` words
//! an age. Owns `metav1.Time` (RFC 3339, whole seconds, UTC), `metav1.MicroTime` (six fraction
//! digits), RFC 3339 parsing, and ports of `k8s.io/apimachinery/pkg/util/duration`
//! (`HumanDuration`, `ShortHumanDuration`). Instants are Unix milliseconds (`i64`); the civil
//! calendar is computed here, with no date crate. Calls nothing else in the crate.

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const SECONDS_PER_DAY: i64 = 86_400;

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix milliseconds. A `metav1.Time` that is
/// absent or `null` decodes to it, and the printers show it as `<unknown>`.
pub const ZERO_TIME_MS: i64 = -62_135_596_800_000;

/// The wall clock, in Unix milliseconds.
pub fn now_unix_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        _ => 28,
    }
}

/// Splits an instant into its UTC calendar parts and the milliseconds within the second.
fn utc_parts(unix_ms: i64) -> (i64, u32, u32, i64, i64, i64, i64) {
    // Floor division: an instant before 1970 still belongs to the second that starts before it.
    let secs = unix_ms.div_euclid(MS_PER_SECOND);
    let millis = unix_ms.rem_euclid(MS_PER_SECOND);
    let (year, month, day) = civil_from_days(secs.div_euclid(SECONDS_PER_DAY));
    let sod = secs.rem_euclid(SECONDS_PER_DAY);
    (
        year,
        month,
        day,
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        millis,
    )
}

/// `metav1.Time` on the wire: `2026-11-23T00:43:19Z` (RFC 3339, UTC, fraction dropped).
pub fn format_time(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, _) = utc_parts(unix_ms);
    if !(0..=9999).contains(&y) {
        return format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
    }
    // Every write stamps a time: the digits are written directly rather than through `format!`.
    let mut out = String::with_capacity(20);
    let mut push = |n: i64, width: u32, then: char| {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10i64.pow(place) % 10) as u8));
        }
        out.push(then);
    };
    push(y, 4, '-');
    push(i64::from(mo), 2, '-');
    push(i64::from(d), 2, 'T');
    push(h, 2, ':');
    push(mi, 2, ':');
    push(s, 2, 'Z');
    out
}

/// `metav1.MicroTime` on the wire: `2026-11-23T00:43:19.123000Z` (always six fraction digits).
pub fn format_micro_time(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, ms) = utc_parts(unix_ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}000Z")
}

/// RFC 3339 with nanoseconds, as the kubelet stamps log lines (`kubectl logs --timestamps`):
/// `2026-11-23T03:22:20.123000000Z`.
pub fn format_rfc3339_nano(unix_ms: i64) -> String {
    let (y, mo, d, h, mi, s, ms) = utc_parts(unix_ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}000000Z")
}

/// Reads `n` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = b.get(at..at + n)?;
    part.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Parses RFC 3339 as Go's `time.Parse(time.RFC3339, s)` accepts it (`metav1.Time` and
/// `metav1.MicroTime` both decode this way): `2006-01-02T15:04:05Z`, an optional fraction of
/// 1–9 digits (kept to the millisecond), and `Z` or a `±hh:mm` offset. Returns Unix
/// milliseconds, or `None` for anything else.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = u32::try_from(digits(b, 5, 2)?).ok()?;
    let day = u32::try_from(digits(b, 8, 2)?).ok()?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if b[at] == b'.' {
        let start = at + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let len = end - start;
        if len == 0 || len > 9 {
            return None;
        }
        let scale = [100, 10, 1];
        for (i, &c) in b[start..end.min(start + 3)].iter().enumerate() {
            millis += i64::from(c - b'0') * scale[i];
        }
        at = end;
    }
    let offset_ms = match &b[at..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let oh = digits(b, at + 1, 2)?;
            let om = digits(b, at + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = oh * MS_PER_HOUR + om * MS_PER_MINUTE;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let local = days * SECONDS_PER_DAY * MS_PER_SECOND
        + hour * MS_PER_HOUR
        + minute * MS_PER_MINUTE
        + second * MS_PER_SECOND
        + millis;
    Some(local - offset_ms)
}

/// `duration.HumanDuration`: a duration with ~2–3 significant figures, as `kubectl get` shows an
/// AGE (`45s`, `119s`, `3m10s`, `10m`, `3h15m`, `8h`, `2d1h`, `8d`, `2y1d`, `8y`). Up to 2 s in the
/// future counts as now (clock skew); further is `<invalid>`.
pub fn human_duration(ms: i64) -> String {
    // Integer division truncates toward zero, as Go's int(d.Seconds()) and d / time.Minute do.
    let seconds = ms / MS_PER_SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = ms / MS_PER_MINUTE;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = ms / MS_PER_HOUR;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        format!("{hours}h{m}m")
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        format!("{}d{h}h", hours / 24)
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        let dy = hours / 24 % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        format!("{}y{dy}d", hours / 24 / 365)
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

/// `duration.ShortHumanDuration`: one unit only (`59s`, `1m`, `23h`, `364d`, `2y`).
pub fn short_human_duration(ms: i64) -> String {
    let seconds = ms / MS_PER_SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = ms / MS_PER_MINUTE;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = ms / MS_PER_HOUR;
    if hours < 24 {
        format!("{hours}h")
    } else if hours < 24 * 365 {
        format!("{}d", hours / 24)
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = MS_PER_SECOND;
    const MINUTE: i64 = MS_PER_MINUTE;
    const HOUR: i64 = MS_PER_HOUR;
    const MS: i64 = 1;

    #[test]
    fn civil_round_trip_across_four_centuries_of_days() {
        // Every day from 1600 to 2400 maps to a date and back, and dates advance one at a time.
        let start = days_from_civil(1600, 1, 1);
        let end = days_from_civil(2400, 12, 31);
        let mut prev = civil_from_days(start - 1);
        for day in start..=end {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            assert!(d >= 1 && d <= days_in_month(y, m), "{y}-{m}-{d}");
            let next_of_prev = if prev.2 < days_in_month(prev.0, prev.1) {
                (prev.0, prev.1, prev.2 + 1)
            } else if prev.1 < 12 {
                (prev.0, prev.1 + 1, 1)
            } else {
                (prev.0 + 1, 1, 1)
            };
            assert_eq!((y, m, d), next_of_prev);
            prev = (y, m, d);
        }
    }

    #[test]
    fn leap_years_follow_the_gregorian_rules() {
        for (year, feb) in [
            (1900, 28),
            (2000, 29),
            (2023, 28),
            (2024, 29),
            (2100, 28),
            (2400, 29),
        ] {
            assert_eq!(days_in_month(year, 2), feb, "{year}");
        }
        assert_eq!(parse_time("2024-02-29T12:00:00Z"), Some(1_709_208_000_000));
        assert_eq!(parse_time("2023-02-29T12:00:00Z"), None);
        assert_eq!(parse_time("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(parse_time("1900-02-29T00:00:00Z"), None);
        for ms in (-80_000_000_000_000i64..300_000_000_000_000).step_by(9_876_543_210_987) {
            let (y, mo, d, h, mi, s, _) = utc_parts(ms);
            assert_eq!(
                format_time(ms),
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            );
        }
        assert_eq!(format_time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_time(951_868_800_000), "2000-03-01T00:00:00Z");
    }

    #[test]
    fn formats_metav1_time_and_micro_time() {
        let cases = [
            (0, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
            (
                1_795_394_599_123,
                "2026-11-23T00:43:19Z",
                "2026-11-23T00:43:19.123000Z",
            ),
            (
                1_795_394_599_999,
                "2026-11-23T00:43:19Z",
                "2026-11-23T00:43:19.999000Z",
            ),
            (-1, "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.999000Z"),
            (
                ZERO_TIME_MS,
                "0001-01-01T00:00:00Z",
                "0001-01-01T00:00:00.000000Z",
            ),
            (
                253_402_300_799_000,
                "9999-12-31T23:59:59Z",
                "9999-12-31T23:59:59.000000Z",
            ),
        ];
        for (ms, time, micro) in cases {
            assert_eq!(format_time(ms), time);
            assert_eq!(format_micro_time(ms), micro);
        }
    }

    #[test]
    fn parses_rfc3339_with_fractions_and_offsets() {
        let t = 1_795_394_599_000;
        let cases = [
            ("2026-11-23T00:43:19Z", Some(t)),
            ("2026-11-23T00:43:19.123000Z", Some(t + 123)),
            ("2026-11-23T00:43:19.1Z", Some(t + 100)),
            ("2026-11-23T00:43:19.123456789Z", Some(t + 123)),
            ("2026-11-23T01:43:19+01:00", Some(t)),
            ("2026-11-22T19:13:19-05:30", Some(t)),
            ("2026-11-23T00:43:19.5+00:00", Some(t + 500)),
            ("0001-01-01T00:00:00Z", Some(ZERO_TIME_MS)),
            ("", None),
            ("2026-11-23", None),
            ("2026-11-23 00:43:19Z", None),
            ("2026-11-23T00:43:19", None),
            ("2026-11-23T00:43:19.Z", None),
            ("2026-11-23T00:43:19.1234567890Z", None),
            ("2026-13-01T00:00:00Z", None),
            ("2026-04-31T00:00:00Z", None),
            ("2026-11-23T24:00:00Z", None),
            ("2026-11-23T00:60:00Z", None),
            ("2026-11-23T00:00:60Z", None),
            ("2026-11-23T00:00:00+0100", None),
            ("2026-11-23T00:00:00Zjunk", None),
            ("2026-11-23T00:00:00é", None),
            ("２026-11-23T00:00:00Z", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time(s), want, "{s}");
        }
    }

    #[test]
    fn format_then_parse_is_identity_to_the_second() {
        for ms in [
            0,
            1_000,
            86_399_000,
            951_782_400_000,
            1_795_394_599_000,
            -86_400_000,
            ZERO_TIME_MS,
        ] {
            assert_eq!(parse_time(&format_time(ms)), Some(ms));
        }
        for ms in [1_795_394_599_123, -1, 7] {
            assert_eq!(parse_time(&format_micro_time(ms)), Some(ms));
        }
    }

    // The cases of TestHumanDuration, TestHumanDurationBoundaries and
    // TestShortHumanDurationBoundaries in k8s.io/apimachinery/pkg/util/duration, in milliseconds
    // (a 1 ns step becomes 1 ms; the truncation is the same).
    #[test]
    fn human_duration_matches_apimachinery() {
        let cases = [
            (SECOND, "1s"),
            (70 * SECOND, "70s"),
            (190 * SECOND, "3m10s"),
            (70 * MINUTE, "70m"),
            (47 * HOUR, "47h"),
            (49 * HOUR, "2d1h"),
            ((8 * 24 + 2) * HOUR, "8d"),
            ((367 * 24) * HOUR, "367d"),
            ((365 * 2 * 24 + 25) * HOUR, "2y1d"),
            ((365 * 8 * 24 + 2) * HOUR, "8y"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(d), want, "{d}ms");
        }
    }

    #[test]
    fn human_duration_boundaries_match_apimachinery() {
        let cases = [
            (-2 * SECOND, "<invalid>"),
            (-2 * SECOND + MS, "0s"),
            (0, "0s"),
            (SECOND - MS, "0s"),
            (2 * MINUTE - MS, "119s"),
            (2 * MINUTE, "2m"),
            (2 * MINUTE + SECOND, "2m1s"),
            (10 * MINUTE - MS, "9m59s"),
            (10 * MINUTE, "10m"),
            (10 * MINUTE + SECOND, "10m"),
            (3 * HOUR - MS, "179m"),
            (3 * HOUR, "3h"),
            (3 * HOUR + MINUTE, "3h1m"),
            (8 * HOUR - MS, "7h59m"),
            (8 * HOUR, "8h"),
            (8 * HOUR + 59 * MINUTE, "8h"),
            (2 * 24 * HOUR - MS, "47h"),
            (2 * 24 * HOUR, "2d"),
            (2 * 24 * HOUR + HOUR, "2d1h"),
            (8 * 24 * HOUR - MS, "7d23h"),
            (8 * 24 * HOUR, "8d"),
            (8 * 24 * HOUR + 23 * HOUR, "8d"),
            (2 * 365 * 24 * HOUR - MS, "729d"),
            (2 * 365 * 24 * HOUR, "2y"),
            (2 * 365 * 24 * HOUR + 23 * HOUR, "2y"),
            (2 * 365 * 24 * HOUR + 23 * HOUR + 59 * MINUTE, "2y"),
            (2 * 365 * 24 * HOUR + 24 * HOUR - MS, "2y"),
            (2 * 365 * 24 * HOUR + 24 * HOUR, "2y1d"),
            (3 * 365 * 24 * HOUR, "3y"),
            (4 * 365 * 24 * HOUR, "4y"),
            (5 * 365 * 24 * HOUR, "5y"),
            (6 * 365 * 24 * HOUR, "6y"),
            (7 * 365 * 24 * HOUR, "7y"),
            (8 * 365 * 24 * HOUR - MS, "7y364d"),
            (8 * 365 * 24 * HOUR, "8y"),
            (8 * 365 * 24 * HOUR + 364 * 24 * HOUR, "8y"),
            (9 * 365 * 24 * HOUR, "9y"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(d), want, "{d}ms");
        }
        // The shapes the brief names.
        assert_eq!(human_duration(5 * SECOND), "5s");
        assert_eq!(human_duration(3 * HOUR + 15 * MINUTE), "3h15m");
        assert_eq!(human_duration(51 * HOUR), "2d3h");
    }

    #[test]
    fn short_human_duration_boundaries_match_apimachinery() {
        let cases = [
            (-2 * SECOND, "<invalid>"),
            (-2 * SECOND + MS, "0s"),
            (0, "0s"),
            (SECOND - MS, "0s"),
            (SECOND, "1s"),
            (2 * SECOND - MS, "1s"),
            (MINUTE - MS, "59s"),
            (MINUTE, "1m"),
            (2 * MINUTE - MS, "1m"),
            (HOUR - MS, "59m"),
            (HOUR, "1h"),
            (2 * HOUR - MS, "1h"),
            (24 * HOUR - MS, "23h"),
            (24 * HOUR, "1d"),
            (2 * 24 * HOUR - MS, "1d"),
            (365 * 24 * HOUR - MS, "364d"),
            (365 * 24 * HOUR, "1y"),
            (2 * 365 * 24 * HOUR - MS, "1y"),
            (2 * 365 * 24 * HOUR, "2y"),
        ];
        for (d, want) in cases {
            assert_eq!(short_human_duration(d), want, "{d}ms");
        }
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for ms in [i64::MIN / 2, i64::MAX / 2, i64::MAX] {
            let _ = human_duration(ms);
            let _ = short_human_duration(ms);
        }
        assert_eq!(human_duration(i64::MIN), "<invalid>");
        assert!(now_unix_ms() > 1_700_000_000_000);
    }

    #[test]
    fn arbitrary_strings_never_panic() {
        // A fixed pseudo-random walk over the characters the parser cares about, plus multibyte ones.
        let alphabet: Vec<char> = "ab=!(),<> \\\t.-/_:1Z+Té\u{0}ü".chars().collect();
        let mut seed: u64 = 0x5eed;
        for _ in 0..20_000 {
            let mut s = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 59) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let _ = parse_time(&s);
        }
    }
}
