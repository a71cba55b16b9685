//! Development harness: CPU time of each finder over the files given (single thread).
//!
//! `cargo run --release --example bench_extract -- FILES...` prints MB per CPU second for the
//! whole extractor and for the public date, quantity and claim finders (each of which builds
//! its own tokens; `quantities::find` also finds the dates it skips).

use dossier::extract::{claims, dates, entities, quantities, ArabicExtractor, Extractor};

/// CPU time of this thread in seconds (Linux: `/proc/thread-self/schedstat`).
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    let texts: Vec<String> = std::env::args()
        .skip(1)
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let ex = ArabicExtractor::new();
    let lex = dossier::extract::lexicon::Lexicon::builtin();
    let ents: Vec<_> = texts.iter().map(|t| entities::find(t, &lex)).collect();
    let dts: Vec<_> = texts.iter().map(|t| dates::find(t)).collect();
    let rounds = 3;
    let time = |name: &str, f: &dyn Fn(usize, &str) -> usize| {
        let mut n = 0;
        let c0 = cpu();
        for _ in 0..rounds {
            for (k, t) in texts.iter().enumerate() {
                n += f(k, t);
            }
        }
        let s = (cpu() - c0) / rounds as f64;
        println!("{name:<12} {:8.1} MB/s  ({s:.3} s, {n} items)", mb / s);
    };
    time("extract", &|_, t| ex.extract(t).claims.len());
    time("entities", &|_, t| entities::find(t, &lex).len());
    time("dates", &|_, t| dates::find(t).len());
    time("quantities", &|_, t| quantities::find(t).len());
    time("claims", &|k, t| claims::find(t, &ents[k], &dts[k]).len());
}
