//! A content line as a property: optional group, name, parameters and value text
//! (RFC 5545 §3.1 and §3.2, RFC 6350 §3.3).

use std::borrow::Cow;

use crate::ical::param_values::ParamValues;

use crate::ical::contentline::{Defect, LineText, Report, write_folded};
use crate::ical::value::{self, Value, ValueType};
use crate::{DecodeError, ErrorKind, Expected};

/// One property parameter: `NAME=value,value`. Quotes around a value are removed on decoding
/// and added back on encoding when the value needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Parameter<'a> {
    /// Parameter name as written (compare with [`str::eq_ignore_ascii_case`]).
    pub name: Cow<'a, str>,
    /// The values, without quotes. Empty for a vCard 2.1 style bare parameter.
    pub values: ParamValues<'a>,
}

impl Parameter<'_> {
    /// A `'static` copy.
    pub fn into_owned(self) -> Parameter<'static> {
        Parameter {
            name: Cow::Owned(self.name.into_owned()),
            values: self.values.into_owned(),
        }
    }

    /// The first value, if any.
    pub fn value(&self) -> Option<&str> {
        self.values.first().map(|v| v.as_ref())
    }
}

/// A property: one logical content line.
///
/// `value` is the text on the wire after unfolding, still escaped (`\,` `\;` `\n`); use
/// [`Property::text`] or [`Property::typed_values`] for the meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Property<'a> {
    /// vCard group (`item1` in `item1.TEL`); always `None` in iCalendar.
    pub group: Option<Cow<'a, str>>,
    /// Property name as written.
    pub name: Cow<'a, str>,
    /// Parameters in order.
    pub params: Vec<Parameter<'a>>,
    /// Raw value text.
    pub value: Cow<'a, str>,
}

impl<'a> Property<'a> {
    /// A property with no group or parameters.
    pub fn new(name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Self {
            group: None,
            name: name.into(),
            params: Vec::new(),
            value: value.into(),
        }
    }

    /// Adds a parameter with one value (builder style).
    pub fn with_param(
        mut self,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> Self {
        self.params.push(Parameter {
            name: name.into(),
            values: ParamValues::one(value.into()),
        });
        self
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> Property<'static> {
        Property {
            group: self.group.map(|g| Cow::Owned(g.into_owned())),
            name: Cow::Owned(self.name.into_owned()),
            params: self.params.into_iter().map(Parameter::into_owned).collect(),
            value: Cow::Owned(self.value.into_owned()),
        }
    }

    /// Whether the property is called `name` (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The parameter called `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&Parameter<'a>> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The first value of parameter `name`.
    pub fn param_value(&self, name: &str) -> Option<&str> {
        self.param(name).and_then(Parameter::value)
    }

    /// The value as TEXT with escapes resolved (borrowed when there are none).
    pub fn text(&self) -> Cow<'_, str> {
        value::unescape_text(&self.value)
    }

    /// The value type: the `VALUE` parameter if present, else the property's default
    /// (RFC 5545 §3.7–3.8, RFC 6350 §6).
    pub fn value_type(&self) -> ValueType {
        match self.param_value("VALUE") {
            Some(v) => ValueType::from_name(v),
            None => ValueType::default_for(&self.name),
        }
    }

    /// The value parsed as its [`Property::value_type`], split at unescaped commas for
    /// multi-valued types. Offsets in errors count from the start of the value text.
    pub fn typed_values(&self) -> Result<Vec<Value<'_>>, DecodeError> {
        let ty = self.value_type();
        if self.is("GEO") && ty == ValueType::Float {
            // GEO is two FLOATs separated by `;` (RFC 5545 §3.8.1.6).
            return value::split_unescaped(&self.value, b';')
                .map(|(at, part)| value::parse_value(part, ty).map_err(|e| e.shifted(at)))
                .collect();
        }
        let list = ty.is_list()
            || ["CATEGORIES", "RESOURCES", "NICKNAME"]
                .iter()
                .any(|n| self.is(n));
        value::parse_values(&self.value, ty, list)
    }

    /// Parses one logical line. `base` is the line's offset in the input, for errors.
    pub(crate) fn parse(
        line: &LineText<'a>,
        base: usize,
        report: &mut Report,
    ) -> Result<Self, DecodeError> {
        let text = line.as_str();
        let bytes = text.as_bytes();
        let err =
            |at: usize, what: Expected| DecodeError::new(base + at, ErrorKind::Expected(what));
        let name_end = scan_name(bytes, 0);
        if name_end == 0 {
            return Err(err(0, Expected::PropertyName));
        }
        let mut group = None;
        let mut name_start = 0;
        let mut name_end = name_end;
        if bytes.get(name_end) == Some(&b'.') {
            group = Some(line.sub(0, name_end));
            name_start = name_end + 1;
            name_end = scan_name(bytes, name_start);
            if name_end == name_start {
                return Err(err(name_start, Expected::PropertyName));
            }
        }
        let name = line.sub(name_start, name_end);
        if name.bytes().any(|b| b.is_ascii_lowercase()) {
            report.defect(base + name_start, Defect::LowercaseName)?;
        }
        let mut params = Vec::new();
        let mut pos = name_end;
        loop {
            match bytes.get(pos) {
                Some(b':') => break,
                Some(b';') => {
                    let pstart = pos + 1;
                    let pend = scan_name(bytes, pstart);
                    if pend == pstart && matches!(bytes.get(pstart), Some(b';' | b':')) {
                        // `TEL;;HOME:` or `TEL;:` (vCard 2.1 exports): an empty parameter.
                        report.defect(base + pstart, Defect::EmptyParameter)?;
                        pos = pstart;
                        continue;
                    }
                    if pend == pstart {
                        return Err(err(pstart, Expected::ParameterName));
                    }
                    let pname = line.sub(pstart, pend);
                    pos = pend;
                    let mut values = ParamValues::new();
                    if bytes.get(pos) == Some(&b'=') {
                        loop {
                            pos += 1;
                            if bytes.get(pos) == Some(&b'"') {
                                let vstart = pos + 1;
                                let close = bytes
                                    .get(vstart..)
                                    .and_then(|r| memchr::memchr(b'"', r))
                                    .ok_or_else(|| err(pos, Expected::ClosingQuote))?;
                                values.push(line.sub(vstart, vstart + close));
                                pos = vstart + close + 1;
                            } else {
                                let vstart = pos;
                                while let Some(&b) = bytes.get(pos) {
                                    if b == b'\\'
                                        && report.lenient()
                                        && matches!(bytes.get(pos + 1), Some(b';' | b',' | b':'))
                                    {
                                        // `\;` inside a parameter value: not RFC 5545
                                        // grammar, but common; the escaped byte is kept.
                                        report.defect(base + pos, Defect::EscapedParameterChar)?;
                                        pos += 2;
                                        continue;
                                    }
                                    if matches!(b, b',' | b';' | b':' | b'"') {
                                        break;
                                    }
                                    pos += 1;
                                }
                                values.push(line.sub(vstart, pos));
                            }
                            if bytes.get(pos) != Some(&b',') {
                                break;
                            }
                        }
                    } else {
                        report.defect(base + pstart, Defect::ParameterWithoutValue)?;
                    }
                    params.push(Parameter {
                        name: pname,
                        values,
                    });
                }
                _ => return Err(err(pos, Expected::Colon)),
            }
        }
        let value = line.sub(pos + 1, text.len());
        Ok(Self {
            group,
            name,
            params,
            value,
        })
    }

    /// Appends the property as a folded content line with CRLF.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let mut line = String::with_capacity(self.name.len() + self.value.len() + 16);
        if let Some(group) = &self.group {
            line.push_str(group);
            line.push('.');
        }
        line.push_str(&self.name);
        for param in &self.params {
            line.push(';');
            line.push_str(&param.name);
            if param.values.is_empty() {
                continue;
            }
            line.push('=');
            for (i, v) in param.values.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                // Quoted when it holds a separator, or ends in a backslash: unquoted, that
                // backslash and the separator after it would read as an escape in lenient
                // decoding (`E=\:`), which keeps the separator in the value.
                if v.contains([':', ';', ',']) || v.ends_with('\\') {
                    line.push('"');
                    line.push_str(v);
                    line.push('"');
                } else {
                    line.push_str(v);
                }
            }
        }
        line.push(':');
        line.push_str(&self.value);
        write_folded(&line, out);
    }
}

/// End of a name (`iana-token` / `x-name`: letters, digits, `-`) starting at `from`.
fn scan_name(bytes: &[u8], from: usize) -> usize {
    let mut pos = from;
    while let Some(&b) = bytes.get(pos) {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            pos += 1;
        } else {
            break;
        }
    }
    pos
}
