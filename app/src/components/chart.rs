use crealia_model::Point;
use leptos::prelude::*;

use crate::i18n::{td_string, use_i18n, Locale};
use crate::locale::number;

/// The plot's drawing box (stretched to the plot's size; strokes keep their width).
const W: f64 = 640.0;
const H: f64 = 200.0;

/// Round ticks covering `min..=max` (about five steps of 1, 2 or 5 × a power of ten), from the
/// lowest to the highest; the chart's scale runs from the first to the last.
pub fn nice_ticks(min: i64, max: i64) -> Vec<i64> {
    let (min, max) = (min.min(0), max.max(min + 1));
    let rough = ((max - min) as f64 / 5.0).max(1.0);
    let magnitude = 10f64.powi(rough.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= rough).unwrap_or(10.0 * magnitude).max(1.0) as i64;
    let first = min.div_euclid(step) * step;
    let last = -((-max).div_euclid(step)) * step;
    (0..).map(|i| first + i * step).take_while(|t| *t <= last).collect()
}

/// 1200 → "1.2k", 48 210 → "48k", 2 500 000 → "2.5M": short enough for an axis. French writes
/// "1,2 k", "48 k", "2,5 M" (a decimal comma, a no-break space before the unit).
pub fn compact(locale: Locale, n: i64) -> String {
    let a = n.unsigned_abs() as f64;
    let sign = if n < 0 { "-" } else { "" };
    let (v, unit) = if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "k")
    } else {
        return n.to_string();
    };
    let text = if v < 10.0 { format!("{v:.1}") } else { format!("{v:.0}") };
    let text = text.trim_end_matches(".0");
    match locale {
        Locale::en => format!("{sign}{text}{unit}"),
        Locale::fr => format!("{sign}{}\u{A0}{unit}", text.replace('.', ",")),
    }
}

/// A line (or bar) chart drawn on the server as SVG with a y-axis of round ticks and the first
/// and last day, in the page's language (a change of language loads the page again); after
/// hydration a day's value shows on hover, and on focus with the arrow keys.
/// The axis and the value are HTML beside the plot, so they keep their size at any width.
#[component]
pub fn LineChart(#[prop(into)] title: String, points: Vec<Point>, #[prop(optional)] bars: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let hovered = RwSignal::new(None::<usize>);
    let label = title.clone();
    if points.is_empty() {
        return view! {
            <figure class="chart chart-empty" aria-label=label>
                <figcaption>{title}</figcaption>
                <p class="muted">{td_string!(locale, dashboard.not_available)}</p>
            </figure>
        }
        .into_any();
    }
    let n = points.len();
    let ticks = nice_ticks(points.iter().map(|p| p.value).min().unwrap_or(0), points.iter().map(|p| p.value).max().unwrap_or(1));
    let (low, high) = (ticks[0] as f64, *ticks.last().unwrap_or(&1) as f64);
    let step = W / n as f64;
    let x = move |i: usize| step * (i as f64 + 0.5);
    // Fraction of the plot's height from the top.
    let frac = move |v: i64| 1.0 - (v as f64 - low) / (high - low).max(1.0);
    let y = move |v: i64| H * frac(v);
    let path: String = points.iter().enumerate().map(|(i, p)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y(p.value))).collect();
    let area = format!("{path} L{:.1},{:.1} L{:.1},{:.1} Z", x(n - 1), y(low as i64), x(0), y(low as i64));
    let first_day = points.first().map(|p| p.day.clone()).unwrap_or_default();
    let last_day = points.last().map(|p| p.day.clone()).unwrap_or_default();
    let stored = StoredValue::new(points.clone());
    let zero = y(0);
    let value_of = move |i: usize| {
        stored.with_value(|pts| pts.get(i).map(|p| td_string!(locale, dashboard.chart_point, day = &p.day, value = number(locale, p.value)).to_string()))
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let next = match (ev.key().as_str(), hovered.get_untracked()) {
            ("ArrowRight", Some(i)) => Some((i + 1).min(n - 1)),
            ("ArrowLeft", Some(i)) => Some(i.saturating_sub(1)),
            ("Home", _) => Some(0),
            ("End", _) | ("ArrowLeft" | "ArrowRight", None) => Some(n - 1),
            _ => return,
        };
        ev.prevent_default();
        hovered.set(next);
    };

    view! {
        <figure class="chart" aria-label=label>
            <figcaption>{title.clone()}</figcaption>
            <div class="chart-body">
                <div class="y-axis" aria-hidden="true">
                    {ticks.iter().map(|t| {
                        let t = *t;
                        view! { <span style=format!("top:{:.2}%", frac(t) * 100.0)>{compact(locale, t)}</span> }
                    }).collect_view()}
                </div>
                <div
                    class="plot"
                    tabindex="0"
                    data-testid="chart-plot"
                    aria-label=td_string!(locale, dashboard.chart_plot_label, title = &title, count = n).to_string()
                    on:focus=move |_| if hovered.get_untracked().is_none() { hovered.set(Some(n - 1)) }
                    on:blur=move |_| hovered.set(None)
                    on:keydown=on_key
                >
                    <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=td_string!(locale, dashboard.chart_svg_label, title = &title, count = n).to_string() preserveAspectRatio="none">
                        {ticks.iter().map(|t| view! { <line class="grid" x1="0" x2=W y1=format!("{:.1}", y(*t)) y2=format!("{:.1}", y(*t)) /> }).collect_view()}
                        {if bars {
                            points
                                .iter()
                                .enumerate()
                                .map(|(i, p)| {
                                    let top = y(p.value).min(zero);
                                    let height = (y(p.value) - zero).abs().max(1.0);
                                    view! { <rect class="bar" x=format!("{:.1}", x(i) - step * 0.35) y=format!("{top:.1}") width=format!("{:.1}", step * 0.7) height=format!("{height:.1}") /> }
                                })
                                .collect_view()
                                .into_any()
                        } else {
                            view! {
                                <path class="area" d=area />
                                <path class="line" d=path />
                            }
                                .into_any()
                        }}
                        {(0..n)
                            .map(|i| {
                                view! {
                                    <rect
                                        class="hover-column"
                                        data-testid="chart-column"
                                        x=format!("{:.1}", x(i) - step / 2.0)
                                        y="0"
                                        width=format!("{step:.1}")
                                        height=H
                                        on:mouseenter=move |_| hovered.set(Some(i))
                                        on:mouseleave=move |_| hovered.set(None)
                                    />
                                }
                            })
                            .collect_view()}
                        {move || hovered.get().map(|i| view! { <line class="cursor" x1=x(i) x2=x(i) y1="0" y2=H /> })}
                    </svg>
                    {move || {
                        hovered.get().and_then(|i| value_of(i).map(|text| (i, text))).map(|(i, text)| {
                            let left = x(i) / W * 100.0;
                            let align = if left > 70.0 { "end" } else if left < 30.0 { "start" } else { "middle" };
                            view! { <span class=format!("chart-tip tip-{align}") style=format!("left:{left:.2}%") data-testid="chart-tooltip">{text}</span> }
                        })
                    }}
                </div>
            </div>
            <div class="x-axis" aria-hidden="true"><span>{first_day}</span><span>{last_day}</span></div>
            <p class="visually-hidden" aria-live="polite">{move || hovered.get().and_then(value_of)}</p>
            <details class="chart-table">
                <summary>{td_string!(locale, dashboard.chart_table_summary)}</summary>
                <table class="data-table">
                    <caption>{title}</caption>
                    <thead><tr><th scope="col">{td_string!(locale, dashboard.chart_day)}</th><th scope="col">{td_string!(locale, dashboard.chart_value)}</th></tr></thead>
                    <tbody>
                        {points.iter().map(|p| {
                            let value = p.value;
                            view! { <tr><th scope="row">{p.day.clone()}</th><td>{number(locale, value)}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

/// A downloaded chart's title: what it shows and whose it is.
#[cfg(feature = "ssr")]
pub fn chart_file_title(locale: Locale, followers: bool, username: &str) -> String {
    let what = match followers {
        false => td_string!(locale, dashboard.chart_reach_title),
        true => td_string!(locale, dashboard.chart_followers_title),
    };
    format!("{what}, @{username}")
}

/// The chart as a file of its own (the "Download SVG" link): the same scale and ticks as the
/// page's, with its axis, title and colours inside, readable without Crealia's style sheet.
/// In the language of the request (`locale`): its numbers and its "not available" line.
#[cfg(feature = "ssr")]
pub fn chart_svg(locale: Locale, title: &str, points: &[Point], bars: bool) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let (left, top, bottom) = (56.0, 36.0, 28.0);
    let (width, height) = (left + W + 16.0, top + H + bottom);
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title><rect width="100%" height="100%" fill="#ffffff"/><text x="{left}" y="20" font-size="15" font-weight="600" fill="#1d1b22">{t}</text>"##,
        t = escape(title)
    );
    if points.is_empty() {
        out.push_str(&format!(
            r##"<text x="{left}" y="{}" fill="#6b6574">{}</text></svg>"##,
            top + H / 2.0,
            escape(&td_string!(locale, dashboard.not_available).to_string())
        ));
        return out;
    }
    let n = points.len();
    let ticks = nice_ticks(points.iter().map(|p| p.value).min().unwrap_or(0), points.iter().map(|p| p.value).max().unwrap_or(1));
    let (low, high) = (ticks[0] as f64, *ticks.last().unwrap_or(&1) as f64);
    let step = W / n as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: i64| top + H * (1.0 - (v as f64 - low) / (high - low).max(1.0));
    for t in &ticks {
        out.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e4dfd8"/><text x="{}" y="{:.1}" text-anchor="end" fill="#6b6574">{}</text>"##,
            left + W,
            left - 6.0,
            y(*t) + 4.0,
            compact(locale, *t),
            y = y(*t)
        ));
    }
    if bars {
        let zero = y(0);
        for (i, p) in points.iter().enumerate() {
            let (top_y, h) = (y(p.value).min(zero), (y(p.value) - zero).abs().max(1.0));
            out.push_str(&format!(
                r##"<rect x="{:.1}" y="{top_y:.1}" width="{:.1}" height="{h:.1}" fill="#7048e8"><title>{}: {}</title></rect>"##,
                x(i) - step * 0.35,
                step * 0.7,
                escape(&p.day),
                number(locale, p.value)
            ));
        }
    } else {
        let path: String = points.iter().enumerate().map(|(i, p)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y(p.value))).collect();
        out.push_str(&format!(r##"<path d="{path}" fill="none" stroke="#d6336c" stroke-width="2"/>"##));
        for (i, p) in points.iter().enumerate() {
            out.push_str(&format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#d6336c"><title>{}: {}</title></circle>"##,
                x(i),
                y(p.value),
                escape(&p.day),
                number(locale, p.value)
            ));
        }
    }
    let base = top + H + 18.0;
    out.push_str(&format!(
        r##"<text x="{left}" y="{base}" fill="#6b6574">{}</text><text x="{}" y="{base}" text-anchor="end" fill="#6b6574">{}</text></svg>"##,
        escape(&points[0].day),
        left + W,
        escape(&points[n - 1].day)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn a_chart_file_stands_alone_with_its_values() {
        let points = vec![Point { day: "2026-11-28".into(), value: 1_200 }, Point { day: "2026-11-29".into(), value: 4_930 }];
        let svg = chart_svg(Locale::en, "Accounts <reached>", &points, false);
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg""#) && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Accounts &lt;reached&gt;</title>"), "escaped");
        assert!(svg.contains("<title>2026-11-29: 4,930</title>") && svg.contains(">5k</text>"));
        assert!(chart_svg(Locale::en, "Empty", &[], true).contains("Not available yet"));
        let french = chart_svg(Locale::fr, "Comptes touchés", &points, false);
        assert!(french.contains("<title>2026-11-29: 4\u{202F}930</title>") && chart_svg(Locale::fr, "Vide", &[], true).contains("Pas encore disponible"));
    }

    #[test]
    fn ticks_are_round_and_cover_the_values() {
        assert_eq!(nice_ticks(0, 97), vec![0, 20, 40, 60, 80, 100]);
        assert_eq!(nice_ticks(1_180, 4_930), vec![0, 1_000, 2_000, 3_000, 4_000, 5_000]);
        assert_eq!(nice_ticks(-12, 31), vec![-20, -10, 0, 10, 20, 30, 40]);
        assert_eq!(nice_ticks(0, 0), vec![0, 1]);
        assert_eq!(nice_ticks(5, 5), vec![0, 2, 4, 6]);
    }

    #[test]
    fn axis_labels_are_short() {
        let en = |n| compact(Locale::en, n);
        assert_eq!((en(950), en(1_200), en(48_210), en(2_500_000), en(-3_000)), ("950".into(), "1.2k".into(), "48k".into(), "2.5M".into(), "-3k".into()));
        let fr = |n| compact(Locale::fr, n);
        assert_eq!(
            (fr(950), fr(1_200), fr(48_210), fr(2_500_000), fr(-3_000)),
            ("950".into(), "1,2\u{A0}k".into(), "48\u{A0}k".into(), "2,5\u{A0}M".into(), "-3\u{A0}k".into())
        );
    }
}
