//! Near-duplicate documents: a 64-bit SimHash of a text's word shingles, so that copies of
//! one article (a wire story republished by several outlets, each with its own outlet line,
//! byline or date line) are known as one origin.
//!
//! The words are the text folded as names are ([`crate::text::fold_char`]: diacritics,
//! tatweel and hamza forms, digits, Latin case), split at every character that is neither a
//! letter nor a digit; the shingles are runs of [`SHINGLE`] words, each hashed with FNV-1a
//! (stable across builds and machines: the fingerprint is stored). Two texts whose
//! fingerprints differ in at most [`NEAR_BITS`] bits are near-duplicates.
//!
//! Architecture invariant: pure functions, no IO.

use crate::text::fold_char;

/// Words per shingle.
pub const SHINGLE: usize = 3;

/// The most bits two near-duplicates' fingerprints differ in. Measured on the seeds (300 to
/// 770 words): a copy with another outlet line before it, or a credit line after it, differs
/// from the original in 0 to 5 bits; two different articles on the same subject in 24 to 35.
pub const NEAR_BITS: u32 = 7;

/// The number of 8-bit bands a fingerprint is cut into for lookup: two fingerprints within
/// [`NEAR_BITS`] bits agree exactly on at least one band (pigeonhole: 7 differing bits cannot
/// touch 8 bands), so near-duplicates are found by an indexed equality on a band.
pub const BANDS: usize = 8;

/// The text's words, folded.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        match fold_char(c) {
            Some(f) if f.is_alphanumeric() => word.push(f),
            // A diacritic or a format character folds to nothing: inside the word.
            None => {}
            Some(_) if !word.is_empty() => out.push(std::mem::take(&mut word)),
            Some(_) => {}
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn fnv1a(parts: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= u64::from(b' ');
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The SimHash of a text's shingles (0 for a text without words). A text of fewer than
/// [`SHINGLE`] words is one shingle.
pub fn fingerprint(text: &str) -> u64 {
    let words = words(text);
    if words.is_empty() {
        return 0;
    }
    let mut weights = [0i64; 64];
    let n = SHINGLE.min(words.len());
    for shingle in words.windows(n) {
        let h = fnv1a(shingle);
        for (bit, w) in weights.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *w += 1;
            } else {
                *w -= 1;
            }
        }
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .fold(0u64, |fp, (bit, _)| fp | 1 << bit)
}

/// How many bits two fingerprints differ in.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Whether two fingerprints are of near-duplicate texts. A fingerprint of 0 (no words) is
/// no one's duplicate.
pub fn near(a: u64, b: u64) -> bool {
    a != 0 && b != 0 && distance(a, b) <= NEAR_BITS
}

/// The fingerprint's bands, lowest bits first (see [`BANDS`]).
pub fn bands(fp: u64) -> [u8; BANDS] {
    fp.to_le_bytes()
}

/// How many independent origins a set of documents has: the number of groups when
/// near-duplicates (transitively) are one group. A document whose fingerprint is unknown
/// (`None`) is an origin of its own.
pub fn independent_origins(fps: &[Option<u64>]) -> usize {
    // Union-find over indices; a few hundred sources at most.
    let mut parent: Vec<usize> = (0..fps.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..fps.len() {
        for j in i + 1..fps.len() {
            if let (Some(a), Some(b)) = (fps[i], fps[j]) {
                if near(a, b) {
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    parent[ri] = rj;
                }
            }
        }
    }
    (0..fps.len())
        .filter(|&i| root(&mut parent, i) == i)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "بدأ المغرب وإسرائيل منذ مطلع العام الجاري في تنزيل بنود مذكرة \
        التفاهم الموقعة في سنة 2021 الخاصة بالتعاون الأمني والعسكري، إذ عرفت المبادلات بين \
        البلدين زيادة تقدر بـ94 في المائة في عدة مجالات متنوعة. وأكد وزير الدفاع أن الزيارة \
        المقبلة ستشهد توقيع اتفاقيات جديدة في مجال الصناعات الدفاعية والأمن السيبراني، \
        بحسب ما نقلته وسائل إعلام محلية عن مصادر مطلعة على الملف.";

    const OTHER: &str = "أعلنت وزارة الخارجية الفرنسية اليوم عن زيارة مرتقبة لوزير \
        الخارجية إلى الجزائر الأسبوع المقبل لبحث ملفات الطاقة والهجرة والتعاون الاقتصادي \
        بين البلدين، في ظل توتر دبلوماسي استمر عدة أشهر بسبب تصريحات سابقة للرئيس.";

    #[test]
    fn copies_with_their_own_outlet_line_are_near_duplicates() {
        let a = fingerprint(&format!("هسبريس - الرباط\n{ARTICLE}"));
        let b = fingerprint(&format!("المصدر: وكالة المغرب العربي للأنباء\n{ARTICLE}"));
        let c = fingerprint(&format!("{ARTICLE}\nنقلا عن موقع اليوم 24"));
        assert!(near(a, b), "{}", distance(a, b));
        assert!(near(a, c), "{}", distance(a, c));
        let o = fingerprint(OTHER);
        assert!(!near(a, o), "{}", distance(a, o));
    }

    #[test]
    fn diacritics_and_spacing_do_not_move_the_fingerprint() {
        let plain = "وقع البلدان اتفاقا للتعاون العسكري في الرباط";
        let marked = "وَقَّعَ  البلدانِ اتفاقًا للتعاون   العسكري في الرباط.";
        assert_eq!(fingerprint(plain), fingerprint(marked));
    }

    #[test]
    fn an_empty_text_is_no_ones_duplicate() {
        assert_eq!(fingerprint(" ، . "), 0);
        assert!(!near(0, 0));
    }

    #[test]
    fn origins_are_counted_over_near_duplicate_groups() {
        let copy = |outlet: &str| Some(fingerprint(&format!("{outlet}\n{ARTICLE}")));
        let fps = [
            copy("هسبريس"),
            copy("الأيام 24"),
            copy("le360"),
            copy("مدار 21"),
            copy("العمق المغربي"),
        ];
        assert_eq!(independent_origins(&fps), 1);
        let mut more = fps.to_vec();
        more.push(Some(fingerprint(OTHER)));
        more.push(None);
        assert_eq!(independent_origins(&more), 3);
        assert_eq!(independent_origins(&[]), 0);
    }

    #[test]
    fn bands_cover_the_fingerprint() {
        let fp = 0x1234_5678_9abc_def0;
        assert_eq!(bands(fp), [0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12]);
        // Within NEAR_BITS, one band at least is the same.
        let near_fp = fp ^ 0x0101_0101_0101_0100;
        assert!(near(fp, near_fp));
        assert!(bands(fp).iter().zip(bands(near_fp)).any(|(a, b)| *a == b));
    }
}
