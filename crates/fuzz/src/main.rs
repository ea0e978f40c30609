//! `crealia-fuzz <target|all> [seconds] [seed]`: runs a fuzz target (or each in turn) for that
//! long; exits 1 on the first input that panics, saved under `fuzz-crashes/` in the target folder.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = args.first().map(String::as_str).unwrap_or("all");
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1));
    let targets: Vec<&crealia_fuzz::Target> = match target {
        "all" => crealia_fuzz::TARGETS.iter().collect(),
        name => match crealia_fuzz::TARGETS.iter().find(|t| t.name == name) {
            Some(t) => vec![t],
            None => {
                let names: Vec<&str> = crealia_fuzz::TARGETS.iter().map(|t| t.name).collect();
                eprintln!("unknown target `{name}`; the targets are: {}", names.join(", "));
                std::process::exit(2);
            }
        },
    };
    let mut failed = false;
    for t in targets {
        let report = crealia_fuzz::run(t, std::time::Duration::from_secs(seconds), seed);
        println!("{report}");
        failed |= report.crash.is_some();
    }
    std::process::exit(i32::from(failed));
}
