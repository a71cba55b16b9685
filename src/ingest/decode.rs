//! Bytes to text: which encoding a document is in, and whether it is text at all.
//!
//! Accepted: UTF-8 (with or without a BOM, the BOM dropped), UTF-16 LE/BE with a BOM, and legacy
//! Arabic (windows-1256, or ISO-8859-6 where chardetng says so), kept only when the decoded text
//! looks like Arabic prose. HTML may declare its charset with `<meta>`; the declaration is
//! preferred but checked the same way. Anything else is refused with
//! a reason, never decoded with replacement characters: a wrong guess would turn into wrong
//! facts, while a refusal is a warning the user can act on.
//!
//! Architecture invariant: [`decode_bytes`] is pure; [`read_document`] is the only IO, and it
//! never reads more than `max_bytes + 1` bytes nor blocks on a FIFO.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use encoding_rs::{Encoding, ISO_8859_6, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1256};
use sha2::{Digest, Sha256};

use super::{html, Decoded, FileStat, ReadError};

/// Why bytes could not be turned into text; [`read_document`] adds the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing but white space (or markup) in it.
    Empty,
    /// NUL bytes outside UTF-16, or many control characters.
    Binary,
    /// Not valid UTF-8 and not plausibly Arabic in a legacy encoding.
    UnknownEncoding,
    /// A BOM or a `<meta charset>` named this encoding, or the bytes are nearly all UTF-8, but
    /// some are not valid in it.
    Malformed(&'static str),
}

/// Reads one document: size checked before reading, raw bytes hashed, text decoded (and, for
/// `.html`/`.htm`, stripped of markup). `display` is the name used in error messages.
pub fn read_document(abs: &Path, display: &str, max_bytes: u64) -> Result<Decoded, ReadError> {
    let (bytes, stat) = read_bytes(abs, display, max_bytes)?;
    let content_hash = hex(&Sha256::digest(&bytes));
    let (text, encoding, title) =
        decode_titled(&bytes, is_html(abs)).map_err(|r| r.into_error(display))?;
    Ok(Decoded {
        text,
        title,
        encoding,
        content_hash,
        stat,
    })
}

/// The text of one document, read and decoded exactly as [`read_document`] does (same checks,
/// same errors), for callers that need neither its hash nor its metadata (`dossier extract`):
/// no hash is computed, and UTF-8 bytes become the text without a copy.
pub fn read_text(abs: &Path, display: &str, max_bytes: u64) -> Result<String, ReadError> {
    let (bytes, _) = read_bytes(abs, display, max_bytes)?;
    decode_owned(bytes, is_html(abs))
        .map(|(text, _)| text)
        .map_err(|r| r.into_error(display))
}

/// Opens, checks and reads a document's bytes (see [`read_document`]).
fn read_bytes(abs: &Path, display: &str, max_bytes: u64) -> Result<(Vec<u8>, FileStat), ReadError> {
    let fail = |e: io::Error| ReadError::from_io(display, e);
    // O_NONBLOCK: opening a FIFO that replaced a document must not wait for a writer. Reads on
    // a regular file ignore the flag.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(abs)
        .map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular {
            path: display.to_owned(),
        });
    }
    let stat = FileStat::from_metadata(&meta);
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            path: display.to_owned(),
            size: meta.len(),
            max: max_bytes,
        });
    }
    let bytes = read_at_most(&file, meta.len(), max_bytes).map_err(fail)?;
    if bytes.len() as u64 > max_bytes {
        // It grew between the stat and the read.
        return Err(ReadError::TooLarge {
            path: display.to_owned(),
            size: bytes.len() as u64,
            max: max_bytes,
        });
    }
    Ok((bytes, stat))
}

fn read_at_most(mut file: &File, expected: u64, max_bytes: u64) -> io::Result<Vec<u8>> {
    let cap = usize::try_from(expected.min(max_bytes)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(cap);
    file.by_ref()
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `.html` and `.htm`, in any case.
pub fn is_html(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl Refusal {
    fn into_error(self, display: &str) -> ReadError {
        let path = display.to_owned();
        match self {
            Refusal::Empty => ReadError::Empty { path },
            Refusal::Binary => ReadError::Binary { path },
            Refusal::UnknownEncoding => ReadError::UnknownEncoding { path },
            Refusal::Malformed(encoding) => ReadError::Malformed { path, encoding },
        }
    }
}

/// Decodes a document's bytes; `html` strips markup after decoding. Returns the text and the
/// name of the encoding it was read in.
pub fn decode_bytes(bytes: &[u8], html: bool) -> Result<(String, &'static str), Refusal> {
    decode_titled(bytes, html).map(|(text, encoding, _)| (text, encoding))
}

/// [`decode_bytes`], and an HTML document's `<title>` (white space collapsed; `None` for
/// plain text, or a page without one).
pub fn decode_titled(
    bytes: &[u8],
    html: bool,
) -> Result<(String, &'static str, Option<String>), Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let (text, encoding) = decode_raw(bytes, html)?;
    let (text, title) = if html {
        (html::to_text(&text), html::title(&text))
    } else {
        (text, None)
    };
    if too_many_controls(&text) {
        return Err(Refusal::Binary);
    }
    if text.trim().is_empty() {
        return Err(Refusal::Empty);
    }
    Ok((text, encoding.name(), title))
}

/// [`decode_bytes`] of a document's bytes, with plain UTF-8 text (no BOM, no markup to strip)
/// validated by SIMD instructions. Same result in every case.
///
/// `std`'s validation goes a character at a time through Arabic text (about 400 MB/s here, a
/// few percent of `dossier extract`); simdutf8's runs at several GB/s. Its safe API lends the
/// text as `&str`, so the text is copied once, which costs far less than the validation saved.
pub fn decode_owned(bytes: Vec<u8>, html: bool) -> Result<(String, &'static str), Refusal> {
    if html || bytes.is_empty() || Encoding::for_bom(&bytes).is_some() {
        return decode_bytes(&bytes, html);
    }
    if bytes.contains(&0) || binary_controls(&bytes) {
        return Err(Refusal::Binary);
    }
    match simdutf8::basic::from_utf8(&bytes) {
        Ok(text) => {
            // What decode_bytes checks after decoding.
            if too_many_controls(text) {
                return Err(Refusal::Binary);
            }
            if text.trim().is_empty() {
                return Err(Refusal::Empty);
            }
            Ok((text.to_owned(), UTF_8.name()))
        }
        Err(_) => decode_bytes(&bytes, html),
    }
}

fn decode_raw(bytes: &[u8], html: bool) -> Result<(String, &'static Encoding), Refusal> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return strict(enc, &bytes[bom_len..])
            .ok_or(Refusal::Malformed(enc.name()))
            .map(|t| (t, enc));
    }
    if bytes.contains(&0) || binary_controls(bytes) {
        return Err(Refusal::Binary);
    }
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        // Valid UTF-8 wins over a `<meta charset>`: pages re-saved as UTF-8 often keep their old
        // declaration, and legacy Arabic text is practically never valid UTF-8 by accident.
        return Ok((s.to_owned(), UTF_8));
    }
    if damaged_utf8(bytes) {
        // Read as windows-1256 this would be the classic mojibake (ظ…ط±ط­ط¨ط§), which passes for
        // Arabic; refusing is the only safe answer.
        return Err(Refusal::Malformed(UTF_8.name()));
    }
    // For HTML, the text a reader sees is judged, not the (Latin) markup around it.
    let readable = |text: &str| {
        if html {
            plausible_arabic(&html::to_text(text))
        } else {
            plausible_arabic(text)
        }
    };
    if html {
        // A declared charset is still checked: a page declared windows-1252 that holds Arabic
        // would otherwise come out as mojibake and be taken at its word.
        if let Some(enc) = html::declared_charset(bytes).filter(usable_declaration) {
            match strict(enc, bytes) {
                Some(text) if readable(&text) => return Ok((text, enc)),
                Some(_) => {}
                None => return Err(Refusal::Malformed(enc.name())),
            }
        }
    }
    // windows-1256 first: it is what legacy Arabic files are in, and chardetng labels short
    // windows-1256 text ISO-8859-6, which reads back as other letters (أن هذا → أل مذا).
    // ISO-8859-6 is tried only when chardetng says so and windows-1256 reads implausibly (its
    // Latin letters à â ç è é ê land inside Arabic words). Non-Arabic guesses are never accepted:
    // this is an Arabic dossier, and a Latin-1 reading of arbitrary bytes always "succeeds".
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(None, false);
    let candidates = [
        Some(WINDOWS_1256),
        (guess == ISO_8859_6).then_some(ISO_8859_6),
    ];
    for enc in candidates.into_iter().flatten() {
        if let Some(text) = strict(enc, bytes) {
            if readable(&text) {
                return Ok((text, enc));
            }
        }
    }
    Err(Refusal::UnknownEncoding)
}

/// UTF-8 with a few bad bytes (a stray byte, a truncated copy), as opposed to a legacy
/// encoding: real windows-1256 Arabic forms a valid multi-byte UTF-8 sequence only by accident
/// (a letter before an Arabic comma), far less often than it has invalid bytes.
fn damaged_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    valid >= invalid.saturating_mul(4)
}

/// A `<meta charset>` that can apply to bytes without a BOM: not UTF-8 (already tried), not
/// UTF-16 (meaningless without a BOM, per the HTML standard) and not the pseudo-encodings.
fn usable_declaration(enc: &&'static Encoding) -> bool {
    let enc = *enc;
    enc != UTF_8
        && enc != UTF_16LE
        && enc != UTF_16BE
        && enc != encoding_rs::REPLACEMENT
        && enc != encoding_rs::X_USER_DEFINED
}

fn strict(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
}

/// Control characters that do not occur in text (tab, line feed, carriage return and form feed
/// do).
fn is_odd_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')
}

/// Raw-byte check before decoding: more than 2% C0 control bytes (and more than a stray few)
/// means binary whatever the encoding.
fn binary_controls(bytes: &[u8]) -> bool {
    let n = bytes
        .iter()
        .filter(|b| **b < 0x20 && is_odd_control(char::from(**b)))
        .count();
    n > 2 && n * 50 > bytes.len()
}

/// More than 2% of the characters (and more than a stray few) are control characters other
/// than white space. Read on the bytes: a character starts at every byte that is not a UTF-8
/// continuation byte, and the controls are C0 (one byte), DEL and C1 (`C2 80`..`C2 9F`).
fn too_many_controls(text: &str) -> bool {
    let b = text.as_bytes();
    // Counted branch-free in one-byte counters over runs of 255 bytes, which the compiler
    // vectorises; C1 controls only when a `C2` byte is there at all.
    let (mut total, mut odd) = (0usize, 0usize);
    for run in b.chunks(255) {
        let (mut t, mut o) = (0u8, 0u8);
        for &x in run {
            t += u8::from(x & 0xC0 != 0x80);
            let c0 = x < 0x20 && x != b'\t' && x != b'\n' && x != b'\r' && x != 0x0c;
            o += u8::from(c0 | (x == 0x7F));
        }
        total += usize::from(t);
        odd += usize::from(o);
    }
    if b.contains(&0xC2) {
        odd += b
            .windows(2)
            .filter(|w| matches!(w, [0xC2, 0x80..=0x9F]))
            .count();
    }
    odd > 2 && odd * 50 > total
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
        && c.is_alphabetic()
}

/// Does text decoded from a legacy encoding read like Arabic prose? Mostly letters and digits,
/// at least half of the letters Arabic, words of a normal length, almost no control characters. Random or Latin
/// bytes pushed through windows-1256 fail one of these.
pub fn plausible_arabic(text: &str) -> bool {
    let (mut chars, mut visible, mut letters, mut arabic, mut odd) = (0, 0, 0, 0, 0);
    let (mut alnum, mut words, mut mixed_words) = (0, 0, 0);
    // Scripts met in the current word: (Arabic, other letters).
    let mut word: Option<(bool, bool)> = None;
    for c in text.chars() {
        chars += 1;
        if is_odd_control(c) {
            odd += 1;
        }
        if c.is_whitespace() {
            if word.take() == Some((true, true)) {
                mixed_words += 1;
            }
            continue;
        }
        let w = word.get_or_insert_with(|| {
            words += 1;
            (false, false)
        });
        visible += 1;
        if c.is_alphanumeric() {
            alnum += 1;
        }
        if c.is_alphabetic() {
            letters += 1;
            if is_arabic_letter(c) {
                arabic += 1;
                w.0 = true;
            } else {
                w.1 = true;
            }
        }
    }
    if word == Some((true, true)) {
        mixed_words += 1;
    }
    letters > 0
        && odd * 200 <= chars
        && alnum * 2 >= visible
        && arabic * 2 >= letters
        // Arabic and Latin letters in one word: the wrong single-byte table.
        && mixed_words * 20 <= words
        // Average word length at most 20: prose has spaces.
        && (visible <= 20 || visible <= words * 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_validation_agrees_with_std() {
        let text = "قال الوزير: «الاتفاق» F-16 ٩٤٪ 😀 é\n".as_bytes();
        let mut samples: Vec<Vec<u8>> = vec![
            text.to_vec(),
            b"\xC0\xAF".to_vec(),         // overlong '/'
            b"\xED\xA0\x80".to_vec(),     // a UTF-16 surrogate
            b"\xF4\x90\x80\x80".to_vec(), // above U+10FFFF
            b"\xD9".to_vec(),             // cut after the first byte
            b"\xE2\x82".to_vec(),         // cut inside a 3-byte character
            b"\x80 stray continuation".to_vec(),
        ];
        // Every cut of the text, and every byte of it replaced by a continuation byte.
        for i in 0..text.len() {
            samples.push(text[..i].to_vec());
            let mut b = text.to_vec();
            b[i] = 0x80;
            samples.push(b);
        }
        // Long inputs, where the SIMD blocks are used, with the damage at every block offset.
        let long: Vec<u8> = text.iter().copied().cycle().take(4096).collect();
        for i in (0..long.len()).step_by(61) {
            let mut b = long.clone();
            b[i] = 0xFF;
            samples.push(b);
        }
        samples.push(long);
        for b in samples {
            assert_eq!(
                simdutf8::basic::from_utf8(&b).is_ok(),
                std::str::from_utf8(&b).is_ok(),
                "{b:?}"
            );
        }
    }

    #[test]
    fn decode_owned_agrees_with_decode_bytes() {
        let (win, _, _) = WINDOWS_1256.encode("قال الوزير إن الاتفاق سيوقع في الرباط غدا");
        let samples: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"   \n\t ".to_vec(),
            "نص عربي عادي\n".as_bytes().to_vec(),
            b"\xEF\xBB\xBFplain with a BOM".to_vec(),
            b"\xFF\xFEa\x00b\x00".to_vec(),
            b"nul\x00inside".to_vec(),
            b"\x01\x02\x03\x04ab".to_vec(),
            "نص\u{1}\u{2}\u{3}\u{4}".as_bytes().to_vec(),
            b"bad \xC3 utf-8 in latin text".to_vec(),
            win.into_owned(),
        ];
        for b in samples {
            for html in [false, true] {
                assert_eq!(
                    decode_owned(b.clone(), html),
                    decode_bytes(&b, html),
                    "{b:?} {html}"
                );
            }
        }
    }

    #[test]
    fn control_counting_on_bytes_agrees_with_chars() {
        let by_chars = |text: &str| {
            let total = text.chars().count();
            let odd = text.chars().filter(|&c| is_odd_control(c)).count();
            odd > 2 && odd * 50 > total
        };
        let mut samples: Vec<String> = vec![
            "نص عادي\tمع\nأسطر\r\n".into(),
            "\u{1}\u{2}\u{3}ab".into(),
            "\u{85}\u{9f}\u{7f}\u{80}ok".into(),
            "\u{a0}\u{c2}\u{100}\u{1}\u{2}\u{3}".into(),
        ];
        for n in 0..200u32 {
            let s: String = (0..n)
                .map(|k| char::from_u32((k * 37 + n) % 0x300).unwrap_or('a'))
                .collect();
            samples.push(s);
        }
        for s in &samples {
            assert_eq!(too_many_controls(s), by_chars(s), "{s:?}");
        }
    }

    #[test]
    fn utf8_and_bom() {
        assert_eq!(
            decode_bytes("سلام".as_bytes(), false),
            Ok(("سلام".to_owned(), "UTF-8"))
        );
        assert_eq!(
            decode_bytes(b"\xEF\xBB\xBFabc", false),
            Ok(("abc".to_owned(), "UTF-8"))
        );
        assert_eq!(decode_bytes(b"\xEF\xBB\xBF", false), Err(Refusal::Empty));
    }

    #[test]
    fn utf16_odd_length_is_malformed() {
        assert_eq!(
            decode_bytes(b"\xFF\xFEa\x00b", false),
            Err(Refusal::Malformed("UTF-16LE"))
        );
    }

    #[test]
    fn latin1_is_not_arabic() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Le café était déjà fermé à midi.");
        assert_eq!(decode_bytes(&bytes, false), Err(Refusal::UnknownEncoding));
    }

    #[test]
    fn utf8_with_a_stray_byte_is_not_mojibake() {
        let mut bytes = "أعلن الجيش الإسرائيلي عن زيارة رسمية إلى الرباط"
            .as_bytes()
            .to_vec();
        bytes.insert(10, 0xFF);
        assert_eq!(
            decode_bytes(&bytes, false),
            Err(Refusal::Malformed("UTF-8"))
        );
        assert_eq!(decode_bytes(&bytes, true), Err(Refusal::Malformed("UTF-8")));
    }

    #[test]
    fn short_cp1256_is_not_read_as_iso_8859_6() {
        for text in ["أن هذا", "نحو بناء صناعة", "وعلى هامش هذا", "رئيس هيئة"]
        {
            let (bytes, _, _) = WINDOWS_1256.encode(text);
            assert_eq!(
                decode_bytes(&bytes, false),
                Ok((text.to_owned(), "windows-1256"))
            );
        }
    }

    #[test]
    fn iso_8859_6_is_read() {
        let text = "أعلنت وزارة الدفاع يوم الثلاثاء عن توقيع اتفاقية جديدة مع الشركاء في المنطقة";
        let (bytes, _, unmappable) = ISO_8859_6.encode(text);
        assert!(!unmappable);
        assert_eq!(
            decode_bytes(&bytes, false),
            Ok((text.to_owned(), "ISO-8859-6"))
        );
    }

    #[test]
    fn cp1256_is_read() {
        let text = "أعلنت وزارة الدفاع يوم الثلاثاء عن توقيع اتفاقية جديدة.";
        let (bytes, _, _) = WINDOWS_1256.encode(text);
        assert_eq!(
            decode_bytes(&bytes, false),
            Ok((text.to_owned(), "windows-1256"))
        );
    }
}
