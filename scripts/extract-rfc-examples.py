#!/usr/bin/env python3
"""Extract protocol examples from RFC plain texts into test fixtures.

Usage:
    scripts/extract-rfc-examples.py imap [--rfc-dir DIR] [--out DIR]
    scripts/extract-rfc-examples.py smtp [--rfc-dir DIR] [--out DIR]
    scripts/extract-rfc-examples.py dav  [--rfc-dir DIR] [--out DIR]

imap/smtp write transcripts (format in <crate>/tests/fixtures/README.md):
    # RFC NNNN §x.y: <title>
    # <note lines: repairs done by the extractor>
    C: <client text>
    S: <server text>

The extractor is deliberately conservative: examples with elisions ("..."), prose that
cannot be read as a split point, or literals it cannot size are skipped and listed on
stderr so a human can repair them by hand (hand-made fixtures live next to the generated
ones and are listed in the README; they are never overwritten because their names end in
"-fixed.txt" or "-hand.txt").

Default RFC directory: /work/shared/rfc (override with --rfc-dir or $RFC_DIR).
"""

import argparse
import os
import re
import sys

RFC_DIR_DEFAULT = os.environ.get("RFC_DIR", "/work/shared/rfc")

IMAP_RFCS = [
    "rfc9051", "rfc3501", "rfc4466", "rfc2683", "rfc2177", "rfc5161", "rfc7162", "rfc6851",
    "rfc4315", "rfc7888", "rfc2971", "rfc2342", "rfc4959", "rfc4978", "rfc3516", "rfc5256",
    "rfc5957", "rfc9208", "rfc5464", "rfc4731", "rfc5267", "rfc5182", "rfc5032", "rfc6203",
    "rfc6237", "rfc7377", "rfc5258", "rfc5819", "rfc6154", "rfc3348", "rfc6855", "rfc7889",
    "rfc8474", "rfc8438", "rfc3691", "rfc3502", "rfc4469", "rfc4314", "rfc5530", "rfc5255",
    "rfc5257", "rfc5259", "rfc5465", "rfc5466", "rfc8437", "rfc8440", "rfc8457", "rfc8508",
    "rfc8514", "rfc8970", "rfc9394", "rfc2193", "rfc2221", "rfc2595",
]

SMTP_RFCS = [
    "rfc5321", "rfc2920", "rfc2197", "rfc3461", "rfc6531", "rfc2554", "rfc1652", "rfc1870",
    "rfc2034", "rfc3207", "rfc8689",
]

# Sections whose "S:" lines are reply-code tables, not transcripts.
EXCLUDED_SECTIONS = {
    ("rfc5321", "4.3.2"),
}

# Examples dropped on review (name -> reason); listed in the fixtures README.
EXCLUDED_EXAMPLES = {
    "rfc2595-4-1": "POP3, not IMAP",
    "rfc2595-4-2": "POP3, not IMAP",
    "rfc2595-5.1-1": "ACAP, not IMAP",
    "rfc2595-5.1-2": "ACAP, not IMAP",
    "rfc2595-6-1": "ACAP, not IMAP",
    "rfc2595-6-2": "ACAP, not IMAP",
    "rfc5464-4.3-1": "repaired by hand (rfc5464-4.3-1.txt): literal lines without C:, {33} -> {35}",
    "rfc5259-6-9": "repaired by hand (rfc5259-6-9.txt): FETCH response lacks its ')'",
    "rfc5259-6-10": "repaired by hand (rfc5259-6-10.txt): CONVERTED response lacks its ')'",
    "rfc2554-4-1": "repaired by hand: the 334 challenge sits on its own line (rfc2554-4-1.txt)",
    "rfc2554-4-2": "second half of rfc2554-4-1, merged by hand",
    "rfc8689-A.1-1": "repaired by hand (rfc8689-A.1-1.txt): 'S: TLS go ahead' lacks its 220 code",
    "rfc8689-A.1-2": "repaired by hand (rfc8689-A.1-2.txt): merged with the part after "
                     "'(message follows)', empty message",
    "rfc8689-A.1-3": "merged into rfc8689-A.1-2 by hand",
    "rfc3461-10.1-1": "written by hand by the groupwire-smtp work (rfc3461-10.1-1.txt), kept",
}

# Obvious typos in otherwise good examples: name -> [(old text, new text, note)].
TEXT_REPAIRS = {
    "rfc5255-3.2-5": [('(("" "/"))(("Other Users/"', '(("" "/")) (("Other Users/"',
                       "missing SP between the NAMESPACE lists added")],
    "rfc2193-4.1-6": [("[PERMANENTFLAGS (Answered Deleted Seen ]",
                       "[PERMANENTFLAGS (\\Answered \\Deleted \\Seen)]",
                       "PERMANENTFLAGS list lacked its ')' and the flags their backslashes")],
    "rfc2193-4.1-8": [("[PERMANENTFLAGS (Answered Deleted Seen ]",
                       "[PERMANENTFLAGS (\\Answered \\Deleted \\Seen)]",
                       "PERMANENTFLAGS list lacked its ')' and the flags their backslashes")],
    "rfc4469-A-4": [('/;UID=113330; section=1.5.9"', '/;UID=113330/;section=1.5.9"',
                     "BADURL wrapped inside the URL (and lost a '/'): the URL of the request")],
    "rfc5257-4.4-4": [("(FLAGS (\\Seen)) ANNOTATION (/comment))",
                       "(FLAGS (\\Seen) ANNOTATION (/comment))",
                       "extra ')' after the FLAGS list removed")],
    "rfc2342-5-5": [('NIL  NIL', 'NIL NIL', "two spaces between namespaces")],
    "rfc9051-6.3.10-5": [('NIL  NIL', 'NIL NIL', "two spaces between namespaces")],
    "rfc5819-3-1": [('"."  "INBOX"', '"." "INBOX"', "two spaces before the mailbox")],
    "rfc5819-3-2": [('"."  "INBOX"', '"." "INBOX"', "two spaces before the mailbox"),
                    ('(SUBSCRIBED RECURSIVEMATCH)"" %', '(SUBSCRIBED RECURSIVEMATCH) "" %',
                     "missing SP between the selection options and the reference")],
    "rfc7889-3.2-1": [('"."  "INBOX"', '"." "INBOX"', "two spaces before the mailbox")],
    "rfc9051-6.3.9.8-23": [('"."  "INBOX"', '"." "INBOX"', "two spaces before the mailbox")],
    "rfc9051-6.3.9.8-24": [('"."  "INBOX"', '"." "INBOX"', "two spaces before the mailbox")],
    "rfc9394-3.4-1": [("(UID FLAGS )", "(UID FLAGS)", "space before ')' in the FETCH items"),
                      ("(\\Flagged \\Answered )", "(\\Flagged \\Answered)",
                       "space before ')' in the flag list")],
    "rfc4314-3.4-1": [("a005 Listrights successful", "a005 OK Listrights successful",
                       "tagged reply lacked its OK")],
    "rfc5032-4-1": [("a1 * SEARCH", "* SEARCH", "tag written before the untagged SEARCH")],
    "rfc5259-8.4-1": [('(("IMAGE/JPEG" "application/PostScript"))',
                       '(("IMAGE/JPEG" "application/PostScript")))',
                       "CONVERTED response lacked its final ')'")],
}

PAGE_FOOTER = re.compile(r"^\S.*\[Page \d+\]\s*$")
PAGE_HEADER = re.compile(r"^RFC \d+\s.*\s(19|20)\d\d\s*$")
HEADING = re.compile(
    r"^(?:Appendix\s+)?((?:\d+|[A-Z])(?:\.\d+)*)\.?\s{1,4}([A-Z0-9\"'<\[(].*?)\s*$"
)
PREFIXED = re.compile(r"^(\s*)([CS]):(?: (.*))?$")
LITERAL_AT_END = re.compile(rb"~?\{(\d+)(\+|-)?\}$")
BASE64_TAIL = re.compile(r"[A-Za-z0-9+/=]{16,}$")
BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")


def read_lines(path):
    """RFC text without page breaks (footer, form feed, header and the blanks around them)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        raw = handle.read().lstrip("\ufeff").split("\n")
    out = []
    i = 0
    while i < len(raw):
        line = raw[i].rstrip("\r")
        if PAGE_FOOTER.match(line) or line.startswith("\f") or PAGE_HEADER.match(line):
            # drop the break and the blank lines around it
            while out and out[-1].strip() == "":
                out.pop()
            i += 1
            while i < len(raw) and (
                raw[i].strip() == "" or raw[i].startswith("\f")
                or PAGE_HEADER.match(raw[i].rstrip("\r").lstrip("\f"))
            ):
                i += 1
            continue
        # RFC 3461 writes "<<<" for the server and ">>>" for the client, "\\" continues
        m = re.match(r"^(\s*)(<<<|>>>) (.*)$", line)
        if m:
            line = m.group(1) + ("S: " if m.group(2) == "<<<" else "C: ") + m.group(3)
            while line.endswith(" \\") and i + 1 < len(raw):
                i += 1
                line = line[:-2].rstrip() + " " + raw[i].strip()
        # RFC 3501 puts the first example line after "Example:" on the same line
        m = re.match(r"^(\s*Example:\s+)([CS]: .*)$", line)
        if m:
            line = " " * len(m.group(1)) + m.group(2)
        out.append(line.rstrip())
        i += 1
    return out


def sections(lines):
    """Yield (section, title) for every line index."""
    current = ("0", "Preamble")
    result = []
    started = False
    for line in lines:
        m = HEADING.match(line)
        if m and not line.startswith(" "):
            num = m.group(1)
            title = m.group(2)
            # the table of contents has dotted leaders; skip it
            if "....." not in title and ". . ." not in title:
                current = (num, title)
                started = True
        result.append(current if started else ("0", "Preamble"))
    return result


def is_annotation(text):
    t = text.strip()
    return (t.startswith("<") and t.endswith(">") and " " in t and "@" not in t) or (
        t.startswith("[") and t.endswith("]") and ("..." in t or " " in t) and ":" not in t[:3]
    )


def find_blocks(lines, roles):
    """Group lines into raw example blocks: lists of (kind, indent, payload)."""
    blocks = []
    i = 0
    n = len(lines)
    while i < n:
        m = PREFIXED.match(lines[i])
        if not m or (m.group(2) not in roles):
            m = match_role(lines[i], roles)
            if not m:
                i += 1
                continue
        indent = len(m.group(1))
        start = i
        block = []
        while i < n:
            line = lines[i]
            pm = match_role(line, roles)
            if pm and abs(len(pm.group(1)) - indent) <= 2:
                block.append(("line", roles[pm.group(2)], pm.group(3) or ""))
                i += 1
                continue
            if line.strip() == "":
                # a blank line keeps the block only if the next line continues it
                j = i
                while j < n and lines[j].strip() == "":
                    j += 1
                nm = match_role(lines[j], roles) if j < n else None
                if nm and abs(len(nm.group(1)) - indent) <= 2 and j - i == 1:
                    i = j
                    continue
                break
            lead = len(line) - len(line.lstrip())
            if block and block[-1][0] in ("line", "cont") and lead > 0 and unclosed(block):
                # a wrapped line the RFC did not indent: the previous text left "(" or "[" open
                block.append(("cont", None, line.strip()))
                i += 1
                continue
            if lead >= indent and is_annotation(line):
                block.append(("note", None, line.strip()))
                i += 1
                continue
            if lead > indent:
                block.append(("cont", None, line.strip()))
                i += 1
                continue
            break
        blocks.append((start, block))
    return blocks


def unclosed(block):
    """Whether the last entry (its line plus continuations) leaves a bracket open."""
    parts = []
    for kind, _role, text in reversed(block):
        if kind == "note":
            break
        parts.append(text)
        if kind == "line":
            break
    text = " ".join(reversed(parts))
    if LITERAL_AT_END.search(text.encode("utf-8")):
        return False
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    return text.count("(") > text.count(")") or text.count("[") > text.count("]")


def match_role(line, roles):
    m = re.match(r"^(\s*)([A-Z]):(?: (.*))?$", line)
    if m and m.group(2) in roles:
        return m
    return None


def literal_state(text, remaining):
    """Bytes of open literal still expected after this line (text + CRLF)."""
    data = text.encode("utf-8") + b"\r\n"
    pos = 0
    while True:
        if remaining > 0:
            take = min(remaining, len(data) - pos)
            remaining -= take
            pos += take
            if remaining > 0:
                return remaining
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            return 0
        m = LITERAL_AT_END.search(data[pos:line_end])
        if m:
            remaining = int(m.group(1))
            pos = line_end + 2
            if pos >= len(data):
                return remaining
            continue
        return 0


def build_examples(block, protocol):
    """Turn a raw block into transcripts: list of (entries, notes, problems)."""
    examples = []
    entries = []
    notes = []
    problems = []
    open_literal = {"C": 0, "S": 0}
    for kind, role, text in block:
        if kind == "note":
            if entries:
                examples.append((entries, notes, problems))
            entries, notes, problems = [], [], []
            open_literal = {"C": 0, "S": 0}
            continue
        if kind == "line":
            if is_annotation(text) and protocol == "smtp":
                if entries:
                    examples.append((entries, notes, problems))
                entries, notes, problems = [], [], []
                continue
            entries.append([role, text])
            open_literal[role] = literal_state(text, open_literal[role])
            continue
        # continuation line
        if not entries:
            problems.append("continuation before first line")
            continue
        role = entries[-1][0]
        if open_literal[role] > 0:
            entries.append([role, text])
            open_literal[role] = literal_state(text, open_literal[role])
            continue
        prev = entries[-1][1]
        if protocol == "smtp" and text == "...":
            # stands for the message content after a 354 reply
            if "dropped a '...' line standing for elided message content" not in notes:
                notes.append("dropped a '...' line standing for elided message content")
            continue
        if BASE64_LINE.match(text) and BASE64_TAIL.search(prev):
            entries[-1][1] = prev + text
            note = "joined wrapped base64 line"
        else:
            # no space where the RFC broke the line right after an opening bracket
            glue = "" if prev.endswith(("(", "[")) or text.startswith((")", "]")) else " "
            entries[-1][1] = prev + glue + text
            note = "joined wrapped line"
        if note not in notes:
            notes.append(note)
        open_literal[role] = literal_state(entries[-1][1], 0)
    if entries:
        examples.append((entries, notes, problems))
    return examples


def fix_literals(entries, notes, problems):
    """Make every {n} literal size match the bytes that follow in its direction."""
    for idx, (role, text) in enumerate(entries):
        m = LITERAL_AT_END.search(text.encode("utf-8"))
        if not m:
            continue
        declared = int(m.group(1))
        # bytes of this direction after the literal announcement
        follow = []
        for j in range(idx + 1, len(entries)):
            r, t = entries[j]
            if r == role:
                follow.append(j)
            elif role == "C" and t.startswith("+"):
                continue
            elif follow:
                break
        stream = b"".join(entries[j][1].encode("utf-8") + b"\r\n" for j in follow)
        first_len = len(entries[follow[0]][1].encode("utf-8")) + 2 if follow else 0
        if declared < len(stream) and (
            stream[declared - 2:declared] == b"\r\n"
            or (declared < first_len and stream[declared:declared + 1] in (b" ", b"\r", b")"))
        ):
            continue
        if len(follow) >= 2:
            last = entries[follow[-1]][1]
            if last == "" or last.startswith(")") or last.startswith(" "):
                actual = sum(len(entries[j][1].encode("utf-8")) + 2 for j in follow[:-1])
                prefix = text[: len(text) - len(m.group(0).decode())]
                tilde = "~" if m.group(0).startswith(b"~") else ""
                plus = m.group(2).decode() if m.group(2) else ""
                entries[idx][1] = f"{prefix}{tilde}{{{actual}{plus}}}"
                notes.append(f"literal size {declared} corrected to {actual} (line {idx + 1})")
                continue
        problems.append(f"cannot size literal {{{declared}}} on line {idx + 1}")


def has_elision(entries, protocol):
    in_data = False
    for role, text in entries:
        if protocol == "smtp":
            if role == "S" and text.startswith("354"):
                in_data = True
                continue
            if in_data and role == "C":
                if text == ".":
                    in_data = False
                continue
        if "..." in text or "\u2026" in text:
            return True
    return False


def remove_generated(out_dir):
    """Delete earlier extractor output; files with a '# hand:' note are kept."""
    for name in os.listdir(out_dir):
        path = os.path.join(out_dir, name)
        if not name.endswith(".txt"):
            continue
        with open(path, encoding="utf-8") as handle:
            header = [line for line in handle.read().split("\n") if line.startswith("#")]
        if not any(line.startswith("# hand:") for line in header):
            os.remove(path)


def extract_transcripts(protocol, rfc_dir, out_dir, rfcs):
    os.makedirs(out_dir, exist_ok=True)
    remove_generated(out_dir)
    roles = {"C": "C", "S": "S"}
    written = 0
    skipped = []
    for rfc in rfcs:
        path = os.path.join(rfc_dir, rfc + ".txt")
        if not os.path.exists(path):
            skipped.append(f"{rfc}: text not found")
            continue
        lines = read_lines(path)
        secs = sections(lines)
        counters = {}
        for start, block in find_blocks(lines, roles):
            sec, title = secs[start]
            if (rfc, sec) in EXCLUDED_SECTIONS:
                continue
            for entries, notes, problems in build_examples(block, protocol):
                if len(entries) < 2 and not any(r == "C" for r, _ in entries):
                    # a lone server line is usually a quoted response in prose
                    pass
                counters[sec] = counters.get(sec, 0) + 1
                name = f"{rfc}-{sec}-{counters[sec]}"
                if name in EXCLUDED_EXAMPLES:
                    skipped.append(f"{name}: {EXCLUDED_EXAMPLES[name]}")
                    continue
                if has_elision(entries, protocol):
                    skipped.append(f"{name}: elision")
                    continue
                if not any(r == "C" for r, _ in entries) and not any(
                    r == "S" for r, _ in entries
                ):
                    continue
                for old, new, note in TEXT_REPAIRS.get(name, []):
                    for entry in entries:
                        if old in entry[1]:
                            entry[1] = entry[1].replace(old, new)
                            notes.append("typo fixed: " + note)
                if entries[0][1][:1] == " ":
                    # the sample sessions indent every text after "C:"/"S:"
                    for entry in entries:
                        entry[1] = entry[1].lstrip()
                    notes.append("removed the indentation the RFC puts after C:/S:")
                fix_literals(entries, notes, problems)
                if problems:
                    skipped.append(f"{name}: " + "; ".join(problems))
                    continue
                number = rfc[3:]
                with open(os.path.join(out_dir, name + ".txt"), "w", encoding="utf-8",
                          newline="\n") as handle:
                    handle.write(f"# RFC {number} \u00a7{sec}: {title}\n")
                    for note in notes:
                        handle.write(f"# extractor: {note}\n")
                    for role, text in entries:
                        handle.write(f"{role}: {text}\n" if text else f"{role}:\n")
                written += 1
    for s in skipped:
        print("skipped " + s, file=sys.stderr)
    print(f"{protocol}: wrote {written} transcripts to {out_dir}, skipped {len(skipped)}",
          file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("protocol", choices=["imap", "smtp", "dav"])
    parser.add_argument("--rfc-dir", default=RFC_DIR_DEFAULT)
    parser.add_argument("--out")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if args.protocol == "imap":
        out = args.out or os.path.join(root, "imap-proto/tests/fixtures/rfc")
        extract_transcripts("imap", args.rfc_dir, out, IMAP_RFCS)
    elif args.protocol == "smtp":
        out = args.out or os.path.join(root, "smtp-proto/tests/fixtures/rfc")
        extract_transcripts("smtp", args.rfc_dir, out, SMTP_RFCS)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import extract_dav  # kept separate: scripts/extract_dav.py
        out = args.out or os.path.join(root, "dav-proto/tests/fixtures/rfc")
        extract_dav.extract(args.rfc_dir, out)


if __name__ == "__main__":
    main()
