//! Splits a text into word tokens with their folded match keys and exact byte offsets.
//!
//! The keys of all tokens are laid end to end in one buffer, separated by one space, so the
//! lexicon can look up spans of a whole document at once and multi-word names match across
//! token boundaries. Nothing here allocates per token.

use dossier_core::text::fold_char;

/// What separates a token from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gap {
    /// A punctuation mark that ends a phrase (، . : ؛ ( ) and the like).
    pub punct: bool,
    /// A comma (Arabic or Latin), also counted in `punct`.
    pub comma: bool,
    /// A colon, also counted in `punct`.
    pub colon: bool,
    /// An opening or closing quotation mark.
    pub quote: bool,
    /// A line break.
    pub newline: bool,
    /// An opening parenthesis.
    pub paren: bool,
}

impl Gap {
    /// True when a name cannot run across this gap.
    pub fn hard(&self) -> bool {
        self.punct || self.newline || self.quote
    }
}

/// One word of the text.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    /// Byte offsets of the word in the text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Byte offsets of its key in [`Tokens::keys`].
    pub kstart: usize,
    pub kend: usize,
    /// What lies between the previous token and this one.
    pub gap: Gap,
    /// Latin letters (or an `@handle`), not Arabic.
    pub latin: bool,
    /// Starts with an upper-case Latin letter.
    pub capital: bool,
}

/// The tokens of a text and their keys.
#[derive(Debug, Default)]
pub struct Tokens {
    pub toks: Vec<Token>,
    /// Folded keys of all tokens, separated by one space.
    pub keys: String,
}

/// Letters, digits and marks. The Arabic block is decided by hand (its punctuation listed),
/// because the general Unicode tables are slow on the hot path.
#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c, '\u{0621}'..='\u{064A}') {
        return true;
    }
    match c {
        '\u{060C}'
        | '\u{060D}'
        | '\u{061B}'
        | '\u{061E}'
        | '\u{061F}'
        | '\u{066A}'..='\u{066D}'
        | '\u{06D4}'
        | '\u{06DD}'
        | '\u{06DE}'
        | '\u{06E9}'
        | '\u{FD3E}'
        | '\u{FD3F}' => false,
        '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' => true,
        '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' => c != '\u{FEFF}',
        _ => c.is_alphanumeric() || dossier_core::text::is_diacritic(c),
    }
}

/// The character of `text` starting at byte `i` (a char boundary) and its length in bytes.
/// One- and two-byte characters (ASCII, Arabic) are decoded here, the others by `chars`.
#[inline]
fn char_at(text: &str, i: usize) -> Option<(char, usize)> {
    let b = text.as_bytes();
    let x = *b.get(i)?;
    if x < 0x80 {
        return Some((char::from(x), 1));
    }
    if x & 0xE0 == 0xC0 {
        if let Some(&y) = b.get(i + 1) {
            let v = (u32::from(x & 0x1F) << 6) | u32::from(y & 0x3F);
            if let Some(c) = char::from_u32(v) {
                return Some((c, 2));
            }
        }
    }
    let c = text.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// True for the commonest characters that [`fold_char`] leaves as they are: the Arabic letters
/// but the hamza carriers, ta marbuta and alef maqsura, and ASCII lower-case letters and digits.
/// (False means: ask `fold_char`.)
#[inline]
pub(crate) fn folds_to_itself(c: char) -> bool {
    matches!(c, 'ء' | 'ا' | 'ب' | 'ت'..='غ' | 'ف'..='و' | 'ي' | 'a'..='z' | '0'..='9')
}

/// True for the UTF-8 bytes of the Arabic letters of [`folds_to_itself`] (ء ا ب ت-غ ف-و ي).
#[inline]
fn arabic_letter_kept(x: u8, y: u8) -> bool {
    matches!(
        (x, y),
        (0xD8, 0xA1 | 0xA7 | 0xA8 | 0xAA..=0xBA) | (0xD9, 0x81..=0x88 | 0x8A)
    )
}

impl Tokens {
    pub fn new(text: &str) -> Tokens {
        let mut t = Tokens::default();
        t.fill(text);
        t
    }

    /// Replaces the tokens with those of `text`, reusing the buffers.
    pub fn fill(&mut self, text: &str) {
        let Tokens { toks, keys } = self;
        toks.clear();
        keys.clear();
        toks.reserve(text.len() / 6);
        keys.reserve(text.len());
        let mut gap = Gap::default();
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(&x) = bytes.get(at) {
            // The commonest characters: a space between words, and an Arabic letter that
            // folds to itself opening one (a word character).
            if x == b' ' {
                at += 1;
                continue;
            }
            let kept = bytes.get(at + 1).is_some_and(|&y| arabic_letter_kept(x, y));
            let Some((c, len)) = char_at(text, at) else {
                break;
            };
            let i = at;
            at += len;
            let handle = !kept
                && c == '@'
                && char_at(text, at).is_some_and(|(n, _)| n.is_ascii_alphanumeric());
            if !(kept || is_word_char(c) || handle) {
                match c {
                    ' ' => {}
                    '،' | ',' => {
                        gap.punct = true;
                        gap.comma = true;
                    }
                    ':' => {
                        gap.punct = true;
                        gap.colon = true;
                    }
                    '(' | '[' => {
                        gap.punct = true;
                        gap.paren = true;
                    }
                    '\n' | '\r' => gap.newline = true,
                    '"' | '\'' | '«' | '»' | '“' | '”' | '„' | '″' | '‘' | '’' => {
                        gap.quote = true
                    }
                    c if c.is_whitespace() || fold_char(c).is_none() => {}
                    _ => gap.punct = true,
                }
                continue;
            }
            // A word: letters, digits, marks; a hyphen or dot inside Latin words (F-16, F-35).
            // Its key is folded as it is read.
            let start = i;
            let mut end = i + len;
            let ascii = c.is_ascii_alphanumeric() || handle;
            let latin = c.is_ascii_alphabetic() || handle;
            if !keys.is_empty() {
                keys.push(' ');
            }
            let kstart = keys.len();
            // Characters that fold to themselves are copied in runs: `run` is where the run
            // not yet copied starts.
            let mut run = i;
            let f = if kept { Some(c) } else { fold_char(c) };
            if f != Some(c) {
                if let Some(f) = f {
                    keys.push(f);
                }
                run = end;
            }
            loop {
                // In an Arabic word, the letters that fold to themselves are taken a byte pair
                // at a time (`at` is always `end` here).
                if !ascii {
                    while let Some(&[x, y]) = bytes.get(at..at + 2) {
                        if !arabic_letter_kept(x, y) {
                            break;
                        }
                        at += 2;
                    }
                    end = at;
                }
                // A space ends every word.
                if bytes.get(at) == Some(&b' ') {
                    break;
                }
                let Some((n, nlen)) = char_at(text, at) else {
                    break;
                };
                let j = at;
                let same_script = n.is_ascii_alphanumeric() == ascii || n.is_ascii_digit();
                let take = if is_word_char(n) {
                    same_script
                } else if matches!(n, '-' | '_' | '.') {
                    // F-16, F-35, @a_b, pic.twitter.com; and a model number on an Arabic name
                    // (شاهد-136).
                    let after = char_at(text, j + 1).map(|(m, _)| m);
                    ascii && after.is_some_and(|m| m.is_ascii_alphanumeric())
                        || n == '-' && after.is_some_and(|m| m.is_ascii_digit())
                } else {
                    false
                };
                if !take {
                    break;
                }
                end = j + nlen;
                at = end;
                if folds_to_itself(n) {
                    continue;
                }
                let f = fold_char(n);
                if f != Some(n) {
                    keys.push_str(text.get(run..j).unwrap_or(""));
                    if let Some(f) = f {
                        keys.push(f);
                    }
                    run = end;
                }
            }
            keys.push_str(text.get(run..end).unwrap_or(""));
            let kend = keys.len();
            if kend == kstart {
                // Only marks: not a word.
                keys.truncate(kstart.saturating_sub(1));
                continue;
            }
            toks.push(Token {
                start,
                end,
                kstart,
                kend,
                gap,
                latin,
                capital: c.is_ascii_uppercase(),
            });
            gap = Gap::default();
        }
    }

    /// The token a byte of [`Tokens::keys`] belongs to (a separating space: the token after).
    pub fn token_at(&self, kbyte: usize) -> usize {
        self.toks
            .partition_point(|t| t.kend <= kbyte)
            .min(self.toks.len().saturating_sub(1))
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// The folded key of token `i`.
    pub fn key(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .and_then(|t| self.keys.get(t.kstart..t.kend))
            .unwrap_or("")
    }

    /// The byte offset in the text after the first `n` key characters of token `i` (the
    /// characters that fold to nothing, such as diacritics, go with the character before).
    pub fn src_after_key_chars(&self, text: &str, i: usize, n: usize) -> usize {
        let Some(t) = self.toks.get(i) else {
            return 0;
        };
        if n == 0 {
            return t.start;
        }
        let mut seen = 0;
        let word = text.get(t.start..t.end).unwrap_or("");
        let mut it = word.char_indices().peekable();
        while let Some((_, c)) = it.next() {
            if fold_char(c).is_some() {
                seen += 1;
            }
            if seen == n {
                // Skip marks attached to this character.
                while let Some(&(_, m)) = it.peek() {
                    if fold_char(m).is_none() {
                        it.next();
                    } else {
                        break;
                    }
                }
                return t.start + it.peek().map_or(word.len(), |&(j, _)| j);
            }
        }
        t.end
    }

    /// The byte offset in the text before the last `n` key characters of token `i`.
    pub fn src_before_last_key_chars(&self, text: &str, i: usize, n: usize) -> usize {
        let Some(t) = self.toks.get(i) else {
            return 0;
        };
        if n == 0 {
            return t.end;
        }
        let word = text.get(t.start..t.end).unwrap_or("");
        let mut seen = 0;
        for (j, c) in word.char_indices().rev() {
            if fold_char(c).is_some() {
                seen += 1;
                if seen == n {
                    return t.start + j;
                }
            }
        }
        t.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_offsets_and_fold_keys() {
        let text = "قالَ «أحمد»، في F-16 و@Handle_1 ١٢";
        let t = Tokens::new(text);
        let words: Vec<&str> = t.toks.iter().map(|k| &text[k.start..k.end]).collect();
        assert_eq!(
            words,
            vec!["قالَ", "أحمد", "في", "F-16", "و", "@Handle_1", "١٢"]
        );
        assert_eq!(t.key(0), "قال");
        assert_eq!(t.key(1), "احمد");
        assert!(t.toks[1].gap.quote);
        assert!(t.toks[2].gap.comma);
        assert_eq!(t.key(3), "f-16");
        assert_eq!(t.key(5), "@handle_1");
        assert_eq!(t.key(6), "12");
    }

    #[test]
    fn arabic_letters_kept_by_their_bytes_are_those_that_fold_to_themselves() {
        for c in '\u{0600}'..='\u{06FF}' {
            let mut b = [0u8; 4];
            let b = c.encode_utf8(&mut b).as_bytes();
            let arabic_letter = matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}');
            assert_eq!(
                arabic_letter_kept(b[0], b[1]),
                arabic_letter && folds_to_itself(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn characters_said_to_fold_to_themselves_do() {
        for c in (0..0x800u32).filter_map(char::from_u32) {
            if folds_to_itself(c) {
                assert_eq!(fold_char(c), Some(c), "{c:?}");
            }
        }
    }

    #[test]
    fn source_offsets_skip_marks_with_their_letter() {
        let text = "وَالمغرب";
        let t = Tokens::new(text);
        let after = t.src_after_key_chars(text, 0, 1);
        assert_eq!(&text[after..], "المغرب");
        let before = t.src_before_last_key_chars(text, 0, 1);
        assert_eq!(&text[before..], "ب");
    }
}
