//! A bounded pool for the independent parts of a regeneration (one generated file each, or
//! a few): at most [`MAX_THREADS`] run at once, so peak memory stays at about that many
//! files' syntax in flight. Results come back in job order, so the output does not depend on
//! which thread ran what. A [`Latch`] lets jobs wait for a phase of another job (the client's
//! jobs wait for the types job's conversion of the schemas).

use std::sync::{Condvar, Mutex};

/// One unit of work.
pub type Job<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Threads used at most (each holds one generated file's tokens and syntax while it works).
pub const MAX_THREADS: usize = 2;

/// Runs `jobs` on up to [`MAX_THREADS`] threads (the caller's included), taking them in
/// order; returns their results in the same order. A panicking job panics the caller.
pub fn run<T: Send>(jobs: Vec<Job<'_, T>>) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_THREADS)
        .min(jobs.len().max(1));
    let count = jobs.len();
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    let work = || {
        loop {
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some((i, job)) = next else { break };
            let value = job();
            results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(value);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// `f` over every item of `items` on the pool, the items cut into a few contiguous chunks
/// (more chunks than threads, so that a slow chunk does not hold the others up); the results
/// come back in item order.
pub fn map_chunks<I: Send, T: Send>(items: Vec<I>, f: impl Fn(I) -> T + Sync) -> Vec<T> {
    const CHUNKS_PER_THREAD: usize = 4;
    let size = items.len().div_ceil(MAX_THREADS * CHUNKS_PER_THREAD).max(1);
    let mut chunks: Vec<Vec<I>> = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(size).collect());
    }
    let f = &f;
    let jobs: Vec<Job<'_, Vec<T>>> = chunks
        .into_iter()
        .map(|chunk| Box::new(move || chunk.into_iter().map(f).collect()) as Job<'_, Vec<T>>)
        .collect();
    run(jobs).into_iter().flatten().collect()
}

/// A one-way gate: closed until [`Latch::open`], then open for good.
#[derive(Default)]
pub(crate) struct Latch {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Latch {
    pub(crate) fn open(&self) {
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.opened.notify_all();
    }

    /// Returns once the latch is open.
    pub(crate) fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Opens its latch when dropped, on every way out of the job that holds it.
pub(crate) struct OpensOnDrop<'a>(pub(crate) &'a Latch);

impl Drop for OpensOnDrop<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

#[cfg(test)]
mod tests {
    use super::{Latch, OpensOnDrop};

    #[test]
    fn results_in_job_order() {
        let jobs: Vec<super::Job<'_, usize>> = (0..20usize)
            .map(|i| Box::new(move || i * 2) as super::Job<'_, usize>)
            .collect();
        assert_eq!(super::run(jobs), (0..20).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn chunked_results_in_item_order() {
        for count in [0usize, 1, 7, 8, 9, 100] {
            let items: Vec<usize> = (0..count).collect();
            let doubled: Vec<usize> = items.iter().map(|i| i * 2).collect();
            assert_eq!(
                super::map_chunks(items, |i| i * 2),
                doubled,
                "{count} items"
            );
        }
    }

    #[test]
    fn a_latch_holds_its_waiters_until_it_is_opened_and_then_none() {
        let latch = Latch::default();
        let opened_at = std::sync::Mutex::new(None);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                latch.wait();
                opened_at
                    .lock()
                    .unwrap()
                    .expect("opened before the wait returned")
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            {
                let _opens = OpensOnDrop(&latch);
                *opened_at.lock().unwrap() = Some(std::time::Instant::now());
            }
            assert!(waiter.join().unwrap() <= std::time::Instant::now());
        });
        // Open for good: a later wait returns at once.
        latch.wait();
    }
}
