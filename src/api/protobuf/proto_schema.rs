//! A small reader of `.proto` files, enough for Kubernetes' `generated.proto`: `package`,
//! `message` (nested too), `optional|repeated|required <type> <name> = <n>;`,
//! `map<K, V> <name> = <n>;`, `oneof` and `enum` blocks. Options, `syntax`, `import` and
//! `reserved` are read past. Type names resolve by protobuf's scoping rules across every file
//! (`PodSpec` inside `k8s.io.api.core.v1`, `.k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta`
//! anywhere), so imports need no file lookup. Calls nothing else in the crate.

use std::collections::{HashMap, HashSet};

/// The Apache-2.0 `generated.proto` files podflow decodes with (see `assets/proto/SOURCES.md`).
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    (
        "runtime.proto",
        include_str!("../../../assets/proto/runtime.proto"),
    ),
    (
        "resource.proto",
        include_str!("../../../assets/proto/resource.proto"),
    ),
    (
        "intstr.proto",
        include_str!("../../../assets/proto/intstr.proto"),
    ),
    (
        "meta_v1.proto",
        include_str!("../../../assets/proto/meta_v1.proto"),
    ),
    (
        "core_v1.proto",
        include_str!("../../../assets/proto/core_v1.proto"),
    ),
    (
        "apps_v1.proto",
        include_str!("../../../assets/proto/apps_v1.proto"),
    ),
    (
        "coordination_v1.proto",
        include_str!("../../../assets/proto/coordination_v1.proto"),
    ),
    (
        "rbac_v1.proto",
        include_str!("../../../assets/proto/rbac_v1.proto"),
    ),
    (
        "authorization_v1.proto",
        include_str!("../../../assets/proto/authorization_v1.proto"),
    ),
    (
        "policy_v1.proto",
        include_str!("../../../assets/proto/policy_v1.proto"),
    ),
    (
        "autoscaling_v1.proto",
        include_str!("../../../assets/proto/autoscaling_v1.proto"),
    ),
];

/// A protobuf scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    Double,
    Float,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Sint32,
    Sint64,
    Fixed32,
    Fixed64,
    Sfixed32,
    Sfixed64,
    Bool,
    String,
    Bytes,
    /// An enum: on the wire an `int32`, in JSON its number.
    Enum,
}

impl Scalar {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "double" => Self::Double,
            "float" => Self::Float,
            "int32" => Self::Int32,
            "int64" => Self::Int64,
            "uint32" => Self::Uint32,
            "uint64" => Self::Uint64,
            "sint32" => Self::Sint32,
            "sint64" => Self::Sint64,
            "fixed32" => Self::Fixed32,
            "fixed64" => Self::Fixed64,
            "sfixed32" => Self::Sfixed32,
            "sfixed64" => Self::Sfixed64,
            "bool" => Self::Bool,
            "string" => Self::String,
            "bytes" => Self::Bytes,
            _ => return None,
        })
    }

    /// Numeric types may arrive packed (one length-delimited run of values).
    pub(crate) fn packable(self) -> bool {
        !matches!(self, Self::String | Self::Bytes)
    }
}

/// What a field holds, with message names fully qualified (no leading dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldType {
    Scalar(Scalar),
    Message(String),
}

/// How many values a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Label {
    Optional,
    Repeated,
    /// `map<key, value>`: repeated entries `{1: key, 2: value}`; the field's type is the value's.
    Map(Scalar),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) number: u32,
    pub(crate) label: Label,
    pub(crate) ty: FieldType,
}

#[derive(Debug, Default)]
pub(crate) struct Message {
    fields: Vec<Field>,
    by_number: HashMap<u32, usize>,
}

impl Message {
    pub(crate) fn field(&self, number: u32) -> Option<&Field> {
        self.by_number.get(&number).map(|&i| &self.fields[i])
    }
}

/// Every message of every parsed file, by full name (`k8s.io.api.core.v1.Pod`).
#[derive(Debug, Default)]
pub(crate) struct Schema {
    messages: HashMap<String, Message>,
}

impl Schema {
    /// Parses `(file name, text)` pairs and resolves every type name. An error names the file
    /// and line, or the field whose type nothing declares.
    pub(crate) fn parse(files: &[(&str, &str)]) -> Result<Self, String> {
        let mut parsed = Vec::new();
        for (file, text) in files {
            let tokens = tokenize(text).map_err(|e| format!("{file}: {e}"))?;
            let mut parser = Parser {
                tokens,
                pos: 0,
                package: String::new(),
                raw: Vec::new(),
                enums: Vec::new(),
            };
            parser.file().map_err(|e| format!("{file}: {e}"))?;
            parsed.push(parser);
        }
        let enums: HashSet<String> = parsed.iter().flat_map(|p| p.enums.clone()).collect();
        let declared: HashSet<String> = parsed
            .iter()
            .flat_map(|p| p.raw.iter().map(|m| m.full_name.clone()))
            .collect();
        let mut schema = Schema::default();
        for raw in parsed.into_iter().flat_map(|p| p.raw) {
            let mut message = Message::default();
            for field in raw.fields {
                let ty = match Scalar::from_name(&field.type_name) {
                    Some(scalar) => FieldType::Scalar(scalar),
                    None => match resolve(&raw.full_name, &field.type_name, &declared, &enums) {
                        Some(Resolved::Message(name)) => FieldType::Message(name),
                        Some(Resolved::Enum) => FieldType::Scalar(Scalar::Enum),
                        None => {
                            return Err(format!(
                                "{}.{}: unknown type {}",
                                raw.full_name, field.name, field.type_name
                            ));
                        }
                    },
                };
                let label = match field.map_key {
                    Some(key) => Label::Map(
                        Scalar::from_name(&key)
                            .ok_or_else(|| format!("{}: map key {key}", raw.full_name))?,
                    ),
                    None if field.repeated => Label::Repeated,
                    None => Label::Optional,
                };
                message.by_number.insert(field.number, message.fields.len());
                message.fields.push(Field {
                    name: field.name,
                    number: field.number,
                    label,
                    ty,
                });
            }
            schema.messages.insert(raw.full_name, message);
        }
        Ok(schema)
    }

    pub(crate) fn message(&self, full_name: &str) -> Option<&Message> {
        self.messages.get(full_name)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }
}

enum Resolved {
    Message(String),
    Enum,
}

/// Protobuf scoping: a relative name is looked up from the innermost scope outwards
/// (`k8s.io.api.core.v1.Pod` → `…Pod.T`, `…v1.T`, …, `T`); a leading dot means absolute.
fn resolve(
    scope: &str,
    name: &str,
    messages: &HashSet<String>,
    enums: &HashSet<String>,
) -> Option<Resolved> {
    let found = |candidate: &str| {
        if messages.contains(candidate) {
            Some(Resolved::Message(candidate.to_string()))
        } else if enums.contains(candidate) {
            Some(Resolved::Enum)
        } else {
            None
        }
    };
    if let Some(absolute) = name.strip_prefix('.') {
        return found(absolute);
    }
    let parts: Vec<&str> = scope.split('.').collect();
    (0..=parts.len()).rev().find_map(|keep| {
        let prefix = parts[..keep].join(".");
        if prefix.is_empty() {
            found(name)
        } else {
            found(&format!("{prefix}.{name}"))
        }
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Str(String),
    Punct(char),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Word(w) => write!(f, "{w}"),
            Self::Str(s) => write!(f, "\"{s}\""),
            Self::Punct(c) => write!(f, "{c}"),
        }
    }
}

/// Words (identifiers, dotted names, numbers), strings and punctuation, with their lines.
fn tokenize(text: &str) -> Result<Vec<(Token, usize)>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                    }
                    if prev == '*' && c == '/' {
                        closed = true;
                        break;
                    }
                    prev = c;
                }
                if !closed {
                    return Err(format!("line {line}: unterminated comment"));
                }
            }
            '"' | '\'' => {
                let quote = c;
                let mut s = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => s.extend(chars.next()),
                        '\n' => break,
                        c if c == quote => {
                            closed = true;
                            break;
                        }
                        c => s.push(c),
                    }
                }
                if !closed {
                    return Err(format!("line {line}: unterminated string"));
                }
                tokens.push((Token::Str(s), line));
            }
            c if c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+') => {
                let mut w = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || matches!(n, '_' | '.' | '-' | '+') {
                        w.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push((Token::Word(w), line));
            }
            c => tokens.push((Token::Punct(c), line)),
        }
    }
    Ok(tokens)
}

struct RawField {
    name: String,
    number: u32,
    repeated: bool,
    map_key: Option<String>,
    type_name: String,
}

struct RawMessage {
    full_name: String,
    fields: Vec<RawField>,
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    package: String,
    raw: Vec<RawMessage>,
    enums: Vec<String>,
}

impl Parser {
    fn line(&self) -> usize {
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .map_or(0, |(_, l)| *l)
    }

    fn error(&self, what: &str) -> String {
        let found = self
            .tokens
            .get(self.pos)
            .map_or_else(|| "end of file".to_string(), |(t, _)| format!("`{t}`"));
        format!("line {}: expected {what}, found {found}", self.line())
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.error(what)),
        }
    }

    fn punct(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(&Token::Punct(c)) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("`{c}`")))
        }
    }

    /// Reads past a statement (`option …;`, `reserved …;`), brackets included.
    fn skip_statement(&mut self) -> Result<(), String> {
        let mut depth = 0usize;
        loop {
            match self.next() {
                None => return Err(self.error("`;`")),
                Some(Token::Punct('(' | '[' | '{')) => depth += 1,
                Some(Token::Punct(')' | ']' | '}')) => depth = depth.saturating_sub(1),
                Some(Token::Punct(';')) if depth == 0 => return Ok(()),
                Some(_) => {}
            }
        }
    }

    /// Reads past a `{ … }` block whose opening brace is next.
    fn skip_block(&mut self) -> Result<(), String> {
        self.punct('{')?;
        let mut depth = 1usize;
        while depth > 0 {
            match self.next() {
                None => return Err(self.error("`}`")),
                Some(Token::Punct('{')) => depth += 1,
                Some(Token::Punct('}')) => depth -= 1,
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn file(&mut self) -> Result<(), String> {
        while let Some(token) = self.next() {
            match token {
                Token::Punct(';') => {}
                Token::Word(w) if w == "package" => {
                    self.package = self.word("a package name")?;
                    self.punct(';')?;
                }
                Token::Word(w)
                    if matches!(w.as_str(), "syntax" | "edition" | "import" | "option") =>
                {
                    self.skip_statement()?
                }
                Token::Word(w) if w == "message" => {
                    let scope = self.package.clone();
                    self.message(&scope)?;
                }
                Token::Word(w) if w == "enum" => {
                    let scope = self.package.clone();
                    self.enumeration(&scope)?;
                }
                Token::Word(w) if matches!(w.as_str(), "service" | "extend") => {
                    self.word("a name")?;
                    self.skip_block()?;
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.error("`message`, `package`, `import`, `option` or `syntax`"));
                }
            }
        }
        Ok(())
    }

    fn qualify(scope: &str, name: &str) -> String {
        if scope.is_empty() {
            name.to_string()
        } else {
            format!("{scope}.{name}")
        }
    }

    fn enumeration(&mut self, scope: &str) -> Result<(), String> {
        let name = self.word("an enum name")?;
        self.enums.push(Self::qualify(scope, &name));
        self.skip_block()
    }

    fn message(&mut self, scope: &str) -> Result<(), String> {
        let name = self.word("a message name")?;
        let full_name = Self::qualify(scope, &name);
        self.punct('{')?;
        let mut fields = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("`}`")),
                Some(Token::Punct('}')) => {
                    self.pos += 1;
                    break;
                }
                Some(Token::Punct(';')) => self.pos += 1,
                Some(Token::Word(w)) => match w.as_str() {
                    "message" => {
                        self.pos += 1;
                        self.message(&full_name)?;
                    }
                    "enum" => {
                        self.pos += 1;
                        self.enumeration(&full_name)?;
                    }
                    "option" | "reserved" | "extensions" => self.skip_statement()?,
                    "extend" => {
                        self.pos += 1;
                        self.word("a name")?;
                        self.skip_block()?;
                    }
                    "oneof" => {
                        self.pos += 1;
                        self.word("a oneof name")?;
                        self.punct('{')?;
                        while self.peek() != Some(&Token::Punct('}')) {
                            if self.peek() == Some(&Token::Word("option".into())) {
                                self.skip_statement()?;
                            } else {
                                fields.push(self.field()?);
                            }
                        }
                        self.punct('}')?;
                    }
                    _ => fields.push(self.field()?),
                },
                Some(_) => return Err(self.error("a field")),
            }
        }
        self.raw.push(RawMessage { full_name, fields });
        Ok(())
    }

    fn field(&mut self) -> Result<RawField, String> {
        let mut repeated = false;
        let mut map_key = None;
        let mut first = self.word("a field")?;
        if matches!(first.as_str(), "optional" | "required" | "repeated") {
            repeated = first == "repeated";
            first = self.word("a field type")?;
        }
        let type_name = if first == "map" && self.peek() == Some(&Token::Punct('<')) {
            self.punct('<')?;
            map_key = Some(self.word("a map key type")?);
            self.punct(',')?;
            let value = self.word("a map value type")?;
            self.punct('>')?;
            value
        } else {
            first
        };
        let name = self.word("a field name")?;
        self.punct('=')?;
        let number = self.word("a field number")?;
        let number = number
            .parse::<u32>()
            .ok()
            .filter(|n| (1..(1 << 29)).contains(n))
            .ok_or_else(|| format!("line {}: bad field number {number}", self.line()))?;
        if self.peek() == Some(&Token::Punct('[')) {
            // Field options (`[packed = true]`, `(gogoproto.…)`): nothing podflow needs.
            while self.next() != Some(Token::Punct(']')) {
                if self.peek().is_none() {
                    return Err(self.error("`]`"));
                }
            }
        }
        self.punct(';')?;
        Ok(RawField {
            name,
            number,
            repeated,
            map_key,
            type_name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
        // comment
        syntax = "proto2";
        package demo.v1;
        import "other/generated.proto";
        option go_package = "demo/v1";

        /* block
           comment */
        message Outer {
          optional string name = 1;
          repeated Inner items = 2;
          map<string, string> labels = 3;
          optional .other.Thing thing = 4 [(gogoproto.nullable) = false];
          optional Kind kind = 5;
          message Inner {
            optional int64 count = 1;
            optional Outer back = 2;
          }
          enum Kind { A = 0; B = 1; }
          oneof choice {
            string left = 6;
            int32 right = 7;
          }
          reserved 8, 9;
        }
    "#;

    const OTHER: &str =
        "syntax = 'proto2'; package other; message Thing { optional bytes raw = 1; }";

    #[test]
    fn parses_fields_maps_nested_messages_and_resolves_names() {
        let schema = Schema::parse(&[("sample", SAMPLE), ("other", OTHER)]).unwrap();
        let outer = schema.message("demo.v1.Outer").unwrap();
        let name = outer.field(1).unwrap();
        assert_eq!(name.name, "name");
        assert_eq!(name.ty, FieldType::Scalar(Scalar::String));
        assert_eq!(name.label, Label::Optional);
        let items = outer.field(2).unwrap();
        assert_eq!(items.label, Label::Repeated);
        assert_eq!(
            items.ty,
            FieldType::Message("demo.v1.Outer.Inner".to_string())
        );
        let labels = outer.field(3).unwrap();
        assert_eq!(labels.label, Label::Map(Scalar::String));
        assert_eq!(labels.ty, FieldType::Scalar(Scalar::String));
        assert_eq!(
            outer.field(4).unwrap().ty,
            FieldType::Message("other.Thing".to_string())
        );
        assert_eq!(outer.field(5).unwrap().ty, FieldType::Scalar(Scalar::Enum));
        assert_eq!(outer.field(7).unwrap().name, "right");
        let inner = schema.message("demo.v1.Outer.Inner").unwrap();
        assert_eq!(
            inner.field(2).unwrap().ty,
            FieldType::Message("demo.v1.Outer".to_string())
        );
    }

    #[test]
    fn unknown_types_and_syntax_errors_are_reported() {
        let err = Schema::parse(&[("sample", SAMPLE)]).unwrap_err();
        assert!(err.contains("unknown type .other.Thing"), "{err}");
        let err =
            Schema::parse(&[("bad", "package x; message M { optional string = 1; }")]).unwrap_err();
        assert!(
            err.starts_with("bad: line 1: expected a field name"),
            "{err}"
        );
        let err = Schema::parse(&[("bad", "message M { optional string a = 1;")]).unwrap_err();
        assert!(err.contains("expected `}`"), "{err}");
    }

    #[test]
    fn embedded_kubernetes_protos_parse_and_resolve() {
        let schema = Schema::parse(EMBEDDED).unwrap();
        assert!(schema.len() > 300, "{} messages", schema.len());
        for name in [
            "k8s.io.api.core.v1.Namespace",
            "k8s.io.api.core.v1.ConfigMap",
            "k8s.io.api.core.v1.ServiceAccount",
            "k8s.io.api.apps.v1.Deployment",
            "k8s.io.api.rbac.v1.ClusterRoleBinding",
            "k8s.io.api.policy.v1.Eviction",
            "k8s.io.api.authorization.v1.SelfSubjectAccessReview",
            "k8s.io.api.authorization.v1.SelfSubjectRulesReview",
            "k8s.io.api.authorization.v1.SubjectAccessReview",
            "k8s.io.api.coordination.v1.Lease",
            "k8s.io.api.autoscaling.v1.Scale",
            "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
            "k8s.io.apimachinery.pkg.runtime.Unknown",
        ] {
            assert!(schema.message(name).is_some(), "{name}");
        }
        let spec = schema.message("k8s.io.api.apps.v1.DeploymentSpec").unwrap();
        assert_eq!(
            spec.field(3).unwrap().ty,
            FieldType::Message("k8s.io.api.core.v1.PodTemplateSpec".to_string())
        );
    }
}
