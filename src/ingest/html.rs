//! HTML documents read as text: the declared charset is found in the raw bytes, and the markup is
//! stripped from the decoded text.
//!
//! This is a small hand-rolled reader, not an HTML parser: it knows tags, comments, raw-text
//! elements (script, style), the head, block elements and character references, which is what a
//! news page needs to become readable paragraphs.
//!
//! Architecture invariant: pure functions over bytes and `&str`; no IO. It must never panic on
//! any input (unclosed tags, comments or quotes just end the document).

use encoding_rs::Encoding;

/// How far into the file the `<meta charset>` is looked for. Browsers look at 1024 bytes; pages
/// saved by hand often have a longer head, and the scan is cheap.
const PRESCAN_BYTES: usize = 8192;

/// The encoding declared by `<meta charset=...>` or `<meta http-equiv="Content-Type"
/// content="...; charset=...">` near the start of the file, if it names one encoding_rs knows.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(off) = find(&lower[from..], b"<meta") {
        let start = from + off + 5;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(label) = charset_in_tag(tag) {
            if let Some(enc) = Encoding::for_label(label) {
                return Some(enc);
            }
        }
        from = end;
    }
    None
}

/// The value after `charset=` inside one lower-cased meta tag. This covers both the `charset`
/// attribute and the `content="text/html; charset=..."` form.
fn charset_in_tag(tag: &[u8]) -> Option<&[u8]> {
    let pos = find(tag, b"charset")?;
    let mut rest = &tag[pos + 7..];
    rest = trim_start(rest);
    rest = rest.strip_prefix(b"=")?;
    rest = trim_start(rest);
    if let Some(r) = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")) {
        rest = r;
    }
    let len = rest
        .iter()
        .position(|b| matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Elements whose content is never text for a reader.
const DROPPED: &[&str] = &[
    "script", "style", "title", "template", "noscript", "svg", "math", "iframe", "object",
];
/// Elements allowed in `<head>`; any other start tag means the head has ended (its end tag is
/// optional in HTML).
const HEAD_ONLY: &[&str] = &["meta", "link", "base", "basefont", "bgsound"];
/// Elements that start a new paragraph (a blank line around them).
const PARAGRAPH: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dl",
    "figure",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "address",
    "hr",
    "form",
    "fieldset",
    "details",
    "body",
];
/// Elements that start a new line.
const LINE: &[&str] = &[
    "br",
    "div",
    "li",
    "tr",
    "dt",
    "dd",
    "figcaption",
    "caption",
    "summary",
    "legend",
    "option",
    "center",
];
/// Table cells: separated by a space, not a line.
const CELL: &[&str] = &["td", "th"];

/// The text of the page's first `<title>` element (character references decoded, white space
/// collapsed, cut at a word as [`dossier_core::text::title_line`] cuts), `None` when it has
/// none or an empty one. Only the head is looked at: a `<title>` inside an `<svg>` of the body
/// is not the page's.
pub fn title(html: &str) -> Option<String> {
    // ASCII lower-casing keeps byte offsets: positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let body = lower.find("<body").unwrap_or(lower.len());
    let mut from = 0;
    let start = loop {
        let at = from + lower.get(from..body)?.find("<title")?;
        let after = lower.as_bytes().get(at + 6).copied();
        // `<titles>` or `<title-x>` is another element.
        if matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            break at + lower.get(at..)?.find('>')? + 1;
        }
        from = at + 6;
    };
    let end = start + lower.get(start..)?.find("</title")?;
    let text = decode_entities(html.get(start..end)?);
    dossier_core::text::title_line(&dossier_core::text::one_spaced(&text))
}

/// Markup stripped: dropped elements and the head removed, block elements turned into line
/// breaks, character references decoded, white space tidied (one space between words, at most
/// one blank line between paragraphs, no space at the ends of lines).
pub fn to_text(html: &str) -> String {
    let mut out = Builder::default();
    let mut in_head = false;
    let mut in_pre = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if !in_head {
                out.text(rest, in_pre > 0);
            }
            break;
        };
        if !in_head {
            out.text(&rest[..lt], in_pre > 0);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        let Some(tag) = Tag::parse(rest) else {
            // A lone `<` (as in "a < b") is text.
            if !in_head {
                out.text("<", in_pre > 0);
            }
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        let name = tag.name.as_str();
        if !tag.closing && DROPPED.contains(&name) {
            rest = skip_raw_text(rest, name);
            continue;
        }
        if name == "head" {
            in_head = !tag.closing;
            continue;
        }
        if in_head {
            if tag.closing || HEAD_ONLY.contains(&name) {
                continue;
            }
            in_head = false;
        }
        if name == "pre" {
            in_pre = if tag.closing {
                in_pre.saturating_sub(1)
            } else {
                in_pre + 1
            };
        }
        if PARAGRAPH.contains(&name) {
            out.brk(2);
        } else if LINE.contains(&name) {
            out.brk(1);
        } else if CELL.contains(&name) && !tag.closing {
            out.space();
        }
    }
    out.finish()
}

/// Skips past the end tag of a raw-text element (`</script>`); with no end tag, the rest of the
/// document is dropped, as a browser does.
fn skip_raw_text<'a>(s: &'a str, name: &str) -> &'a str {
    let mut from = 0;
    while let Some(off) = s[from..].find("</") {
        let at = from + off;
        let cand = &s[at + 2..];
        let matches = cand.len() >= name.len()
            && cand.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && cand
                .as_bytes()
                .get(name.len())
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        if matches {
            return cand.find('>').map_or("", |e| &cand[e + 1..]);
        }
        from = at + 2;
    }
    ""
}

/// One tag at the start of the input: its lower-cased name, whether it closes, its byte length.
struct Tag {
    name: String,
    closing: bool,
    len: usize,
}

impl Tag {
    fn parse(s: &str) -> Option<Tag> {
        let b = s.as_bytes();
        let mut i = 1;
        let closing = b.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_start = i;
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')
        {
            i += 1;
        }
        let name = s[name_start..i].to_ascii_lowercase();
        // Attributes: skip to the closing `>`, stepping over quoted values (they may hold `>`).
        let mut quote: Option<u8> = None;
        while let Some(&c) = b.get(i) {
            i += 1;
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'>' => {
                    return Some(Tag {
                        name,
                        closing,
                        len: i,
                    })
                }
                None => {}
            }
        }
        // An unclosed tag swallows the rest of the input.
        Some(Tag {
            name,
            closing,
            len: s.len(),
        })
    }
}

/// Accumulates text with white space collapsed and pending line breaks.
#[derive(Default)]
struct Builder {
    out: String,
    /// Line breaks asked for since the last text (the largest request wins).
    pending_breaks: usize,
    pending_space: bool,
}

impl Builder {
    fn text(&mut self, raw: &str, preformatted: bool) {
        let decoded = decode_entities(raw);
        for c in decoded.chars() {
            if c == '\n' && preformatted {
                self.pending_breaks = self.pending_breaks.max(1);
                self.pending_space = false;
            } else if c.is_whitespace() {
                self.pending_space = true;
            } else if c == '\u{AD}' {
                // Soft hyphen: invisible.
            } else {
                self.flush();
                self.out.push(c);
            }
        }
    }

    fn flush(&mut self) {
        if self.out.is_empty() {
            // Nothing before: no leading blank lines or space.
        } else if self.pending_breaks > 0 {
            for _ in 0..self.pending_breaks {
                self.out.push('\n');
            }
        } else if self.pending_space {
            self.out.push(' ');
        }
        self.pending_breaks = 0;
        self.pending_space = false;
    }

    fn brk(&mut self, n: usize) {
        self.pending_breaks = self.pending_breaks.max(n);
    }

    fn space(&mut self) {
        self.pending_space = true;
    }

    fn finish(mut self) -> String {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }
}

/// Decodes character references: the common named ones, `&#NNN;` and `&#xHH;`. An unknown or
/// malformed reference is left as it is.
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match reference(rest) {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The character a reference at the start of `s` stands for, and its length.
fn reference(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 3),
            None => (num, 10, 2),
        };
        let n = digits
            .bytes()
            .take_while(|b| (*b as char).is_digit(radix))
            .count();
        if n == 0 || n > 8 {
            return None;
        }
        let value = u32::from_str_radix(&digits[..n], radix).ok()?;
        let c = match value {
            0 => '\u{FFFD}',
            v => char::from_u32(v).unwrap_or('\u{FFFD}'),
        };
        let semi = usize::from(digits.as_bytes().get(n) == Some(&b';'));
        return Some((c, skip + n + semi));
    }
    let n = body.bytes().take_while(u8::is_ascii_alphanumeric).count();
    if body.as_bytes().get(n) != Some(&b';') {
        return None;
    }
    let c = named(&body[..n])?;
    Some((c, n + 2))
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "shy" => '\u{AD}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "times" => '×',
        "divide" => '÷',
        "plusmn" => '±',
        "percnt" => '%',
        "euro" => '€',
        "pound" => '£',
        "cent" => '¢',
        "yen" => '¥',
        "sect" => '§',
        "para" => '¶',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "iexcl" => '¡',
        "iquest" => '¿',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ccedil" => 'ç',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_meta_charset_both_forms() {
        let a = br#"<html><head><meta charset="windows-1256"></head>"#;
        assert_eq!(declared_charset(a), Some(encoding_rs::WINDOWS_1256));
        let b = br#"<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=utf-8">"#;
        assert_eq!(declared_charset(b), Some(encoding_rs::UTF_8));
        assert_eq!(declared_charset(b"<meta name=x><p>charset=none"), None);
    }

    #[test]
    fn strips_markup() {
        let html = "<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head>\
                    <body><h1>Head &amp; line</h1><p>One\n   two<br>three</p>\
                    <script>var a = '<p>x</p>';</script><!-- c --><p>&#1575;&#x628; &lt;5&gt;</p>\
                    <table><tr><td>a</td><td>b</td></tr></table></body></html>";
        assert_eq!(
            to_text(html),
            "Head & line\n\nOne two\nthree\n\nاب <5>\n\na b\n"
        );
    }

    #[test]
    fn head_without_end_tag_does_not_eat_body() {
        assert_eq!(to_text("<head><title>x</title><p>body text"), "body text\n");
        assert_eq!(
            title("<html><HEAD><Title lang=ar>\n  عنوان &amp; مقال </title></head>").as_deref(),
            Some("عنوان & مقال")
        );
        assert_eq!(
            title("<head></head><body><svg><title>icon</title></svg>"),
            None
        );
        assert_eq!(title("<titles>x</titles><title></title>"), None);
    }

    #[test]
    fn never_panics_on_truncated_input() {
        for s in [
            "<",
            "<p",
            "<a href='>",
            "&#",
            "&#x;",
            "&#99999999999;",
            "<!--",
            "<script>x",
            "</",
        ] {
            let _ = to_text(s);
        }
        assert_eq!(to_text("a < b"), "a < b\n");
    }
}
