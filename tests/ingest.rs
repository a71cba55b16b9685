//! Ingest through the library API, on real files in a temporary folder each.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use dossier::ingest::{
    matches, read_document, scan, stat, DocPath, FollowLinks, IngestError, ReadError, ScanConfig,
};
use encoding_rs::WINDOWS_1256;
use proptest::prelude::*;
use tempfile::TempDir;

const ARABIC: &str = "أعلنت وزارة الدفاع المغربية يوم الثلاثاء 12 سبتمبر 2022 عن توقيع \
اتفاقية تعاون عسكري مع إسرائيل، تشمل تبادل الخبرات والتدريب المشترك.\n\
وقال المتحدث باسم الوزارة إن الاتفاق «خطوة مهمة» في العلاقات بين البلدين.\n";

const MAX: u64 = 10 * 1024 * 1024;

fn write(dir: &Path, rel: impl AsRef<Path>, bytes: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("create parent");
    }
    fs::write(&p, bytes).expect("write fixture");
    p
}

fn read(p: &Path) -> Result<dossier::ingest::Decoded, ReadError> {
    read_document(p, &p.display().to_string(), MAX)
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let b = if le {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        out.extend_from_slice(&b);
    }
    out
}

fn paths(cfg: &ScanConfig) -> Vec<String> {
    let s = scan(cfg).expect("scan");
    s.files.iter().map(|f| f.path.to_string()).collect()
}

#[test]
fn utf8_with_and_without_bom_read_the_same() {
    let dir = TempDir::new().expect("tempdir");
    let plain = write(dir.path(), "plain.txt", ARABIC.as_bytes());
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(ARABIC.as_bytes());
    let with_bom = write(dir.path(), "bom.txt", &bom);

    let a = read(&plain).expect("plain");
    let b = read(&with_bom).expect("bom");
    assert_eq!(a.text, ARABIC);
    assert_eq!(b.text, ARABIC, "the BOM is dropped");
    assert_eq!((a.encoding, b.encoding), ("UTF-8", "UTF-8"));
    // The hash is of the raw bytes, so the BOM makes it differ.
    assert_ne!(a.content_hash, b.content_hash);
    assert_eq!(a.content_hash.len(), 64);
    assert!(a
        .content_hash
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(a.stat, stat(&plain).expect("stat"));
}

#[test]
fn utf16_le_and_be_with_bom_read_as_the_utf8_text() {
    let dir = TempDir::new().expect("tempdir");
    let le = write(dir.path(), "le.txt", &utf16(ARABIC, true));
    let be = write(dir.path(), "be.txt", &utf16(ARABIC, false));
    let le = read(&le).expect("utf-16le");
    let be = read(&be).expect("utf-16be");
    assert_eq!(le.text, ARABIC);
    assert_eq!(be.text, ARABIC);
    assert_eq!(le.encoding, "UTF-16LE");
    assert_eq!(be.encoding, "UTF-16BE");
}

#[test]
fn cp1256_arabic_is_detected() {
    let dir = TempDir::new().expect("tempdir");
    let (bytes, _, unmappable) = WINDOWS_1256.encode(ARABIC);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be valid UTF-8"
    );
    let p = write(dir.path(), "legacy.txt", &bytes);
    let d = read(&p).expect("cp1256");
    assert_eq!(d.text, ARABIC);
    assert_eq!(d.encoding, "windows-1256");
}

#[test]
fn short_cp1256_line_is_detected() {
    let dir = TempDir::new().expect("tempdir");
    let text = "زيارة رسمية إلى الرباط";
    let (bytes, _, _) = WINDOWS_1256.encode(text);
    let p = write(dir.path(), "short.txt", &bytes);
    assert_eq!(read(&p).expect("short cp1256").text, text);
}

#[test]
fn utf8_with_a_stray_byte_is_refused_not_read_as_mojibake() {
    let dir = TempDir::new().expect("tempdir");
    let mut bytes = ARABIC.as_bytes().to_vec();
    bytes.insert(40, 0xFF);
    let p = write(dir.path(), "damaged.txt", &bytes);
    match read(&p) {
        Err(
            e @ ReadError::Malformed {
                encoding: "UTF-8", ..
            },
        ) => {
            assert!(e.to_string().contains("UTF-8"), "{e}");
        }
        other => panic!("expected Malformed UTF-8, got {other:?}"),
    }
}

#[test]
fn garbage_and_latin_text_are_unknown_encoding() {
    let dir = TempDir::new().expect("tempdir");
    // Deterministic pseudo-random bytes, no NULs or control bytes: not binary by the byte test.
    let mut x: u32 = 0x1234_5678;
    let garbage: Vec<u8> = (0..4000)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            0x20 + ((x >> 24) as u8 % 0xE0)
        })
        .collect();
    assert!(std::str::from_utf8(&garbage).is_err());
    let g = write(dir.path(), "garbage.txt", &garbage);
    let (latin, _, _) =
        encoding_rs::WINDOWS_1252.encode("Le ministère a annoncé la signature à Rabat, été 2022.");
    let l = write(dir.path(), "latin.txt", &latin);
    for p in [g, l] {
        match read(&p) {
            Err(e @ ReadError::UnknownEncoding { .. }) => {
                assert!(e.to_string().contains(&p.display().to_string()), "{e}");
            }
            other => panic!("{}: expected UnknownEncoding, got {other:?}", p.display()),
        }
    }
}

#[test]
fn binary_file_is_refused() {
    let dir = TempDir::new().expect("tempdir");
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10".to_vec();
    png.extend(std::iter::repeat_n(0u8, 64));
    let p = write(dir.path(), "image.txt", &png);
    assert!(matches!(read(&p), Err(ReadError::Binary { .. })));
    // Control characters without NULs, in otherwise valid UTF-8.
    let ctl: Vec<u8> = (0..200)
        .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
        .collect();
    let p = write(dir.path(), "ctl.txt", &ctl);
    assert!(matches!(read(&p), Err(ReadError::Binary { .. })));
}

#[test]
fn empty_file_is_refused() {
    let dir = TempDir::new().expect("tempdir");
    let p = write(dir.path(), "empty.txt", b"");
    let err = read(&p).expect_err("empty");
    assert!(matches!(err, ReadError::Empty { .. }));
    assert_eq!(err.path(), p.display().to_string());
    let p = write(dir.path(), "blank.txt", b" \n\t\n");
    assert!(matches!(read(&p), Err(ReadError::Empty { .. })));
}

#[test]
fn file_over_max_bytes_is_refused_without_reading_it() {
    let dir = TempDir::new().expect("tempdir");
    // A sparse 64 GiB file: reading it would take minutes and fail to allocate.
    let p = dir.path().join("huge.txt");
    let f = fs::File::create(&p).expect("create");
    f.set_len(64 << 30).expect("set_len");
    drop(f);
    let start = std::time::Instant::now();
    match read_document(&p, "huge.txt", 1024) {
        Err(e @ ReadError::TooLarge { .. }) => {
            let msg = e.to_string();
            assert!(msg.starts_with("huge.txt "), "{msg}");
            assert!(msg.contains("max_bytes"), "{msg}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(start.elapsed().as_secs() < 5);
    // At the limit exactly is fine.
    let p = write(dir.path(), "limit.txt", &[b'a'; 1024]);
    assert!(read_document(&p, "limit.txt", 1024).is_ok());
    assert!(matches!(
        read_document(&p, "limit.txt", 1023),
        Err(ReadError::TooLarge {
            size: 1024,
            max: 1023,
            ..
        })
    ));
}

#[test]
fn html_in_windows_1256_with_entities_and_script_becomes_clean_text() {
    let dir = TempDir::new().expect("tempdir");
    let html = "<!DOCTYPE html>\n<html dir=\"rtl\"><head>\n\
        <meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\">\n\
        <title>عنوان الصفحة</title>\n<style>body { color: red; }</style>\n\
        <script>var s = '<p>ليس نصا</p>';</script>\n</head>\n<body>\n\
        <h1>اتفاقية   دفاع</h1>\n<p>وقّع البلدان &laquo;اتفاقية&raquo; &amp; مذكرة تفاهم\n   في الرباط.</p>\n\
        <div>العدد &#1633;&#x662; &lt;مؤكد&gt;<br>سطر ثان&nbsp;هنا</div>\n\
        <script type=\"text/javascript\">document.write(\"x\")</script><!-- تعليق -->\n\
        </body></html>\n";
    let (bytes, _, unmappable) = WINDOWS_1256.encode(html);
    assert!(!unmappable);
    let p = write(dir.path(), "page.html", &bytes);
    let d = read(&p).expect("html");
    assert_eq!(d.encoding, "windows-1256");
    assert_eq!(
        d.text,
        "اتفاقية دفاع\n\nوقّع البلدان «اتفاقية» & مذكرة تفاهم في الرباط.\n\n\
         العدد ١٢ <مؤكد>\nسطر ثان هنا\n"
    );
    // The meta charset alone also works (`<meta charset>` form).
    let (bytes, _, _) = WINDOWS_1256.encode(
        "<html><head><meta charset='windows-1256'></head><body><p>سلام عليكم</p></body></html>",
    );
    let p = write(dir.path(), "short.html", &bytes);
    assert_eq!(read(&p).expect("meta charset").text, "سلام عليكم\n");
}

#[test]
fn html_charset_edge_cases() {
    let dir = TempDir::new().expect("tempdir");
    // Re-saved as UTF-8 with the old declaration left in: valid UTF-8 wins.
    let stale = "<meta charset=\"windows-1256\"><p>خبر &quot;عاجل&quot;</p>";
    let p = write(dir.path(), "stale.html", stale.as_bytes());
    let d = read(&p).expect("stale meta");
    assert_eq!((d.text.as_str(), d.encoding), ("خبر \"عاجل\"\n", "UTF-8"));
    // Legacy Arabic without any declaration is detected as for plain text.
    let (bytes, _, _) =
        WINDOWS_1256.encode("<html><body><p>وقع البلدان اتفاقية تعاون</p></body></html>");
    let p = write(dir.path(), "nometa.htm", &bytes);
    let d = read(&p).expect("no meta");
    assert_eq!(
        (d.text.as_str(), d.encoding),
        ("وقع البلدان اتفاقية تعاون\n", "windows-1256")
    );
    // A wrong declaration is not taken at its word: windows-1252 would give mojibake here.
    let (bytes, _, _) = WINDOWS_1256
        .encode("<meta charset=\"windows-1252\"><p>وقع البلدان اتفاقية تعاون عسكري</p>");
    let p = write(dir.path(), "wrongmeta.html", &bytes);
    let d = read(&p).expect("wrong meta");
    assert_eq!(
        (d.text.as_str(), d.encoding),
        ("وقع البلدان اتفاقية تعاون عسكري\n", "windows-1256")
    );
    // Markup only: nothing to read.
    let p = write(
        dir.path(),
        "blank.html",
        b"<html><head><title>t</title></head><body> </body></html>",
    );
    assert!(matches!(read(&p), Err(ReadError::Empty { .. })));
    // Markdown is plain text: no stripping.
    let p = write(dir.path(), "a.md", "# عنوان\n\n<b>x</b>\n".as_bytes());
    assert_eq!(read(&p).expect("md").text, "# عنوان\n\n<b>x</b>\n");
}

#[test]
fn odd_file_names_are_scanned_escaped_on_one_line() {
    let dir = TempDir::new().expect("tempdir");
    let newline = OsStr::from_bytes(b"line\nbreak.txt");
    let invalid = OsStr::from_bytes(b"bad\xff\xfename.txt");
    let escape = OsStr::from_bytes(b"esc\x1b[31mred\\.txt");
    for name in [newline, invalid, escape] {
        write(dir.path(), name, ARABIC.as_bytes());
    }
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bad\\xff\\xfename.txt",
            "esc\\x1b[31mred\\\\.txt",
            "line\\nbreak.txt"
        ]
    );
    for f in &s.files {
        assert!(
            !f.path.as_str().chars().any(char::is_control),
            "{:?}",
            f.path
        );
        // The real path is kept for reading, and the key maps back to it.
        assert_eq!(
            read_document(&f.abs, f.path.as_str(), MAX)
                .expect("read")
                .text,
            ARABIC
        );
        assert_eq!(dir.path().join(f.path.to_relative()), f.abs);
        assert_eq!(DocPath::from_stored(f.path.to_string()), f.path);
    }
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn symlink_loop_ends_with_a_warning() {
    let dir = TempDir::new().expect("tempdir");
    write(dir.path(), "sub/a.txt", ARABIC.as_bytes());
    symlink("..", dir.path().join("sub/loop")).expect("symlink");
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(keys, ["sub/a.txt"]);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.warnings[0].path, "sub/loop");
    assert!(
        s.warnings[0]
            .to_string()
            .starts_with("sub/loop: symbolic link loop"),
        "{}",
        s.warnings[0]
    );
}

#[test]
fn symlinks_to_files_and_folders_are_followed_and_duplicates_listed_once() {
    let dir = TempDir::new().expect("tempdir");
    let outside = TempDir::new().expect("tempdir");
    write(outside.path(), "ext/x.txt", ARABIC.as_bytes());
    write(dir.path(), "real/y.txt", ARABIC.as_bytes());
    symlink(outside.path().join("ext"), dir.path().join("linked")).expect("symlink dir");
    symlink(dir.path().join("real/y.txt"), dir.path().join("z.txt")).expect("symlink file");
    symlink(
        dir.path().join("nowhere.txt"),
        dir.path().join("dangling.txt"),
    )
    .expect("dangling");
    let mut cfg = ScanConfig::with_root(dir.path());
    cfg.follow_links = FollowLinks::All;
    let s = scan(&cfg).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    // z.txt is the same file as real/y.txt, which sorts first.
    assert_eq!(keys, ["linked/x.txt", "real/y.txt"]);
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.warnings[0].path, "dangling.txt");
    assert!(s.warnings[0].message.contains("broken symbolic link"));
    assert!(s.unreadable.is_empty());
}

/// A tree with links of every kind: into the folder, out of it (a folder and a file), and
/// to nowhere.
fn linked_tree() -> (TempDir, TempDir) {
    let dir = TempDir::new().expect("tempdir");
    let outside = TempDir::new().expect("tempdir");
    write(outside.path(), "ext/x.txt", ARABIC.as_bytes());
    write(outside.path(), "secret.txt", ARABIC.as_bytes());
    write(dir.path(), "real/y.txt", ARABIC.as_bytes());
    symlink(outside.path().join("ext"), dir.path().join("linked")).expect("symlink dir");
    symlink(outside.path().join("secret.txt"), dir.path().join("s.txt")).expect("symlink out");
    symlink(dir.path().join("real"), dir.path().join("again")).expect("symlink in");
    symlink("real/y.txt", dir.path().join("z.txt")).expect("relative symlink in");
    (dir, outside)
}

#[test]
fn by_default_links_leading_out_of_the_folder_are_skipped_and_named_once() {
    let (dir, _outside) = linked_tree();
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    // `again/y.txt` and `z.txt` are `real/y.txt` by another path: listed once, first in order.
    assert_eq!(keys, ["again/y.txt"]);
    let named: Vec<&str> = s.links_skipped.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(named, ["linked", "s.txt"], "{:?}", s.links_skipped);
    assert!(
        s.links_skipped[0]
            .message
            .contains("outside the watched folder; not followed (follow_links = \"inside\")"),
        "{}",
        s.links_skipped[0]
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn follow_links_none_follows_no_link_and_all_follows_every_one() {
    let (dir, _outside) = linked_tree();
    let mut cfg = ScanConfig::with_root(dir.path());
    cfg.follow_links = FollowLinks::None;
    let s = scan(&cfg).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(keys, ["real/y.txt"]);
    let named: Vec<&str> = s.links_skipped.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(named, ["again", "linked", "s.txt", "z.txt"]);
    cfg.follow_links = FollowLinks::All;
    let s = scan(&cfg).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(keys, ["again/y.txt", "linked/x.txt", "s.txt"]);
    assert!(s.links_skipped.is_empty());
}

#[test]
fn hard_links_and_a_folder_linked_inside_the_root_are_listed_once() {
    let dir = TempDir::new().expect("tempdir");
    write(dir.path(), "a/one.txt", ARABIC.as_bytes());
    write(dir.path(), "b/two.txt", ARABIC.as_bytes());
    std::fs::hard_link(dir.path().join("a/one.txt"), dir.path().join("c-hard.txt"))
        .expect("hard link");
    // Every file under `b` is reachable twice, each with one link only.
    symlink(dir.path().join("b"), dir.path().join("z-linked")).expect("symlink dir");
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(keys, ["a/one.txt", "b/two.txt"]);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

/// Enough files for the scan's examining threads (blocks of 256): their lists are merged in
/// path order, every file once, with names that sort differently as bytes and as components.
#[test]
fn a_large_folder_is_listed_whole_and_in_path_order() {
    let dir = TempDir::new().expect("tempdir");
    let mut expected = Vec::new();
    for d in ["a", "a-b", "a.b", "ب"] {
        for i in 0..700 {
            let rel = format!("{d}/{i:04}.txt");
            write(dir.path(), &rel, b"x");
            expected.push(rel);
        }
    }
    for top in ["a.txt", "a-0.txt", "خبر.txt"] {
        write(dir.path(), top, b"x");
        expected.push(top.to_owned());
    }
    expected.sort();
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(keys.len(), expected.len());
    assert_eq!(keys, expected);
}

#[test]
fn hidden_folders_and_editor_files_are_skipped_nested_folders_found() {
    let dir = TempDir::new().expect("tempdir");
    for rel in [
        "a.txt",
        "b.md",
        "c.html",
        "d.pdf",
        "notes.txt~",
        ".notes.txt.swp",
        "x.swp",
        "y.tmp",
        ".hidden.txt",
        ".git/HEAD.txt",
        ".git/objects/o.txt",
        "2022/09/report.txt",
        "2022/.cache/c.txt",
        "deep/er/still/deeper/z.md",
    ] {
        write(dir.path(), rel, ARABIC.as_bytes());
    }
    let cfg = ScanConfig::with_root(dir.path());
    assert_eq!(
        paths(&cfg),
        [
            "2022/09/report.txt",
            "a.txt",
            "b.md",
            "c.html",
            "deep/er/still/deeper/z.md"
        ]
    );
    // .git is not entered at all: a symlink loop inside it would otherwise be a warning.
    symlink("..", dir.path().join(".git/objects/loop")).expect("symlink");
    let s = scan(&cfg).expect("scan");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.files.len(), 5);
}

#[test]
fn unreadable_subfolder_is_a_warning_not_an_abort() {
    let dir = TempDir::new().expect("tempdir");
    write(dir.path(), "ok.txt", ARABIC.as_bytes());
    write(dir.path(), "locked/secret.txt", ARABIC.as_bytes());
    let locked = dir.path().join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    let denied = fs::read_dir(&locked).is_err(); // false when the tests run as root
    let s = scan(&ScanConfig::with_root(dir.path()));
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod");
    let s = s.expect("scan goes on");
    assert!(s.files.iter().any(|f| f.path.as_str() == "ok.txt"));
    if denied {
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        assert_eq!(s.warnings[0].path, "locked");
        assert!(s.warnings[0].message.contains("permission denied"));
        assert!(s.is_unknown(&DocPath::from_relative(Path::new("locked/secret.txt"))));
        assert!(!s.is_unknown(&DocPath::from_relative(Path::new("lockedx/secret.txt"))));
    } else {
        assert_eq!(s.files.len(), 2);
    }
}

#[test]
fn fifo_named_like_a_document_does_not_hang() {
    let dir = TempDir::new().expect("tempdir");
    write(dir.path(), "a.txt", ARABIC.as_bytes());
    let fifo = dir.path().join("pipe.txt");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok);
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    assert_eq!(s.files.len(), 1);
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].message.contains("not a regular file"));
    // Reading it directly is refused too, without waiting for a writer.
    assert!(matches!(read(&fifo), Err(ReadError::NotRegular { .. })));
}

#[test]
fn vanished_file_is_a_read_error() {
    let dir = TempDir::new().expect("tempdir");
    let p = dir.path().join("gone.txt");
    let err = read_document(&p, "gone.txt", MAX).expect_err("missing");
    assert!(matches!(err, ReadError::Vanished { .. }));
    assert!(err.to_string().starts_with("gone.txt "));
}

#[test]
fn missing_or_wrong_root_is_an_error() {
    let dir = TempDir::new().expect("tempdir");
    let missing = ScanConfig::with_root(dir.path().join("not-mounted"));
    match scan(&missing) {
        Err(e @ IngestError::RootMissing { .. }) => assert!(e.to_string().contains("not-mounted")),
        other => panic!("expected RootMissing, got {other:?}"),
    }
    let file = write(dir.path(), "file.txt", b"x");
    assert!(matches!(
        scan(&ScanConfig::with_root(file)),
        Err(IngestError::RootNotDir { .. })
    ));
    let mut bad = ScanConfig::with_root(dir.path());
    bad.include = vec!["*.{txt".to_owned()];
    match scan(&bad) {
        Err(e @ IngestError::BadPattern { .. }) => {
            assert!(e.to_string().contains("watch.include"), "{e}")
        }
        other => panic!("expected BadPattern, got {other:?}"),
    }
}

#[test]
fn stat_changes_when_the_file_is_rewritten() {
    let dir = TempDir::new().expect("tempdir");
    let p = write(dir.path(), "a.txt", b"one");
    let before = scan(&ScanConfig::with_root(dir.path()))
        .expect("scan")
        .files[0]
        .stat;
    assert_eq!(before.size, 3);
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&p, b"three").expect("rewrite");
    let after = stat(&p).expect("stat");
    assert_eq!(after.size, 5);
    assert!(after.mtime_ns > before.mtime_ns);
    assert_eq!(after.inode, before.inode);
}

#[test]
fn matches_decisions() {
    let cfg = ScanConfig::with_root("/unused");
    let yes = |p: &str| matches(&cfg, Path::new(p));
    assert!(yes("a.txt"));
    assert!(yes("2022/news/a.md"));
    assert!(yes("page.html"));
    assert!(!yes("a.pdf"));
    assert!(!yes("a.txt~"));
    assert!(!yes("a.txt.swp"));
    assert!(!yes("a.tmp"));
    assert!(!yes(".a.txt"));
    assert!(!yes(".git/a.txt"));
    assert!(!yes("x/.hidden/y/a.txt"));
    assert!(!yes("A.TXT"), "globs are case-sensitive");

    let mut cfg = ScanConfig::with_root("/unused");
    cfg.include = vec!["news/*.txt".into(), "*.md".into()];
    cfg.exclude = vec!["drafts".into(), "archive/old".into()];
    let yes = |p: &str| matches(&cfg, Path::new(p));
    assert!(yes("news/a.txt"));
    assert!(yes("./news/a.txt"), "a leading ./ is ignored");
    assert!(!yes("news/sub/a.txt"), "`*` does not cross `/`");
    assert!(!yes("other/a.txt"));
    assert!(yes("x/y/a.md"));
    assert!(
        !yes("x/drafts/a.md"),
        "a name pattern excludes a folder anywhere"
    );
    assert!(
        !yes("archive/old/a.md"),
        "a path pattern excludes a folder and its content"
    );
    assert!(
        yes("x/archive/old/a.md"),
        "a path pattern is anchored at the root"
    );

    let mut cfg = ScanConfig::with_root("/unused");
    cfg.include.clear();
    assert!(
        matches(&cfg, Path::new("a/b.pdf")),
        "no include pattern means every file"
    );
    assert!(
        !matches(&cfg, Path::new("a/.b.pdf")),
        "excludes still apply"
    );

    let mut cfg = ScanConfig::with_root("/unused");
    cfg.include = vec!["**/*.txt".into()];
    assert!(matches(&cfg, Path::new("a/b/c.txt")));
    assert!(matches(&cfg, Path::new("c.txt")));
}

/// One path component: any bytes but `/` and NUL, not `.` or `..`.
fn component() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        any::<u8>().prop_filter("no / or NUL", |b| *b != b'/' && *b != 0),
        1..12,
    )
    .prop_filter("not . or ..", |c| c != b"." && c != b"..")
}

fn rel_path() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(component(), 1..4).prop_map(|parts| parts.join(&b'/'))
}

/// Characters that would end or reorder a line on a terminal.
fn breaks_line(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

proptest! {
    #[test]
    fn docpath_is_injective_single_line_and_reversible(a in rel_path(), b in rel_path()) {
        let pa = DocPath::from_relative(Path::new(OsStr::from_bytes(&a)));
        let pb = DocPath::from_relative(Path::new(OsStr::from_bytes(&b)));
        prop_assert_eq!(a == b, pa == pb);
        for p in [&pa, &pb] {
            let one_line = !p.as_str().chars().any(breaks_line);
            prop_assert!(one_line, "{:?}", p);
        }
        let back = pa.to_relative();
        prop_assert_eq!(back.as_os_str().as_bytes(), &a[..]);
    }
}

/// Many small folders: more than the scan keeps open at once (its descriptors are bounded),
/// every file listed, in path order.
#[test]
fn a_tree_of_many_small_folders_is_listed_whole() {
    let dir = TempDir::new().expect("tempdir");
    let mut expected = Vec::new();
    for d in 0..400 {
        for f in 0..2 {
            let rel = format!("y{:02}/d{d:03}/{f}.txt", d % 7);
            write(dir.path(), &rel, b"x");
            expected.push(rel);
        }
    }
    expected.sort();
    let s = scan(&ScanConfig::with_root(dir.path())).expect("scan");
    let keys: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(keys, expected);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}
