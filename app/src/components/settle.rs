//! Building a `Suspend`'s view once per server render.
//!
//! To render a `<Suspense>` or `<Transition>` on the server, Leptos walks its children twice
//! before rendering them (`dry_resolve`: once to find the resources they read, once more when
//! those have loaded, to find reads nested behind them), and each walk runs the children again.
//! A `Suspend` whose data are already there builds its whole view on each walk, so a page of
//! ten account cards and ten posts built them three times to render them once (`callgrind` of
//! `scripts/bench-status`: two thirds of the control room's view building thrown away).
//!
//! `settle().await`, written in a `Suspend` after its reads and before its view, stops those
//! walks there: they poll the `Suspend` once and move on, and the view is built only by the
//! render that keeps it. In the browser it does nothing, so hydration still finds the data
//! at once. Only for views that read no further resource outside a nested `Suspense`.

/// Yields once on the server (see the module); at once in the browser.
pub async fn settle() {
    #[cfg(feature = "ssr")]
    YieldOnce(false).await;
}

/// Pending on its first poll (waking itself at once), ready on the next.
#[cfg(feature = "ssr")]
struct YieldOnce(bool);

#[cfg(feature = "ssr")]
impl std::future::Future for YieldOnce {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn a_walk_that_polls_once_stops_before_the_view_and_the_render_reaches_it() {
        let built = std::cell::Cell::new(0);
        let mut render = pin!(async {
            super::settle().await;
            built.set(built.get() + 1);
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert!(render.as_mut().poll(&mut cx).is_pending(), "a dry walk polls once and moves on");
        assert_eq!(built.get(), 0, "and builds nothing");
        assert_eq!(render.as_mut().poll(&mut cx), Poll::Ready(()), "the render polls again");
        assert_eq!(built.get(), 1);
    }
}
