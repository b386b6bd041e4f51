//! The allocator: mimalloc, called without its alignment path where the alignment is one
//! every mimalloc block has, returning freed memory to the system after 200 ms.
//!
//! Generation allocates and frees millions of small token and syntax-tree nodes; mimalloc
//! spends far less time on that than the system allocator (the 2026-06-11 spec: ~140 ms
//! against ~200 ms, and less memory). mimalloc 3 keeps freed pages for a second before it
//! returns them (`purge_delay`, 1000 ms); a large spec frees hundreds of megabytes of tokens
//! and syntax trees while another job grows, so its peak holds both. After 200 ms instead,
//! 10 000 operations peak at ~940 MiB instead of ~1 020 MiB in the same time, and a spec of a
//! few hundred operations (done in ~140 ms) is not slowed down (100 ms costs it ~3%, 5 ms
//! ~15%: pages are faulted in again).
//!
//! [`Allocator`] is the `mimalloc` crate's `MiMalloc` except for one thing: `MiMalloc` asks
//! `mi_malloc_aligned` for every allocation, which adds alignment checks to mimalloc's fast
//! path; a generation makes ~2.5 million allocations.
//! Every mimalloc block is aligned to a word (block sizes are whole words, in word-aligned
//! pages), so up to that alignment `mi_malloc`, `mi_zalloc` and `mi_realloc` are called
//! directly: 3.6% fewer instructions for a regeneration of the 2026-06-11 spec (callgrind,
//! 1.376 G → 1.327 G). Larger alignments take the aligned calls, as in `MiMalloc`.

use std::alloc::{GlobalAlloc, Layout};
use std::os::raw::c_void;

use libmimalloc_sys as mi;

/// The alignment every mimalloc block has: a machine word.
const WORD_ALIGN: usize = std::mem::size_of::<usize>();

/// mimalloc as the global allocator (see the module doc).
pub struct Allocator;

// SAFETY: every method hands the layout's size (and, above `WORD_ALIGN`, its alignment) to the
// matching mimalloc call; mimalloc returns blocks aligned to at least a word, or to the
// alignment asked for, or null on failure; `mi_free` and `mi_realloc` accept blocks from any
// of these calls (mimalloc finds the block's page from the pointer).
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD_ALIGN {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD_ALIGN {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: see the impl; `ptr` came from this allocator.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl; `ptr` came from this allocator with `layout`.
        unsafe {
            if layout.align() <= WORD_ALIGN {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

/// How long freed pages stay with mimalloc before they go back to the system, in ms.
const PURGE_DELAY_MS: std::os::raw::c_long = 200;

/// `mi_option_purge_delay`: its position in mimalloc's `mi_option_e` (v3 header), which the
/// `libmimalloc-sys` bindings do not name; `purge_delay_option_is_the_documented_one` checks
/// it against its default.
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

/// Applies the policy; called first thing in `main`.
pub fn configure() {
    // SAFETY: setting an option is allowed at any time; mimalloc reads it when it purges.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

#[cfg(test)]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};

    use super::Allocator;

    #[test]
    fn blocks_are_aligned_and_keep_their_contents() {
        // Every size up to a few pages, at every alignment up to a page: the block is aligned,
        // zeroed when asked, and keeps its bytes when it grows or shrinks.
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=600).chain([1000, 4095, 4096, 4097, 70_000]) {
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: the layout has a non-zero size; every block is freed with it.
                unsafe {
                    let zeroed = Allocator.alloc_zeroed(layout);
                    assert!(!zeroed.is_null());
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} at {align}");
                    assert!(
                        std::slice::from_raw_parts(zeroed, size)
                            .iter()
                            .all(|&b| b == 0)
                    );
                    Allocator.dealloc(zeroed, layout);

                    let mut block = Allocator.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "{size} at {align}");
                    for i in 0..size {
                        *block.add(i) = (i % 251) as u8;
                    }
                    // Grown, then shrunk below the first size.
                    let mut current = layout;
                    for new_size in [size * 3 + 1, size.div_ceil(2)] {
                        block = Allocator.realloc(block, current, new_size);
                        assert!(!block.is_null());
                        assert_eq!(block as usize % align, 0, "realloc {size} at {align}");
                        let kept = size.min(new_size);
                        assert!((0..kept).all(|i| *block.add(i) == (i % 251) as u8));
                        current = Layout::from_size_align(new_size, align).expect("valid layout");
                    }
                    Allocator.dealloc(block, current);
                }
            }
        }
    }

    #[test]
    fn purge_delay_option_is_the_documented_one() {
        // mimalloc 3's default `purge_delay` is 1000 ms (`src/options.c`); another value
        // here means the option moved and `MI_OPTION_PURGE_DELAY` must follow it. (The test
        // binary does not call `configure`.)
        let value = unsafe { super::mi::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 1000);
    }
}
