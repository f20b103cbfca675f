//! What decoding a vCard allocates, counted by this test binary's global allocator: the stack
//! of open components and the card's property list once each (no regrowth for a card of up to
//! 16 properties), a parameter list per property that has parameters, two strings per folded
//! line (the unfolded line and its value's copy), and nothing per line otherwise.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use groupwire_dav::Decoded;
use groupwire_dav::ical::DecodeOptions;
use groupwire_dav::vcard::{VCard, decode_vcard};

struct CountingAllocator;

thread_local! {
    // Per thread, so tests running in parallel do not count each other's allocations.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to `System` unchanged; only a counter is added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations made by decoding `card` whole, and the card.
fn allocations_decoding(card: &[u8]) -> (usize, VCard<'_>) {
    let before = ALLOCATIONS.with(Cell::get);
    let decoded = decode_vcard(card, &DecodeOptions::default());
    let allocations = ALLOCATIONS.with(Cell::get) - before;
    match decoded {
        Ok(Decoded::Complete { value, consumed }) => {
            assert_eq!(consumed, card.len());
            (allocations, value.value)
        }
        other => panic!("card does not decode: {other:?}"),
    }
}

#[test]
fn a_card_of_thirteen_plain_properties_allocates_its_property_list_once() {
    let mut card = String::from("BEGIN:VCARD\r\nVERSION:4.0\r\n");
    for n in 0..12 {
        card.push_str(&format!("NOTE:note {n}\r\n"));
    }
    card.push_str("END:VCARD\r\n");
    let (allocations, decoded) = allocations_decoding(card.as_bytes());
    // BEGIN and END are not properties of the card.
    assert_eq!(decoded.properties.len(), 13);
    // The stack of open components, and the property list, never regrown.
    assert_eq!(
        allocations, 2,
        "{allocations} allocations for 13 plain properties"
    );
}

#[test]
fn parameters_and_folds_allocate_only_for_themselves() {
    let card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Erik Olsen\r\n\
        EMAIL;TYPE=work:erik@example.com\r\nTEL;TYPE=cell:+1 555 0001\r\n\
        NOTE:a note folded\r\n  over two lines\r\nEND:VCARD\r\n";
    let (allocations, decoded) = allocations_decoding(card);
    assert_eq!(decoded.properties.len(), 5);
    assert_eq!(
        decoded.property("NOTE").map(|p| &*p.value),
        Some("a note folded over two lines")
    );
    // The stack, the property list, EMAIL's and TEL's parameter lists, the unfolded NOTE
    // and its value. (Reusing the unfolded string for the value saved one, but made decoding
    // the vCard bench about 9 % slower in interleaved runs; see benches/README.md.)
    assert_eq!(allocations, 6);
}
