//! The widget's allocator: power-of-two size classes, each with a free
//! list, carved from one region that grows with `memory.grow`. Small in
//! code (it replaced talc for size; see docs/size.md) and O(1) for every
//! allocation and free; the price is memory: a block is rounded up to a
//! power of two, and a freed block only serves its own class (blocks are
//! never split or merged). The widget's heap is mostly small, short-lived
//! blocks of a few sizes (the bundle's tree, the virtual DOM), which the
//! lists recycle, and one large block per bundle for its bytes.
//!
//! wasm32 without threads only: the state is a plain cell, which is sound
//! because nothing else runs while an allocation does.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr;

const PAGE: usize = 65_536;
/// The smallest block, 16 bytes (2^4): room for the free list's link,
/// and the alignment of every block.
const MIN_SHIFT: u32 = 4;
const MIN_ALIGN: usize = 1 << MIN_SHIFT;
/// Classes of 16 B to 1 GiB.
const CLASSES: usize = 27;
/// The least the memory grows by at once (1 MiB): each `memory.grow`
/// costs the main thread.
const MIN_GROW_PAGES: usize = 16;

pub struct Heap(UnsafeCell<State>);

struct State {
    /// The first free block of each class; each free block holds the
    /// address of the next.
    free: [*mut u8; CLASSES],
    /// The part of the region not carved yet: `top..end`.
    top: usize,
    end: usize,
}

// SAFETY: wasm32 without the atomics feature has one thread.
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State {
            free: [ptr::null_mut(); CLASSES],
            top: 0,
            end: 0,
        }))
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// The class of a block that holds `layout`: `16 << class` bytes.
fn class(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(MIN_ALIGN);
    (usize::BITS - (size - 1).leading_zeros() - MIN_SHIFT) as usize
}

impl State {
    /// Makes `top..end` hold at least `bytes` from an address aligned to
    /// `align`, growing the memory; `false` when it cannot grow.
    fn room(&mut self, bytes: usize, align: usize) -> bool {
        if self.fits(bytes, align) {
            return true;
        }
        // Enough for a region that starts afresh (someone else grew the
        // memory, or this is the first growth), alignment included.
        let Some(need) = bytes.checked_add(align) else {
            return false;
        };
        let pages = need.div_ceil(PAGE).max(MIN_GROW_PAGES);
        let old = wasm32::memory_grow(0, pages);
        if old == usize::MAX {
            return false;
        }
        let base = old * PAGE;
        if base != self.end {
            self.top = base;
        }
        self.end = base.saturating_add(pages * PAGE);
        self.fits(bytes, align)
    }

    /// Whether `top..end` holds `bytes` from an address aligned to `align`
    /// (checked: near 4 GiB the sums would wrap).
    fn fits(&self, bytes: usize, align: usize) -> bool {
        (self.top.checked_add(align - 1))
            .and_then(|n| (n & !(align - 1)).checked_add(bytes))
            .is_some_and(|e| e < self.end)
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let c = class(&layout);
        if c >= CLASSES {
            return ptr::null_mut();
        }
        // SAFETY: one thread, and no allocation runs inside another.
        let st = unsafe { &mut *self.0.get() };
        let align = layout.align().max(MIN_ALIGN);
        if let Some(&head) = st.free.get(c)
            && !head.is_null()
            && (head as usize) & (align - 1) == 0
        {
            // SAFETY: a free block holds the address of the next one.
            if let Some(slot) = st.free.get_mut(c) {
                *slot = unsafe { *head.cast::<*mut u8>() };
            }
            return head;
        }
        let bytes = MIN_ALIGN << c;
        if !st.room(bytes, align) {
            return ptr::null_mut();
        }
        let start = (st.top + align - 1) & !(align - 1);
        st.top = start + bytes;
        start as *mut u8
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: one thread; `block` came from `alloc` with `layout`, so
        // it is at least 16 bytes, aligned to 16, and of this class.
        let st = unsafe { &mut *self.0.get() };
        if let Some(slot) = st.free.get_mut(class(&layout)) {
            unsafe { *block.cast::<*mut u8>() = *slot };
            *slot = block;
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (here and below): as for `alloc` and `dealloc`; the
        // caller guarantees `new_size` with `layout`'s alignment is valid.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(&new) == class(&layout) {
            return block;
        }
        let moved = unsafe { self.alloc(new) };
        if !moved.is_null() {
            unsafe {
                ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
        }
        moved
    }
}

/// Grows the memory once so that the next `bytes` of new blocks need no
/// `memory.grow` (before decoding a bundle, whose size says roughly how
/// much it will allocate). Does nothing when the memory cannot grow that
/// much.
pub fn reserve(heap: &Heap, bytes: usize) {
    // SAFETY: one thread, and no allocation is running.
    let st = unsafe { &mut *heap.0.get() };
    let _ = st.room(bytes, MIN_ALIGN);
}
