//! Compiles the translations in `locales/` into the `i18n` module (`leptos_i18n`): a missing
//! key or a mistyped argument is a build error, not an English word left on a French page.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // `interpolate_display`: a translation with arguments can also be a plain string (titles,
    // labels, messages), not only a view.
    let mut config = Config::new("en")?.add_locale("fr")?.parse_options(ParseOptions::default().interpolate_display(true));
    for namespace in NAMESPACES {
        config = config.add_namespace(*namespace)?;
    }
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}

/// One file a namespace in `locales/en/` and `locales/fr/`.
const NAMESPACES: &[&str] = &[
    "common",
    "dates",
    "errors",
    "auth",
    "landing",
    "dashboard",
    "composer",
    "calendar",
    "bulk",
    "feed",
    "library",
    "inbox",
    "snippets",
    "analytics",
    "control_room",
    "accounts",
    "tokens",
    "problems",
];
