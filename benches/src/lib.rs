//! Helpers shared by the groupwire benchmarks: an allocation-counting global allocator and a
//! chunked feeder, so every bench measures allocations per item and streaming cost the same way.
//!
//! A bench installs the allocator with
//! `#[global_allocator] static ALLOC: groupwire_benches::CountingAllocator = groupwire_benches::CountingAllocator;`
//! and reads [`allocations`] before and after the measured work.

// `GlobalAlloc` is an unsafe trait; this wrapper only counts and forwards to the system allocator.
#![allow(unsafe_code)]
#![deny(missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// A global allocator that counts allocations (and reallocations) and forwards to [`System`].
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from `alloc` above, i.e. from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged; `ptr` came from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations counted so far by [`CountingAllocator`] (zero when it is not installed).
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Runs `work` once and returns how many allocations it made.
pub fn count_allocations<T>(work: impl FnOnce() -> T) -> (T, u64) {
    let before = allocations();
    let value = work();
    (value, allocations() - before)
}

/// Splits `input` into chunks of `size` bytes (the last may be shorter), as a network would
/// deliver it.
pub fn chunks(input: &[u8], size: usize) -> impl Iterator<Item = &[u8]> {
    input.chunks(size.max(1))
}

/// Loads a corpus file from `benches/corpora/`.
pub fn corpus(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpora")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("corpus {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunks_cover_the_input_in_order() {
        let input: Vec<u8> = (0..=255).collect();
        let joined: Vec<u8> = super::chunks(&input, 7).flatten().copied().collect();
        assert_eq!(joined, input);
        assert_eq!(super::chunks(&input, 7).count(), 37);
    }
}
