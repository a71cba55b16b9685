//! Arabic-aware text primitives shared by the extractor and the diff: character folding,
//! the "comparable" form that makes cosmetic edits invisible, and sentence splitting.
//!
//! Architecture invariant: pure functions over `&str`; no IO, no allocation beyond the result.

/// Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks) and tatweel.
/// These never change what a word is, so comparisons and match keys drop them.
pub fn is_diacritic(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}' // tatweel
    )
}

/// Folds one character for a match key: alef/hamza forms to bare alef, ta marbuta to ha, alef
/// maqsura and Persian yeh to ya, Persian keheh to kaf, Arabic-Indic and Persian digits to ASCII,
/// quote and dash variants to their ASCII form, Latin to lower case. `None` means "drop it"
/// (diacritics, tatweel, bidi controls).
///
/// Called for every character of every document: ASCII and the Arabic letters (U+0621-U+064A)
/// are answered first, without going through the full table.
#[inline]
pub fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    if matches!(c, '\u{0621}'..='\u{064A}') {
        return Some(match c {
            'أ' | 'إ' | 'آ' => 'ا',
            'ة' => 'ه',
            'ى' | 'ئ' => 'ي',
            'ؤ' => 'و',
            // Tatweel.
            '\u{0640}' => return None,
            c => c,
        });
    }
    fold_char_slow(c)
}

fn fold_char_slow(c: char) -> Option<char> {
    if is_diacritic(c) {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ة' => 'ه',
        'ى' | 'ی' | 'ې' => 'ي',
        'ک' => 'ك',
        'ؤ' => 'و',
        'ئ' => 'ي',
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '«' | '»' | '“' | '”' | '„' | '″' => '"',
        '‘' | '’' | '‚' | '′' => '\'',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => '-',
        '٪' => '%',
        '٫' => '.',
        '٬' => ',',
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => return None,
        c if c.is_ascii_uppercase() => c.to_ascii_lowercase(),
        c => c,
    })
}

/// The match key of a short string (a name): folded characters, white space collapsed to one
/// space, leading and trailing punctuation trimmed.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().filter_map(fold_char) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    // Arabic letters (U+0621-U+064A, all alphanumeric) answered before Unicode's tables.
    let kept = |c: char| {
        c.is_ascii_alphanumeric()
            || ('\u{0621}'..='\u{064A}').contains(&c)
            || c == '%'
            || c == '$'
            || c.is_alphanumeric()
            || c.is_whitespace()
    };
    let trimmed = out.trim_matches(|c: char| !kept(c)).trim();
    if trimmed.len() == out.len() {
        return out;
    }
    trimmed.to_string()
}

/// A key that ignores word order (`~` then the folded words, sorted): a person written
/// last-name-first is the same person. Only for names of two words or more.
pub fn order_free_key(s: &str) -> Option<String> {
    let k = key(s);
    let mut words: Vec<&str> = k.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 2 {
        return None;
    }
    words.sort_unstable();
    Some(format!("~{}", words.join(" ")))
}

/// The loose key of a name: its [`key`] with the article dropped from every word but the first
/// (when two letters remain), the spaces removed and doubled letters single, so that spacing
/// and gemination variants meet (`محمد بن الوالي` / `محمد بنوالي`, `حمّوشي` / `حموشي`,
/// `عبد اللطيف الحموشي` / `عبد اللطيف حموشي`). The extractor's resolver groups a document's
/// forms by it, and the linking stage looks dossier entities up by it.
pub fn loose_key(name: &str) -> String {
    loose_of_key(&key(name))
}

/// [`loose_key`] of a string that is already a [`key`].
pub fn loose_of_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut prev = None;
    let mut after_abd = false;
    for (n, w) in k.split(' ').enumerate() {
        // `عبد الله` / `عبدالله`, `عبد الرحمن` / `عبدالرحمن`: after `عبد` the article is the
        // compound's own, written solid or spaced; so is the one of `الله`.
        let keep = after_abd || w == "الله";
        after_abd = w == "عبد";
        let w = if n > 0 && !keep {
            w.strip_prefix("ال")
                .filter(|r| r.chars().nth(1).is_some())
                .unwrap_or(w)
        } else {
            w
        };
        for c in w.chars() {
            if Some(c) != prev {
                out.push(c);
            }
            prev = Some(c);
        }
    }
    out
}

/// Titles longer than this many characters are cut at a word.
pub const TITLE_MAX_CHARS: usize = 160;

/// A document's title as people read it: its first line with letters, white space collapsed,
/// control characters dropped, at most [`TITLE_MAX_CHARS`] characters (cut at a word, with
/// `…`). `None` for a text without a letter.
pub fn title_line(text: &str) -> Option<String> {
    let line = text
        .lines()
        .find(|l| l.chars().any(char::is_alphanumeric))?;
    Some(cut_at_word(&one_spaced(line), TITLE_MAX_CHARS))
}

/// `s` with every run of white space or control characters one space, trimmed.
pub fn one_spaced(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` if it has at most `max` characters, else its longest run of whole words that fits with
/// `…` after it (the first `max - 1` characters when its first word alone is longer).
pub fn cut_at_word(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let room = max.saturating_sub(1);
    let head: String = s.chars().take(room).collect();
    // The cut falls inside a word unless the next character is a space.
    let next_is_space = s.chars().nth(room).is_some_and(char::is_whitespace);
    let whole = if next_is_space {
        head.as_str()
    } else {
        head.rfind(' ').map_or(head.as_str(), |i| &head[..i])
    };
    let whole = whole.trim_end_matches(|c: char| c.is_whitespace() || "،,؛;:-–—".contains(c));
    format!("{}…", if whole.is_empty() { &head } else { whole })
}

/// The key two transliterations of one foreign name share: its [`loose_key`] with the letters
/// Arabic writes a foreign sound with in several ways folded together: the g of Gantz (غ ج گ
/// ڠ ق → غ) and the z (ز ذ → س), so that غانتس، جانتس، غانتز meet. For looking up what a
/// person typed, never for linking documents' names (it merges real, different names).
pub fn translit_key(name: &str) -> String {
    loose_key(name)
        .chars()
        .map(|c| match c {
            'ج' | 'گ' | 'ڠ' | 'ق' => 'غ',
            'ز' | 'ذ' => 'س',
            c => c,
        })
        .collect()
}

/// True for punctuation whose surrounding spacing is typographic, not meaningful.
fn is_spacing_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '،'
            | '؛'
            | '؟'
            | '('
            | ')'
            | '['
            | ']'
            | '"'
            | '\''
            | '«'
            | '»'
            | '“'
            | '”'
            | '-'
            | '–'
            | '—'
            | '…'
            | '/'
    )
}

/// The form two versions of a text are compared in: diacritics and tatweel dropped, every run
/// of white space one space, no space next to punctuation. An edit that changes only these is
/// cosmetic: it leaves this form, and so the document's normalized hash, unchanged.
pub fn comparable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if is_diacritic(c) || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}') {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev_punct = out.chars().next_back().is_some_and(is_spacing_punct);
            if !prev_punct && !is_spacing_punct(c) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// A sentence of a document: its text as written (white space collapsed) and its comparable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    pub key: String,
}

/// Splits a text into sentences at full stops, question and exclamation marks (Latin and
/// Arabic) and line breaks. Empty pieces are dropped.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes_len = text.len();
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let end_here = match c {
            '\n' | '!' | '?' | '؟' | '…' => true,
            // A full stop between two digits is a decimal point, not the end of a sentence.
            '.' => {
                let prev_digit = text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_digit());
                let next_digit = iter.peek().is_some_and(|(_, n)| n.is_ascii_digit());
                !(prev_digit && next_digit)
            }
            _ => false,
        };
        if end_here {
            let end = i + c.len_utf8();
            push_sentence(&mut out, &text[start..end]);
            start = end;
        }
    }
    if start < bytes_len {
        push_sentence(&mut out, &text[start..]);
    }
    out
}

fn push_sentence(out: &mut Vec<Sentence>, raw: &str) {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let key = comparable(&text);
    if key.chars().any(|c| c.is_alphanumeric()) {
        out.push(Sentence { text, key });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference folding `fold_char` must agree with on every character.
    fn fold_char_reference(c: char) -> Option<char> {
        if is_diacritic(c) {
            return None;
        }
        fold_char_slow(c)
    }

    #[test]
    fn fold_char_fast_paths_agree_with_the_table() {
        for u in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(fold_char(c), fold_char_reference(c), "U+{u:04X}");
            }
        }
    }

    #[test]
    fn cosmetic_edits_leave_the_comparable_form_alone() {
        let a = "وقّع المغرب  وإسرائيل اتفاقاً ، في نوفمبر.\n\nثم  زار الوزير الرباط .";
        let b = "وقع المغرب وإسرائيل اتفاقا، في نوفمبر. ثم زار الوزير الرباط.";
        assert_eq!(comparable(a), comparable(b));
    }

    #[test]
    fn a_real_edit_changes_the_comparable_form() {
        assert_ne!(comparable("نسبة 94%"), comparable("نسبة 84%"));
    }

    /// The trim of `key` with its Arabic shortcut keeps and drops what the Unicode test alone
    /// did, for every character of the first three planes' blocks up to U+FFFF.
    #[test]
    fn key_trims_as_the_unicode_test_does() {
        let reference = |s: &str| {
            let folded: String = s.chars().filter_map(fold_char).collect();
            folded
                .trim_matches(|c: char| {
                    c != '%' && c != '$' && !c.is_alphanumeric() && !c.is_whitespace()
                })
                .trim()
                .to_string()
        };
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            if c.is_whitespace() {
                continue;
            }
            for s in [format!("{c}ب{c}"), format!("{c}"), format!("x{c}")] {
                assert_eq!(key(&s), reference(&s), "{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn key_folds_alef_ta_marbuta_digits_and_case() {
        assert_eq!(key("  إسرائيل "), key("اسرائيل"));
        assert_eq!(key("مذكرة"), key("مذكره"));
        assert_eq!(key("٩٤٪"), "94%");
        assert_eq!(key("Mirage-2000"), "mirage-2000");
        assert_ne!(key("على"), key("علا"));
    }

    #[test]
    fn titles_are_the_first_line_cut_at_a_word() {
        assert_eq!(
            title_line("\n  عنوان   المقال \nنص").as_deref(),
            Some("عنوان المقال")
        );
        assert_eq!(title_line(" \n--\n"), None);
        assert_eq!(cut_at_word("وقع المغرب وإسرائيل اتفاقا", 15), "وقع المغرب…");
        assert_eq!(cut_at_word("قصير", 15), "قصير");
        assert_eq!(cut_at_word("abcdefghij", 5), "abcd…");
        assert_eq!(cut_at_word("ab cd, ef", 7), "ab cd…");
    }

    #[test]
    fn transliterations_meet() {
        let k = translit_key("بيني غانتس");
        assert_eq!(translit_key("بيني جانتس"), k);
        assert_eq!(translit_key("بيني غانتز"), k);
        assert_eq!(translit_key("بينيغانتس"), k);
        assert_ne!(translit_key("بيني غانم"), k);
    }

    #[test]
    fn order_free_key_matches_swapped_names_only() {
        assert_eq!(order_free_key("سمير حداد"), order_free_key("حداد سمير"));
        assert_ne!(order_free_key("سمير حداد"), order_free_key("سمير حدادين"));
        assert_eq!(order_free_key("حداد"), None);
    }

    #[test]
    fn sentences_split_on_arabic_and_latin_marks_but_not_decimals() {
        let s = sentences("ارتفع بنسبة 3.5 في المئة. هل زار؟ نعم\nسطر آخر");
        let texts: Vec<_> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["ارتفع بنسبة 3.5 في المئة.", "هل زار؟", "نعم", "سطر آخر"]
        );
    }
}
