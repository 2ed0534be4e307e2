//! The wasm heap allocator: dlmalloc (the allocator Rust's std uses on
//! wasm32) with a growth policy.
//!
//! std's allocator grows the wasm memory by just what each request needs,
//! 64 KiB at a time. Every `memory.grow` is reported to V8 as external
//! memory, and V8 answers a stream of small growths with a stream of full
//! (mark-compact) garbage collections of the JS heap: filling a fresh store
//! with 800,000 small sets took 3.2 s, against 0.8 s for the same fill after
//! FLUSHALL (910 GCs; natively the two are equal). Here the memory grows by
//! an eighth of its size, at least 1 MiB and at most 4 MiB beyond the
//! request (1.15 s, 41 full GCs in both fills; a 16 MiB cap gained little
//! more and left up to 16 MiB unused: 1,000,000 cache entries measured 163
//! instead of 150 bytes each). When the larger step does not fit (the
//! memory's maximum, an isolate limit), the exact request is tried, as before.
//!
//! A snapshot restore announces its size first (`expect`: twice the
//! snapshot's bytes): the memory grows for it in one step, and until the
//! restore ends the steps are an eighth of the memory without the 4 MiB cap
//! (a restore of 1,000,000 mixed keys in a fresh process: 690 → 420 ms, 49 →
//! 6 full GCs; the memory ends 2% larger). What remains of a fresh restore's
//! extra cost over a warm one is the first touch of new pages (page faults,
//! seen inside malloc).
//!
//! Single-threaded: wasm32-unknown-unknown here has no threads, so the one
//! allocator state is used without a lock.

use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr;
use std::alloc::{GlobalAlloc, Layout};

const PAGE: usize = 64 * 1024;
/// Smallest growth, in pages (1 MiB).
const MIN_STEP: usize = 16;
/// Largest growth beyond the request, in pages (4 MiB): the reserve counts
/// in the memory's size (an edge isolate's limit), though not in its resident pages.
const MAX_STEP: usize = 64;

extern "C" {
    /// First address after the static data (set by the linker).
    static __heap_base: u8;
}

/// The system side: wasm pages, grown geometrically.
struct Pages {
    /// The memory between `__heap_base` and the initial memory's end was given out.
    donated: UnsafeCell<bool>,
}

/// A bulk load under way (`expect`): 0 none, 1 under way, more: pages the
/// next growth should add at least.
struct Hint(UnsafeCell<usize>);
// SAFETY: single-threaded target (no shared memory, no threads).
unsafe impl Sync for Hint {}
static HINT: Hint = Hint(UnsafeCell::new(0));

/// Starts a bulk load that will allocate about `bytes` (a snapshot restore):
/// the next growth of the memory takes them in one step, and until
/// `expect(0)` ends the load the steps are an eighth of the memory, uncapped.
pub fn expect(bytes: usize) {
    // SAFETY: single-threaded; the allocator reads `HINT` only inside its own calls.
    unsafe { *HINT.0.get() = if bytes == 0 { 0 } else { (bytes / PAGE).max(1) } };
}

// SAFETY: single-threaded target (no shared memory, no threads).
unsafe impl Send for Pages {}

unsafe impl dlmalloc::Allocator for Pages {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        // SAFETY: only this allocator reads or writes `donated`, one call at a time.
        let donated = unsafe { &mut *self.donated.get() };
        if !*donated {
            *donated = true;
            // Taking the address of a linker symbol reads nothing.
            let base = ptr::addr_of!(__heap_base) as usize;
            let end = wasm32::memory_size(0).saturating_mul(PAGE);
            if base != 0 && end > base && end - base >= size {
                return (base as *mut u8, end - base, 0);
            }
        }
        // SAFETY: as `donated`.
        let state = unsafe { &mut *HINT.0.get() };
        let hint = *state;
        *state = hint.min(1); // the first growth took the hint; the load goes on
        let need = size.div_ceil(PAGE);
        let eighth = wasm32::memory_size(0) / 8;
        let step = if hint > 0 { eighth.max(MIN_STEP) } else { eighth.clamp(MIN_STEP, MAX_STEP) };
        for pages in [need.max(hint).saturating_add(step), need] {
            let prev = wasm32::memory_grow(0, pages);
            if prev != usize::MAX {
                let base = prev.saturating_mul(PAGE);
                let len = pages.saturating_mul(PAGE);
                // Never hand out the very last bytes of the address space (a
                // pointer one past the end must not wrap to 0).
                let len = if base.wrapping_add(len) == 0 { len - 16 } else { len };
                return (base as *mut u8, len, 0);
            }
        }
        (ptr::null_mut(), 0, 0)
    }
    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }
    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }
    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }
    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }
    fn allocates_zeros(&self) -> bool {
        true
    }
    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The global allocator of the wasm build.
pub struct Heap(UnsafeCell<dlmalloc::Dlmalloc<Pages>>);

// SAFETY: single-threaded target (no shared memory, no threads).
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(dlmalloc::Dlmalloc::new_with_allocator(Pages {
    donated: UnsafeCell::new(false),
})));

// SAFETY: each method forwards to dlmalloc with the caller's layout; there is
// one thread, and dlmalloc never re-enters the global allocator, so the
// `&mut` taken from the cell is unique for the call.
unsafe impl GlobalAlloc for Heap {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).malloc(layout.size(), layout.align())
    }
    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).calloc(layout.size(), layout.align())
    }
    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        (*self.0.get()).free(ptr, layout.size(), layout.align())
    }
    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size)
    }
}
