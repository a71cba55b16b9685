use super::*;
use dossier_core::model::{Entity, EntityType, Extraction};
use dossier_core::report::{ChangeReport, DossierChanges};
use dossier_core::vocab::NoVocabulary;

fn meta(hash: &str) -> StoredMeta {
    StoredMeta {
        size: 10,
        mtime_ns: 1,
        ctime_ns: 1,
        inode: 7,
        content_hash: hash.into(),
        norm_hash: hash.into(),
        scanned_ns: 2,
    }
}

/// Writes one version of `path` in its own batch; returns its version number.
fn put(store: &mut Store, path: &str, hash: &str, facts: &Extraction) -> i64 {
    let b = store.batch().unwrap();
    let m = meta(hash);
    let doc = NewDoc {
        path,
        meta: &m,
        encoding: "UTF-8",
        text: "نص",
        facts,
        fingerprint: None,
    };
    let v = b
        .put_document(&doc, "added", "2026-01-01T00:00:00Z", &[])
        .unwrap();
    b.commit().unwrap();
    v
}

fn person(name: &str, aliases: &[&str]) -> Entity {
    Entity {
        kind: EntityType::Person,
        name: name.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        mentions: vec![],
    }
}

#[test]
fn documents_round_trip_and_versions_count_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s/state.db")).unwrap();
    let facts = Extraction {
        dates: vec!["2021-11".into()],
        ..Default::default()
    };
    for (i, h) in ["h1", "h2"].iter().enumerate() {
        assert_eq!(put(&mut store, "a.txt", h, &facts), i as i64 + 1);
    }
    let doc = store.document("a.txt").unwrap().unwrap();
    assert_eq!(doc.meta.content_hash, "h2");
    assert_eq!(doc.facts.dates, vec!["2021-11".to_string()]);
    assert_eq!(store.all_meta().unwrap().len(), 1);
}

/// Links `entities` as the document at `path` and records them; returns what it did.
fn link_doc(b: &Batch<'_>, path: &str, entities: Vec<Entity>) -> Applied {
    let facts = Extraction {
        entities,
        ..Default::default()
    };
    let previous = b.document(path).unwrap();
    let previous = previous.as_ref().map(|d| (&d.facts, d.ids.as_slice()));
    let linking = b.link(&facts, previous, &NoVocabulary).unwrap();
    b.apply_links(path, &facts, &linking, &NoVocabulary, "t")
        .unwrap()
}

#[test]
fn an_entity_is_new_once_whatever_the_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("state.db")).unwrap();
    let b = store.batch().unwrap();
    let first = link_doc(&b, "a.txt", vec![person("سمير حداد", &["حداد"])]);
    assert_eq!(first.new_entities.len(), 1);
    // A later document writes the surname with a shadda only, another the name in the other
    // order: not new, the same id.
    let again = link_doc(&b, "b.txt", vec![person("حدّاد", &[])]);
    assert!(again.new_entities.is_empty());
    assert_eq!(again.ids, first.ids);
    let swapped = link_doc(&b, "c.txt", vec![person("حداد سمير", &[])]);
    assert_eq!(swapped.ids, first.ids);
    // A fuller form, met beside a known one, renames the dossier entity, once.
    let full = link_doc(&b, "d.txt", vec![person("سمير خليل حداد", &["سمير حداد"])]);
    assert!(full.new_entities.is_empty(), "{full:?}");
    assert_eq!(full.renamed.len(), 1);
    assert_eq!(full.renamed[0].to, "سمير خليل حداد");
    // Alone, it may be someone else: a new entity.
    let other = link_doc(&b, "e.txt", vec![person("سمير كريم حداد", &[])]);
    assert_eq!(other.new_entities.len(), 1);
    b.commit().unwrap();
    let rows = store.entities(None).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "سمير خليل حداد");
    assert_eq!(
        rows[0].documents,
        ["a.txt", "b.txt", "c.txt", "d.txt"]
            .map(String::from)
            .to_vec()
    );
}

#[test]
fn links_are_kept_with_the_document_and_forgotten_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = Store::open(&path).unwrap();
    let facts = Extraction {
        entities: vec![person("بيني غانتس", &["غانتس"])],
        ..Default::default()
    };
    let b = store.batch().unwrap();
    let linking = b.link(&facts, None, &NoVocabulary).unwrap();
    let applied = b
        .apply_links("a.txt", &facts, &linking, &NoVocabulary, "t")
        .unwrap();
    let m = meta("h");
    let doc = NewDoc {
        path: "a.txt",
        meta: &m,
        encoding: "UTF-8",
        text: "نص",
        facts: &facts,
        fingerprint: None,
    };
    b.put_document(&doc, "added", "t", &applied.ids).unwrap();
    b.commit().unwrap();
    assert_eq!(store.document("a.txt").unwrap().unwrap().ids, applied.ids);
    assert_eq!(store.versions().unwrap()[0].ids, applied.ids);
    let b = store.batch().unwrap();
    // A surname alone, in another document, is the same person.
    let short = link_doc(&b, "b.txt", vec![person("غانتس", &[])]);
    assert_eq!(short.ids, applied.ids);
    b.remove_document("a.txt", "t2").unwrap();
    b.commit().unwrap();
    assert!(store.document("a.txt").unwrap().is_none());
    let n: i64 = store
        .conn
        .query_row("SELECT count(*) FROM links WHERE path = 'a.txt'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn outbox_lease_blocks_a_second_sender_until_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("state.db")).unwrap();
    let alert = StoredAlert {
        id: "abc".into(),
        created: "t".into(),
        path: "a.txt".into(),
        has_facts: true,
        report: ChangeReport {
            scanned: 1,
            documents: vec![],
            dossier: DossierChanges::default(),
        },
        previous: None,
    };
    let b = store.batch().unwrap();
    b.enqueue_alert(&alert, &["log".into(), "jsonl".into()])
        .unwrap();
    b.commit().unwrap();
    let channels = vec!["log".to_string(), "jsonl".to_string()];
    assert_eq!(store.pending(&channels, None, false).unwrap().len(), 2);
    assert!(store.lease("abc", "log", "p1", 100, 200).unwrap());
    assert!(!store.lease("abc", "log", "p2", 150, 250).unwrap());
    assert!(store.lease("abc", "log", "p2", 201, 300).unwrap());
    store.mark_delivered("abc", "log", "t").unwrap();
    assert!(!store.lease("abc", "log", "p3", 1000, 2000).unwrap());
    store
        .mark_failed("abc", "jsonl", "disk full", true, 0)
        .unwrap();
    assert!(store.pending(&channels, None, false).unwrap().is_empty());
    assert_eq!(store.pending(&channels, None, true).unwrap().len(), 1);
    assert_eq!(
        store.outbox().unwrap()[0].last_error.as_deref(),
        Some("disk full")
    );
    assert_eq!(store.alert("abc").unwrap().unwrap(), alert);
}

#[test]
fn read_only_open_never_creates_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("none.db");
    assert!(Store::open_read_only(&p).unwrap().is_none());
    assert!(!p.exists());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("state.db");
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch("PRAGMA user_version = 999").unwrap();
    }
    assert!(matches!(
        Store::open(&p),
        Err(StoreError::TooNew { found: 999, .. })
    ));
}

/// The plan SQLite picks for a statement, one line per step.
fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    rows.join("\n")
}

#[test]
fn the_statements_of_a_large_dossier_use_their_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    // Other documents' claims of a key: read in index order, stopping at the limit, never
    // every row of the key sorted.
    let claims = plan(
        &store,
        "SELECT path, claim FROM claims WHERE claim_key = 'k' AND path <> 'p'
         ORDER BY path LIMIT 200",
    );
    assert!(claims.contains("claims_key_path"), "{claims}");
    assert!(!claims.contains("TEMP B-TREE"), "{claims}");
    // Every document's stat, without reading the table's rows (they hold the texts).
    let meta = plan(
        &store,
        "SELECT path, size, mtime_ns, ctime_ns, inode, content_hash, norm_hash, scanned_ns
         FROM documents ORDER BY path",
    );
    assert!(meta.contains("COVERING INDEX documents_stat"), "{meta}");
    assert!(!meta.contains("TEMP B-TREE"), "{meta}");
    // The stat alone (every check): the narrow index, not the one with the hashes.
    let stats = plan(
        &store,
        "SELECT path, size, mtime_ns, ctime_ns, inode, scanned_ns FROM documents ORDER BY path",
    );
    assert!(
        stats.contains("COVERING INDEX documents_stat_only"),
        "{stats}"
    );
    assert!(!stats.contains("TEMP B-TREE"), "{stats}");
}

/// A file of the previous schema is read by read-only commands as it is (they never
/// migrate), and brought forward by the next open for writing.
#[test]
fn a_version_2_database_is_read_before_and_migrated_at_a_write_open() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("state.db");
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(schema::MIGRATIONS[0]).unwrap();
        c.execute_batch(schema::MIGRATIONS[1]).unwrap();
        c.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO documents (path, content_hash, norm_hash, size, mtime_ns, ctime_ns,
               inode, scanned_ns, encoding, text, facts, version, first_seen, updated)
             VALUES ('a.txt', 'h', 'n', 3, 1, 1, 7, 2, 'utf-8', 'abc', '{}', 1, 't', 't');",
        )
        .unwrap();
    }
    let ro = Store::open_read_only(&p)
        .unwrap()
        .expect("a version 2 file is readable");
    assert_eq!(ro.all_stats().unwrap().len(), 1);
    assert_eq!(schema::version(&ro.conn).unwrap(), 2);
    drop(ro);
    let store = Store::open(&p).unwrap();
    assert_eq!(schema::version(&store.conn).unwrap(), schema::CURRENT);
    assert_eq!(store.all_stats().unwrap().len(), 1);
}

#[test]
fn a_version_1_database_is_migrated_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("state.db");
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(schema::MIGRATIONS[0]).unwrap();
        c.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO claims (path, claim_key, claim) VALUES
               ('b.txt', 'k', '{\"type\":\"VISIT\"}'), ('a.txt', 'k', '{\"type\":\"VISIT\"}');",
        )
        .unwrap();
    }
    let mut store = Store::open(&p).unwrap();
    assert_eq!(schema::version(&store.conn).unwrap(), schema::CURRENT);
    let b = store.batch().unwrap();
    let rows = b.claims_with_key("k", "c.txt", 200).unwrap();
    let paths: Vec<&str> = rows.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, ["a.txt", "b.txt"]);
}

#[test]
fn stored_metas_are_found_by_path_in_any_input_order() {
    let rows = ["c.txt", "a.txt", "d/é.txt", "b.txt"]
        .iter()
        .map(|p| (p.to_string(), meta(p)))
        .collect();
    let m = StoredMetas::new(rows);
    assert_eq!(m.len(), 4);
    for p in ["a.txt", "b.txt", "c.txt", "d/é.txt"] {
        assert_eq!(m.get(p).map(|x| x.content_hash.as_str()), Some(p));
    }
    assert!(m.get("b").is_none() && m.get("e.txt").is_none());
    let paths: Vec<&String> = m.paths().collect();
    assert_eq!(paths, ["a.txt", "b.txt", "c.txt", "d/é.txt"]);
}

fn insert_alert(conn: &rusqlite::Connection, id: &str, created: &str) {
    let report = serde_json::to_string(&ChangeReport::default()).unwrap();
    conn.execute(
        "INSERT INTO alerts (id, created, path, has_facts, report) VALUES (?1, ?2, 'a.txt', 1, ?3)",
        params![id, created, report],
    )
    .unwrap();
}

/// A version 4 state (before marks) keeps its alerts through the migration; a mark then
/// divides them by when they were recorded, even within one second.
#[test]
fn a_version_4_database_gains_marks_and_keeps_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("state.db");
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        for m in &schema::MIGRATIONS[..4] {
            c.execute_batch(m).unwrap();
        }
        c.execute_batch("PRAGMA user_version = 4;").unwrap();
        insert_alert(&c, "old", "2026-12-01T10:00:00Z");
    }
    let ro = Store::open_read_only(&p).unwrap().expect("readable");
    assert_eq!(
        ro.mark("alice").unwrap(),
        None,
        "no marks table yet: no mark"
    );
    assert!(ro.marks().unwrap().is_empty());
    assert_eq!(ro.alerts_after(After::Start).unwrap().len(), 1);
    drop(ro);
    let store = Store::open(&p).unwrap();
    assert_eq!(schema::version(&store.conn).unwrap(), schema::CURRENT);
    let mark = store.set_mark("alice", "2026-12-01T10:00:00Z").unwrap();
    insert_alert(&store.conn, "new", "2026-12-01T10:00:00Z");
    let after: Vec<String> = store
        .alerts_after(After::Mark(&mark))
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(after, ["new"]);
    assert_eq!(store.mark("alice").unwrap(), Some(mark));
    assert_eq!(store.mark("bob").unwrap(), None);
    // Moving a mark moves it past what is there now.
    let moved = store.set_mark("alice", "2026-12-01T11:00:00Z").unwrap();
    assert!(store.alerts_after(After::Mark(&moved)).unwrap().is_empty());
    assert_eq!(store.marks().unwrap().len(), 1);
    // By time: at or after.
    insert_alert(&store.conn, "later", "2026-12-02T09:00:00Z");
    let since: Vec<String> = store
        .alerts_after(After::Time("2026-12-01T10:00:01Z"))
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(since, ["later"]);
    assert_eq!(
        store
            .alerts_after(After::Time("2026-12-01T10:00:00Z"))
            .unwrap()
            .len(),
        3
    );
}
