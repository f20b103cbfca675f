"""DAV, iCalendar and vCard example extraction (used by extract-rfc-examples.py dav).

Writes into the output directory:
  <rfc>-<section>-<n>-request.xml / -response.xml   XML bodies of HTTP examples
  <rfc>-<section>-<n>-body.xml                      XML documents outside HTTP (xCal, xCard)
  <rfc>-<section>-<n>.ics / .vcf                    iCalendar / vCard objects (CRLF lines)
  <rfc>-<section>-<n>-caldata-<k>.ics / -carddata-<k>.vcf
                                                    calendar-data / address-data in XML bodies
Every XML file is checked with xml.dom.minidom; failures are reported and not written
(repairs by hand are listed in the README and kept as separate files).
"""

import os
import re
import sys
import xml.dom.minidom

DAV_RFCS = ["rfc4918", "rfc3744", "rfc4791", "rfc6352", "rfc6578", "rfc5397", "rfc5689",
            "rfc6638", "rfc6321", "rfc6351"]
ICAL_RFCS = ["rfc5545", "rfc6047", "rfc4791", "rfc6638", "rfc6321"]
VCARD_RFCS = ["rfc2425", "rfc6352", "rfc6351"]

FOOTER = re.compile(
    r"^\S.*\s{2,}(Standards Track|Informational|Experimental|Proposed Standard)\b.*$"
)
HEADER = re.compile(r"^\f?RFC \d{4}\s{3,}\S")
HEADING = re.compile(r"^(?:Appendix\s+)?((?:\d+|[A-Z])(?:\.\d+)*)\.?\s{1,4}(\S.*?)\s*$")
REQUEST_LINE = re.compile(r"^\s*[A-Z][A-Z-]+ \S+ HTTP/1\.[01]\s*$")
STATUS_LINE = re.compile(r"^\s*HTTP/1\.[01] \d{3}")
HEADER_LINE = re.compile(r"^\s*[A-Za-z][A-Za-z0-9-]*:( |$)")

# Known typos in iCalendar/vCard examples: file name -> (old line, new line, note).
TEXT_REPAIRS = {
    "rfc6047-4.5-2.ics": ("END:VEVENT", "END:VTODO", "BEGIN:VTODO was closed by END:VEVENT"),
}


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        raw = handle.read().lstrip("\ufeff").split("\n")
    out = []
    for line in raw:
        line = line.rstrip("\r").rstrip()
        if line.startswith("\f") or FOOTER.match(line) or HEADER.match(line) or re.search(
            r"\[Page \d+\]$", line
        ):
            while out and out[-1] == "":
                out.pop()
            out.append("\x00break")
            continue
        if line == "" and out and out[-1] == "\x00break":
            continue
        out.append(line)
    return [line for line in out if line != "\x00break"]


def section_of(lines):
    current = ("0", "Preamble")
    result = []
    for line in lines:
        m = HEADING.match(line)
        # table-of-contents lines have dot leaders; titles may end in a digit ("Example 1")
        if m and not line.startswith(" ") and "....." not in line and ". . ." not in line:
            current = (m.group(1), m.group(2))
        result.append(current)
    return result


def dedent(block):
    indents = [len(line) - len(line.lstrip()) for line in block if line.strip()]
    cut = min(indents) if indents else 0
    return [line[cut:] for line in block]


NAMESPACES = {"D": "DAV:", "CS": "http://calendarserver.org/ns/"}
C_NAMESPACE = {"rfc4791": "urn:ietf:params:xml:ns:caldav", "rfc6638": "urn:ietf:params:xml:ns:caldav",
               "rfc6352": "urn:ietf:params:xml:ns:carddav"}
REPAIR_NOTES = []


def parses(text):
    try:
        xml.dom.minidom.parseString(text.encode("utf-8"))
        return True
    except Exception:
        return False


def declare_missing_namespaces(text, rfc):
    """Known RFC typo: prefixes used without an xmlns declaration. Declares them on the root."""
    used = set(re.findall(r"</?([A-Za-z]+):[A-Za-z]", text))
    declared = set(re.findall(r"xmlns:([A-Za-z]+)=", text))
    missing = sorted(used - declared)
    known = dict(NAMESPACES)
    if rfc in C_NAMESPACE:
        known["C"] = C_NAMESPACE[rfc]
    if not missing or any(prefix not in known for prefix in missing):
        return None, []
    decls = "".join(f' xmlns:{p}="{known[p]}"' for p in missing)
    root = re.search(r"<[A-Za-z]+:[A-Za-z-]+", re.sub(r"<\?xml.*?\?>", "", text, count=1))
    if not root:
        return None, []
    offset = text.find(root.group(0), text.find("?>") + 2 if "<?xml" in text else 0)
    fixed = text[: offset + len(root.group(0))] + decls + text[offset + len(root.group(0)):]
    return fixed, missing


def try_xml(lines, start, rfc=""):
    """The smallest run of lines from start that parses as XML (with known typos repaired)."""
    acc = []
    for end in range(start, min(start + 400, len(lines))):
        line = lines[end]
        if re.match(r"^\s*>>\s*(Request|Response)", line) or (
            REQUEST_LINE.match(line) or STATUS_LINE.match(line)
        ) and end > start:
            return None, end
        acc.append(line)
        if ">" not in line:
            continue
        text = "\n".join(dedent(acc)).strip()
        if parses(text):
            return text, end + 1
        fixed, missing = declare_missing_namespaces(text, rfc)
        if fixed and parses(fixed):
            REPAIR_NOTES.append((rfc, start, "declared missing xmlns prefixes " + ", ".join(missing)))
            return fixed, end + 1
    return None, start + 1


def kind_before(lines, start):
    for i in range(start - 1, max(start - 40, -1), -1):
        if REQUEST_LINE.match(lines[i]):
            return "request"
        if STATUS_LINE.match(lines[i]):
            return "response"
        if re.match(r"^\s*>>\s*Request", lines[i]):
            return "request"
        if re.match(r"^\s*>>\s*Response", lines[i]):
            return "response"
    return "body"


def xml_starts(lines):
    """Indices where an XML body starts: <?xml lines, and first '<' line after HTTP headers."""
    starts = []
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("<?xml"):
            starts.append(i)
            continue
        if REQUEST_LINE.match(line) or STATUS_LINE.match(line):
            j = i + 1
            while j < len(lines) and HEADER_LINE.match(lines[j]):
                j += 1
            while j < len(lines) and lines[j].strip() == "":
                j += 1
            if j < len(lines) and lines[j].strip().startswith("<") and not lines[
                j
            ].strip().startswith("<?xml"):
                starts.append(j)
    return sorted(set(starts))


def text_blocks(lines, begin, end_marker):
    """BEGIN:X ... END:X blocks (iCalendar/vCard) not inside XML markup lines."""
    blocks = []
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if s.upper() == begin:  # RFC 2425 writes "begin:vcard"
            indent = len(lines[i]) - len(lines[i].lstrip())
            block = []
            j = i
            while j < len(lines):
                line = lines[j]
                if line.strip() == "":
                    break  # page breaks are already removed: a blank line ends the example
                block.append(line[indent:] if len(line) >= indent else line.lstrip())
                if line.strip().upper() == end_marker:
                    break
                j += 1
            if block and block[-1].strip().upper() == end_marker:
                blocks.append((i, block))
            i = j + 1
            continue
        i += 1
    return blocks


def write_crlf(path, lines):
    with open(path, "wb") as handle:
        handle.write(b"".join(line.rstrip().encode("utf-8") + b"\r\n" for line in lines))


def embedded_objects(text, tag_suffix):
    doc = xml.dom.minidom.parseString(text.encode("utf-8"))
    found = []
    for node in doc.getElementsByTagName("*"):
        name = node.localName or node.tagName
        if name == tag_suffix:
            data = "".join(c.data for c in node.childNodes if c.nodeType in (3, 4))
            if "BEGIN:" in data:
                found.append(data)
    return found


def normalise_object(data):
    lines = [line for line in data.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    lines = [line for line in lines if line.strip() != ""]
    return dedent(lines)


def extract(rfc_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):  # earlier output; hand-written files stay
        if re.match(r"^rfc\d+-.*\.(xml|ics|vcf|txt)$", name) and "from-memory" not in name:
            os.remove(os.path.join(out_dir, name))
    report = []
    written = 0
    for rfc in DAV_RFCS:
        path = os.path.join(rfc_dir, rfc + ".txt")
        if not os.path.exists(path):
            report.append(f"{rfc}: not found")
            continue
        lines = read_lines(path)
        secs = section_of(lines)
        counters = {}
        last_request_name = {}
        consumed_to = 0
        for start in xml_starts(lines):
            if start < consumed_to:
                continue
            sec, _title = secs[start]
            kind = kind_before(lines, start)
            repairs_before = len(REPAIR_NOTES)
            text, end = try_xml(lines, start, rfc)
            if kind == "response" and sec in last_request_name and last_request_name[sec][1]:
                n = last_request_name[sec][0]
                last_request_name[sec] = (n, False)
            else:
                counters[sec] = counters.get(sec, 0) + 1
                n = counters[sec]
                last_request_name[sec] = (n, kind == "request")
            name = f"{rfc}-{sec}-{n}-{kind}"
            if text is None:
                report.append(f"{name}: not well-formed XML at line {start + 1}, skipped")
                continue
            consumed_to = end
            if len(REPAIR_NOTES) > repairs_before:
                report.append(f"{name}.xml: repaired: {REPAIR_NOTES[-1][2]}")
            with open(os.path.join(out_dir, name + ".xml"), "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            written += 1
            for tag, ext, label in (("calendar-data", "ics", "caldata"),
                                    ("address-data", "vcf", "carddata")):
                for k, data in enumerate(embedded_objects(text, tag), 1):
                    write_crlf(os.path.join(out_dir, f"{name}-{label}-{k}.{ext}"),
                               normalise_object(data))
                    written += 1
    # XML fragments outside HTTP examples (property values, "Example:" snippets)
    for rfc in DAV_RFCS:
        path = os.path.join(rfc_dir, rfc + ".txt")
        if not os.path.exists(path):
            continue
        lines = read_lines(path)
        secs = section_of(lines)
        taken = set()
        for name in os.listdir(out_dir):
            pass
        counters = {}
        i = 0
        while i < len(lines):
            s = lines[i].strip()
            prev = lines[i - 1].strip() if i else ""
            if (re.match(r"^<[A-Za-z]", s) and (prev == "" or prev.endswith(":"))
                    and kind_before(lines, i) == "body" and i not in taken):
                text, end = try_xml(lines, i, rfc)
                if text is not None and not text.startswith("<?xml"):
                    sec, _title = secs[i]
                    counters[sec] = counters.get(sec, 0) + 1
                    name = f"{rfc}-{sec}-{counters[sec]}-fragment.xml"
                    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as handle:
                        handle.write(text + "\n")
                    written += 1
                    i = end
                    continue
            i += 1
    for rfcs, begin, end, ext in ((ICAL_RFCS, "BEGIN:VCALENDAR", "END:VCALENDAR", "ics"),
                                  (VCARD_RFCS, "BEGIN:VCARD", "END:VCARD", "vcf")):
        for rfc in rfcs:
            path = os.path.join(rfc_dir, rfc + ".txt")
            lines = read_lines(path)
            secs = section_of(lines)
            counters = {}
            for start, block in text_blocks(lines, begin, end):
                sec, _title = secs[start]
                counters[sec] = counters.get(sec, 0) + 1
                name = f"{rfc}-{sec}-{counters[sec]}.{ext}"
                if rfc == "rfc2425":
                    # text/directory examples (vCard profile, no VERSION, Quoted-Printable as
                    # printed): not vCards, so not .vcf
                    name = f"{rfc}-{sec}-{counters[sec]}-text-directory.txt"
                if any("..." in line for line in block):
                    report.append(f"{name}: elision, skipped")
                    continue
                if name in TEXT_REPAIRS:
                    old, new, note = TEXT_REPAIRS[name]
                    block = [new if line == old else line for line in block]
                    report.append(f"{name}: repaired: {note}")
                write_crlf(os.path.join(out_dir, name), block)
                written += 1
    # iCalendar components shown on their own (RFC 5545 §3.6 ...), outside any VCALENDAR
    for rfc in ["rfc5545"]:
        lines = read_lines(os.path.join(rfc_dir, rfc + ".txt"))
        secs = section_of(lines)
        inside = set()
        for start, block in text_blocks(lines, "BEGIN:VCALENDAR", "END:VCALENDAR"):
            inside.update(range(start, start + len(block) + 2))
        counters = {}
        found = []
        for comp in ("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VALARM"):
            for start, block in text_blocks(lines, f"BEGIN:{comp}", f"END:{comp}"):
                if start not in inside:
                    found.append((start, block))
        taken = set()
        for start, block in sorted(found):
            if start in taken:
                continue
            taken.update(range(start, start + len(block)))
            sec, _title = secs[start]
            counters[sec] = counters.get(sec, 0) + 1
            name = f"{rfc}-{sec}-{counters[sec]}-component.ics"
            if any("..." in line for line in block):
                report.append(f"{name}: elision, skipped")
                continue
            write_crlf(os.path.join(out_dir, name), block)
            written += 1
    write_index(rfc_dir, out_dir, report)
    for line in report:
        print(line, file=sys.stderr)
    print(f"dav: wrote {written} files to {out_dir}", file=sys.stderr)


KIND_TEXT = {
    "request": "HTTP request body", "response": "HTTP response body",
    "body": "XML document", "fragment": "XML fragment (property value / element example)",
    "component": "iCalendar component outside VCALENDAR",
}


def write_index(rfc_dir, out_dir, report):
    """INDEX.md: every file and the RFC section it comes from."""
    titles = {}
    rows = []
    for name in sorted(os.listdir(out_dir)):
        if name.startswith(".") or name.endswith(".md"):
            continue
        m = re.match(r"^rfc(\d+)-([A-Z0-9.]+)-(\d+)(?:-([a-z-]+?))?(?:-(caldata|carddata)-(\d+))?"
                     r"\.(xml|ics|vcf|json|txt)$", name)
        if not m:
            rows.append(f"| `{name}` | ? | ? |")
            continue
        rfc, sec = "rfc" + m.group(1), m.group(2)
        if rfc not in titles:
            path = os.path.join(rfc_dir, rfc + ".txt")
            titles[rfc] = {}
            if os.path.exists(path):
                lines = read_lines(path)
                for num, title in section_of(lines):
                    titles[rfc].setdefault(num, title)
        title = titles[rfc].get(sec, "")
        kind = m.group(4) or ""
        ext = m.group(7)
        if kind == "from-memory":
            what = f"{ext} example written from memory (RFC not in /work/shared/rfc)"
        elif m.group(5):
            what = ("calendar-data" if m.group(5) == "caldata" else "address-data") + \
                f" #{m.group(6)} inside the {kind} body"
        elif kind == "text-directory":
            what = "text/directory example (vCard profile, Quoted-Printable as printed)"
        elif kind:
            what = KIND_TEXT.get(kind, kind)
        else:
            what = {"ics": "iCalendar object", "vcf": "vCard", "json": "JSON",
                    "txt": "text/directory"}[ext]
        rows.append(f"| `{name}` | RFC {m.group(1)} \u00a7{sec} {title} | {what} |")
    notes = "\n".join(f"- {line}" for line in report)
    with open(os.path.join(out_dir, "INDEX.md"), "w", encoding="utf-8") as handle:
        handle.write("# Sources of the RFC fixtures\n\n"
                     "Generated by `scripts/extract-rfc-examples.py dav` (except the "
                     "`-from-memory` files, written by hand). Repairs and skipped examples:\n\n"
                     + notes + "\n\n| file | source | what |\n| --- | --- | --- |\n"
                     + "\n".join(rows) + "\n")
