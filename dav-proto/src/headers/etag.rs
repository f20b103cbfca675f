//! Entity tags and lists of them: `If-Match` / `If-None-Match` style lists, `Schedule-Tag`
//! and `If-Schedule-Tag-Match` (RFC 6638 §8.2, §8.3).

use std::borrow::Cow;

use http::header::HeaderName;

use super::TypedHeader;
use super::lexer::{Lexer, err, text};
use crate::decoded::{DecodeError, Expected};

/// An entity tag: the opaque text between the quotes, and whether it is weak (`W/`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EntityTag<'a> {
    /// `W/` prefix.
    pub weak: bool,
    /// The opaque tag, without quotes.
    pub tag: Cow<'a, str>,
}

impl<'a> EntityTag<'a> {
    /// A strong tag.
    pub fn strong(tag: impl Into<Cow<'a, str>>) -> Self {
        EntityTag {
            weak: false,
            tag: tag.into(),
        }
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> EntityTag<'static> {
        EntityTag {
            weak: self.weak,
            tag: Cow::Owned(self.tag.into_owned()),
        }
    }

    /// Appends `"tag"` or `W/"tag"`.
    pub fn write(&self, out: &mut String) {
        if self.weak {
            out.push_str("W/");
        }
        out.push('"');
        out.push_str(&self.tag);
        out.push('"');
    }
}

/// The `Schedule-Tag` header: one strong entity tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ScheduleTag<'a>(pub EntityTag<'a>);

impl<'a> TypedHeader<'a> for ScheduleTag<'a> {
    fn name() -> HeaderName {
        super::SCHEDULE_TAG
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let mut lx = Lexer::new(text(value)?);
        lx.ws();
        let tag = lx.entity_tag()?;
        lx.ws();
        if !lx.at_end() || tag.weak {
            return Err(err(lx.pos(), Expected::EntityTag));
        }
        Ok(ScheduleTag(tag))
    }

    fn write(&self, out: &mut String) {
        self.0.write(out);
    }
}

/// `*` or a list of entity tags (`If-Match`, `If-None-Match`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EntityTagList<'a> {
    /// `*`.
    Any,
    /// The listed tags (at least one).
    Tags(Vec<EntityTag<'a>>),
}

impl<'a> EntityTagList<'a> {
    /// Parses `*` or `1#entity-tag`.
    pub fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        let t = text(value)?;
        if t.trim_matches([' ', '\t']) == "*" {
            return Ok(EntityTagList::Any);
        }
        parse_tags(t).map(EntityTagList::Tags)
    }

    /// Appends the value text.
    pub fn write(&self, out: &mut String) {
        match self {
            EntityTagList::Any => out.push('*'),
            EntityTagList::Tags(tags) => write_tags(out, tags),
        }
    }

    /// A `'static` copy.
    pub fn into_owned(self) -> EntityTagList<'static> {
        match self {
            EntityTagList::Any => EntityTagList::Any,
            EntityTagList::Tags(t) => {
                EntityTagList::Tags(t.into_iter().map(EntityTag::into_owned).collect())
            }
        }
    }
}

fn parse_tags(t: &str) -> Result<Vec<EntityTag<'_>>, DecodeError> {
    let mut lx = Lexer::new(t);
    let mut tags = Vec::new();
    loop {
        // Empty list elements ("a, , b") are allowed by the list syntax.
        while lx.comma() {}
        if lx.at_end() {
            break;
        }
        tags.push(lx.entity_tag()?);
        lx.ws();
        if !lx.at_end() && lx.peek() != Some(b',') {
            return Err(err(lx.pos(), Expected::EntityTag));
        }
    }
    if tags.is_empty() {
        return Err(err(0, Expected::EntityTag));
    }
    Ok(tags)
}

fn write_tags(out: &mut String, tags: &[EntityTag<'_>]) {
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        tag.write(out);
    }
}

/// The `If-Schedule-Tag-Match` header: one or more entity tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IfScheduleTagMatch<'a>(pub Vec<EntityTag<'a>>);

impl<'a> TypedHeader<'a> for IfScheduleTagMatch<'a> {
    fn name() -> HeaderName {
        super::IF_SCHEDULE_TAG_MATCH
    }

    fn parse(value: &'a [u8]) -> Result<Self, DecodeError> {
        parse_tags(text(value)?).map(IfScheduleTagMatch)
    }

    fn write(&self, out: &mut String) {
        write_tags(out, &self.0);
    }
}
