//! Prints the example session of protocol/SPEC.md §6 as hex, one frame per block.
//! `cargo run -p lookwire-protocol --example lwlb_session`

use lookwire_protocol::lwlb::spec_example;

fn main() {
    for (title, bytes) in spec_example::frames() {
        println!("{title}");
        println!("{}", spec_example::hex(&bytes));
        println!();
    }
}
