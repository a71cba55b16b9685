//! Splits a text into words, numbers and punctuation marks with exact byte offsets and folded
//! forms; the date, quantity and claim finders all walk these tokens.
//!
//! Letters and digits glued together (`و2022`, `2021م`) become two tokens with no gap between
//! them, so a clitic or a suffix never hides a number. Folded forms are laid end to end in one
//! buffer: nothing here allocates per token.

use dossier_core::text::{fold_char, is_diacritic};

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    Num,
    Punct,
}

/// One token of the text.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub kind: Kind,
    /// Byte offsets in the text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Byte offsets of the folded form in [`Tokens::folded`].
    fstart: usize,
    fend: usize,
    /// White space lies between the previous token and this one.
    pub space_before: bool,
    /// A line break lies between the previous token and this one.
    pub newline_before: bool,
}

/// The tokens of one text.
#[derive(Debug, Default)]
pub struct Tokens {
    pub toks: Vec<Token>,
    folded: String,
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Class {
    Letter,
    Digit,
    Other,
    Space,
}

fn class(c: char) -> Class {
    // Fast paths for the characters of Arabic and Latin text; the Unicode tables after them
    // are slow.
    match c {
        ' ' | '\n' | '\t' | '\r' => return Class::Space,
        '0'..='9' | '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}' => return Class::Digit,
        'a'..='z' | 'A'..='Z' | '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => {
            return Class::Letter
        }
        '!'..='/' | ':'..='@' | '['..='`' | '{'..='~' | '،' | '؛' | '؟' => return Class::Other,
        // Diacritics and tatweel (see `is_diacritic`): part of the word they mark.
        '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => {
            return Class::Letter
        }
        _ => {}
    }
    if c.is_whitespace() {
        return Class::Space;
    }
    if is_diacritic(c) {
        return Class::Letter;
    }
    match fold_char(c) {
        None => Class::Space,
        Some(f) if f.is_ascii_digit() => Class::Digit,
        Some(f) if is_alphabetic(f) => Class::Letter,
        Some(_) => Class::Other,
    }
}

/// [`class`] and [`fold_char`] of every character below U+0800 (ASCII and the two-byte
/// characters of UTF-8, the Arabic block among them), by code point.
static LOW: std::sync::LazyLock<Vec<(Class, Option<char>)>> = std::sync::LazyLock::new(|| {
    (0..0x800u32)
        .map(|u| char::from_u32(u).map_or((Class::Space, None), |c| (class(c), fold_char(c))))
        .collect()
});

/// `char::is_alphabetic`, without its slow Unicode tables for ASCII and the Arabic letters
/// (all of U+0621–U+064A, U+066E–U+066F, U+0671–U+06D3 and U+0750–U+077F are alphabetic).
fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}' | '\u{0750}'..='\u{077F}')
        || c.is_alphabetic()
}

/// The buffers of the last [`Tokens`] this thread dropped, taken by the next one: allocating
/// them anew for every document showed in profiles.
#[derive(Default)]
struct Spare {
    toks: Vec<Token>,
    folded: String,
}

thread_local! {
    static SPARE: std::cell::Cell<Option<Spare>> = const { std::cell::Cell::new(None) };
}

/// Buffers larger than this (in bytes) are not kept for the next text.
const KEEP_BELOW: usize = 1 << 22;

impl Drop for Tokens {
    fn drop(&mut self) {
        let size = self.toks.capacity() * std::mem::size_of::<Token>() + self.folded.capacity();
        if size == 0 || size >= KEEP_BELOW {
            return;
        }
        let spare = Spare {
            toks: std::mem::take(&mut self.toks),
            folded: std::mem::take(&mut self.folded),
        };
        // `try_with`: a thread being torn down keeps nothing.
        let _ = SPARE.try_with(|s| s.set(Some(spare)));
    }
}

impl Tokens {
    pub fn new(text: &str) -> Tokens {
        let Spare {
            mut toks,
            mut folded,
        } = SPARE
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        toks.clear();
        folded.clear();
        toks.reserve(text.len() / 5);
        folded.reserve(text.len());
        let mut space = false;
        let mut newline = false;
        let mut cur: Option<(Class, usize, usize)> = None; // class, start, fstart
        let close = |cur: &mut Option<(Class, usize, usize)>,
                     end: usize,
                     folded: &String,
                     toks: &mut Vec<Token>,
                     space: &mut bool,
                     newline: &mut bool| {
            if let Some((cl, start, fstart)) = cur.take() {
                let kind = match cl {
                    Class::Digit => Kind::Num,
                    Class::Letter => Kind::Word,
                    _ => Kind::Punct,
                };
                if folded.len() > fstart || kind == Kind::Word {
                    toks.push(Token {
                        kind,
                        start,
                        end,
                        fstart,
                        fend: folded.len(),
                        space_before: *space,
                        newline_before: *newline,
                    });
                }
                *space = false;
                *newline = false;
            }
        };
        let table = &*LOW;
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // ASCII and two-byte characters (Arabic among them) are read from the table; the
            // rest decoded and classified one by one.
            let (n, c, cl, f) = if b < 0x80 {
                let c = char::from(b);
                let (cl, f) = table
                    .get(usize::from(b))
                    .copied()
                    .unwrap_or((Class::Other, None));
                (1, c, cl, f)
            } else if b & 0xE0 == 0xC0 {
                let lo = bytes.get(i + 1).copied().unwrap_or(0);
                let u = (usize::from(b & 0x1F) << 6) | usize::from(lo & 0x3F);
                let c = char::from_u32(u as u32).unwrap_or('\0');
                let (cl, f) = table.get(u).copied().unwrap_or((Class::Other, None));
                (2, c, cl, f)
            } else {
                let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
                    break;
                };
                (c.len_utf8(), c, class(c), fold_char(c))
            };
            let same = matches!(cur, Some((k, _, _)) if k == cl && cl != Class::Other);
            if !same {
                close(&mut cur, i, &folded, &mut toks, &mut space, &mut newline);
                if cl == Class::Space {
                    // Zero-width marks fold to nothing and are not a gap.
                    if c.is_whitespace() {
                        space = true;
                        newline |= c == '\n' || c == '\r';
                    }
                    i += n;
                    continue;
                }
                cur = Some((cl, i, folded.len()));
            }
            if let Some(f) = f {
                folded.push(f);
            }
            i += n;
        }
        close(
            &mut cur,
            text.len(),
            &folded,
            &mut toks,
            &mut space,
            &mut newline,
        );
        Tokens { toks, folded }
    }

    /// The folded form of token `i` (empty past the end).
    pub fn f(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .and_then(|t| self.folded.get(t.fstart..t.fend))
            .unwrap_or("")
    }

    /// The bytes of [`Self::f`], for quick filters that read bytes.
    #[inline]
    pub fn fb(&self, i: usize) -> &[u8] {
        self.toks
            .get(i)
            .and_then(|t| self.folded.as_bytes().get(t.fstart..t.fend))
            .unwrap_or(&[])
    }

    /// [`Self::fb`] of a token of these tokens (empty for another).
    #[inline]
    pub fn fb_of(&self, tok: &Token) -> &[u8] {
        self.folded
            .as_bytes()
            .get(tok.fstart..tok.fend)
            .unwrap_or(&[])
    }

    /// The folded forms of tokens `i` to `j` (inclusive) as one string: they lie end to end
    /// in the folded buffer, with nothing between them (empty when either is past the end).
    pub fn f_span(&self, i: usize, j: usize) -> &str {
        match (self.toks.get(i), self.toks.get(j)) {
            (Some(a), Some(b)) => self.folded.get(a.fstart..b.fend).unwrap_or(""),
            _ => "",
        }
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub fn is_word(&self, i: usize, w: &str) -> bool {
        self.kind(i) == Some(Kind::Word) && self.f(i) == w
    }

    pub fn is_punct(&self, i: usize, p: &str) -> bool {
        self.kind(i) == Some(Kind::Punct) && self.f(i) == p
    }

    /// The value of token `i` when it is a number of at most 9 digits.
    pub fn num(&self, i: usize) -> Option<u32> {
        if self.kind(i) != Some(Kind::Num) {
            return None;
        }
        let s = self.f(i);
        if s.len() > 9 {
            return None;
        }
        s.parse().ok()
    }

    /// Number of digits of token `i` (0 when it is not a number).
    pub fn digits(&self, i: usize) -> usize {
        if self.kind(i) == Some(Kind::Num) {
            self.f(i).len()
        } else {
            0
        }
    }

    /// True when token `i` follows token `i - 1` with nothing in between.
    pub fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space_before) && i > 0
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_clitics_from_numbers_and_folds_digits() {
        let t = Tokens::new("بين ٢٠٢٠ و2022، 30/03/2022");
        let f: Vec<_> = (0..t.len()).map(|i| t.f(i)).collect();
        assert_eq!(
            f,
            vec!["بين", "2020", "و", "2022", "،", "30", "/", "03", "/", "2022"]
        );
        assert!(t.glued(3));
        assert!(!t.glued(2));
        assert_eq!(t.num(1), Some(2020));
    }

    #[test]
    fn folded_forms_lie_end_to_end() {
        let t = Tokens::new("بلغ 3.5 مليون، أي ٢٫٥ \u{200B}%  «نعم» ـ 12,000");
        for i in 0..t.len() {
            for j in i..t.len() {
                let joined: String = (i..=j).map(|k| t.f(k)).collect();
                assert_eq!(t.f_span(i, j), joined);
            }
        }
    }

    #[test]
    fn fast_alphabetic_agrees_with_std() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn spans_are_exact_byte_offsets() {
        let text = "في ١٥ رمضانَ";
        let t = Tokens::new(text);
        for tok in &t.toks {
            assert!(text.get(tok.start..tok.end).is_some());
        }
        assert_eq!(t.f(2), "رمضان");
    }
}
