//! Loader for protocol transcript fixtures (format: `tests/fixtures/README.md`).
//!
//! A fixture is a title line `# RFC NNNN §x.y: <title>`, optional further `#` note lines,
//! then lines `C: <text>` (client) and `S: <text>` (server). Each line adds `<text>` + CRLF
//! to its direction's byte stream; a line without a prefix continues the previous direction.
//! Include it from a test with `#[path = "support/transcript.rs"] mod transcript;` (the SMTP
//! crate's tests include this same file, as their fixtures use the same format).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Which side of the connection sent some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Bytes the client sent.
    Client,
    /// Bytes the server sent.
    Server,
}

/// One parsed fixture.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// Text of the title line, without the leading `# `.
    pub title: String,
    /// Note lines after the title (repairs done to the RFC text), without `# `.
    pub notes: Vec<String>,
    /// Runs of bytes in protocol order, consecutive lines of one direction merged.
    pub steps: Vec<(Direction, Vec<u8>)>,
}

impl Transcript {
    /// Every byte the client sent, in order.
    pub fn client(&self) -> Vec<u8> {
        self.direction(Direction::Client)
    }

    /// Every byte the server sent, in order.
    pub fn server(&self) -> Vec<u8> {
        self.direction(Direction::Server)
    }

    fn direction(&self, wanted: Direction) -> Vec<u8> {
        self.steps
            .iter()
            .filter(|(direction, _)| *direction == wanted)
            .flat_map(|(_, bytes)| bytes.iter().copied())
            .collect()
    }
}

/// Parses fixture text. Errors name the 1-based line.
pub fn parse(text: &str) -> Result<Transcript, String> {
    let mut lines = text.lines().enumerate().peekable();
    let title = match lines.next().and_then(|(_, line)| line.strip_prefix("# ")) {
        Some(title) => title.to_string(),
        None => return Err("line 1: expected a `# ` title line".to_string()),
    };
    let mut notes = Vec::new();
    while let Some((_, line)) = lines.peek() {
        match line.strip_prefix('#') {
            Some(note) => {
                notes.push(note.trim_start().to_string());
                lines.next();
            }
            None => break,
        }
    }
    let mut steps: Vec<(Direction, Vec<u8>)> = Vec::new();
    for (index, line) in lines {
        let (direction, content) = if let Some(rest) = prefixed(line, "C:") {
            (Direction::Client, rest)
        } else if let Some(rest) = prefixed(line, "S:") {
            (Direction::Server, rest)
        } else {
            match steps.last() {
                Some((direction, _)) => (*direction, line),
                None => {
                    return Err(format!(
                        "line {}: text before the first C:/S: line",
                        index + 1
                    ));
                }
            }
        };
        match steps.last_mut() {
            Some((last, bytes)) if *last == direction => {
                bytes.extend_from_slice(content.as_bytes());
                bytes.extend_from_slice(b"\r\n");
            }
            _ => {
                let mut bytes = content.as_bytes().to_vec();
                bytes.extend_from_slice(b"\r\n");
                steps.push((direction, bytes));
            }
        }
    }
    if steps.is_empty() {
        return Err("no C:/S: lines".to_string());
    }
    Ok(Transcript {
        title,
        notes,
        steps,
    })
}

/// `C: text` -> `text`, `C:` -> ``, anything else -> None.
fn prefixed<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(' ')
    }
}

/// Reads and parses one fixture file: `(title, client_bytes, server_bytes)`.
pub fn load(path: &Path) -> Result<(String, Vec<u8>, Vec<u8>), String> {
    let transcript = load_transcript(path)?;
    let (client, server) = (transcript.client(), transcript.server());
    Ok((transcript.title, client, server))
}

/// Reads and parses one fixture file, keeping protocol order and notes.
pub fn load_transcript(path: &Path) -> Result<Transcript, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Every `*.txt` fixture under `tests/fixtures/<sub>` of this crate, sorted.
pub fn fixture_files(sub: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
