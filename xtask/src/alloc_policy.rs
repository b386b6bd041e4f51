//! The allocator: mimalloc, returning freed memory to the system after 200 ms.
//!
//! Generation allocates and frees millions of small token and syntax-tree nodes; mimalloc
//! spends far less time on that than the system allocator (the 2026-06-11 spec: ~140 ms
//! against ~200 ms, and less memory). mimalloc 3 keeps freed pages for a second before it
//! returns them (`purge_delay`, 1000 ms); a large spec frees hundreds of megabytes of tokens
//! and syntax trees while another job grows, so its peak holds both. After 200 ms instead,
//! 10 000 operations peak at ~940 MiB instead of ~1 020 MiB in the same time, and a spec of a
//! few hundred operations (done in ~140 ms) is not slowed down (100 ms costs it ~3%, 5 ms
//! ~15%: pages are faulted in again).

/// How long freed pages stay with mimalloc before they go back to the system, in ms.
const PURGE_DELAY_MS: std::os::raw::c_long = 200;

/// `mi_option_purge_delay`: its position in mimalloc's `mi_option_e` (v3 header), which the
/// `libmimalloc-sys` bindings do not name; `purge_delay_option_is_the_documented_one` checks
/// it against its default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Applies the policy; called first thing in `main`.
pub fn configure() {
    // SAFETY: setting an option is allowed at any time; mimalloc reads it when it purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_option_is_the_documented_one() {
        // mimalloc 3's default `purge_delay` is 1000 ms (`src/options.c`); another value
        // here means the option moved and `MI_OPTION_PURGE_DELAY` must follow it. (The test
        // binary does not call `configure`.)
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 1000);
    }
}
