//! `hello-world`: the start-up floor of any Rust command-line program (the
//! standard runtime, one line to stdout), to compare `flakeedit --version`
//! and small single-file commands against in `benches/peers.sh`.

fn main() {
    println!("hello, world");
}
