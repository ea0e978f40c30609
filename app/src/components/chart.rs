use crealia_model::Point;
use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 200.0;
const PAD_X: f64 = 8.0;
const PAD_TOP: f64 = 28.0;
const PAD_BOTTOM: f64 = 24.0;

/// Thousands separated by a thin space: 48 210 → "48,210".
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A line chart rendered as SVG on the server; after hydration, hovering a day shows its value.
#[component]
pub fn LineChart(title: &'static str, points: Vec<Point>, #[prop(optional)] bars: bool) -> impl IntoView {
    let (hovered, set_hovered) = signal(None::<usize>);
    if points.is_empty() {
        return view! {
            <figure class="chart chart-empty" aria-label=title>
                <figcaption>{title}</figcaption>
                <p class="muted">"Not available yet"</p>
            </figure>
        }
        .into_any();
    }
    let n = points.len();
    let min = points.iter().map(|p| p.value).min().unwrap_or(0).min(0) as f64;
    let max = points.iter().map(|p| p.value).max().unwrap_or(1).max(1) as f64;
    let step = (W - 2.0 * PAD_X) / n as f64;
    let x = move |i: usize| PAD_X + step * (i as f64 + 0.5);
    let y = move |v: i64| PAD_TOP + (H - PAD_TOP - PAD_BOTTOM) * (1.0 - (v as f64 - min) / (max - min).max(1.0));
    let path: String = points.iter().enumerate().map(|(i, p)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y(p.value))).collect();
    let area = format!("{path} L{:.1},{:.1} L{:.1},{:.1} Z", x(n - 1), H - PAD_BOTTOM, x(0), H - PAD_BOTTOM);
    let first_day = points.first().map(|p| p.day.clone()).unwrap_or_default();
    let last_day = points.last().map(|p| p.day.clone()).unwrap_or_default();
    let stored = StoredValue::new(points.clone());
    let zero = y(0);

    view! {
        <figure class="chart" aria-label=title>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("{title}, {n} days") preserveAspectRatio="none">
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
                <text class="axis" x=PAD_X y=H - 6.0>{first_day}</text>
                <text class="axis" x=W - PAD_X y=H - 6.0 text-anchor="end">{last_day}</text>
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
                                on:mouseenter=move |_| set_hovered.set(Some(i))
                                on:mouseleave=move |_| set_hovered.set(None)
                            />
                        }
                    })
                    .collect_view()}
                {move || {
                    hovered
                        .get()
                        .and_then(|i| stored.with_value(|pts| pts.get(i).cloned()).map(|p| (i, p)))
                        .map(|(i, p)| {
                            let cx = x(i);
                            let cy = y(p.value);
                            let anchor = if cx > W * 0.7 { "end" } else if cx < W * 0.3 { "start" } else { "middle" };
                            view! {
                                <g class="tooltip" data-testid="chart-tooltip">
                                    <line x1=cx x2=cx y1=PAD_TOP y2=H - PAD_BOTTOM />
                                    <circle cx=cx cy=cy r="4" />
                                    <text x=cx y="16" text-anchor=anchor>{format!("{}: {}", p.day, group(p.value))}</text>
                                </g>
                            }
                        })
                }}
            </svg>
        </figure>
    }
    .into_any()
}
