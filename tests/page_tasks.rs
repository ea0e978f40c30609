//! A page rendered on the server leaves no task behind that reads the page once it is gone.
//! One test in this binary: it installs Leptos's task executor for the whole process.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use leptos::prelude::{Owner, StoredValue};

/// What Leptos spawned, held until the test runs it.
static HELD: Mutex<Vec<PinnedFuture<()>>> = Mutex::new(Vec::new());

struct HoldTasks;

impl CustomExecutor for HoldTasks {
    fn spawn(&self, task: PinnedFuture<()>) {
        HELD.lock().unwrap().push(task);
    }
    fn spawn_local(&self, _: PinnedLocalFuture<()>) {
        unreachable!("the server spawns Send tasks");
    }
    fn poll_local(&self) {}
}

/// Runs every held task once when it is dropped, and notes whether one panicked. Made first
/// under the page, it is dropped first of the page's values, after every one of them has left
/// the page's arena: the moment another thread of the server finds a page that is going away.
struct RunHeldTasksOnDrop(Arc<Mutex<Option<bool>>>);

impl Drop for RunHeldTasksOnDrop {
    fn drop(&mut self) {
        let tasks = std::mem::take(&mut *HELD.lock().unwrap());
        let mut cx = Context::from_waker(Waker::noop());
        let panicked = tasks.into_iter().any(|mut task| catch_unwind(AssertUnwindSafe(|| task.as_mut().poll(&mut cx).is_ready())).is_err());
        *self.0.lock().unwrap() = Some(panicked);
    }
}

#[test]
fn the_language_context_leaves_no_task_that_reads_the_page_after_it_is_gone() {
    Executor::init_custom_executor(HoldTasks).unwrap();
    let panicked = Arc::new(Mutex::new(None));
    let page = Owner::new();
    let context = page.with(|| {
        StoredValue::new(RunHeldTasksOnDrop(panicked.clone()));
        app::locale::page_context()
    });
    assert_eq!(context.get_locale_untracked(), app::i18n::Locale::en, "no request: English");
    drop(page);
    assert_eq!(*panicked.lock().unwrap(), Some(false), "a task the page spawned read its disposed language");
}
