//! `resource.Quantity` of k8s.io/apimachinery: the fixed-point numbers of resource requests,
//! limits, node capacity and sizes (`100m`, `1.5Gi`, `2e3`). Owns parsing with the real
//! parser's grammar and error texts, exact arithmetic and comparison (no floating point), and
//! the canonical form that `Quantity.String()` and the JSON encoder emit. Calls nothing else.
//!
//! A value is `mantissa × 10^exponent` with an `i128` mantissa; parsing rounds up to nano
//! units as Go does, so the exponent is never below -9 for parsed values.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// The regular expression the real error message quotes.
pub const QUANTITY_REGEX: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

/// The errors of `resource.ParseQuantity`, with its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    FormatWrong,
    #[error("unable to parse numeric part of quantity")]
    Numeric,
    #[error("unable to parse quantity's suffix")]
    Suffix,
}

/// The suffix family a quantity was written in; the canonical form keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `12e6`
    DecimalExponent,
    /// `12Mi` (12 × 2^20)
    BinarySI,
    /// `12M` (12 × 10^6)
    DecimalSI,
}

/// A `resource.Quantity`.
#[derive(Debug, Clone)]
pub struct Quantity {
    mantissa: i128,
    exponent: i32,
    format: Format,
    /// Go keeps the text it parsed when that text is already canonical, and `String()` (so the
    /// JSON reply) returns it verbatim: `+1` stays `+1`. Arithmetic clears it.
    text: Option<String>,
}

const DECIMAL_SUFFIXES: [(&str, i32); 10] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];
const BINARY_SUFFIXES: [(&str, u32); 6] = [
    ("Ki", 10),
    ("Mi", 20),
    ("Gi", 30),
    ("Ti", 40),
    ("Pi", 50),
    ("Ei", 60),
];
const SUFFIX_CHARS: &[u8] = b"eEinumkKMGTP";
/// The most digits either side of the point that parsing takes in.
const MAX_DIGITS: usize = 400;

impl Quantity {
    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        if s == "0" {
            return Ok(Quantity {
                text: Some("0".into()),
                ..Quantity::zero(Format::DecimalSI)
            });
        }
        let scanned = scan(s)?;
        let (base, exp, format) = interpret_suffix(scanned.suffix).ok_or(QuantityError::Suffix)?;
        let text = keeps_text(&scanned, base, exp, format).then(|| s.to_string());
        if !scanned.has_digit {
            return if takes_fast_path(&scanned, exp, format) {
                Ok(Quantity::zero(format))
            } else {
                Err(QuantityError::Numeric)
            };
        }

        // Hundreds of digits are far past int64 or far below a nano unit; bounding them keeps
        // parsing linear.
        if scanned.int_digits.len() > MAX_DIGITS {
            return Err(QuantityError::Numeric);
        }
        let (magnitude, exponent, format) = match exact_small(&scanned, base, exp, format) {
            Some(exact) => exact,
            None => exact_big(&scanned, base, exp, format)?,
        };
        let exponent = i32::try_from(exponent).map_err(|_| QuantityError::Suffix)?;
        let mantissa = if scanned.positive {
            magnitude as i128
        } else {
            -(magnitude as i128)
        };
        Ok(Quantity {
            mantissa,
            exponent: if mantissa == 0 { 0 } else { exponent },
            format,
            text,
        })
    }

    /// A quantity read from JSON as `UnmarshalJSON` does: a string (surrounding whitespace
    /// trimmed) or a bare number; `null` is zero.
    pub fn from_json(value: &Value) -> Result<Quantity, QuantityError> {
        match value {
            Value::String(s) => Quantity::parse(s.trim()),
            Value::Number(n) => Quantity::parse(&n.to_string()),
            Value::Null => Ok(Quantity::zero(Format::DecimalSI)),
            _ => Err(QuantityError::FormatWrong),
        }
    }

    /// The JSON form the API returns: always a string.
    pub fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }

    pub fn zero(format: Format) -> Quantity {
        Quantity {
            mantissa: 0,
            exponent: 0,
            format,
            text: None,
        }
    }

    /// `resource.NewQuantity(value, format)`.
    pub fn new(value: i64, format: Format) -> Quantity {
        Quantity {
            mantissa: i128::from(value),
            exponent: 0,
            format,
            text: None,
        }
    }

    /// `resource.NewMilliQuantity(value, format)`.
    pub fn new_milli(value: i64, format: Format) -> Quantity {
        Quantity {
            mantissa: i128::from(value),
            exponent: -3,
            format,
            text: None,
        }
    }

    /// `resource.NewScaledQuantity(value, scale)`: value × 10^scale in DecimalSI.
    pub fn new_scaled(value: i64, scale: i32) -> Quantity {
        Quantity {
            mantissa: i128::from(value),
            exponent: scale,
            format: Format::DecimalSI,
            text: None,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// -1, 0 or 1.
    pub fn sign(&self) -> i32 {
        self.mantissa.signum() as i32
    }

    /// `Value()`: the value rounded up (away from zero) to an integer, saturating at i64.
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// `MilliValue()`: ceil(q × 1000), away from zero, saturating at i64.
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// `ScaledValue(scale)`: the value in units of 10^scale, rounded away from zero.
    pub fn scaled_value(&self, scale: i32) -> i64 {
        if self.mantissa == 0 {
            return 0;
        }
        let shift = i64::from(self.exponent) - i64::from(scale);
        let magnitude = self.mantissa.unsigned_abs();
        let scaled: u128 = if shift >= 0 {
            pow10(shift as u64)
                .and_then(|p| magnitude.checked_mul(p))
                .unwrap_or(u128::MAX)
        } else {
            match pow10((-shift) as u64) {
                Some(p) => magnitude.div_ceil(p),
                None => 1,
            }
        };
        let clamped = scaled.min(i64::MAX as u128) as i64;
        if self.mantissa < 0 { -clamped } else { clamped }
    }

    /// `RoundUp(scale)`: rounds away from zero to units of 10^scale; false if that lost
    /// precision.
    pub fn round_up(&mut self, scale: i32) -> bool {
        if self.exponent >= scale || self.mantissa == 0 {
            return true;
        }
        let drop = (i64::from(scale) - i64::from(self.exponent)) as u64;
        let magnitude = self.mantissa.unsigned_abs();
        let (rounded, exact) = match pow10(drop) {
            Some(p) => (magnitude.div_ceil(p), magnitude.is_multiple_of(p)),
            None => (1, false),
        };
        let rounded = rounded as i128;
        self.mantissa = if self.mantissa < 0 { -rounded } else { rounded };
        self.exponent = scale;
        self.text = None;
        self.normalize();
        exact
    }

    /// `Add`: the exact sum. A zero left side takes the right side's format, as in Go.
    pub fn add(&self, other: &Quantity) -> Quantity {
        let format = if self.is_zero() {
            other.format
        } else {
            self.format
        };
        let (mut a, mut ea) = (self.mantissa, self.exponent);
        let (mut b, mut eb) = (other.mantissa, other.exponent);
        loop {
            if a == 0 {
                return Quantity {
                    mantissa: b,
                    exponent: eb,
                    format,
                    text: None,
                }
                .normalized();
            }
            if b == 0 {
                return Quantity {
                    mantissa: a,
                    exponent: ea,
                    format,
                    text: None,
                }
                .normalized();
            }
            let exponent = ea.min(eb);
            let aligned = align(a, ea, exponent).zip(align(b, eb, exponent));
            // i128::MIN is kept out so that negation and abs never overflow.
            let sum = aligned
                .and_then(|(x, y)| x.checked_add(y))
                .filter(|s| *s != i128::MIN);
            if let Some(sum) = sum {
                return Quantity {
                    mantissa: sum,
                    exponent,
                    format,
                    text: None,
                }
                .normalized();
            }
            // Past i128 the finest digit is far below anything a cluster measures: give it up
            // (rounding away from zero) and try again. Terms more than 80 digits apart do not
            // touch at all: the larger one is the sum.
            let lead = |m: i128, e: i32| m.unsigned_abs().ilog10() as i64 + i64::from(e);
            if (i64::from(ea) - i64::from(eb)).abs() > 80 {
                let (m, e) = if lead(a, ea) >= lead(b, eb) {
                    (a, ea)
                } else {
                    (b, eb)
                };
                return Quantity {
                    mantissa: m,
                    exponent: e,
                    format,
                    text: None,
                }
                .normalized();
            }
            if ea <= eb {
                a = round_away(a, 10);
                ea += 1;
            } else {
                b = round_away(b, 10);
                eb += 1;
            }
        }
    }

    /// `Sub`.
    pub fn sub(&self, other: &Quantity) -> Quantity {
        let mut result = self.add(&other.neg());
        if self.is_zero() {
            result.format = other.format;
        }
        result
    }

    /// `Neg`.
    pub fn neg(&self) -> Quantity {
        Quantity {
            mantissa: self.mantissa.saturating_neg(),
            exponent: self.exponent,
            format: self.format,
            text: None,
        }
    }

    fn normalize(&mut self) {
        if self.mantissa == 0 {
            self.exponent = 0;
            return;
        }
        while self.mantissa % 10 == 0 && self.exponent < i32::MAX {
            self.mantissa /= 10;
            self.exponent += 1;
        }
    }

    fn normalized(mut self) -> Quantity {
        self.normalize();
        self
    }

    /// `CanonicalizeBytes`: the number and suffix of `String()`.
    fn canonical(&self) -> String {
        if self.mantissa == 0 {
            return "0".into();
        }
        match self.format {
            Format::DecimalSI | Format::DecimalExponent => self.canonical_decimal(self.format),
            Format::BinarySI => {
                let magnitude = Quantity {
                    mantissa: self.mantissa.saturating_abs(),
                    text: None,
                    ..*self
                };
                if magnitude.cmp(&Quantity::new(1024, Format::DecimalSI)) == Ordering::Less {
                    return self.canonical_decimal(Format::DecimalSI);
                }
                // Only whole numbers have a binary suffix; anything else stays exact in DecimalSI.
                let Some(mut whole) = self.whole_value() else {
                    return self.canonical_decimal(Format::DecimalSI);
                };
                let mut power = 0;
                while whole % 1024 == 0 && whole.unsigned_abs() >= 1024 {
                    whole /= 1024;
                    power += 1;
                }
                match BINARY_SUFFIXES.iter().find(|(_, p)| *p == power * 10) {
                    Some((suffix, _)) => format!("{whole}{suffix}"),
                    None if power == 0 => whole.to_string(),
                    // Beyond Ei there is no binary suffix: stay exact in exponent notation.
                    None => self.canonical_decimal(Format::DecimalExponent),
                }
            }
        }
    }

    /// The value as an integer when it is one and fits.
    fn whole_value(&self) -> Option<i128> {
        if self.exponent >= 0 {
            pow10(self.exponent as u64)
                .and_then(|p| i128::try_from(p).ok())
                .and_then(|p| self.mantissa.checked_mul(p))
        } else {
            let p = i128::try_from(pow10((-i64::from(self.exponent)) as u64)?).ok()?;
            (self.mantissa % p == 0).then(|| self.mantissa / p)
        }
    }

    fn canonical_decimal(&self, format: Format) -> String {
        let mut digits = self.mantissa.unsigned_abs().to_string();
        let mut exponent = i64::from(self.exponent);
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
            exponent += 1;
        }
        // The exponent of the canonical form is a multiple of 3, lowered as needed.
        while exponent.rem_euclid(3) != 0 {
            digits.push('0');
            exponent -= 1;
        }
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let suffix = match format {
            Format::DecimalSI => match DECIMAL_SUFFIXES
                .iter()
                .find(|(_, e)| i64::from(*e) == exponent)
            {
                Some((suffix, _)) => (*suffix).to_string(),
                // No SI suffix this far out: exponent notation keeps the value exact.
                None => format!("e{exponent}"),
            },
            _ if exponent == 0 => String::new(),
            _ => format!("e{exponent}"),
        };
        format!("{sign}{digits}{suffix}")
    }
}

impl fmt::Display for Quantity {
    /// `Quantity.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(text) => f.write_str(text),
            None => f.write_str(&self.canonical()),
        }
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    /// `Cmp`: exact, whatever the exponents.
    fn cmp(&self, other: &Self) -> Ordering {
        let (sa, sb) = (self.mantissa.signum(), other.mantissa.signum());
        if sa != sb {
            return sa.cmp(&sb);
        }
        if sa == 0 {
            return Ordering::Equal;
        }
        let magnitudes = cmp_magnitude(
            self.mantissa.unsigned_abs(),
            i64::from(self.exponent),
            other.mantissa.unsigned_abs(),
            i64::from(other.exponent),
        );
        if sa < 0 {
            magnitudes.reverse()
        } else {
            magnitudes
        }
    }
}

impl std::ops::Add for Quantity {
    type Output = Quantity;
    fn add(self, other: Quantity) -> Quantity {
        Quantity::add(&self, &other)
    }
}

impl std::ops::AddAssign<&Quantity> for Quantity {
    fn add_assign(&mut self, other: &Quantity) {
        *self = Quantity::add(self, other);
    }
}

impl std::iter::Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::zero(Format::DecimalSI), |acc, q| acc.add(&q))
    }
}

/// Compares m1 × 10^e1 with m2 × 10^e2 (both non-zero) by their decimal digits.
fn cmp_magnitude(m1: u128, e1: i64, m2: u128, e2: i64) -> Ordering {
    // Usually both sides align to one exponent without overflow: compare them as integers.
    let common = e1.min(e2);
    let aligned = |m: u128, e: i64| pow10((e - common) as u64).and_then(|p| m.checked_mul(p));
    if let (Some(a1), Some(a2)) = (aligned(m1, e1), aligned(m2, e2)) {
        return a1.cmp(&a2);
    }
    let (d1, d2) = (m1.to_string(), m2.to_string());
    let (lead1, lead2) = (d1.len() as i64 + e1, d2.len() as i64 + e2);
    if lead1 != lead2 {
        return lead1.cmp(&lead2);
    }
    let width = d1.len().max(d2.len());
    format!("{d1:0<width$}").cmp(&format!("{d2:0<width$}"))
}

/// The exact value of a scanned quantity rounded up to nano units, as (magnitude, exponent of
/// ten, format): `digits × 10^(-len(frac)) × base^exp`, with any number of digits.
fn exact_big(
    scanned: &Scanned<'_>,
    base: u32,
    exp: i32,
    format: Format,
) -> Result<(u128, i64, Format), QuantityError> {
    // Dropped fraction digits leave a sticky 1 so rounding up still happens.
    let sticky;
    let mut frac_digits = scanned.frac_digits;
    if frac_digits.len() > MAX_DIGITS {
        let (kept, dropped) = frac_digits.split_at(MAX_DIGITS);
        sticky = if dropped.bytes().any(|b| b != b'0') {
            format!("{kept}1")
        } else {
            kept.to_string()
        };
        frac_digits = &sticky;
    }

    // The exact value is digits × 10^(-len(frac)) × base^exp.
    let mut digits = BigUint::from_decimal(scanned.int_digits, frac_digits);
    let mut exponent = -(frac_digits.len() as i64);
    if base == 10 {
        exponent += i64::from(exp);
    } else {
        digits.mul_pow2(exp as u32);
    }
    exponent += digits.strip_factors_of_ten() as i64;
    let mut format = format;

    // Round non-zero values up to nano units: "if you want some resources, you should get
    // some resources".
    if !digits.is_zero() && exponent < -9 {
        digits.div_pow10_round_up((-9 - exponent) as u64);
        exponent = -9;
        exponent += digits.strip_factors_of_ten() as i64;
    }
    if format == Format::BinarySI {
        // BinarySI is capped at 2^63-1; below 1 it is shown as DecimalSI.
        let cap = BigUint::from_u128(i64::MAX as u128);
        if digits.cmp_scaled(exponent, &cap, 0) == Ordering::Greater {
            digits = cap;
            exponent = 0;
        }
        if !digits.is_zero()
            && digits.cmp_scaled(exponent, &BigUint::from_u128(1), 0) == Ordering::Less
        {
            format = Format::DecimalSI;
        }
    }
    let magnitude = digits
        .to_u128()
        .filter(|m| *m <= i128::MAX as u128)
        .ok_or(QuantityError::Numeric)?;
    Ok((magnitude, exponent, format))
}

/// [`exact_big`] for the usual quantity of at most 18 digits, in `u128` arithmetic (the
/// largest value, 10^18 × 2^60, stays below 2^120).
fn exact_small(
    scanned: &Scanned<'_>,
    base: u32,
    exp: i32,
    format: Format,
) -> Option<(u128, i64, Format)> {
    if scanned.int_digits.len() + scanned.frac_digits.len() > 18 || (base == 2 && exp > 60) {
        return None;
    }
    let mut digits = scanned
        .int_digits
        .bytes()
        .chain(scanned.frac_digits.bytes())
        .fold(0u128, |n, b| n * 10 + u128::from(b - b'0'));
    let mut exponent = -(scanned.frac_digits.len() as i64);
    if base == 10 {
        exponent += i64::from(exp);
    } else {
        digits <<= exp;
    }
    exponent += strip_factors_of_ten(&mut digits);
    let mut format = format;
    if digits != 0 && exponent < -9 {
        digits = pow10((-9 - exponent) as u64).map_or(1, |p| digits.div_ceil(p));
        exponent = -9;
        exponent += strip_factors_of_ten(&mut digits);
    }
    if format == Format::BinarySI {
        let cap = i64::MAX as u128;
        if cmp_scaled(digits, exponent, cap, 0) == Ordering::Greater {
            digits = cap;
            exponent = 0;
        }
        if digits != 0 && cmp_scaled(digits, exponent, 1, 0) == Ordering::Less {
            format = Format::DecimalSI;
        }
    }
    Some((digits, exponent, format))
}

fn strip_factors_of_ten(n: &mut u128) -> i64 {
    let mut count = 0;
    while *n != 0 && n.is_multiple_of(10) {
        *n /= 10;
        count += 1;
    }
    count
}

/// Compares a × 10^e with b × 10^f, scaling by at most 10^40 as `BigUint::cmp_scaled` does.
fn cmp_scaled(a: u128, e: i64, b: u128, f: i64) -> Ordering {
    let shift = (e - f).clamp(-40, 40);
    if shift >= 0 {
        // Past u128, the scaled side is the larger.
        pow10(shift as u64)
            .and_then(|p| a.checked_mul(p))
            .map_or(Ordering::Greater, |a| a.cmp(&b))
    } else {
        pow10((-shift) as u64)
            .and_then(|p| b.checked_mul(p))
            .map_or(Ordering::Less, |b| a.cmp(&b))
    }
}

fn pow10(n: u64) -> Option<u128> {
    u32::try_from(n).ok().and_then(|n| 10u128.checked_pow(n))
}

/// m × 10^(from - to), for to <= from.
fn align(m: i128, from: i32, to: i32) -> Option<i128> {
    let p = pow10((i64::from(from) - i64::from(to)) as u64)?;
    m.checked_mul(i128::try_from(p).ok()?)
}

fn round_away(m: i128, divisor: i128) -> i128 {
    let q = m / divisor;
    if m % divisor == 0 {
        q
    } else if m < 0 {
        q - 1
    } else {
        q + 1
    }
}

/// What `parseQuantityString` splits a quantity into.
struct Scanned<'a> {
    positive: bool,
    /// Whether the number part has any digit: Go reads a bare suffix (`Gi`, `m`, `+`) as zero
    /// on its fast path and fails on its slow one.
    has_digit: bool,
    /// Integer digits without leading zeros (may be empty).
    int_digits: &'a str,
    frac_digits: &'a str,
    suffix: &'a str,
}

fn scan(s: &str) -> Result<Scanned<'_>, QuantityError> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    let mut positive = true;
    match bytes.first() {
        Some(b'-') => {
            positive = false;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    let number_start = pos;
    while pos < bytes.len() && bytes[pos] == b'0' {
        pos += 1;
    }
    let int_start = pos;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    let int_digits = &s[int_start..pos];
    let mut frac_digits = "";
    if pos < bytes.len() && bytes[pos] == b'.' {
        pos += 1;
        let frac_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        frac_digits = &s[frac_start..pos];
    }
    let has_digit = s[number_start..pos].bytes().any(|b| b.is_ascii_digit());
    let suffix_start = pos;
    while pos < bytes.len() && SUFFIX_CHARS.contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < bytes.len() && (bytes[pos] == b'+' || bytes[pos] == b'-') {
        pos += 1;
    }
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos != bytes.len() {
        return Err(QuantityError::FormatWrong);
    }
    Ok(Scanned {
        positive,
        has_digit,
        int_digits,
        frac_digits,
        suffix: &s[suffix_start..],
    })
}

/// `quantitySuffixer.interpret`: (base, exponent, format).
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    if let Some((_, e)) = DECIMAL_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        return Some((10, *e, Format::DecimalSI));
    }
    if let Some((_, e)) = BINARY_SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        return Some((2, *e as i32, Format::BinarySI));
    }
    let rest = suffix.strip_prefix(['e', 'E'])?;
    if rest.is_empty() {
        return None;
    }
    let parsed: i64 = rest.parse().ok()?;
    // Exponents beyond int32 are rejected rather than truncated.
    if parsed.unsigned_abs() > i32::MAX as u64 {
        return None;
    }
    Some((10, parsed as i32, Format::DecimalExponent))
}

/// Whether Go parses the number on its int64 fast path (else it goes through `inf.Dec`).
fn takes_fast_path(scanned: &Scanned<'_>, exp: i32, format: Format) -> bool {
    let num_len = scanned.int_digits.len().max(1) as i64;
    let frac_len = scanned.frac_digits.len() as i64;
    match format {
        Format::BinarySI => {
            let precision = 15 - num_len - i64::from(exp) * 3 / 10 - 1;
            frac_len == 0 && precision >= 0
        }
        Format::DecimalSI | Format::DecimalExponent => {
            let precision = 18 - num_len - frac_len;
            precision >= 0 && i64::from(exp) - frac_len >= -9
        }
    }
}

/// Whether Go's fast path keeps the input text as the quantity's string.
fn keeps_text(scanned: &Scanned<'_>, base: u32, exp: i32, format: Format) -> bool {
    let num = if scanned.int_digits.is_empty() {
        "0"
    } else {
        scanned.int_digits
    };
    // The digits with the point dropped: `num` then the fraction.
    let shifted_len = num.len() + scanned.frac_digits.len();
    let shifted = || num.bytes().chain(scanned.frac_digits.bytes());
    let ends_with_000 = shifted_len >= 3 && shifted().skip(shifted_len - 3).all(|b| b == b'0');
    match format {
        Format::BinarySI => {
            if base != 2 || !scanned.frac_digits.is_empty() {
                return false;
            }
            let precision = 15 - num.len() as i64 - i64::from(exp) * 3 / 10 - 1;
            let Ok(value) = num.parse::<i64>() else {
                return false;
            };
            precision >= 0
                && value.checked_mul(1i64 << exp).is_some()
                && exp % 10 == 0
                && value & 0x07 != 0
        }
        Format::DecimalSI | Format::DecimalExponent => {
            let precision = 18 - (num.len() + scanned.frac_digits.len()) as i64;
            let scale = i64::from(exp) - scanned.frac_digits.len() as i64;
            precision >= 0
                && scale >= -9
                && scale % 3 == 0
                && !ends_with_000
                && !num.starts_with('0')
        }
    }
}

/// Just enough of an arbitrary-precision unsigned integer to parse any quantity exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BigUint {
    /// Little-endian base-2^32 limbs, no trailing zero limbs.
    limbs: Vec<u32>,
}

impl BigUint {
    fn from_u128(mut v: u128) -> BigUint {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        BigUint { limbs }
    }

    fn from_decimal(int_digits: &str, frac_digits: &str) -> BigUint {
        let mut n = BigUint { limbs: Vec::new() };
        for b in int_digits.bytes().chain(frac_digits.bytes()) {
            n.mul_add_small(10, u32::from(b - b'0'));
        }
        n
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn mul_add_small(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    fn mul_pow2(&mut self, mut bits: u32) {
        while bits > 0 {
            let step = bits.min(31);
            self.mul_add_small(1 << step, 0);
            bits -= step;
        }
    }

    /// Divides in place, returning the remainder.
    fn div_small(&mut self, divisor: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / u64::from(divisor)) as u32;
            rem = v % u64::from(divisor);
        }
        self.trim();
        rem as u32
    }

    fn strip_factors_of_ten(&mut self) -> u32 {
        let mut count = 0;
        while !self.is_zero() {
            let mut probe = self.clone();
            if probe.div_small(10) != 0 {
                break;
            }
            *self = probe;
            count += 1;
        }
        count
    }

    /// ceil(self / 10^n) for a non-zero self.
    fn div_pow10_round_up(&mut self, n: u64) {
        let mut inexact = false;
        for _ in 0..n {
            if self.is_zero() {
                break;
            }
            inexact |= self.div_small(10) != 0;
        }
        if inexact || self.is_zero() {
            self.mul_add_small(1, 1);
        }
    }

    fn cmp(&self, other: &BigUint) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    /// Compares self × 10^e with other × 10^f.
    fn cmp_scaled(&self, e: i64, other: &BigUint, f: i64) -> Ordering {
        let (mut a, mut b) = (self.clone(), other.clone());
        // Scaling by 10^40 is past any value either side can hold here.
        let shift = (e - f).clamp(-40, 40);
        for _ in 0..shift.max(0) {
            a.mul_add_small(10, 0);
        }
        for _ in 0..(-shift).max(0) {
            b.mul_add_small(10, 0);
        }
        a.cmp(&b)
    }

    fn to_u128(&self) -> Option<u128> {
        if self.limbs.len() > 4 {
            return None;
        }
        Some(
            self.limbs
                .iter()
                .rev()
                .fold(0u128, |acc, l| (acc << 32) | u128::from(*l)),
        )
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_comparison_agrees_with_the_digit_comparison() {
        let digits = |m1: u128, e1: i64, m2: u128, e2: i64| {
            let (d1, d2) = (m1.to_string(), m2.to_string());
            let (lead1, lead2) = (d1.len() as i64 + e1, d2.len() as i64 + e2);
            if lead1 != lead2 {
                return lead1.cmp(&lead2);
            }
            let width = d1.len().max(d2.len());
            format!("{d1:0<width$}").cmp(&format!("{d2:0<width$}"))
        };
        let mantissas = [
            1u128,
            2,
            5,
            10,
            15,
            100,
            128,
            999,
            1000,
            1 << 70,
            u128::MAX / 3,
        ];
        let exponents = [-9i64, -3, -1, 0, 1, 3, 9, 30, 40];
        for m1 in mantissas {
            for e1 in exponents {
                for m2 in mantissas {
                    for e2 in exponents {
                        assert_eq!(
                            cmp_magnitude(m1, e1, m2, e2),
                            digits(m1, e1, m2, e2),
                            "{m1}e{e1} vs {m2}e{e2}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn small_and_big_arithmetic_agree() {
        let numbers = [
            "",
            "0",
            "1",
            "5",
            "9",
            "10",
            "100",
            "123",
            "1000",
            "7",
            "64",
            "128",
            "999999",
            "1024",
            "123456789012345678",
            "999999999999999999",
            "1000000000000000000",
            "9223372036854775807",
            "9223372036854775808",
        ];
        let fractions = [
            "",
            ".",
            ".0",
            ".5",
            ".05",
            ".001",
            ".000000001",
            ".0000000001",
            ".123456789",
            ".99999999999",
            ".1000",
            ".000000000000000001",
        ];
        let suffixes = [
            "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
            "e0", "e3", "e-3", "e-9", "e-12", "e18", "e40", "e-40", "E5",
        ];
        let mut compared = 0;
        for number in numbers {
            for fraction in fractions {
                for suffix in suffixes {
                    let text = format!("{number}{fraction}{suffix}");
                    let Ok(scanned) = scan(&text) else {
                        continue;
                    };
                    let Some((base, exp, format)) = interpret_suffix(scanned.suffix) else {
                        continue;
                    };
                    if let Some(small) = exact_small(&scanned, base, exp, format) {
                        compared += 1;
                        assert_eq!(Ok(small), exact_big(&scanned, base, exp, format), "{text}");
                    }
                }
            }
        }
        assert!(compared > 3000, "{compared}");
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_and_prints_canonical_forms() {
        let table = [
            ("0", "0"),
            ("0m", "0"),
            ("0Ki", "0"),
            ("100m", "100m"),
            ("0.1", "100m"),
            (".5", "500m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1", "1"),
            ("+1", "+1"),
            ("1000", "1k"),
            ("1k", "1k"),
            ("1000m", "1"),
            ("1M", "1M"),
            ("1000M", "1G"),
            ("1Ki", "1Ki"),
            ("1024", "1024"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("123Mi", "123Mi"),
            ("2048Ki", "2Mi"),
            ("128974848", "128974848"),
            ("129e6", "129e6"),
            ("2e3", "2e3"),
            ("1e3", "1e3"),
            ("1E-3", "1E-3"),
            ("1.5e3", "1500"),
            ("0.5e0", "500e-3"),
            ("1.2e3", "1200"),
            ("100.035Ki", "102435840m"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
            ("3.001n", "4n"),
            ("0.0000000001", "1n"),
            ("0.00000012345", "124n"),
            ("9Ei", "9223372036854775807"),
            ("12E", "12E"),
            ("1.", "1."),
            ("1.G", "1.G"),
            ("-100m", "-100m"),
            // Go's scanner lets a bare suffix or sign through as zero.
            ("Gi", "0"),
            ("m", "0"),
            ("+", "0"),
            (".", "0"),
            ("-1.5Gi", "-1536Mi"),
            // Go's fast path keeps any text whose digits land on a multiple-of-3 scale.
            ("10.035M", "10.035M"),
            ("6.987654321G", "6.987654321G"),
            ("10.0351M", "10035100"),
        ];
        for (input, want) in table {
            assert_eq!(q(input).to_string(), want, "{input}");
        }
    }

    #[test]
    fn nine_exbibytes_are_capped_at_int64() {
        let capped = q("9Ei");
        assert_eq!(capped.value(), i64::MAX);
        assert_eq!(capped.format(), Format::BinarySI);
    }

    #[test]
    fn canonical_output_round_trips() {
        for input in [
            "100m",
            "1.5Gi",
            "2e3",
            "1E-3",
            "0.5",
            "128974848",
            "129e6",
            "123Mi",
            "1k",
            "1M",
            "1Ki",
            "5.444T",
        ] {
            let first = q(input);
            let again = q(&first.to_string());
            assert_eq!(first, again, "{input}");
            assert_eq!(again.to_string(), first.to_string(), "{input}");
        }
    }

    #[test]
    fn keeps_the_format_of_the_input() {
        assert_eq!(q("1Gi").format(), Format::BinarySI);
        assert_eq!(q("1G").format(), Format::DecimalSI);
        assert_eq!(q("1e9").format(), Format::DecimalExponent);
        // Fractions of a BinarySI unit below 1 are shown as DecimalSI.
        assert_eq!(q("0.000000000001Ki").format(), Format::DecimalSI);
    }

    #[test]
    fn rejects_what_the_real_parser_rejects() {
        let table = [
            ("", QuantityError::FormatWrong),
            ("1.5.5", QuantityError::FormatWrong),
            ("Ei", QuantityError::Numeric),
            ("Pi", QuantityError::Numeric),
            ("e-10", QuantityError::Numeric),
            ("1 Gi", QuantityError::FormatWrong),
            ("1KiB", QuantityError::FormatWrong),
            ("1+1.0M", QuantityError::FormatWrong),
            ("aoeu", QuantityError::FormatWrong),
            (" 1", QuantityError::FormatWrong),
            ("1 ", QuantityError::FormatWrong),
            ("1.1.M", QuantityError::FormatWrong),
            ("0.1mi", QuantityError::Suffix),
            ("0.1am", QuantityError::FormatWrong),
            (".5i", QuantityError::Suffix),
            ("1i", QuantityError::Suffix),
            ("-3.01e-", QuantityError::Suffix),
            ("1e4294967297", QuantityError::Suffix),
        ];
        for (input, want) in table {
            assert_eq!(Quantity::parse(input).unwrap_err(), want, "{input:?}");
        }
        assert_eq!(
            QuantityError::FormatWrong.to_string(),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert!(
            QuantityError::FormatWrong
                .to_string()
                .contains(QUANTITY_REGEX)
        );
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(q("100m").add(&q("200m")).to_string(), "300m");
        assert_eq!(q("100m").add(&q("200m")), q("0.3"));
        assert_eq!(q("1Gi").add(&q("512Mi")).to_string(), "1536Mi");
        assert_eq!(q("1").add(&q("500m")).to_string(), "1500m");
        assert_eq!(q("1").sub(&q("1")).to_string(), "0");
        assert_eq!(q("0").add(&q("1Gi")).to_string(), "1Gi");
        assert_eq!(q("1Gi").add(&q("0")).to_string(), "1Gi");
        assert_eq!(q("0").sub(&q("100m")).to_string(), "-100m");
        assert_eq!(q("1e30").add(&q("1n")).cmp(&q("1e30")), Ordering::Greater);
        let total: Quantity = ["100m", "250m", "650m"].iter().map(|s| q(s)).sum();
        assert_eq!(total.to_string(), "1");
    }

    #[test]
    fn compares_by_value() {
        let table = [
            ("0", "0", Ordering::Equal),
            ("100m", "50m", Ordering::Greater),
            ("50m", "100m", Ordering::Less),
            ("10000T", "100Gi", Ordering::Greater),
            ("1Gi", "1073741824", Ordering::Equal),
            ("1k", "1000", Ordering::Equal),
            ("1e3", "1k", Ordering::Equal),
            ("0.1", "100m", Ordering::Equal),
            ("-1", "1m", Ordering::Less),
            ("-1", "-2", Ordering::Greater),
            ("1E", "999P", Ordering::Greater),
            ("1e100", "1e99", Ordering::Greater),
        ];
        for (a, b, want) in table {
            assert_eq!(q(a).cmp(&q(b)), want, "{a} vs {b}");
        }
    }

    #[test]
    fn values_round_up_like_go() {
        assert_eq!(q("100m").milli_value(), 100);
        assert_eq!(q("1.5").value(), 2);
        assert_eq!(q("100m").value(), 1);
        assert_eq!(q("-100m").value(), -1);
        assert_eq!(q("1Gi").value(), 1 << 30);
        assert_eq!(q("1n").milli_value(), 1);
        assert_eq!(q("2").milli_value(), 2000);
        assert_eq!(q("1e30").value(), i64::MAX);
        assert!(q("0").is_zero());
        assert!(!q("1n").is_zero());
    }

    #[test]
    fn round_up_to_milli_matches_defaulting() {
        let mut tiny = q("1n");
        assert!(!tiny.round_up(-3));
        assert_eq!(tiny.to_string(), "1m");
        let mut exact = q("100m");
        assert!(exact.round_up(-3));
        assert_eq!(exact.to_string(), "100m");
        let mut kept = q("+1");
        kept.round_up(-3);
        assert_eq!(kept.to_string(), "+1");
    }

    #[test]
    fn reads_json_strings_and_numbers() {
        assert_eq!(
            Quantity::from_json(&serde_json::json!("500m"))
                .unwrap()
                .to_string(),
            "500m"
        );
        assert_eq!(
            Quantity::from_json(&serde_json::json!(" 2 "))
                .unwrap()
                .to_string(),
            "2"
        );
        assert_eq!(
            Quantity::from_json(&serde_json::json!(1))
                .unwrap()
                .to_string(),
            "1"
        );
        assert_eq!(
            Quantity::from_json(&serde_json::json!(0.5))
                .unwrap()
                .to_string(),
            "500m"
        );
        assert!(
            Quantity::from_json(&serde_json::json!(null))
                .unwrap()
                .is_zero()
        );
        assert!(Quantity::from_json(&serde_json::json!([1])).is_err());
        assert_eq!(q("1Gi").to_json(), serde_json::json!("1Gi"));
    }

    #[test]
    fn extreme_inputs_stay_fast_and_exact_enough() {
        let far = q("1e2000000000");
        assert_eq!(far.add(&q("1")).cmp(&far), Ordering::Equal);
        assert_eq!(far.to_string(), "100e1999999998");
        let long_fraction = format!("0.{}1", "0".repeat(5000));
        assert_eq!(q(&long_fraction).to_string(), "1n");
        assert_eq!(
            Quantity::parse(&"9".repeat(5000)).unwrap_err(),
            QuantityError::Numeric
        );
        let big = q("99999999999999999999999999999999999999");
        let doubled = big.add(&big).add(&big).add(&big).add(&big);
        assert_eq!(doubled.cmp(&big), Ordering::Greater);
        assert_eq!(big.neg().sub(&big).sign(), -1);
    }

    #[test]
    fn large_and_small_constructors_print_like_go() {
        assert_eq!(Quantity::new(5, Format::BinarySI).to_string(), "5");
        assert_eq!(
            Quantity::new_milli(500, Format::BinarySI).to_string(),
            "500m"
        );
        assert_eq!(Quantity::new(1 << 30, Format::BinarySI).to_string(), "1Gi");
        assert_eq!(Quantity::new_scaled(1, 21).to_string(), "1e21");
        assert_eq!(Quantity::new_scaled(1, -12).to_string(), "1e-12");
        assert_eq!(Quantity::new(2000, Format::BinarySI).to_string(), "2000");
        assert_eq!(Quantity::new(-2000, Format::BinarySI).to_string(), "-2000");
        assert_eq!(Quantity::new(0, Format::BinarySI).to_string(), "0");
    }
}
