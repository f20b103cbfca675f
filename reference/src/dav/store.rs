//! The DAV store: one in-memory tree of collections and resources for every account, keyed by
//! decoded path, with a global change counter that gives ETags, sync tokens and CTags, and
//! tombstones so `sync-collection` can report deletions.
//!
//! Paths are the decoded request paths without a trailing slash (`/dav/files/alice/a b`),
//! the root being `/`. [`encode_href`] turns one back into an href.

use std::collections::BTreeMap;

use groupwire_dav::body::DavProperty;

use super::locks::LockTable;
use crate::store::now_seconds;

/// A dead property's key: (namespace URI, local name).
pub type PropKey = (String, String);

/// What kind of collection a collection is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectionKind {
    /// A plain WebDAV collection.
    Plain,
    /// A principal (RFC 3744), a collection so `Depth: 1` listings work.
    Principal,
    /// A calendar collection (RFC 4791) with the component names it accepts.
    Calendar {
        /// `supported-calendar-component-set` (VEVENT, VTODO, ...).
        components: Vec<String>,
    },
    /// An address book collection (RFC 6352).
    Addressbook,
}

/// A node's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A collection.
    Collection(CollectionKind),
    /// A resource with a body.
    Resource {
        /// The body, verbatim.
        body: Vec<u8>,
        /// Its media type.
        content_type: String,
        /// The UID of a calendar object or vCard.
        uid: Option<String>,
    },
}

/// One collection or resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it holds.
    pub content: Content,
    /// Dead properties, by (namespace, local name).
    pub dead: BTreeMap<PropKey, DavProperty<'static>>,
    /// Creation time, seconds since the epoch.
    pub created: i64,
    /// Last content change, seconds since the epoch.
    pub modified: i64,
    /// The change counter value of the last content change (the ETag).
    pub seq: u64,
}

impl Node {
    /// Whether the node is a collection.
    pub fn is_collection(&self) -> bool {
        matches!(self.content, Content::Collection(_))
    }

    /// The collection kind, `None` for a resource.
    pub fn collection(&self) -> Option<&CollectionKind> {
        match &self.content {
            Content::Collection(kind) => Some(kind),
            Content::Resource { .. } => None,
        }
    }

    /// The body of a resource (empty for a collection).
    pub fn body(&self) -> &[u8] {
        match &self.content {
            Content::Resource { body, .. } => body,
            Content::Collection(_) => &[],
        }
    }

    /// The strong entity tag, quotes included.
    pub fn etag(&self) -> String {
        format!("\"gw-{}\"", self.seq)
    }

    /// The UID of a calendar object or vCard.
    pub fn uid(&self) -> Option<&str> {
        match &self.content {
            Content::Resource { uid, .. } => uid.as_deref(),
            Content::Collection(_) => None,
        }
    }
}

/// The parent path of `path` (`None` for the root).
pub fn parent(path: &str) -> Option<&str> {
    if path == "/" {
        return None;
    }
    match path.rfind('/') {
        Some(0) => Some("/"),
        Some(i) => path.get(..i),
        None => None,
    }
}

/// The last segment of `path`.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// `child` below `parent`.
pub fn join(parent: &str, child: &str) -> String {
    if parent == "/" {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

/// Whether `path` is `ancestor` or below it.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor == "/"
        || path == ancestor
        || (path.starts_with(ancestor) && path.as_bytes().get(ancestor.len()) == Some(&b'/'))
}

/// Why a path could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPath;

/// Decodes a request path (percent-encoding, `.`/`..` refused) into a store path and
/// whether it ended in a slash.
pub fn decode_path(raw: &str) -> Result<(String, bool), BadPath> {
    let raw = raw.split(['?', '#']).next().unwrap_or("");
    if !raw.starts_with('/') {
        return Err(BadPath);
    }
    let mut bytes = Vec::with_capacity(raw.len());
    let mut input = raw.bytes();
    while let Some(b) = input.next() {
        if b == b'%' {
            let hex = [input.next().ok_or(BadPath)?, input.next().ok_or(BadPath)?];
            let hex = std::str::from_utf8(&hex).map_err(|_| BadPath)?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|_| BadPath)?);
        } else {
            bytes.push(b);
        }
    }
    let decoded = String::from_utf8(bytes).map_err(|_| BadPath)?;
    let trailing = decoded.ends_with('/');
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" => {}
            "." | ".." => return Err(BadPath),
            s if s.contains('\0') => return Err(BadPath),
            s => segments.push(s),
        }
    }
    Ok((format!("/{}", segments.join("/")), trailing))
}

/// The href of `path`: every segment percent-encoded, a trailing slash for collections.
pub fn encode_href(path: &str, collection: bool) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if collection && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// The tree and its lock table, behind the service's mutex.
#[derive(Debug, Default)]
pub struct Tree {
    nodes: BTreeMap<String, Node>,
    /// Deleted paths and the change counter value of their deletion.
    tombstones: BTreeMap<String, u64>,
    /// The change counter.
    seq: u64,
    /// Active locks.
    pub locks: LockTable,
}

/// The prefix of every sync token (RFC 6578 §3.2: a URI).
pub const SYNC_TOKEN_PREFIX: &str = "https://groupwire.invalid/sync/";

impl Tree {
    /// An empty tree with the root collection.
    pub fn new() -> Tree {
        let mut tree = Tree::default();
        tree.put("/", Content::Collection(CollectionKind::Plain));
        tree
    }

    /// The current value of the change counter.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The node at `path`.
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// The stored key and node at `path`.
    pub fn get_key_value(&self, path: &str) -> Option<(&String, &Node)> {
        self.nodes.get_key_value(path)
    }

    /// The node at `path`, mutably (a dead-property change: no new ETag).
    pub fn get_mut(&mut self, path: &str) -> Option<&mut Node> {
        self.nodes.get_mut(path)
    }

    /// Whether `path` exists.
    pub fn exists(&self, path: &str) -> bool {
        self.nodes.contains_key(path)
    }

    /// Every node strictly below `path`, in path order.
    pub fn descendants(&self, path: &str) -> Vec<(&String, &Node)> {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(key, _)| key.as_str() != "/")
            .collect()
    }

    /// The direct members of collection `path`, in path order.
    pub fn children(&self, path: &str) -> Vec<(&String, &Node)> {
        self.descendants(path)
            .into_iter()
            .filter(|(key, _)| parent(key) == Some(path))
            .collect()
    }

    /// Creates or replaces the node at `path` with `content`. A replaced resource keeps its
    /// dead properties and creation date; either way it gets a new ETag.
    pub fn put(&mut self, path: &str, content: Content) -> &Node {
        let seq = self.next_seq();
        let now = now_seconds();
        self.tombstones.remove(path);
        let node = self.nodes.entry(path.to_string()).or_insert_with(|| Node {
            content: Content::Collection(CollectionKind::Plain),
            dead: BTreeMap::new(),
            created: now,
            modified: now,
            seq,
        });
        node.content = content;
        node.modified = now;
        node.seq = seq;
        node
    }

    /// Records a change of the node at `path` (new ETag, new sync token).
    pub fn touch(&mut self, path: &str) {
        let seq = self.next_seq();
        if let Some(node) = self.nodes.get_mut(path) {
            node.seq = seq;
            node.modified = now_seconds();
        }
    }

    /// Removes `path` and everything below it, leaving tombstones; returns whether it existed.
    pub fn remove(&mut self, path: &str) -> bool {
        if !self.nodes.contains_key(path) {
            return false;
        }
        let mut doomed: Vec<String> = self
            .descendants(path)
            .into_iter()
            .map(|(key, _)| key.clone())
            .collect();
        doomed.push(path.to_string());
        let seq = self.next_seq();
        for key in doomed {
            self.nodes.remove(&key);
            self.tombstones.insert(key, seq);
        }
        self.locks.remove_within(path);
        true
    }

    /// Copies `from` (with everything below it when `deep`) to `to`, which must not exist.
    pub fn copy(&mut self, from: &str, to: &str, deep: bool) {
        let mut copies: Vec<(String, Node)> = Vec::new();
        if let Some(node) = self.nodes.get(from) {
            copies.push((to.to_string(), node.clone()));
        }
        if deep {
            for (key, node) in self.descendants(from) {
                let suffix = key.get(from.len()..).unwrap_or("");
                let target = if from == "/" {
                    join(to, suffix.trim_start_matches('/'))
                } else {
                    format!("{to}{suffix}")
                };
                copies.push((target, node.clone()));
            }
        }
        let now = now_seconds();
        for (key, mut node) in copies {
            let seq = self.next_seq();
            node.seq = seq;
            node.created = now;
            node.modified = now;
            self.tombstones.remove(&key);
            self.nodes.insert(key, node);
        }
    }

    /// Moves `from` and everything below it to `to`, which must not exist.
    pub fn rename(&mut self, from: &str, to: &str) {
        self.copy(from, to, true);
        self.remove(from);
    }

    /// The sync token of collection `path`: the newest change to it or its members.
    pub fn sync_token(&self, path: &str) -> String {
        format!("{SYNC_TOKEN_PREFIX}{}", self.collection_version(path))
    }

    /// The change counter value of the newest change to collection `path` or its members
    /// (at any depth), deletions included.
    pub fn collection_version(&self, path: &str) -> u64 {
        let own = self.nodes.get(path).map_or(0, |n| n.seq);
        let members = self
            .descendants(path)
            .into_iter()
            .map(|(_, n)| n.seq)
            .max()
            .unwrap_or(0);
        let deleted = self
            .tombstones
            .iter()
            .filter(|(key, _)| is_within(key, path) && key.as_str() != path)
            .map(|(_, seq)| *seq)
            .max()
            .unwrap_or(0);
        own.max(members).max(deleted)
    }

    /// Parses a sync token this tree issued; `None` when it is not one or lies in the
    /// future.
    pub fn parse_sync_token(&self, token: &str) -> Option<u64> {
        let n: u64 = token.strip_prefix(SYNC_TOKEN_PREFIX)?.parse().ok()?;
        (n <= self.seq).then_some(n)
    }

    /// Members of `path` (direct ones, or at any depth when `deep`) changed after `since`,
    /// and those deleted after it, by path.
    pub fn changes_since(&self, path: &str, since: u64, deep: bool) -> (Vec<String>, Vec<String>) {
        let in_scope = |key: &str| {
            if deep {
                is_within(key, path) && key != path
            } else {
                parent(key) == Some(path)
            }
        };
        let changed = self
            .descendants(path)
            .into_iter()
            .filter(|(key, node)| node.seq > since && in_scope(key))
            .map(|(key, _)| key.clone())
            .collect();
        let deleted = self
            .tombstones
            .iter()
            .filter(|(key, seq)| **seq > since && in_scope(key) && !self.nodes.contains_key(*key))
            .map(|(key, _)| key.clone())
            .collect();
        (changed, deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(body: &str) -> Content {
        Content::Resource {
            body: body.as_bytes().to_vec(),
            content_type: "text/plain".into(),
            uid: None,
        }
    }

    #[test]
    fn paths_decode_and_encode() {
        assert_eq!(
            decode_path("/a%20b/%C3%A9t%C3%A9/"),
            Ok(("/a b/été".to_string(), true))
        );
        assert_eq!(decode_path("/x//y?q=1"), Ok(("/x/y".to_string(), false)));
        assert_eq!(decode_path("/a/../b"), Err(BadPath));
        assert_eq!(decode_path("/%zz"), Err(BadPath));
        assert_eq!(decode_path("/%FF"), Err(BadPath));
        assert_eq!(encode_href("/a b/été", true), "/a%20b/%C3%A9t%C3%A9/");
        assert_eq!(encode_href("/a%b", false), "/a%25b");
        assert_eq!(parent("/a/b"), Some("/a"));
        assert_eq!(parent("/a"), Some("/"));
        assert_eq!(parent("/"), None);
        assert!(is_within("/a/b", "/a"));
        assert!(!is_within("/ab", "/a"));
    }

    #[test]
    fn etags_change_and_children_list() {
        let mut tree = Tree::new();
        tree.put("/c", Content::Collection(CollectionKind::Plain));
        let first = tree.put("/c/x", resource("1")).etag();
        let second = tree.put("/c/x", resource("2")).etag();
        assert_ne!(first, second);
        tree.put("/c/y", resource("3"));
        tree.put("/cz", resource("4"));
        let names: Vec<&String> = tree.children("/c").into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["/c/x", "/c/y"]);
    }

    #[test]
    fn copy_move_and_delete_keep_the_tree_consistent() {
        let mut tree = Tree::new();
        tree.put("/a", Content::Collection(CollectionKind::Plain));
        tree.put("/a/f", resource("f"));
        tree.put("/a/s", Content::Collection(CollectionKind::Plain));
        tree.put("/a/s/g", resource("g"));
        tree.copy("/a", "/b", false);
        assert!(tree.exists("/b") && !tree.exists("/b/f"));
        tree.remove("/b");
        tree.copy("/a", "/b", true);
        assert_eq!(tree.get("/b/s/g").map(Node::body), Some(&b"g"[..]));
        tree.rename("/a", "/c");
        assert!(!tree.exists("/a/f") && tree.exists("/c/s/g"));
        assert!(tree.remove("/c"));
        assert!(!tree.exists("/c/s/g"));
        assert!(!tree.remove("/c"));
    }

    #[test]
    fn sync_tokens_report_changes_and_deletions() {
        let mut tree = Tree::new();
        tree.put("/cal", Content::Collection(CollectionKind::Plain));
        tree.put("/cal/a", resource("a"));
        let token = tree.sync_token("/cal");
        let since = tree.parse_sync_token(&token).unwrap_or(u64::MAX);
        assert_eq!(tree.changes_since("/cal", since, false), (vec![], vec![]));
        tree.put("/cal/b", resource("b"));
        tree.remove("/cal/a");
        let (changed, deleted) = tree.changes_since("/cal", since, false);
        assert_eq!(changed, ["/cal/b"]);
        assert_eq!(deleted, ["/cal/a"]);
        assert_ne!(tree.sync_token("/cal"), token);
        assert_eq!(
            tree.parse_sync_token("https://groupwire.invalid/sync/999999"),
            None
        );
        assert_eq!(tree.parse_sync_token("bogus"), None);
        // Another collection's changes do not move this one's token.
        let before = tree.sync_token("/cal");
        tree.put("/other", resource("o"));
        assert_eq!(tree.sync_token("/cal"), before);
    }
}
