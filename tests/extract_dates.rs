//! Robustness and end-to-end checks of the date and quantity finders through the public API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dossier::extract::{dates, quantities};
use proptest::prelude::*;

proptest! {
    #[test]
    fn date_finder_never_panics_and_spans_slice(s in "\\PC{0,80}") {
        for d in dates::find(&s) {
            prop_assert!(s.get(d.span.start..d.span.end).is_some());
            prop_assert!(d.span.start <= d.span.end);
        }
    }

    #[test]
    fn date_finder_on_arabic_like_text(s in "[0-9٠-٩/\\-\\. ،,a-z\u{0621}-\u{064A}\u{064B}\u{0640}\n%٪$]{0,60}") {
        for d in dates::find(&s) {
            prop_assert!(s.get(d.span.start..d.span.end).is_some());
        }
        for q in quantities::find(&s) {
            prop_assert!(s.get(q.span.start..q.span.end).is_some());
        }
    }

    #[test]
    fn quantity_finder_never_panics_and_spans_slice(s in "\\PC{0,80}") {
        for q in quantities::find(&s) {
            prop_assert!(s.get(q.span.start..q.span.end).is_some());
        }
    }

    #[test]
    fn any_valid_gregorian_date_round_trips(y in 1900u32..2100, m in 1u32..=12, d in 1u32..=28) {
        let text = format!("وقع ذلك في {d}/{m}/{y} بالعاصمة");
        let found: Vec<String> = dates::find(&text).into_iter().map(|x| x.value).collect();
        prop_assert_eq!(found, vec![format!("{y:04}-{m:02}-{d:02}")]);
    }
}

#[test]
fn a_news_paragraph_with_dates_of_several_traditions() {
    let text = "عمّان\n2019\nأعلنت الحكومة في 3 أيار/مايو 2019 أن المشروع الذي بدأ عام 2015 \
                سينتهي نهاية 2020، وأن كلفته بلغت 2.5 مليار دولار، فيما ارتفعت الصادرات ٣٠٪ \
                خلال العام الماضي، ووصلت ثلاثة قطارات في نوفمبر الماضي.";
    let d: Vec<String> = dates::find(text).into_iter().map(|x| x.value).collect();
    assert_eq!(d, vec!["2019", "2019-05-03", "2015", "2020"]);
    let q: Vec<String> = quantities::find(text)
        .into_iter()
        .map(|x| x.value)
        .collect();
    assert_eq!(q, vec!["2.5 مليار دولار", "30%", "ثلاثة قطارات"]);
}

#[test]
fn a_long_chain_of_ranges_does_not_recurse_deeply() {
    let text = "من 1 يناير إلى ".repeat(50_000) + "2 فبراير 2020";
    let d = dates::find(&text);
    assert!(d.iter().any(|x| x.value == "2020-02-02"));
}
