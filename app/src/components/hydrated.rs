use leptos::prelude::*;

/// `true` once this part of the page runs in the browser. Effects run there only, after
/// hydration has attached the part's event handlers, so a page shows it in a `data-hydrated`
/// attribute and browser tests wait for it before they drag, drop or pick files (an event
/// before hydration finds no handler and is lost).
pub fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set) = signal(false);
    Effect::new(move |_| set.set(true));
    hydrated
}
