//! A BODYSTRUCTURE nested `depth` multiparts deep, for the nesting-limit tests.

/// `* 1 FETCH (BODYSTRUCTURE (((... "TEXT" "PLAIN" ... ) "MIXED") ... "MIXED"))`: one text part
/// inside `depth - 1` multiparts.
pub fn nested_bodystructure(depth: usize) -> Vec<u8> {
    let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    input.extend(std::iter::repeat_n(b'(', depth));
    input.extend_from_slice(b"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
    for _ in 1..depth {
        input.extend_from_slice(b" \"MIXED\")");
    }
    input.extend_from_slice(b")\r\n");
    input
}
