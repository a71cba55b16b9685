//! The words of the reports, emails and the HTML dossier, in Arabic and in English.
//!
//! Every label is a variant of [`Label`] and every counted noun a variant of [`Noun`]; each
//! has its two forms in one `match`, so a label cannot exist in one language only (the
//! compiler refuses a missing arm, and `tests::every_label_has_both_forms` lists them all).
//! Counting follows each language's grammar: English one/many; Arabic singular with واحد,
//! dual, plural for 3 to 10, singular accusative for 11 to 99, singular genitive for 100 and
//! over (and 0).
//!
//! These are the program's own words, not language data for extraction (which lives in
//! `crates/extract/src/data/`): they are code so that a missing translation does not compile.

use crate::model::{ClaimType, EntityType, Modality};

/// The language of what people read: `[report] language`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// The documents' language, the default.
    #[default]
    Ar,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ar, Lang::En];

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The BCP 47 code: `ar`, `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    /// The writing direction, for HTML's `dir`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }

    /// From an old value to a new one. Arrows are not mirrored by the bidi algorithm: in a
    /// right-to-left line the old value is on the right, so the arrow points left.
    pub fn arrow(self) -> &'static str {
        match self {
            Lang::Ar => "←",
            Lang::En => "→",
        }
    }

    /// Between the items of a list.
    pub fn comma(self) -> &'static str {
        match self {
            Lang::Ar => "، ",
            Lang::En => ", ",
        }
    }

    pub fn label(self, l: Label) -> &'static str {
        match self {
            Lang::Ar => l.ar(),
            Lang::En => l.en(),
        }
    }

    /// `n` of `noun`, as the language counts: "1 document", "وثيقتان", "3 وثائق".
    pub fn count(self, n: usize, noun: Noun) -> String {
        match self {
            Lang::En => {
                let (one, many) = noun.en();
                format!("{n} {}", if n == 1 { one } else { many })
            }
            Lang::Ar => {
                let f = noun.ar();
                match n {
                    1 => f.one.to_string(),
                    2 => f.two.to_string(),
                    _ => {
                        let form = match n % 100 {
                            3..=10 => f.few,
                            11..=99 => f.many,
                            _ => f.other,
                        };
                        format!("{n} {form}")
                    }
                }
            }
        }
    }

    /// A list read as a sentence: "A, B and C", "A، B وC".
    pub fn and_list(self, items: &[String]) -> String {
        match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => {
                let head = init.join(self.comma());
                match self {
                    Lang::En => format!("{head} and {last}"),
                    // و is written joined to an Arabic word, apart from a Latin or a digit.
                    Lang::Ar => {
                        let joined = last
                            .trim_start_matches(super::BIDI_CONTROLS)
                            .chars()
                            .next()
                            .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
                        if joined {
                            format!("{head} و{last}")
                        } else {
                            format!("{head} و {last}")
                        }
                    }
                }
            }
        }
    }

    pub fn status(self, s: crate::diff::DocStatus) -> &'static str {
        use crate::diff::DocStatus;
        self.label(match s {
            DocStatus::Added => Label::Added,
            DocStatus::Modified => Label::Modified,
            DocStatus::Renamed => Label::Renamed,
            DocStatus::Removed => Label::Removed,
        })
    }

    /// A claim's type as a word: "Agreement", "اتفاق".
    pub fn claim_type(self, t: ClaimType) -> &'static str {
        self.label(match t {
            ClaimType::Agreement => Label::Agreement,
            ClaimType::Visit => Label::Visit,
            ClaimType::Meeting => Label::Meeting,
            ClaimType::Acquisition => Label::Acquisition,
            ClaimType::Manufacturing => Label::Manufacturing,
            ClaimType::Relations => Label::Relations,
            ClaimType::Announcement => Label::Announcement,
            ClaimType::Exercise => Label::Exercise,
            ClaimType::Other => Label::OtherClaim,
        })
    }

    /// An entity type as the heading of a list of names: "people", "أشخاص".
    pub fn entity_types(self, t: EntityType) -> &'static str {
        self.label(match t {
            EntityType::Person => Label::People,
            EntityType::Org => Label::Organizations,
            EntityType::Location => Label::Places,
            EntityType::Equipment => Label::Equipment,
            EntityType::Event => Label::Events,
        })
    }

    /// One entity's type: "person", "شخص".
    pub fn entity_type(self, t: EntityType) -> &'static str {
        self.label(match t {
            EntityType::Person => Label::Person,
            EntityType::Org => Label::Organization,
            EntityType::Location => Label::Place,
            EntityType::Equipment => Label::EquipmentItem,
            EntityType::Event => Label::Event,
        })
    }

    /// The noun for new entities of a type, counted.
    pub fn new_entities(self, t: EntityType) -> Noun {
        match t {
            EntityType::Person => Noun::NewPerson,
            EntityType::Org => Noun::NewOrganization,
            EntityType::Location => Noun::NewPlace,
            EntityType::Equipment => Noun::NewEquipment,
            EntityType::Event => Noun::NewEvent,
        }
    }

    pub fn modality(self, m: Option<Modality>) -> &'static str {
        self.label(match m {
            None => Label::Asserted,
            Some(Modality::Planned) => Label::Planned,
            Some(Modality::Reported) => Label::Reported,
        })
    }
}

macro_rules! labels {
    ($($name:ident => $en:literal, $ar:literal;)*) => {
        /// A word or phrase of the reports; [`Lang::label`] gives it in a language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Label { $($name),* }

        impl Label {
            /// Every label, for the test that lists them.
            pub const ALL: &'static [Label] = &[$(Label::$name),*];

            pub fn en(self) -> &'static str {
                match self { $(Label::$name => $en),* }
            }

            pub fn ar(self) -> &'static str {
                match self { $(Label::$name => $ar),* }
            }
        }
    };
}

labels! {
    // Document statuses (a document is وثيقة, feminine).
    Added => "added", "جديدة";
    Modified => "modified", "معدّلة";
    Renamed => "renamed", "منقولة";
    Removed => "removed", "محذوفة";
    Was => "was", "كانت";
    // The summary line.
    NoChange => "no change", "لا تغيير";
    Scanned => "scanned", "فُحصت";
    // Entity types, as list headings and one by one.
    People => "people", "أشخاص";
    Organizations => "organizations", "جهات";
    Places => "places", "أماكن";
    Equipment => "equipment", "معدّات";
    Events => "events", "أحداث";
    Person => "person", "شخص";
    Organization => "organization", "جهة";
    Place => "place", "مكان";
    EquipmentItem => "equipment", "معدّة";
    Event => "event", "حدث";
    // Claim types, as the first word of a claim's sentence.
    Agreement => "Agreement", "اتفاق";
    Visit => "Visit", "زيارة";
    Meeting => "Meeting", "لقاء";
    Acquisition => "Acquisition", "اقتناء";
    Manufacturing => "Manufacturing", "تصنيع";
    Relations => "Relations", "علاقات";
    Announcement => "Announcement", "إعلان";
    Exercise => "Exercise", "مناورات";
    OtherClaim => "Statement", "إفادة";
    // The words of a claim's sentence.
    Between => "between", "بين";
    About => "about", "بشأن";
    AccordingTo => "according to", "بحسب";
    Denied => "denied", "منفيّ";
    Asserted => "asserted", "مؤكَّد";
    Planned => "planned", "مُزمع";
    Reported => "reported", "منقول";
    // What moved in a changed claim.
    Date => "date", "التاريخ";
    Actors => "actors", "الأطراف";
    Modality => "modality", "الصيغة";
    NoDate => "no date", "بلا تاريخ";
    NowDenied => "now denied", "صار منفيًّا";
    NoLongerDenied => "no longer denied", "لم يعد منفيًّا";
    // Facts of a document.
    Dates => "dates", "تواريخ";
    Figures => "figures", "أرقام";
    Claim => "claim", "إفادة";
    Text => "text", "النص";
    // The dossier section.
    Dossier => "dossier", "الملف";
    FirstSeenIn => "first seen in", "أول ظهور في";
    RenamedEntity => "now named", "صار اسمه";
    Corroborated => "corroborated", "مؤكَّدة";
    Contradiction => "contradiction", "تناقض";
    Sources => "sources", "المصادر";
    // Emails.
    Alert => "alert", "تنبيه";
    TestAlert => "test alert", "تنبيه تجريبي";
    TestAlertBody => "This is a test alert from dossier: the channel works.", "هذا تنبيه تجريبي من dossier: القناة تعمل.";
    Contradictions => "Contradictions", "تناقضات";
    NewInDossier => "New in the dossier", "جديد في الملف";
    Corroborations => "Corroborated claims", "إفادات مؤكَّدة";
    Documents => "Documents", "الوثائق";
    TextChanges => "What the text says now", "ما تغيّر في النص";
    DocumentEdited => "text edited", "تعديل في النص";
    DocumentMoved => "document moved", "وثيقة منقولة";
    DocumentRemoved => "document removed", "وثيقة محذوفة";
    NewDocument => "new document", "وثيقة جديدة";
    Digest => "digest", "ملخّص";
    // The HTML dossier.
    Timeline => "Timeline", "التسلسل الزمني";
    Entities => "Entities", "الكيانات";
    Claims => "Claims", "الإفادات";
    Generated => "generated", "أُنشئ";
    FirstSeen => "first seen", "أول ظهور";
    AlsoWritten => "also written", "يُكتب أيضًا";
    MentionedIn => "mentioned in", "مذكور في";
    NoLongerMentions => "no longer mentions it", "لم تعد تذكره";
    Version => "version", "النسخة";
    Agreed => "agreed", "متّفق عليها";
    Single => "one source", "مصدر واحد";
    Contradicted => "contradicted", "متناقضة";
    Says => "says", "تذكر";
    Home => "Dossier", "الملف";
    Nothing => "nothing yet", "لا شيء بعد";
    // `dossier changes`.
    Since => "since", "منذ";
    MarkNamed => "mark", "العلامة";
    SetAt => "set", "وُضعت";
    RecordedAt => "recorded", "سُجّل";
    // Near-duplicates.
    Independent => "independent", "مستقلة";
    NearDuplicateOf => "near-duplicate of", "نسخة شبه مطابقة من";
}

/// A counted noun: [`Lang::count`] gives "n noun" in a language's grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Noun {
    Document,
    NewPerson,
    NewOrganization,
    NewPlace,
    NewEquipment,
    NewEvent,
    NewClaim,
    RemovedClaim,
    ChangedClaim,
    NewDate,
    RemovedDate,
    ChangedDate,
    NewFigure,
    RemovedFigure,
    ChangedFigure,
    EditedSentence,
    Corroboration,
    Contradiction,
    Source,
    Entity,
    Claim,
    Change,
}

/// The five Arabic forms of a counted noun: 1 (with واحد), 2 (dual), 3-10 (plural), 11-99
/// (singular accusative), 100 and over or 0 (singular genitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArabicForms {
    pub one: &'static str,
    pub two: &'static str,
    pub few: &'static str,
    pub many: &'static str,
    pub other: &'static str,
}

const fn ar(
    one: &'static str,
    two: &'static str,
    few: &'static str,
    many: &'static str,
    other: &'static str,
) -> ArabicForms {
    ArabicForms {
        one,
        two,
        few,
        many,
        other,
    }
}

impl Noun {
    pub const ALL: &'static [Noun] = &[
        Noun::Document,
        Noun::NewPerson,
        Noun::NewOrganization,
        Noun::NewPlace,
        Noun::NewEquipment,
        Noun::NewEvent,
        Noun::NewClaim,
        Noun::RemovedClaim,
        Noun::ChangedClaim,
        Noun::NewDate,
        Noun::RemovedDate,
        Noun::ChangedDate,
        Noun::NewFigure,
        Noun::RemovedFigure,
        Noun::ChangedFigure,
        Noun::EditedSentence,
        Noun::Corroboration,
        Noun::Contradiction,
        Noun::Source,
        Noun::Entity,
        Noun::Claim,
        Noun::Change,
    ];

    /// English singular and plural.
    pub fn en(self) -> (&'static str, &'static str) {
        match self {
            Noun::Document => ("document", "documents"),
            Noun::NewPerson => ("new person", "new people"),
            Noun::NewOrganization => ("new organization", "new organizations"),
            Noun::NewPlace => ("new place", "new places"),
            Noun::NewEquipment => ("new piece of equipment", "new pieces of equipment"),
            Noun::NewEvent => ("new event", "new events"),
            Noun::NewClaim => ("new claim", "new claims"),
            Noun::RemovedClaim => ("claim removed", "claims removed"),
            Noun::ChangedClaim => ("changed claim", "changed claims"),
            Noun::NewDate => ("new date", "new dates"),
            Noun::RemovedDate => ("date removed", "dates removed"),
            Noun::ChangedDate => ("changed date", "changed dates"),
            Noun::NewFigure => ("new figure", "new figures"),
            Noun::RemovedFigure => ("figure removed", "figures removed"),
            Noun::ChangedFigure => ("changed figure", "changed figures"),
            Noun::EditedSentence => ("edited sentence", "edited sentences"),
            Noun::Corroboration => ("corroborated claim", "corroborated claims"),
            Noun::Contradiction => ("contradiction", "contradictions"),
            Noun::Source => ("source", "sources"),
            Noun::Entity => ("entity", "entities"),
            Noun::Claim => ("claim", "claims"),
            Noun::Change => ("change", "changes"),
        }
    }

    pub fn ar(self) -> ArabicForms {
        match self {
            Noun::Document => ar("وثيقة واحدة", "وثيقتان", "وثائق", "وثيقة", "وثيقة"),
            Noun::NewPerson => ar(
                "شخص جديد",
                "شخصان جديدان",
                "أشخاص جدد",
                "شخصًا جديدًا",
                "شخص جديد",
            ),
            Noun::NewOrganization => ar(
                "جهة جديدة",
                "جهتان جديدتان",
                "جهات جديدة",
                "جهة جديدة",
                "جهة جديدة",
            ),
            Noun::NewPlace => ar(
                "مكان جديد",
                "مكانان جديدان",
                "أماكن جديدة",
                "مكانًا جديدًا",
                "مكان جديد",
            ),
            Noun::NewEquipment => ar(
                "معدّة جديدة",
                "معدّتان جديدتان",
                "معدّات جديدة",
                "معدّة جديدة",
                "معدّة جديدة",
            ),
            Noun::NewEvent => ar(
                "حدث جديد",
                "حدثان جديدان",
                "أحداث جديدة",
                "حدثًا جديدًا",
                "حدث جديد",
            ),
            Noun::NewClaim => ar(
                "إفادة جديدة",
                "إفادتان جديدتان",
                "إفادات جديدة",
                "إفادة جديدة",
                "إفادة جديدة",
            ),
            Noun::RemovedClaim => ar(
                "إفادة محذوفة",
                "إفادتان محذوفتان",
                "إفادات محذوفة",
                "إفادة محذوفة",
                "إفادة محذوفة",
            ),
            Noun::ChangedClaim => ar(
                "إفادة معدّلة",
                "إفادتان معدّلتان",
                "إفادات معدّلة",
                "إفادة معدّلة",
                "إفادة معدّلة",
            ),
            Noun::NewDate => ar(
                "تاريخ جديد",
                "تاريخان جديدان",
                "تواريخ جديدة",
                "تاريخًا جديدًا",
                "تاريخ جديد",
            ),
            Noun::RemovedDate => ar(
                "تاريخ محذوف",
                "تاريخان محذوفان",
                "تواريخ محذوفة",
                "تاريخًا محذوفًا",
                "تاريخ محذوف",
            ),
            Noun::ChangedDate => ar(
                "تاريخ معدّل",
                "تاريخان معدّلان",
                "تواريخ معدّلة",
                "تاريخًا معدّلًا",
                "تاريخ معدّل",
            ),
            Noun::NewFigure => ar(
                "رقم جديد",
                "رقمان جديدان",
                "أرقام جديدة",
                "رقمًا جديدًا",
                "رقم جديد",
            ),
            Noun::RemovedFigure => ar(
                "رقم محذوف",
                "رقمان محذوفان",
                "أرقام محذوفة",
                "رقمًا محذوفًا",
                "رقم محذوف",
            ),
            Noun::ChangedFigure => ar(
                "رقم معدّل",
                "رقمان معدّلان",
                "أرقام معدّلة",
                "رقمًا معدّلًا",
                "رقم معدّل",
            ),
            Noun::EditedSentence => ar(
                "جملة معدّلة",
                "جملتان معدّلتان",
                "جمل معدّلة",
                "جملة معدّلة",
                "جملة معدّلة",
            ),
            Noun::Corroboration => ar(
                "إفادة مؤكَّدة",
                "إفادتان مؤكَّدتان",
                "إفادات مؤكَّدة",
                "إفادة مؤكَّدة",
                "إفادة مؤكَّدة",
            ),
            Noun::Contradiction => ar("تناقض واحد", "تناقضان", "تناقضات", "تناقضًا", "تناقض"),
            Noun::Source => ar("مصدر واحد", "مصدران", "مصادر", "مصدرًا", "مصدر"),
            Noun::Entity => ar("كيان واحد", "كيانان", "كيانات", "كيانًا", "كيان"),
            Noun::Claim => ar("إفادة واحدة", "إفادتان", "إفادات", "إفادة", "إفادة"),
            Noun::Change => ar("تغيير واحد", "تغييران", "تغييرات", "تغييرًا", "تغيير"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arabic(s: &str) -> bool {
        s.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c))
    }

    /// Every label and counted noun, in both languages: none missing, none left in English in
    /// the Arabic table (`dossier` is the program's name, written as it is).
    #[test]
    fn every_label_has_both_forms() {
        let mut listed = String::new();
        for l in Label::ALL {
            let (en, ar) = (l.en(), l.ar());
            assert!(!en.is_empty() && !ar.is_empty(), "{l:?}");
            assert!(arabic(ar), "{l:?}: {ar}");
            assert!(!arabic(en), "{l:?}: {en}");
            listed.push_str(&format!("{l:?}\t{en}\t{ar}\n"));
        }
        for n in Noun::ALL {
            let (one, many) = n.en();
            let f = n.ar();
            for form in [f.one, f.two, f.few, f.many, f.other] {
                assert!(arabic(form), "{n:?}: {form}");
            }
            assert!(!arabic(one) && !arabic(many), "{n:?}");
            listed.push_str(&format!(
                "{n:?}\t{one} / {many}\t{} / {} / {} / {} / {}\n",
                f.one, f.two, f.few, f.many, f.other
            ));
        }
        insta::assert_snapshot!("labels", listed);
    }

    #[test]
    fn counts_follow_each_grammar() {
        let ar = |n| Lang::Ar.count(n, Noun::NewPerson);
        assert_eq!(ar(1), "شخص جديد");
        assert_eq!(ar(2), "شخصان جديدان");
        assert_eq!(ar(3), "3 أشخاص جدد");
        assert_eq!(ar(10), "10 أشخاص جدد");
        assert_eq!(ar(11), "11 شخصًا جديدًا");
        assert_eq!(ar(100), "100 شخص جديد");
        assert_eq!(ar(103), "103 أشخاص جدد");
        assert_eq!(Lang::En.count(1, Noun::NewPerson), "1 new person");
        assert_eq!(Lang::En.count(2, Noun::NewPerson), "2 new people");
        assert_eq!(Lang::En.count(0, Noun::Document), "0 documents");
    }

    #[test]
    fn lists_read_as_sentences() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Lang::En.and_list(&l(&["A", "B", "C"])), "A, B and C");
        assert_eq!(
            Lang::Ar.and_list(&l(&["المغرب", "إسرائيل"])),
            "المغرب وإسرائيل"
        );
        assert_eq!(
            Lang::Ar.and_list(&l(&["المغرب", "Spy-X"])),
            "المغرب و Spy-X"
        );
    }
}
